"""A small assessment cycle and its cast, for the tests of this app."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jixiao.accounts.models import Role, Unit, User
from jixiao.core.testing import make_cycle, make_group, make_unit, make_user
from jixiao.cycles.models import Cycle, Phase
from jixiao.indicators.models import Indicator, Method, Tree


@dataclass
class World:
    cycle: Cycle
    units: list[Unit]
    legal: Unit  # the data-collection unit (法制办)
    judged: dict[str, Indicator]  # unit code → its judged leaf 1.1
    progress_leaf: dict[str, Indicator]  # unit code → its completion-plus-progress leaf 1.2
    direct: Indicator  # common leaf A.1 (direct score)
    deduction: Indicator  # common leaf A.2 (deduction from full marks)
    office: User
    operator: User
    leader: User
    other_operator: User
    reviewer: User
    reviewer2: User
    idle_reviewer: User
    collector: User
    outsider: User


def build_world(units: int = 2, code: str = "E1") -> World:
    cycle = make_cycle(code, phase=Phase.ASSESSMENT)
    group = make_group(cycle)
    legal = make_unit(f"{code}-FZB", "区司法局")
    made = [
        make_unit(f"{code}-U{i}", f"被考核单位{i}", cycle=cycle, group=group)
        for i in range(1, units + 1)
    ]
    judged, progress = {}, {}
    for i, unit in enumerate(made):
        root = Indicator.objects.create(
            cycle=cycle,
            tree=Tree.PERFORMANCE,
            unit=unit,
            code="1",
            name="重点工作",
            points=Decimal(200),
            order=0,
        )
        judged[unit.code] = Indicator.objects.create(
            cycle=cycle,
            tree=Tree.PERFORMANCE,
            unit=unit,
            parent=root,
            code="1.1",
            name="项目建设",
            points=Decimal(100),
            method=Method.JUDGEMENT,
            order=1,
            target="完成 10 个项目",
        )
        progress[unit.code] = Indicator.objects.create(
            cycle=cycle,
            tree=Tree.PERFORMANCE,
            unit=unit,
            parent=root,
            code="1.2",
            name="营商环境",
            points=Decimal(100),
            method=Method.COMPLETION_PROGRESS,
            completion_points=Decimal(60),
            progress_points=Decimal(40),
            order=2 + i * 0,
        )
    area = Indicator.objects.create(
        cycle=cycle, tree=Tree.SELF_CONSTRUCTION, code="A", name="依法行政", points=Decimal(800)
    )
    direct = Indicator.objects.create(
        cycle=cycle,
        tree=Tree.SELF_CONSTRUCTION,
        parent=area,
        code="A.1",
        name="法治建设",
        points=Decimal(400),
        method=Method.DIRECT,
        collection_unit=legal,
        order=1,
    )
    deduction = Indicator.objects.create(
        cycle=cycle,
        tree=Tree.SELF_CONSTRUCTION,
        parent=area,
        code="A.2",
        name="行政复议",
        points=Decimal(400),
        method=Method.DEDUCTION,
        points_per_finding=Decimal(10),
        collection_unit=legal,
        order=2,
    )
    return World(
        cycle=cycle,
        units=made,
        legal=legal,
        judged=judged,
        progress_leaf=progress,
        direct=direct,
        deduction=deduction,
        office=make_user(f"{code}-office", Role.OFFICE_ADMIN, display_name="效能办"),
        operator=make_user(
            f"{code}-operator", Role.UNIT_OPERATOR, unit=made[0], display_name="经办人"
        ),
        leader=make_user(f"{code}-leader", Role.UNIT_LEADER, unit=made[0], display_name="负责人"),
        other_operator=make_user(
            f"{code}-other",
            Role.UNIT_OPERATOR,
            unit=made[1] if len(made) > 1 else make_unit(f"{code}-OTHER"),
        ),
        reviewer=make_user(f"{code}-rev1", Role.REVIEWER, cycle=cycle, display_name="评委甲"),
        reviewer2=make_user(f"{code}-rev2", Role.REVIEWER, cycle=cycle, display_name="评委乙"),
        idle_reviewer=make_user(f"{code}-rev3", Role.REVIEWER, cycle=cycle),
        collector=make_user(f"{code}-collector", Role.COLLECTOR, unit=legal, display_name="采集员"),
        outsider=make_user(f"{code}-outsider"),
    )
