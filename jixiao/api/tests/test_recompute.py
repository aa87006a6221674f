from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from jixiao.accounts.models import User
from jixiao.api.tests.conftest import World, login
from jixiao.core.models import AuditEntry
from jixiao.core.testing import make_simple_trees
from jixiao.cycles.models import Cycle, Phase
from jixiao.scoring.models import Result

pytestmark = pytest.mark.django_db

URL = "/api/v1/cycles/T1/recompute/"


def test_office_recomputes_a_cycle(client: Client, world: World, office_admin: User) -> None:
    for unit in (world.u1, world.u2, world.u3):
        make_simple_trees(world.cycle, unit)

    response = login(client, office_admin).post(URL)

    assert response.status_code == 200
    cycle = Cycle.objects.get(pk=world.cycle.pk)
    assert cycle.computed_at is not None
    assert response.json() == {
        "units": 3,
        "provisional": 3,  # no public score yet
        "results_hash": cycle.results_hash,
        "computed_at": timezone.localtime(cycle.computed_at).isoformat(),
    }
    assert len(cycle.results_hash) == 64
    assert sorted(Result.objects.values_list("unit__code", flat=True)) == ["U1", "U2", "U3"]
    assert AuditEntry.objects.filter(action="recompute", actor=office_admin).count() == 1


def test_recompute_twice_gives_the_same_hash(
    client: Client, world: World, office_admin: User
) -> None:
    make_simple_trees(world.cycle, world.u1)
    login(client, office_admin)

    first = client.post(URL).json()["results_hash"]
    second = client.post(URL).json()["results_hash"]

    assert first == second


def test_viewer_may_not_recompute(client: Client, world: World, viewer: User) -> None:
    response = login(client, viewer).post(URL)

    assert response.status_code == 403
    assert not Result.objects.exists()
    assert not AuditEntry.objects.filter(action="recompute").exists()


def test_unit_operator_may_not_recompute(client: Client, world: World, unit_operator: User) -> None:
    response = login(client, unit_operator).post(URL)

    assert response.status_code == 403
    assert not Result.objects.exists()


def test_outsider_gets_not_found_on_recompute(client: Client, world: World, outsider: User) -> None:
    response = login(client, outsider).post(URL)

    assert response.status_code == 404
    assert not Result.objects.exists()


def test_anonymous_caller_may_not_recompute(client: Client, world: World) -> None:
    response = client.post(URL)

    assert response.status_code in (401, 403)
    assert not Result.objects.exists()


def test_recompute_refuses_a_finalized_cycle_with_a_reason(
    client: Client, world: World, office_admin: User
) -> None:
    Cycle.objects.filter(pk=world.cycle.pk).update(phase=Phase.FINALIZED)

    response = login(client, office_admin).post(URL)

    assert response.status_code == 400
    assert response.json() == ["已定档或归档的考评年度不能重新计算"]
    assert not Result.objects.exists()


def test_recompute_needs_post(client: Client, world: World, office_admin: User) -> None:
    response = login(client, office_admin).get(URL)

    assert response.status_code == 405
