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
