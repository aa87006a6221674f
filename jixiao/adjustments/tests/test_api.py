"""The adjustments endpoints of /api/v1/ and who sees what through them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.adjustments.models import CityIncentive
from jixiao.adjustments.tests.data import Cast, endorsed_claim, finding

pytestmark = pytest.mark.django_db


def get(client: Client, user: Any, name: str, cast: Cast) -> Any:
    client.force_login(user)
    return client.get(reverse(f"api:{name}", args=[cast.cycle.code]))


def rows(client: Client, user: Any, name: str, cast: Cast) -> list[dict[str, Any]]:
    """The rows of a list endpoint (paginated)."""
    return list(get(client, user, name, cast).json()["results"])


def test_standards_list_points_caps_and_multipliers(cast: Cast, client: Client) -> None:
    data = get(client, cast.operator, "adjustment_standards", cast).json()
    assert data["bonus"][0] == {
        "category": 1,
        "label": data["bonus"][0]["label"],
        "points": "10.00",
        "cap": "10",
        "stack": True,
    }
    assert [d["code"] for d in data["deduction"]] == ["K1", "K2", "K3", "K4", "K5"]
    assert data["multipliers"] == {"district": "1.00", "city": "2.00", "province": "2.00"}


def test_a_unit_lists_only_its_own_claims_and_findings(cast: Cast, client: Client) -> None:
    endorsed_claim(cast, 4)
    endorsed_claim(cast, 6, unit=cast.other)
    finding(cast)
    finding(cast, unit=cast.other)
    claims = rows(client, cast.operator, "claims", cast)
    assert {c["unit"] for c in claims} == {cast.unit.code}
    findings = rows(client, cast.operator, "findings", cast)
    assert {f["unit"] for f in findings} == {cast.unit.code}
    assert get(client, cast.operator, "inspections", cast).status_code == 403
    assert len(rows(client, cast.office, "claims", cast)) == 2
    assert len(rows(client, cast.inspector, "findings", cast)) == 2
    assert len(rows(client, cast.inspector, "inspections", cast)) == 2
    assert get(client, cast.outsider, "claims", cast).status_code == 404


def test_city_incentives_of_the_unit_only(cast: Cast, client: Client) -> None:
    CityIncentive.objects.create(cycle=cast.cycle, unit=cast.unit, points=3, source="甲")
    CityIncentive.objects.create(cycle=cast.cycle, unit=cast.other, points=2, source="乙")
    assert len(rows(client, cast.office, "city_incentives", cast)) == 2
    own = rows(client, cast.operator, "city_incentives", cast)
    assert own == [
        {"unit": cast.unit.code, "unit_name": cast.unit.name, "points": "3.00", "source": "甲"}
    ]
