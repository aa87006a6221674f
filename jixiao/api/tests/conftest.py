"""A small cycle and the cast of personas for the API tests.

Cycle T1 has two ranking groups: G1 (政府部门) with units U1 and U2, G2 (街道) with U3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from jixiao.accounts.models import Role, Unit, User
from jixiao.core.testing import make_cycle, make_group, make_unit, make_user
from jixiao.cycles.models import Cycle, RankingGroup
from jixiao.scoring.models import Result

COMPUTED_AT = datetime(2026, 1, 15, 2, 30, tzinfo=UTC)


@dataclass
class World:
    cycle: Cycle
    g1: RankingGroup
    g2: RankingGroup
    u1: Unit
    u2: Unit
    u3: Unit


@pytest.fixture
def world(db: None) -> World:
    cycle = make_cycle("T1")
    g1 = make_group(cycle, "G1", "政府部门", 0)
    g2 = make_group(cycle, "G2", "街道", 1)
    return World(
        cycle=cycle,
        g1=g1,
        g2=g2,
        u1=make_unit("U1", "发改局", cycle=cycle, group=g1),
        u2=make_unit("U2", "财政局", cycle=cycle, group=g1),
        u3=make_unit("U3", "城关街道", cycle=cycle, group=g2),
    )


@pytest.fixture
def office_admin(world: World) -> User:
    return make_user("office_admin", Role.OFFICE_ADMIN, display_name="效能办")


@pytest.fixture
def viewer(world: World) -> User:
    return make_user("viewer", Role.VIEWER, cycle=world.cycle)


@pytest.fixture
def reviewer(world: World) -> User:
    return make_user("reviewer", Role.REVIEWER, cycle=world.cycle)


@pytest.fixture
def unit_operator(world: World) -> User:
    """Works for U1 only."""
    return make_user("unit_operator", Role.UNIT_OPERATOR, unit=world.u1)


@pytest.fixture
def collector(world: World) -> User:
    """Collects data as U2: may open the cycle, holds no result-reading role."""
    return make_user("collector", Role.COLLECTOR, unit=world.u2)


@pytest.fixture
def outsider(world: World) -> User:
    """Holds a role in another cycle only."""
    other = make_cycle("T0")
    return make_user("outsider", Role.VIEWER, cycle=other)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def make_result(
    world: World,
    unit: Unit,
    *,
    composite: str,
    rank: int,
    grade: str = "优秀",
    provisional: bool = False,
) -> Result:
    """A stored result whose components are fixed numbers (four decimal places, as stored)."""
    group = world.g2 if unit == world.u3 else world.g1
    return Result.objects.create(
        cycle=world.cycle,
        unit=unit,
        group=group,
        performance=Decimal("180.5"),
        self_construction=Decimal("720.25"),
        indicator=Decimal("900.75"),
        city_incentive=Decimal("0"),
        public=Decimal("95.125"),
        bonus=Decimal("3"),
        deduction=Decimal("1.5"),
        composite=Decimal(composite),
        rank=rank,
        grade=grade,
        provisional=provisional,
        inputs_hash="0" * 64,
        computed_at=COMPUTED_AT,
    )
