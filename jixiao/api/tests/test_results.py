from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from jixiao.accounts.models import Role, Unit, User
from jixiao.api.tests.conftest import World, login, make_result
from jixiao.core.testing import make_simple_trees, make_unit, make_user
from jixiao.cycles.models import Cycle
from jixiao.evaluations.models import ReviewScore
from jixiao.indicators.models import Method
from jixiao.scoring.services import explain_unit

pytestmark = pytest.mark.django_db

COMPONENTS = {
    "performance": "180.50",
    "self_construction": "720.25",
    "indicator": "900.75",
    "city_incentive": "0.00",
    "public": "95.13",
    "bonus": "3.00",
    "deduction": "1.50",
}


def row(
    unit: str, name: str, group: str, composite: str, rank: int, **extra: Any
) -> dict[str, Any]:
    data = {
        "unit": unit,
        "name": name,
        "group": group,
        "composite": composite,
        "rank": rank,
        "grade": "优秀",
        "provisional": False,
        "components": COMPONENTS,
    }
    data.update(extra)
    return data


@pytest.fixture
def results(world: World) -> None:
    make_result(world, world.u1, composite="899.8", rank=2, grade="良好")
    make_result(world, world.u2, composite="912.3456", rank=1)
    make_result(world, world.u3, composite="880", rank=1, provisional=True)


# GET /api/v1/cycles/{code}/results/


def test_result_list_ranks_units_by_group_with_scores_at_the_cycles_precision(
    client: Client, results: None, viewer: User
) -> None:
    response = login(client, viewer).get("/api/v1/cycles/T1/results/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [
            row("U2", "财政局", "G1", "912.35", 1),
            row("U1", "发改局", "G1", "899.80", 2, grade="良好"),
            row("U3", "城关街道", "G2", "880.00", 1, provisional=True),
        ],
    }


def test_result_list_uses_the_cycles_precision(
    client: Client, world: World, results: None, office_admin: User
) -> None:
    Cycle.objects.filter(pk=world.cycle.pk).update(precision=1)

    response = login(client, office_admin).get("/api/v1/cycles/T1/results/", {"group": "G1"})

    assert [
        (r["unit"], r["composite"], r["components"]["public"]) for r in response.json()["results"]
    ] == [("U2", "912.3", "95.1"), ("U1", "899.8", "95.1")]


def test_result_list_filters_by_group(client: Client, results: None, reviewer: User) -> None:
    response = login(client, reviewer).get("/api/v1/cycles/T1/results/", {"group": "G2"})

    assert [r["unit"] for r in response.json()["results"]] == ["U3"]


def test_unit_operator_lists_only_their_own_units_result(
    client: Client, results: None, unit_operator: User
) -> None:
    response = login(client, unit_operator).get("/api/v1/cycles/T1/results/")

    assert response.status_code == 200
    assert response.json()["results"] == [row("U1", "发改局", "G1", "899.80", 2, grade="良好")]


def test_collector_may_not_list_results(client: Client, results: None, collector: User) -> None:
    response = login(client, collector).get("/api/v1/cycles/T1/results/")

    assert response.status_code == 403
    assert "912" not in response.content.decode()


def test_outsider_gets_not_found_for_results(client: Client, results: None, outsider: User) -> None:
    response = login(client, outsider).get("/api/v1/cycles/T1/results/")

    assert response.status_code == 404
    assert "912" not in response.content.decode()


def test_anonymous_caller_gets_no_results(client: Client, results: None) -> None:
    response = client.get("/api/v1/cycles/T1/results/")

    assert response.status_code in (401, 403)
    assert "912" not in response.content.decode()


def test_result_list_runs_a_fixed_number_of_queries(
    client: Client, world: World, office_admin: User, django_assert_num_queries: Any
) -> None:
    make_result(world, world.u1, composite="899.8", rank=1)
    login(client, office_admin)
    # session, user, cycle, memberships, count, results with unit and group
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/cycles/T1/results/").json()["results"]) == 1
    make_result(world, world.u2, composite="800", rank=2)
    make_result(world, world.u3, composite="700", rank=1)
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/cycles/T1/results/").json()["results"]) == 3


# GET /api/v1/cycles/{code}/results/{unit_code}/


@pytest.fixture
def judged(world: World) -> list[User]:
    """U1's performance leaf is judged by two reviewers, zhangsan and lisi."""
    leaf, _ = make_simple_trees(world.cycle, world.u1)
    leaf.method = Method.JUDGEMENT
    leaf.save()
    scorers = [make_user("zhangsan", Role.REVIEWER), make_user("lisi", Role.REVIEWER)]
    for reviewer, score in zip(scorers, ("180", "170"), strict=True):
        ReviewScore.objects.create(
            cycle=world.cycle, unit=world.u1, indicator=leaf, reviewer=reviewer, score=score
        )
    make_result(world, world.u1, composite="899.8", rank=2, grade="良好")
    return scorers


def review_inputs(explanation: dict[str, Any]) -> list[dict[str, Any]]:
    found = [i for i in explanation.get("inputs", []) if i.get("kind") == "review"]
    for child in explanation.get("children", []):
        found += review_inputs(child)
    return found


def test_result_detail_explains_the_score_with_reviewer_names_for_the_office(
    client: Client, world: World, judged: list[User], office_admin: User
) -> None:
    explained = explain_unit(cycle=world.cycle, unit_id=world.u1.pk)
    assert explained is not None

    response = login(client, office_admin).get("/api/v1/cycles/T1/results/U1/")

    assert response.status_code == 200
    assert response.json() == {
        **row("U1", "发改局", "G1", "899.80", 2, grade="良好"),
        "missing": [],
        "computed_at": "2026-01-15T10:30:00+08:00",
        "explanation": explained.explanation,
    }
    assert sorted(i["reviewer"] for i in review_inputs(response.json()["explanation"])) == [
        "lisi",
        "zhangsan",
    ]


def test_result_detail_hides_reviewer_names_from_the_unit(
    client: Client, world: World, judged: list[User], unit_operator: User
) -> None:
    response = login(client, unit_operator).get("/api/v1/cycles/T1/results/U1/")

    assert response.status_code == 200
    reviews = review_inputs(response.json()["explanation"])
    assert sorted((i["reviewer"], i["score"]) for i in reviews) == [
        ("评估组成员 1", "170.00"),
        ("评估组成员 2", "180.00"),
    ]
    body = response.content.decode()
    assert "zhangsan" not in body
    assert "lisi" not in body


def test_unit_operator_cannot_read_another_units_result(
    client: Client, results: None, unit_operator: User
) -> None:
    response = login(client, unit_operator).get("/api/v1/cycles/T1/results/U2/")

    assert response.status_code == 404
    assert "912" not in response.content.decode()


def test_another_units_result_looks_like_a_missing_one(
    client: Client, results: None, unit_operator: User
) -> None:
    other = login(client, unit_operator).get("/api/v1/cycles/T1/results/U2/")
    missing = client.get("/api/v1/cycles/T1/results/NOPE/")

    assert (other.status_code, other.json().keys()) == (missing.status_code, missing.json().keys())


def test_outsider_cannot_read_a_result(client: Client, results: None, outsider: User) -> None:
    response = login(client, outsider).get("/api/v1/cycles/T1/results/U1/")

    assert response.status_code == 404


def test_result_of_a_unit_without_one_is_not_found(
    client: Client, world: World, office_admin: User
) -> None:
    unit: Unit = make_unit("U4", cycle=world.cycle, group=world.g1)

    response = login(client, office_admin).get(f"/api/v1/cycles/T1/results/{unit.code}/")

    assert response.status_code == 404


def test_result_detail_shows_decimal_strings(
    client: Client, world: World, office_admin: User
) -> None:
    make_result(world, world.u2, composite=str(Decimal("912.345")), rank=1)

    response = login(client, office_admin).get("/api/v1/cycles/T1/results/U2/")

    assert response.json()["composite"] == "912.35"
