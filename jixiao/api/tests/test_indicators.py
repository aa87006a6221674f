from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from jixiao.accounts.models import User
from jixiao.api.tests.conftest import World, login
from jixiao.core.testing import make_simple_trees, make_unit
from jixiao.indicators.models import Indicator, Method, Source, Tree

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles/T1/indicators/"


def node(code: str, name: str, points: str, **extra: Any) -> dict[str, Any]:
    """The JSON of a tree node with the model's defaults, overridden by ``extra``."""
    data: dict[str, Any] = {
        "code": code,
        "name": name,
        "order": 0,
        "points": points,
        "method": "",
        "aggregation": "mean",
        "points_per_finding": None,
        "completion_points": None,
        "progress_points": None,
        "source": "",
        "source_detail": "",
        "target": "",
        "rule": "",
        "collection_unit": None,
        "deadline": None,
        "children": [],
    }
    data.update(extra)
    return data


def test_self_construction_tree_is_nested(
    client: Client, world: World, unit_operator: User
) -> None:
    make_simple_trees(world.cycle, world.u1)
    stats = make_unit("S1", "统计局")
    Indicator.objects.create(
        cycle=world.cycle,
        tree=Tree.SELF_CONSTRUCTION,
        parent=Indicator.objects.get(code="A"),
        code="A.2",
        name="安全生产",
        order=1,
        points=Decimal(0),
        method=Method.DEDUCTION,
        points_per_finding=Decimal("0.5"),
        collection_unit=stats,
        target="无事故",
    )

    response = login(client, unit_operator).get(URL, {"tree": "self_construction"})

    assert response.status_code == 200
    assert response.json() == {
        "tree": "self_construction",
        "unit": None,
        "indicators": [
            node(
                "A",
                "自身建设",
                "800.00",
                children=[
                    node("A.1", "自身建设任务", "800.00", method="direct"),
                    node(
                        "A.2",
                        "安全生产",
                        "0.00",
                        order=1,
                        method="deduction",
                        points_per_finding="0.50",
                        collection_unit="S1",
                        target="无事故",
                    ),
                ],
            )
        ],
    }


def test_performance_tree_of_the_operators_own_unit(
    client: Client, world: World, unit_operator: User
) -> None:
    make_simple_trees(world.cycle, world.u1)
    Indicator.objects.filter(code="1.1").update(
        method=Method.COMPLETION_PROGRESS,
        completion_points=Decimal(150),
        progress_points=Decimal(50),
        source=Source.KEY_WORK,
        deadline=date(2026, 6, 30),
    )

    response = login(client, unit_operator).get(URL, {"tree": "performance", "unit": "U1"})

    assert response.status_code == 200
    assert response.json() == {
        "tree": "performance",
        "unit": "U1",
        "indicators": [
            node(
                "1",
                "业绩",
                "200.00",
                children=[
                    node(
                        "1.1",
                        "业绩任务",
                        "200.00",
                        method="completion_progress",
                        completion_points="150.00",
                        progress_points="50.00",
                        source="key_work",
                        deadline="2026-06-30",
                    )
                ],
            )
        ],
    }


def test_operator_cannot_read_another_units_performance_tree(
    client: Client, world: World, unit_operator: User
) -> None:
    make_simple_trees(world.cycle, world.u2)

    response = login(client, unit_operator).get(URL, {"tree": "performance", "unit": "U2"})

    assert response.status_code == 404
    assert "业绩任务" not in response.content.decode()


def test_reviewer_reads_any_units_performance_tree(
    client: Client, world: World, reviewer: User
) -> None:
    make_simple_trees(world.cycle, world.u2)

    response = login(client, reviewer).get(URL, {"tree": "performance", "unit": "U2"})

    assert response.status_code == 200
    assert response.json()["indicators"][0]["children"][0]["name"] == "业绩任务"


def test_collector_cannot_read_a_performance_tree(
    client: Client, world: World, collector: User
) -> None:
    make_simple_trees(world.cycle, world.u2)

    response = login(client, collector).get(URL, {"tree": "performance", "unit": "U2"})

    assert response.status_code == 404


def test_outsider_cannot_read_the_common_tree(client: Client, world: World, outsider: User) -> None:
    make_simple_trees(world.cycle, world.u1)

    response = login(client, outsider).get(URL, {"tree": "self_construction"})

    assert response.status_code == 404
    assert "自身建设任务" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "tree"), ({"tree": "other"}, "tree"), ({"tree": "performance"}, "unit")],
)
def test_tree_request_names_the_bad_parameter(
    client: Client, world: World, office_admin: User, params: dict[str, str], field: str
) -> None:
    response = login(client, office_admin).get(URL, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_tree_of_a_unit_outside_the_cycle_is_not_found(
    client: Client, world: World, office_admin: User
) -> None:
    make_unit("U9")

    response = login(client, office_admin).get(URL, {"tree": "performance", "unit": "U9"})

    assert response.status_code == 404


def test_tree_runs_a_fixed_number_of_queries(
    client: Client, world: World, office_admin: User, django_assert_num_queries: Any
) -> None:
    root = Indicator.objects.create(
        cycle=world.cycle,
        tree=Tree.PERFORMANCE,
        unit=world.u1,
        code="1",
        name="业绩",
        points=Decimal(200),
        collection_unit=world.u2,
    )
    login(client, office_admin)
    params = {"tree": "performance", "unit": "U1"}
    # session, user, cycle, memberships, participation with unit and group,
    # indicators with collection unit
    with django_assert_num_queries(6):
        assert len(client.get(URL, params).json()["indicators"]) == 1
    for code in ("1.1", "1.2"):
        Indicator.objects.create(
            cycle=world.cycle,
            tree=Tree.PERFORMANCE,
            unit=world.u1,
            parent=root,
            code=code,
            name=code,
            points=Decimal(100),
            method=Method.DIRECT,
            collection_unit=world.u3,
        )
    with django_assert_num_queries(6):
        assert len(client.get(URL, params).json()["indicators"][0]["children"]) == 2
