"""A small valid performance tree of 200 points, built through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from jixiao.accounts.models import Unit
from jixiao.cycles.models import Cycle
from jixiao.indicators.models import Indicator, Method, Source
from jixiao.indicators.services import add_indicator, get_tree_status


def leaf(code: str, name: str, points: int | str, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": code,
        "name": name,
        "points": Decimal(points),
        "method": Method.JUDGEMENT,
        "source": Source.KEY_WORK,
        "target": f"{name}目标",
        "responsible_office": "办公室",
        "responsible_person": "张三",
        "deadline": date(2020, 12, 31),
    }
    values.update(extra)
    return values


def build_tree(cycle: Cycle, unit: Unit, by: Any) -> dict[str, Indicator]:
    """一 (120) = 一.1 (70) + 一.2 (50); 二 (80) = 二.1 (80)."""
    status = get_tree_status(cycle=cycle, unit=unit)
    nodes: dict[str, Indicator] = {}
    nodes["一"] = add_indicator(
        status=status,
        parent=None,
        values={"code": "一", "name": "经济发展", "points": Decimal(120)},
        by=by,
    )
    nodes["一.1"] = add_indicator(
        status=status, parent=nodes["一"], values=leaf("一.1", "项目建设", 70), by=by
    )
    nodes["一.2"] = add_indicator(
        status=status, parent=nodes["一"], values=leaf("一.2", "招商引资", 50), by=by
    )
    nodes["二"] = add_indicator(
        status=status,
        parent=None,
        values={"code": "二", "name": "服务保障", "points": Decimal(80)},
        by=by,
    )
    nodes["二.1"] = add_indicator(
        status=status, parent=nodes["二"], values=leaf("二.1", "优抚安置", 80), by=by
    )
    return nodes
