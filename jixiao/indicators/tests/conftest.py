"""A cycle in the decomposition phase with two units, and the cast of personas.

Cycle 2020 (任务分解): units U1 and U2 in group G1, the collection unit C1 (not assessed).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from jixiao.accounts.models import Role, Unit, User
from jixiao.core.testing import make_cycle, make_group, make_unit, make_user
from jixiao.cycles.models import Cycle, Phase


@dataclass
class Cast:
    cycle: Cycle
    unit: Unit
    other_unit: Unit
    collector_unit: Unit
    office: User
    operator: User  # U1's operator
    leader: User  # U1's leader
    other_operator: User  # U2's operator
    viewer: User


@pytest.fixture
def cast(db: None) -> Cast:
    cycle = make_cycle("2020", name="2020年度绩效考评", phase=Phase.DECOMPOSITION)
    group = make_group(cycle)
    unit = make_unit("U1", "区退役军人事务局", cycle=cycle, group=group)
    other = make_unit("U2", "区教育局", cycle=cycle, group=group)
    collector = make_unit("C1", "区司法局")
    return Cast(
        cycle=cycle,
        unit=unit,
        other_unit=other,
        collector_unit=collector,
        office=make_user("office", Role.OFFICE_ADMIN),
        operator=make_user("operator", Role.UNIT_OPERATOR, unit=unit),
        leader=make_user("leader", Role.UNIT_LEADER, unit=unit),
        other_operator=make_user("other", Role.UNIT_OPERATOR, unit=other),
        viewer=make_user("viewer", Role.VIEWER),
    )


@pytest.fixture
def client_as(client: Client):  # type: ignore[no-untyped-def]
    def login(user: User | None) -> Client:
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
