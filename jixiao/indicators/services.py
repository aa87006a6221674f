"""Checks on indicator trees. Writes to trees come with the tree editor; the foundation checks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from jixiao.cycles.models import Cycle
from jixiao.indicators.models import Tree
from jixiao.indicators.selectors import cycle_trees
from jixiao.scoring.engine import validate_tree


@dataclass(frozen=True)
class TreeIssue:
    tree: str  # Tree value
    unit_code: str | None  # None: the common tree
    node: str  # node code ("" for the tree as a whole)
    message: str
    difference: Decimal | None

    def __str__(self) -> str:
        where = str(Tree(self.tree).label) + (f" · {self.unit_code}" if self.unit_code else "")
        node = self.node or _("合计")
        return f"{where} · {node}: {self.message}"


def check_cycle_trees(*, cycle: Cycle) -> list[TreeIssue]:
    """Every reason a tree of ``cycle`` does not add up, naming the tree, node and difference.

    A participating unit without a performance tree, and a cycle without a common tree, are
    problems too: their scores would be provisional.
    """
    from jixiao.cycles.selectors import participations

    trees = cycle_trees(cycle=cycle)
    issues: list[TreeIssue] = []
    if trees.self_construction is None:
        issues.append(TreeIssue(Tree.SELF_CONSTRUCTION, None, "", _("尚未设置自身建设指标"), None))
    else:
        issues.extend(
            TreeIssue(Tree.SELF_CONSTRUCTION, None, p.code, p.message, p.difference)
            for p in validate_tree(trees.self_construction, cycle.self_construction_total)
        )
    for participation in participations(cycle=cycle):
        root = trees.performance.get(participation.unit_id)
        code = participation.unit.code
        if root is None:
            issues.append(TreeIssue(Tree.PERFORMANCE, code, "", _("尚未设置业绩指标"), None))
            continue
        issues.extend(
            TreeIssue(Tree.PERFORMANCE, code, p.code, p.message, p.difference)
            for p in validate_tree(root, cycle.performance_total)
        )
    return issues
