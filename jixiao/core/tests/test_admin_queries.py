"""N+1 tests for the admin's list pages: 1 row and 3 rows cost the same number of queries."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jixiao.accounts.models import Role, Unit, User
from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem
from jixiao.core.services import record_audit
from jixiao.core.testing import make_cycle, make_group, make_simple_trees, make_unit, make_user
from jixiao.cycles.models import Cycle, RankingGroup
from jixiao.evaluations.models import CollectionValue, ReviewScore
from jixiao.scoring.services import recompute_cycle
from jixiao.surveys.models import PublicScore

pytestmark = pytest.mark.django_db


def _add_unit(cycle: Cycle, group: RankingGroup, reviewer: User, n: int) -> None:
    """One assessed unit with a row of every kind the admin lists."""
    unit = make_unit(f"U{n}", cycle=cycle, group=group)
    make_user(f"operator{n}", Role.UNIT_OPERATOR, unit=unit)
    perf, selfc = make_simple_trees(cycle, unit)
    ReviewScore.objects.create(
        cycle=cycle, unit=unit, indicator=perf, reviewer=reviewer, score=Decimal(150)
    )
    CollectionValue.objects.create(cycle=cycle, unit=unit, indicator=selfc, score=Decimal(700))
    PublicScore.objects.create(cycle=cycle, unit=unit, score=Decimal(900))
    CityIncentive.objects.create(cycle=cycle, unit=unit, points=Decimal(1))
    BonusItem.objects.create(cycle=cycle, unit=unit, category=1, title="表扬", points=Decimal(2))
    DeductionItem.objects.create(
        cycle=cycle, unit=unit, standard_code="K1", description="脱岗", points=Decimal(1)
    )
    record_audit(by=reviewer, action="test", obj=unit, cycle_code=cycle.code)


ADMIN_LISTS = [
    "accounts_user",
    "accounts_unit",
    "accounts_membership",
    "cycles_cycle",
    "cycles_participation",
    "indicators_indicator",
    "evaluations_reviewscore",
    "evaluations_collectionvalue",
    "adjustments_bonusitem",
    "adjustments_deductionitem",
    "adjustments_cityincentive",
    "surveys_publicscore",
    "scoring_result",
    "core_auditentry",
]


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ADMIN_LISTS)
def test_admin_list_queries_do_not_grow_with_rows(name: str) -> None:
    office = make_user("office", Role.OFFICE_ADMIN)
    reviewer = make_user("reviewer", Role.REVIEWER)
    cycle = make_cycle()
    group = make_group(cycle)
    client = Client()
    client.force_login(office)
    url = reverse(f"admin:{name}_changelist")
    add: Callable[[int], None] = lambda n: _add_unit(cycle, group, reviewer, n)  # noqa: E731

    add(1)
    recompute_cycle(cycle=cycle)
    client.get(url)  # warm caches (content types, session) so both counts are like for like
    one = _count(client, url)
    add(2)
    add(3)
    recompute_cycle(cycle=cycle)
    three = _count(client, url)
    assert three == one, f"{name}: {one} queries with 1 row, {three} with 3"
    assert Unit.objects.count() == 3
