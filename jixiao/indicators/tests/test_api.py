from __future__ import annotations

from typing import Any

import pytest

from jixiao.indicators.models import Indicator, TreeState
from jixiao.indicators.tests.builders import build_tree
from jixiao.indicators.tests.conftest import Cast

pytestmark = pytest.mark.django_db
BASE = "/api/v1/cycles/2020/trees/U1/"


def test_the_tree_api_adds_nodes_and_moves_through_approval(cast: Cast, client_as: Any) -> None:
    client = client_as(cast.operator)
    response = client.post(
        BASE + "nodes/",
        {"code": "一", "name": "经济发展", "points": "200"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    top = Indicator.objects.get(unit=cast.unit, code="一")
    response = client.post(
        BASE + "nodes/",
        {
            "parent": top.pk,
            "code": "一.1",
            "name": "项目",
            "points": "200",
            "method": "judgement",
            "source": "key_work",
            "deadline": "2020-12-31",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["problems"] == []
    assert (
        client.post(
            BASE + "transition/", {"to": "submitted"}, content_type="application/json"
        ).status_code
        == 200
    )
    response = client_as(cast.leader).post(
        BASE + "transition/", {"to": "returned"}, content_type="application/json"
    )
    assert response.status_code == 400  # no reason
    response = client_as(cast.leader).post(
        BASE + "transition/", {"to": "approved"}, content_type="application/json"
    )
    assert response.json()["state"] == TreeState.APPROVED


def test_another_units_operator_gets_404_and_the_leader_403(cast: Cast, client_as: Any) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    other = client_as(cast.other_operator)
    assert other.get(BASE).status_code == 404
    assert other.delete(BASE + f"nodes/{nodes['一'].pk}/").status_code == 404
    assert (
        other.post(
            BASE + "transition/", {"to": "submitted"}, content_type="application/json"
        ).status_code
        == 404
    )
    leader = client_as(cast.leader)
    assert leader.get(BASE).status_code == 200
    assert (
        leader.patch(
            BASE + f"nodes/{nodes['一'].pk}/", {"name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert Indicator.objects.get(pk=nodes["一"].pk).name == "经济发展"


def test_a_bad_node_is_refused_with_the_field(cast: Cast, client_as: Any) -> None:
    client = client_as(cast.operator)
    response = client.post(
        BASE + "nodes/",
        {"code": "一", "name": "x", "points": "abc"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "points" in response.json()
    response = client.post(
        BASE + "nodes/",
        {"code": "一", "name": "x", "points": "1", "deadline": "2021-01-01"},
        content_type="application/json",
    )
    assert response.status_code in (201, 400)


def test_tasks_api_creates_and_reports(cast: Cast, client_as: Any) -> None:
    build_tree(cast.cycle, cast.unit, cast.operator)
    client = client_as(cast.operator)
    response = client.post(
        "/api/v1/cycles/2020/tasks/",
        {
            "unit": "U1",
            "leaf": "一.1",
            "title": "开工",
            "starts_on": "2020-01-01",
            "due": "2020-06-30",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.post(
        f"/api/v1/cycles/2020/tasks/{pk}/milestones/",
        {"title": "立项", "due": "2020-03-31"},
        content_type="application/json",
    )
    assert response.status_code == 201 and len(response.json()["milestones"]) == 1
    response = client.post(
        f"/api/v1/cycles/2020/tasks/{pk}/progress/",
        {"reported_on": "2020-03-01", "percent": 30, "done_text": "x"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["percent"] == 30
    other = client_as(cast.other_operator)
    assert other.get(f"/api/v1/cycles/2020/tasks/{pk}/").status_code == 404
    assert other.get("/api/v1/cycles/2020/tasks/").json() == []
    assert (
        other.post(
            f"/api/v1/cycles/2020/tasks/{pk}/state/",
            {"to": "done"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_schema_documents_the_endpoints(cast: Cast, client_as: Any) -> None:
    response = client_as(cast.office).get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/cycles/{code}/trees/{owner}/transition/" in text
    assert "/api/v1/cycles/{code}/tasks/{id}/progress/" in text
