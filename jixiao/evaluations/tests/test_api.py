"""/api/v1/ endpoints of the assessment: the same permissions and refusals as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from jixiao.evaluations import finalize, services
from jixiao.evaluations.models import CollectionValue, ReviewScore
from jixiao.evaluations.tests.builders import World
from jixiao.evaluations.tests.test_views import as_
from jixiao.evaluations.tests.test_workflow import fill, item_of, submit

pytestmark = pytest.mark.django_db
JSON = "application/json"


def api(world: World, rest: str) -> str:
    return f"/api/v1/cycles/{world.cycle.code}/{rest}"


def test_self_evaluations_of_another_unit_answer_404(client: Client, world: World) -> None:
    own = api(world, f"units/{world.units[0].code}/self-evaluations/")
    assert as_(client, world.operator).get(own).status_code == 200
    response = client.put(
        own + "1.1/",
        {"achievement": "做了", "claimed_score": "120", "version": 0},
        content_type=JSON,
    )
    assert response.status_code == 400 and "超过分值" in str(response.json())
    response = client.put(
        own + "1.1/",
        {"achievement": "做了", "claimed_score": "99.5", "version": 0},
        content_type=JSON,
    )
    assert response.status_code == 200 and response.json()["version"] == 1
    for user in (world.other_operator, world.reviewer, world.collector, world.outsider):
        assert as_(client, user).get(own).status_code == 404
        assert (
            client.put(
                own + "1.1/",
                {"achievement": "x", "claimed_score": "1", "version": 1},
                content_type=JSON,
            ).status_code
            == 404
        )
    assert item_of(world).achievement == "做了"


def test_reviews_need_an_assignment_and_hide_names(client: Client, world: World) -> None:
    unit = world.units[0]
    services.assign_reviewers(
        cycle=world.cycle,
        units=[unit],
        reviewers=[world.reviewer, world.reviewer2],
        by=world.office,
    )
    fill(world)
    submit(world)
    path = api(world, f"reviews/{unit.code}/1.1/")
    assert (
        as_(client, world.idle_reviewer)
        .post(path, {"scores": {"total": "50"}}, content_type=JSON)
        .status_code
        == 404
    )
    response = as_(client, world.reviewer2).post(
        path, {"scores": {"total": "50.001"}}, content_type=JSON
    )
    assert response.status_code == 400 and "小数" in str(response.json())
    assert client.post(path, {"scores": {"total": "50"}}, content_type=JSON).status_code == 201
    queue = as_(client, world.reviewer).get(api(world, "reviews/")).json()
    assert queue[0]["others"] == []  # not before their own score
    client.post(path, {"scores": {"total": "60"}}, content_type=JSON)
    queue = client.get(api(world, "reviews/")).json()
    first = next(q for q in queue if q["leaf"] == "1.1")
    assert first["others"] == [{"part": "total", "score": "50.00"}]
    assert world.reviewer2.username not in str(queue)
    assert ReviewScore.objects.count() == 2


def test_collection_values_only_for_own_leaves(client: Client, world: World) -> None:
    body: dict[str, Any] = {
        "collection_unit": world.legal.code,
        "entries": [{"unit": world.units[0].code, "leaf": "A.1", "score": "300", "version": ""}],
    }
    assert (
        as_(client, world.operator)
        .post(api(world, "collection-values/"), body, content_type=JSON)
        .status_code
        == 403
    )
    as_(client, world.collector)
    bad = {
        "collection_unit": world.legal.code,
        "entries": [{"unit": world.units[0].code, "leaf": "1.1", "score": "3"}],
    }
    assert client.post(api(world, "collection-values/"), bad, content_type=JSON).status_code == 400
    assert client.post(api(world, "collection-values/"), body, content_type=JSON).json() == {
        "changed": 1
    }
    # The same body again carries a stale version now.
    body["entries"][0]["score"] = "200"
    response = client.post(api(world, "collection-values/"), body, content_type=JSON)
    assert response.status_code == 400 and "300" in str(response.json())
    assert CollectionValue.objects.get().score == Decimal(300)


def test_appeals_through_the_api(client: Client, world: World) -> None:
    finalize.publish_results(cycle=world.cycle, by=world.office)
    path = api(world, f"units/{world.units[0].code}/appeals/")
    response = as_(client, world.operator).post(
        path, {"line_key": "performance:1.1", "reason": "请复核"}, content_type=JSON
    )
    assert response.status_code == 201
    assert (
        as_(client, world.other_operator)
        .post(path, {"line_key": "performance:1.1", "reason": "x"}, content_type=JSON)
        .status_code
        == 404
    )
    assert client.get(api(world, "appeals/")).json() == []
    assert len(as_(client, world.office).get(api(world, "appeals/")).json()) == 1
