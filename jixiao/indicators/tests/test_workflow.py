from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jixiao.core.models import AuditEntry
from jixiao.indicators.models import Indicator, TreeState
from jixiao.indicators.services import (
    add_indicator,
    delete_indicator,
    get_tree_status,
    move_indicator,
    tree_problems,
    update_indicator,
)
from jixiao.indicators.tests.builders import build_tree, leaf
from jixiao.indicators.tests.conftest import Cast
from jixiao.indicators.workflow import change_tree_state

pytestmark = pytest.mark.django_db


def test_a_tree_goes_from_draft_to_locked_with_an_audit_entry_per_move(cast: Cast) -> None:
    build_tree(cast.cycle, cast.unit, cast.operator)
    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    change_tree_state(status=status, to=TreeState.SUBMITTED, by=cast.operator)
    change_tree_state(status=status, to=TreeState.APPROVED, by=cast.leader)
    change_tree_state(status=status, to=TreeState.LOCKED, by=cast.office)
    status.refresh_from_db()
    assert status.state == TreeState.LOCKED
    moves = list(
        AuditEntry.objects.filter(object_type="indicators.treestatus")
        .order_by("id")
        .values_list("action", "old", "new", "actor__username")
    )
    assert moves == [
        ("submit_tree", {"state": "draft"}, {"state": "submitted"}, "operator"),
        ("approve_tree", {"state": "submitted"}, {"state": "approved"}, "leader"),
        ("lock_tree", {"state": "approved"}, {"state": "locked"}, "office"),
    ]


def test_a_tree_that_does_not_add_up_cannot_be_submitted_and_the_node_is_named(cast: Cast) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    update_indicator(
        status=status, indicator=nodes["一.2"], values={"points": Decimal("49.5")}, by=cast.operator
    )
    with pytest.raises(ValidationError) as caught:
        change_tree_state(status=status, to=TreeState.SUBMITTED, by=cast.operator)
    assert caught.value.messages == [
        "一：分值 120，下级指标合计 119.5（差 -0.5）",
    ]
    status.refresh_from_db()
    assert status.state == TreeState.DRAFT


def test_a_tree_total_off_names_the_difference(cast: Cast) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    update_indicator(
        status=status, indicator=nodes["二.1"], values={"points": Decimal("79.5")}, by=cast.operator
    )
    update_indicator(
        status=status, indicator=nodes["二"], values={"points": Decimal("79.5")}, by=cast.operator
    )
    messages = [str(p) for p in tree_problems(cycle=cast.cycle, tree=status.tree, unit=cast.unit)]
    assert messages == ["合计：合计 199.5 分，应为 200 分（差 -0.5）"]


def test_a_performance_leaf_needs_a_source(cast: Cast) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    update_indicator(
        status=status, indicator=nodes["二.1"], values={"source": ""}, by=cast.operator
    )
    assert [str(p) for p in tree_problems(cycle=cast.cycle, tree=status.tree, unit=cast.unit)] == [
        "二.1：业绩指标须注明指标来源"
    ]


def test_returning_needs_a_reason_and_reopens_the_tree_for_edits(cast: Cast) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    change_tree_state(status=status, to=TreeState.SUBMITTED, by=cast.operator)
    with pytest.raises(ValidationError):
        update_indicator(
            status=status, indicator=nodes["二.1"], values={"name": "x"}, by=cast.operator
        )
    with pytest.raises(ValidationError) as caught:
        change_tree_state(status=status, to=TreeState.RETURNED, by=cast.leader, reason=" ")
    assert caught.value.messages == ["退回时必须填写原因"]
    change_tree_state(status=status, to=TreeState.RETURNED, by=cast.leader, reason="目标偏低")
    assert status.reason == "目标偏低"
    update_indicator(
        status=status, indicator=nodes["二.1"], values={"name": "优抚"}, by=cast.operator
    )
    change_tree_state(status=status, to=TreeState.SUBMITTED, by=cast.operator)
    assert status.state == TreeState.SUBMITTED and status.reason == ""


def test_only_the_named_roles_make_each_move(cast: Cast) -> None:
    build_tree(cast.cycle, cast.unit, cast.operator)
    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    with pytest.raises(PermissionDenied):
        change_tree_state(status=status, to=TreeState.SUBMITTED, by=cast.other_operator)
    change_tree_state(status=status, to=TreeState.SUBMITTED, by=cast.operator)
    with pytest.raises(PermissionDenied):
        change_tree_state(status=status, to=TreeState.APPROVED, by=cast.operator)
    with pytest.raises(ValidationError):  # not in the table: skipping the leader
        change_tree_state(status=status, to=TreeState.LOCKED, by=cast.office)


def test_editor_moves_reorders_and_deletes(cast: Cast) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    move_indicator(status=status, indicator=nodes["一.2"], direction="up", by=cast.operator)
    kids = list(
        Indicator.objects.filter(parent=nodes["一"])
        .order_by("order")
        .values_list("code", flat=True)
    )
    assert kids == ["一.2", "一.1"]
    update_indicator(
        status=status, indicator=nodes["一.2"], values={"parent": nodes["二"]}, by=cast.operator
    )
    assert Indicator.objects.get(pk=nodes["一.2"].pk).parent_id == nodes["二"].pk
    with pytest.raises(ValidationError):  # under itself
        update_indicator(
            status=status, indicator=nodes["二"], values={"parent": nodes["一.2"]}, by=cast.operator
        )
    delete_indicator(status=status, indicator=nodes["二"], by=cast.operator)
    assert sorted(Indicator.objects.filter(unit=cast.unit).values_list("code", flat=True)) == [
        "一",
        "一.1",
    ]


def test_a_duplicated_code_and_a_fourth_level_are_refused(cast: Cast) -> None:
    nodes = build_tree(cast.cycle, cast.unit, cast.operator)
    status = get_tree_status(cycle=cast.cycle, unit=cast.unit)
    with pytest.raises(ValidationError) as caught:
        add_indicator(
            status=status, parent=nodes["一"], values=leaf("一.1", "重复", 1), by=cast.operator
        )
    assert "code" in caught.value.message_dict
    third = add_indicator(
        status=status, parent=nodes["一.1"], values=leaf("一.1.1", "三级", 70), by=cast.operator
    )
    with pytest.raises(ValidationError):
        add_indicator(status=status, parent=third, values=leaf("x", "四级", 1), by=cast.operator)
