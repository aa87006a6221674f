"""List and report pages run the same number of queries whatever the number of rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jixiao.accounts.models import Role
from jixiao.core.testing import make_user
from jixiao.reports.tests.data import build_cycle

pytestmark = pytest.mark.django_db

ONE_GROUP = (("G1", "政府部门"),)


@pytest.fixture
def office_client(client: Any) -> Any:
    client.force_login(make_user("office", Role.OFFICE_ADMIN))
    return client


@pytest.mark.parametrize("cycles", [1, 3])
def test_home_queries(cycles: int, office_client: Any, django_assert_num_queries: Any) -> None:
    for year in range(cycles):
        build_cycle(f"20{20 + year}", units_per_group=1, groups=ONE_GROUP)
    # session, user, the user's memberships, cycles, participations counted per cycle, results
    # counted per cycle, the header's cycle switcher (cycles again).
    with django_assert_num_queries(7):
        response = office_client.get(reverse("home"))
    assert len(response.context["summaries"]) == cycles


@pytest.mark.parametrize("units", [1, 3])
def test_overview_queries(units: int, office_client: Any, django_assert_num_queries: Any) -> None:
    build_cycle("2020", units_per_group=units, groups=ONE_GROUP)
    # session, user, cycle, the user's memberships, groups with their units counted, results
    # counted per group and grade, the header's cycle switcher.
    with django_assert_num_queries(7):
        response = office_client.get(reverse("cycle_overview", args=["2020"]))
    assert response.context["unit_count"] == units


@pytest.mark.parametrize("units", [1, 3])
def test_ranking_queries(units: int, office_client: Any, django_assert_num_queries: Any) -> None:
    build_cycle("2020", units_per_group=units, groups=ONE_GROUP)
    # session, user, cycle, the user's memberships, groups with their units counted, results
    # with unit and group, groups for the filter bar, the header's cycle switcher.
    with django_assert_num_queries(8):
        response = office_client.get(reverse("ranking", args=["2020"]))
    assert len(response.context["tables"][0].rows) == units


@pytest.mark.parametrize("units", [1, 3])
def test_ranking_queries_for_one_group(
    units: int, office_client: Any, django_assert_num_queries: Any
) -> None:
    build_cycle("2020", units_per_group=units, groups=(("G1", "政府部门"), ("G2", "镇街")))
    # As above; the group filter changes the WHERE clauses, not the number of queries.
    with django_assert_num_queries(8):
        response = office_client.get(reverse("ranking", args=["2020"]), {"group": "G2"})
    assert len(response.context["tables"][0].rows) == units


@pytest.mark.parametrize("units", [1, 3])
def test_dashboard_queries(units: int, office_client: Any, django_assert_num_queries: Any) -> None:
    built = build_cycle("2020", units_per_group=units, groups=ONE_GROUP)
    build_cycle("2019", units_per_group=units, groups=ONE_GROUP, units=built.units)
    # session, user, cycle, the user's memberships, groups, the group's results with units,
    # the previous cycle, its results of these units, the header's cycle switcher.
    with django_assert_num_queries(9):
        response = office_client.get(reverse("dashboard", args=["2020"]))
    assert len(response.context["rows"]) == units


@pytest.mark.parametrize("units", [1, 3])
def test_card_queries(units: int, office_client: Any, django_assert_num_queries: Any) -> None:
    built = build_cycle("2020", units_per_group=units, groups=ONE_GROUP)
    build_cycle("2019", units_per_group=units, groups=ONE_GROUP, units=built.units)
    # The same count with 1 and 3 units in the group: the group's results are read once
    # (standing), last year's result once, the trend in two queries.
    with django_assert_num_queries(CARD_QUERIES):
        office_client.get(reverse("unit_card", args=["2020", built.units[0].code]))


#: session, user, cycle, memberships, participation, result, group size, the explanation's
#: input loader (participations, indicators, collection values, reviews, bonuses, deductions,
#: city incentives, public scores), reviewer names, previous cycle, last year's result, the
#: group's results (standing), the trend (results, group sizes), the cycle switcher, the
#: surveys header link's public score of the unit.
CARD_QUERIES = 23
