from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from jixiao.accounts.models import Role, User
from jixiao.api.tests.conftest import COMPUTED_AT, World, login
from jixiao.core.testing import make_cycle, make_unit, make_user
from jixiao.cycles.models import Cycle, GradeMode, Participation, Phase

pytestmark = pytest.mark.django_db


def page(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"count": len(results), "next": None, "previous": None, "results": results}


# GET /api/v1/cycles/


def test_cycle_list_shows_the_cycles_the_user_may_open(client: Client, world: World) -> None:
    make_cycle("T0", phase=Phase.ARCHIVED)
    make_cycle("T2")
    operator = make_user("op", Role.UNIT_OPERATOR, unit=world.u1, cycle=world.cycle)
    Cycle.objects.filter(code="T1").update(computed_at=COMPUTED_AT)

    response = login(client, operator).get("/api/v1/cycles/")

    assert response.status_code == 200
    assert response.json() == page(
        [
            {
                "code": "T1",
                "name": "T1 年度绩效考评",
                "phase": "preparation",
                "phase_label": "准备",
                "computed_at": "2026-01-15T10:30:00+08:00",
            }
        ]
    )


def test_cycle_list_shows_every_cycle_to_the_office(client: Client, office_admin: User) -> None:
    make_cycle("T2")

    response = login(client, office_admin).get("/api/v1/cycles/")

    assert [c["code"] for c in response.json()["results"]] == ["T2", "T1"]


def test_cycle_list_is_empty_for_a_user_without_roles(client: Client, world: World) -> None:
    nobody = make_user("nobody")

    response = login(client, nobody).get("/api/v1/cycles/")

    assert response.json() == page([])


def test_cycle_list_refuses_an_anonymous_caller(client: Client, world: World) -> None:
    response = client.get("/api/v1/cycles/")

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_cycle_list_runs_a_fixed_number_of_queries(
    client: Client, office_admin: User, django_assert_num_queries: Any
) -> None:
    login(client, office_admin)
    # session, user, memberships, cycles
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/cycles/").json()["results"]) == 1
    make_cycle("T2")
    make_cycle("T3")
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/cycles/").json()["results"]) == 3


# GET /api/v1/cycles/{code}/


def test_cycle_detail_describes_the_scheme(client: Client, world: World, viewer: User) -> None:
    Cycle.objects.filter(pk=world.cycle.pk).update(
        bonus_categories={"1": {"cap": "10", "stack": True}, "2": {"cap": None, "stack": False}},
        bonus_total_cap=Decimal("20"),
        results_hash="ab" * 32,
        computed_at=COMPUTED_AT,
    )

    response = login(client, viewer).get("/api/v1/cycles/T1/")

    assert response.status_code == 200
    assert response.json() == {
        "code": "T1",
        "name": "T1 年度绩效考评",
        "phase": "preparation",
        "phase_label": "准备",
        "computed_at": "2026-01-15T10:30:00+08:00",
        "formula": "(indicator + city_incentive) * 0.6 + public * 0.4 + bonus - deduction",
        "precision": 2,
        "scale": "1000.00",
        "performance_total": "200.00",
        "self_construction_total": "800.00",
        "bonus_categories": [
            {"category": 1, "cap": "10", "stack": True},
            {"category": 2, "cap": None, "stack": False},
        ],
        "bonus_total_cap": "20.00",
        "multipliers": {"district": "1.00", "city": "2.00", "province": "2.00"},
        "grade_rule": {
            "mode": "bands",
            "bands": [
                {"grade": "优秀", "min": "900"},
                {"grade": "良好", "min": "800"},
                {"grade": "一般", "min": "700"},
            ],
            "quotas": [],
            "rest": "较差",
        },
        "groups": [
            {"code": "G1", "name": "政府部门", "order": 0, "units": 2},
            {"code": "G2", "name": "街道", "order": 1, "units": 1},
        ],
        "results_hash": "ab" * 32,
    }


def test_cycle_detail_shows_quota_grades(client: Client, world: World, viewer: User) -> None:
    Cycle.objects.filter(pk=world.cycle.pk).update(grade_mode=GradeMode.QUOTAS)

    response = login(client, viewer).get("/api/v1/cycles/T1/")

    assert response.json()["grade_rule"] == {
        "mode": "quotas",
        "bands": [],
        "quotas": [{"grade": "优秀", "share": "0.3"}, {"grade": "良好", "share": "0.5"}],
        "rest": "较差",
    }


def test_cycle_detail_is_not_found_for_an_outsider(client: Client, outsider: User) -> None:
    response = login(client, outsider).get("/api/v1/cycles/T1/")

    assert response.status_code == 404
    assert "formula" not in response.json()


def test_cycle_detail_hides_a_hidden_cycle_like_a_missing_one(
    client: Client, outsider: User
) -> None:
    hidden = login(client, outsider).get("/api/v1/cycles/T1/")
    missing = client.get("/api/v1/cycles/NOPE/")

    assert (hidden.status_code, missing.status_code) == (404, 404)


# GET /api/v1/cycles/{code}/units/


def test_unit_list_shows_participating_units_by_group(
    client: Client, world: World, unit_operator: User
) -> None:
    make_unit("U9", "未参评单位")

    response = login(client, unit_operator).get("/api/v1/cycles/T1/units/")

    assert response.status_code == 200
    assert response.json() == page(
        [
            {
                "code": "U1",
                "name": "发改局",
                "short_name": "",
                "group": {"code": "G1", "name": "政府部门"},
            },
            {
                "code": "U2",
                "name": "财政局",
                "short_name": "",
                "group": {"code": "G1", "name": "政府部门"},
            },
            {
                "code": "U3",
                "name": "城关街道",
                "short_name": "",
                "group": {"code": "G2", "name": "街道"},
            },
        ]
    )


def test_unit_list_is_not_found_for_an_outsider(client: Client, outsider: User) -> None:
    response = login(client, outsider).get("/api/v1/cycles/T1/units/")

    assert response.status_code == 404
    assert "results" not in response.json()


def test_unit_list_runs_a_fixed_number_of_queries(
    client: Client, world: World, office_admin: User, django_assert_num_queries: Any
) -> None:
    Participation.objects.exclude(unit=world.u1).delete()
    login(client, office_admin)
    # session, user, cycle, memberships, count, participations with unit and group
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/cycles/T1/units/").json()["results"]) == 1
    make_unit("U2b", cycle=world.cycle, group=world.g1)
    make_unit("U3b", cycle=world.cycle, group=world.g2)
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/cycles/T1/units/").json()["results"]) == 3
