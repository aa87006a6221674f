"""Builders for tests: a small cycle, personas, inputs. Used by every app's tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.accounts.models import Membership, Role, Unit, User
from jixiao.cycles.models import Cycle, Participation, RankingGroup
from jixiao.indicators.models import Indicator, Method, Tree

PASSWORD = "jixiao-test-pw-2020"


def make_user(
    username: str,
    role: Role | None = None,
    *,
    unit: Unit | None = None,
    cycle: Cycle | None = None,
    **extra: Any,
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if role is not None:
        Membership.objects.create(user=user, role=role, unit=unit, cycle=cycle)
    return user


def make_cycle(code: str = "T1", **extra: Any) -> Cycle:
    defaults: dict[str, Any] = {"name": f"{code} 年度绩效考评"}
    defaults.update(extra)
    return Cycle.objects.create(code=code, **defaults)


def make_group(
    cycle: Cycle, code: str = "G1", name: str = "政府部门", order: int = 0
) -> RankingGroup:
    return RankingGroup.objects.create(cycle=cycle, code=code, name=name, order=order)


def make_unit(
    code: str,
    name: str | None = None,
    *,
    cycle: Cycle | None = None,
    group: RankingGroup | None = None,
) -> Unit:
    unit = Unit.objects.create(code=code, name=name or f"单位{code}")
    if cycle is not None and group is not None:
        Participation.objects.create(cycle=cycle, unit=unit, group=group)
    return unit


def make_simple_trees(cycle: Cycle, unit: Unit) -> tuple[Indicator, Indicator]:
    """A minimal valid pair of trees: one performance leaf of 200 (direct score) under a root,
    and one common self-construction leaf of 800 (direct score). Returns the two leaves."""
    perf_root = Indicator.objects.create(
        cycle=cycle, tree=Tree.PERFORMANCE, unit=unit, code="1", name="业绩", points=Decimal(200)
    )
    perf_leaf = Indicator.objects.create(
        cycle=cycle,
        tree=Tree.PERFORMANCE,
        unit=unit,
        parent=perf_root,
        code="1.1",
        name="业绩任务",
        points=Decimal(200),
        method=Method.DIRECT,
    )
    self_leaf = Indicator.objects.filter(
        cycle=cycle, tree=Tree.SELF_CONSTRUCTION, code="A.1"
    ).first()
    if self_leaf is None:
        self_root = Indicator.objects.create(
            cycle=cycle, tree=Tree.SELF_CONSTRUCTION, code="A", name="自身建设", points=Decimal(800)
        )
        self_leaf = Indicator.objects.create(
            cycle=cycle,
            tree=Tree.SELF_CONSTRUCTION,
            parent=self_root,
            code="A.1",
            name="自身建设任务",
            points=Decimal(800),
            method=Method.DIRECT,
        )
    return perf_leaf, self_leaf
