"""The rules a tree must meet before it can be submitted, stated once for the editor, the
workflow and the Excel import.

The checks run over plain ``CheckNode`` records, so a tree held in the database and a tree
parsed from a workbook (not yet saved) are checked by the same code and get the same
messages. Each problem names the node (its key) and, where a number is off, by how much.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from jixiao.indicators.models import Method, Tree

ZERO = Decimal(0)


@dataclass
class CheckNode:
    key: Hashable  # a row id, or a sheet row number
    parent_key: Hashable | None
    code: str
    name: str
    points: Decimal
    method: str = ""
    source: str = ""
    collection_unit: bool = False  # whether one is set
    points_per_finding: Decimal | None = None
    completion_points: Decimal | None = None
    progress_points: Decimal | None = None
    deadline: date | None = None
    children_sum: Decimal = ZERO  # filled in by ``check_nodes``
    has_children: bool = False


@dataclass(frozen=True)
class Problem:
    key: Hashable | None  # None: the tree as a whole
    code: str
    field: str  # "points", "method", "source", "collection_unit", "deadline", "code", …
    message: str
    difference: Decimal | None = None

    def __str__(self) -> str:
        where = self.code or _("合计")
        return f"{where}：{self.message}"


@dataclass
class CheckResult:
    total: Decimal
    expected: Decimal
    problems: list[Problem] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.total - self.expected


def plain(value: Decimal) -> str:
    """15, 2.5, -0.5: a number as people write it."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + plain(value)


def cycle_year(code: str, name: str = "") -> int | None:
    """The calendar year of a cycle, read from its code or name ("2020", "2020年度…")."""
    for text in (code, name):
        match = re.search(r"(19|20)\d{2}", text or "")
        if match:
            return int(match.group(0))
    return None


def check_nodes(
    nodes: Sequence[CheckNode], *, tree: str, expected_total: Decimal, year: int | None
) -> CheckResult:
    """Every reason the tree of ``nodes`` cannot be submitted; fills in ``children_sum``."""
    children: dict[Hashable | None, list[CheckNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_key].append(node)
    problems: list[Problem] = []
    seen: dict[str, CheckNode] = {}
    for node in nodes:
        kids = children.get(node.key, [])
        node.has_children = bool(kids)
        node.children_sum = sum((k.points for k in kids), ZERO)
        if node.code in seen:
            problems.append(
                Problem(node.key, node.code, "code", _("序号“%(code)s”重复") % {"code": node.code})
            )
        seen.setdefault(node.code, node)
        problems.extend(_node_problems(node, tree=tree, year=year))
    top = children.get(None, [])
    total = sum((n.points for n in top), ZERO)
    if not nodes:
        problems.append(Problem(None, "", "points", _("指标体系还没有指标")))
    elif total != expected_total:
        problems.append(
            Problem(
                None,
                "",
                "points",
                _("合计 %(total)s 分，应为 %(expected)s 分（差 %(diff)s）")
                % {
                    "total": plain(total),
                    "expected": plain(expected_total),
                    "diff": signed(total - expected_total),
                },
                total - expected_total,
            )
        )
    return CheckResult(total=total, expected=expected_total, problems=problems)


def _node_problems(node: CheckNode, *, tree: str, year: int | None) -> Iterable[Problem]:
    def problem(field_name: str, message: str, difference: Decimal | None = None) -> Problem:
        return Problem(node.key, node.code, field_name, message, difference)

    if node.points < ZERO:
        yield problem("points", _("分值不能为负数"))
    if node.has_children:
        if node.children_sum != node.points:
            diff = node.children_sum - node.points
            yield problem(
                "points",
                _("分值 %(points)s，下级指标合计 %(sum)s（差 %(diff)s）")
                % {
                    "points": plain(node.points),
                    "sum": plain(node.children_sum),
                    "diff": signed(diff),
                },
                diff,
            )
    else:
        if not node.method:
            yield problem("method", _("末级指标须选择评分方式"))
        elif node.method == Method.DEDUCTION and not (
            node.points_per_finding and node.points_per_finding > ZERO
        ):
            yield problem("points_per_finding", _("满分倒扣的指标须填写每起扣分（大于 0）"))
        elif node.method == Method.COMPLETION_PROGRESS:
            c, p = node.completion_points, node.progress_points
            if c is None or p is None or c + p != node.points:
                yield problem(
                    "completion_points",
                    _("完成情况分值与进步情况分值之和须等于指标分值 %(points)s")
                    % {"points": plain(node.points)},
                )
        if tree == Tree.PERFORMANCE and not node.source:
            yield problem("source", _("业绩指标须注明指标来源"))
        if tree == Tree.SELF_CONSTRUCTION and not node.collection_unit:
            yield problem("collection_unit", _("自身建设指标须指定数据采集责任单位"))
    if node.deadline is not None and year is not None and node.deadline.year != year:
        yield problem(
            "deadline",
            _("完成时限 %(date)s 不在 %(year)s 年度内")
            % {"date": node.deadline.isoformat(), "year": year},
        )
