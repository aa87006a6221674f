from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.core.testing import make_cycle, make_group, make_simple_trees, make_unit
from jixiao.indicators.models import Indicator, Method, Tree
from jixiao.indicators.services import check_cycle_trees

pytestmark = pytest.mark.django_db


def test_sound_trees_have_no_issues() -> None:
    cycle = make_cycle()
    unit = make_unit("U1", cycle=cycle, group=make_group(cycle))
    make_simple_trees(cycle, unit)
    assert check_cycle_trees(cycle=cycle) == []


def test_a_parent_that_does_not_add_up_is_named_with_the_difference() -> None:
    cycle = make_cycle()
    unit = make_unit("U1", cycle=cycle, group=make_group(cycle))
    perf_leaf, _ = make_simple_trees(cycle, unit)
    Indicator.objects.create(
        cycle=cycle,
        tree=Tree.PERFORMANCE,
        unit=unit,
        parent=perf_leaf.parent,
        code="1.2",
        name="新增任务",
        points=Decimal(5),
        method=Method.DIRECT,
    )
    issues = check_cycle_trees(cycle=cycle)
    nodes = {(i.unit_code, i.node): i.difference for i in issues}
    # Node 1 says 200 but its children now sum to 205; and the tree no longer totals 200.
    assert ("U1", "1") in nodes
    assert any(d is not None and abs(d) == 5 for d in nodes.values())
    assert all("U1" in str(i) for i in issues)


def test_a_unit_without_a_tree_is_reported() -> None:
    cycle = make_cycle()
    make_unit("U1", cycle=cycle, group=make_group(cycle))
    issues = check_cycle_trees(cycle=cycle)
    assert {(i.tree, i.unit_code) for i in issues} == {
        (Tree.SELF_CONSTRUCTION, None),
        (Tree.PERFORMANCE, "U1"),
    }
