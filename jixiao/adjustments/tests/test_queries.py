"""Every list page runs the same number of queries for 1 and for 3 rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.adjustments.models import CityIncentive, Level
from jixiao.adjustments.services import decide_finding
from jixiao.adjustments.tests.data import Cast, build, endorsed_claim, finding, inspection
from jixiao.core.testing import make_unit

pytestmark = pytest.mark.django_db
ROWS = [1, 3]


@pytest.fixture
def wide(db: None) -> Cast:
    return build(units=3)


def _office(client: Client, cast: Cast) -> Client:
    client.force_login(cast.office)
    return client


@pytest.mark.parametrize("rows", ROWS)
def test_claims_list_queries(
    rows: int, wide: Cast, client: Client, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        endorsed_claim(wide, 4, title=f"事项{i}")
    _office(client, wide)
    # session, user, cycle, the user's memberships, claims with their units, units for the
    # filter, the header's cycle switcher.
    with django_assert_num_queries(7):
        response = client.get(reverse("adjustments:claims", args=[wide.cycle.code]))
    assert len(response.context["claims"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_findings_list_queries(
    rows: int, wide: Cast, client: Client, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        decide_finding(
            finding=finding(wide, Level.CITY if i % 2 else Level.DISTRICT),
            confirm=False,
            reason="撤销",
            by=wide.office,
        )
    _office(client, wide)
    # session, user, cycle, the user's memberships, findings with unit, standard, inspection
    # and linked finding, units for the filter, the header's cycle switcher.
    with django_assert_num_queries(7):
        response = client.get(reverse("adjustments:findings", args=[wide.cycle.code]))
    assert len(response.context["findings"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_inspections_list_queries(
    rows: int, wide: Cast, client: Client, django_assert_num_queries: Any
) -> None:
    for _i in range(rows):
        inspection(wide)
    _office(client, wide)
    # session, user, cycle, the user's memberships, inspections with their findings counted,
    # the header's cycle switcher.
    with django_assert_num_queries(6):
        response = client.get(reverse("adjustments:inspections", args=[wide.cycle.code]))
    assert len(response.context["inspections"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_inspection_detail_queries(
    rows: int, wide: Cast, client: Client, django_assert_num_queries: Any
) -> None:
    from jixiao.adjustments.models import DeductionStandard
    from jixiao.adjustments.services import record_finding

    visit = inspection(wide)
    for i in range(rows):
        record_finding(
            inspection=visit,
            unit=[wide.unit, wide.other][i % 2],
            standard=DeductionStandard.objects.get(cycle=wide.cycle, code="K1"),
            count=1,
            description="脱岗",
            by=wide.inspector,
        )
    _office(client, wide)
    # session, user, cycle, the user's memberships, the inspection, its findings with unit and
    # standard, units and standards for the form's choices, the header's cycle switcher.
    with django_assert_num_queries(9):
        response = client.get(reverse("adjustments:inspection", args=[wide.cycle.code, visit.pk]))
    assert len(response.context["findings"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_summary_queries(
    rows: int, db: None, client: Client, django_assert_num_queries: Any
) -> None:
    cast = build(units=2)
    group = cast.cycle.groups.get()
    units = [cast.unit] + [
        make_unit(f"X{i}", cycle=cast.cycle, group=group) for i in range(rows - 1)
    ]
    for unit in units:
        CityIncentive.objects.create(cycle=cast.cycle, unit=unit, points=1)
        endorsed_claim(cast, 6, unit=unit)
    _office(client, cast)
    # session, user, cycle, the user's memberships, units, claims summed per unit, findings
    # counted per unit, bonus items, deduction items, city incentives, the header's switcher.
    with django_assert_num_queries(11):
        response = client.get(reverse("adjustments:summary", args=[cast.cycle.code]))
    assert len(response.context["totals"]) == rows + 1  # and the other unit


@pytest.mark.parametrize("rows", ROWS)
def test_city_incentives_queries(
    rows: int, db: None, client: Client, django_assert_num_queries: Any
) -> None:
    cast = build(units=2)
    group = cast.cycle.groups.get()
    for i in range(rows):
        unit = make_unit(f"Y{i}", cycle=cast.cycle, group=group)
        CityIncentive.objects.create(cycle=cast.cycle, unit=unit, points=2, source="市考评")
    _office(client, cast)
    # session, user, cycle, the user's memberships, city incentives, participating units,
    # units for the form's choices, the header's cycle switcher.
    with django_assert_num_queries(8):
        response = client.get(reverse("adjustments:city_incentives", args=[cast.cycle.code]))
    assert len(response.context["table"]) == rows + 2
