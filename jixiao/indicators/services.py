"""Writes to indicator trees (the tree editor and the Excel import) and the checks on them.

Every write takes the acting user, runs in one transaction, refuses a tree that is not open
for editing (submitted, approved or locked, or in a finalized cycle) and leaves an audit
entry with the old and new values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from jixiao.accounts.models import Unit
from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle
from jixiao.indicators.checks import CheckNode, CheckResult, Problem, check_nodes, cycle_year
from jixiao.indicators.models import Indicator, Tree, TreeStatus
from jixiao.indicators.selectors import cycle_trees, tree_indicators
from jixiao.scoring.engine import validate_tree

if TYPE_CHECKING:
    from jixiao.indicators.excel import ParsedNode

#: The fields of a node that the editor and the import write.
NODE_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "points",
    "method",
    "aggregation",
    "points_per_finding",
    "completion_points",
    "progress_points",
    "source",
    "source_detail",
    "target",
    "rule",
    "collection_unit",
    "responsible_office",
    "responsible_person",
    "deadline",
)
#: 一级, 二级, 三级: the tables never go deeper.
MAX_DEPTH = 3


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


# Checks ------------------------------------------------------------------------------------


def expected_total(cycle: Cycle, tree: str) -> Decimal:
    return cycle.performance_total if tree == Tree.PERFORMANCE else cycle.self_construction_total


def check_node_of(row: Indicator) -> CheckNode:
    return CheckNode(
        key=row.pk,
        parent_key=row.parent_id,
        code=row.code,
        name=row.name,
        points=row.points,
        method=row.method,
        source=row.source,
        collection_unit=row.collection_unit_id is not None,
        points_per_finding=row.points_per_finding,
        completion_points=row.completion_points,
        progress_points=row.progress_points,
        deadline=row.deadline,
    )


def check_rows(*, cycle: Cycle, tree: str, rows: Sequence[Indicator]) -> CheckResult:
    return check_nodes(
        [check_node_of(row) for row in rows],
        tree=tree,
        expected_total=expected_total(cycle, tree),
        year=cycle_year(cycle.code, cycle.name),
    )


def tree_problems(*, cycle: Cycle, tree: str, unit: Unit | None) -> list[Problem]:
    rows = list(tree_indicators(cycle=cycle, tree=tree, unit_id=unit.pk if unit else None))
    return check_rows(cycle=cycle, tree=tree, rows=rows).problems


# The tree's status -------------------------------------------------------------------------


def tree_of(unit: Unit | None) -> str:
    return Tree.SELF_CONSTRUCTION if unit is None else Tree.PERFORMANCE


def get_tree_status(*, cycle: Cycle, unit: Unit | None) -> TreeStatus:
    """The status row of a tree, created as a draft on first use."""
    status, _created = TreeStatus.objects.select_related("cycle", "unit").get_or_create(
        cycle=cycle, tree=tree_of(unit), unit=unit
    )
    return status


def _lock_editable(status: TreeStatus) -> TreeStatus:
    """Lock the status row for the rest of the transaction; refuse a tree not open to edits."""
    locked = (
        TreeStatus.objects.select_for_update(of=("self",))
        .select_related("cycle", "unit")
        .get(pk=status.pk)
    )
    if locked.cycle.is_locked:
        raise ValidationError(_("该考评年度已定档，指标体系不能再变更"), code="cycle_locked")
    if not locked.is_editable:
        raise ValidationError(
            _("指标体系当前为“%(state)s”，不能修改；须先退回")
            % {"state": locked.get_state_display()},
            code="not_editable",
        )
    return locked


def _depth(indicator: Indicator | None) -> int:
    depth = 0
    while indicator is not None:
        depth += 1
        indicator = indicator.parent
    return depth


def _snapshot(indicator: Indicator) -> dict[str, Any]:
    values = {name: getattr(indicator, name) for name in NODE_FIELDS if name != "collection_unit"}
    values["collection_unit"] = indicator.collection_unit_id
    values["parent"] = indicator.parent_id
    values["order"] = indicator.order
    return values


def _check_parent(status: TreeStatus, parent: Indicator | None, node: Indicator | None) -> None:
    if parent is None:
        return
    if (
        parent.cycle_id != status.cycle_id
        or parent.tree != status.tree
        or (parent.unit_id != status.unit_id)
    ):
        raise ValidationError({"parent": _("上级指标必须在同一棵指标树中")})
    ancestor: Indicator | None = parent
    while ancestor is not None:
        if node is not None and ancestor.pk == node.pk:
            raise ValidationError({"parent": _("不能把指标移到它自己或它的下级之下")})
        ancestor = ancestor.parent
    if _depth(parent) >= MAX_DEPTH:
        raise ValidationError({"parent": _("指标最多三级")})


def _next_order(status: TreeStatus) -> int:
    top = Indicator.objects.filter(
        cycle=status.cycle, tree=status.tree, unit=status.unit
    ).aggregate(m=Max("order"))["m"]
    return 0 if top is None else top + 1


def _apply(indicator: Indicator, values: dict[str, Any]) -> None:
    for name in NODE_FIELDS:
        if name in values:
            setattr(indicator, name, values[name])
    if "collection_unit_id" in values:  # the import names units by id
        indicator.collection_unit_id = values["collection_unit_id"]
    for name in ("source_detail", "target", "rule", "responsible_office", "responsible_person"):
        if getattr(indicator, name) is None:
            setattr(indicator, name, "")


def _full_clean(indicator: Indicator) -> None:
    indicator.full_clean(exclude=["cycle", "unit", "parent"], validate_constraints=False)
    same_tree = Indicator.objects.filter(cycle_id=indicator.cycle_id, tree=indicator.tree)
    if indicator.unit_id is None:
        same_tree = same_tree.filter(unit__isnull=True)
    else:
        same_tree = same_tree.filter(unit_id=indicator.unit_id)
    duplicate = same_tree.filter(code=indicator.code).exclude(pk=indicator.pk)
    if duplicate.exists():
        raise ValidationError({"code": _("序号“%(code)s”已被使用") % {"code": indicator.code}})


# Node edits --------------------------------------------------------------------------------


def add_indicator(
    *, status: TreeStatus, parent: Indicator | None, values: dict[str, Any], by: Any
) -> Indicator:
    """Add a node at the end of ``parent``'s children (``None``: a first-level node)."""
    with transaction.atomic():
        locked = _lock_editable(status)
        _check_parent(locked, parent, None)
        indicator = Indicator(
            cycle=locked.cycle,
            tree=locked.tree,
            unit=locked.unit,
            parent=parent,
            order=_next_order(locked),
        )
        _apply(indicator, values)
        _full_clean(indicator)
        indicator.save()
        record_audit(
            by=by,
            action="add_indicator",
            obj=indicator,
            cycle_code=locked.cycle.code,
            new=_snapshot(indicator),
        )
    return indicator


def update_indicator(
    *, status: TreeStatus, indicator: Indicator, values: dict[str, Any], by: Any
) -> Indicator:
    """Change a node's fields; a changed ``parent`` in ``values`` moves it (with its
    children) to the end of the new parent's children."""
    with transaction.atomic():
        locked = _lock_editable(status)
        # A form may have changed the caller's instance while validating: read it afresh.
        indicator = _fresh(locked, indicator)
        old = _snapshot(indicator)
        if "parent" in values and values["parent"] != indicator.parent:
            parent: Indicator | None = values["parent"]
            _check_parent(locked, parent, indicator)
            if parent is not None and _depth(parent) + _subtree_height(indicator) > MAX_DEPTH:
                raise ValidationError({"parent": _("指标最多三级")})
            indicator.parent = parent
            indicator.order = _next_order(locked)
        _apply(indicator, values)
        _full_clean(indicator)
        indicator.save()
        new = _snapshot(indicator)
        changed = {k for k in new if new[k] != old[k]}
        if changed:
            record_audit(
                by=by,
                action="update_indicator",
                obj=indicator,
                cycle_code=locked.cycle.code,
                old={k: old[k] for k in sorted(changed)},
                new={k: new[k] for k in sorted(changed)},
            )
    return indicator


def _fresh(status: TreeStatus, indicator: Indicator) -> Indicator:
    """The node as stored, and only if it belongs to the status's tree."""
    fresh = (
        Indicator.objects.select_related("parent__parent")
        .filter(cycle=status.cycle, tree=status.tree, unit=status.unit, pk=indicator.pk)
        .first()
    )
    if fresh is None:
        raise ValidationError(_("指标不在这棵指标树中"))
    return fresh


def _subtree_height(indicator: Indicator) -> int:
    kids = list(Indicator.objects.filter(parent=indicator))
    return 1 + max((_subtree_height(k) for k in kids), default=0)


def move_indicator(*, status: TreeStatus, indicator: Indicator, direction: str, by: Any) -> None:
    """Swap a node with the sibling before it (``up``) or after it (``down``)."""
    with transaction.atomic():
        locked = _lock_editable(status)
        indicator = _fresh(locked, indicator)
        siblings = list(
            Indicator.objects.filter(
                cycle=locked.cycle, tree=locked.tree, unit=locked.unit, parent=indicator.parent_id
            ).order_by("order", "id")
        )
        index = next(i for i, s in enumerate(siblings) if s.pk == indicator.pk)
        other_index = index - 1 if direction == "up" else index + 1
        if not 0 <= other_index < len(siblings):
            return
        siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
        orders = sorted(s.order for s in siblings)
        if len(set(orders)) != len(orders):
            # Equal orders (rows made elsewhere) would make a swap a no-op: renumber the
            # siblings after the last order in use so they keep their place among themselves.
            start = _next_order(locked)
            orders = list(range(start, start + len(siblings)))
        for sibling, order in zip(siblings, orders, strict=True):
            sibling.order = order
        Indicator.objects.bulk_update(siblings, ["order"])
        record_audit(
            by=by,
            action="move_indicator",
            obj=indicator,
            cycle_code=locked.cycle.code,
            new={"direction": direction},
        )


def delete_indicator(*, status: TreeStatus, indicator: Indicator, by: Any) -> None:
    """Delete a node and everything below it."""
    with transaction.atomic():
        locked = _lock_editable(status)
        indicator = _fresh(locked, indicator)
        old = _snapshot(indicator)
        record_audit(
            by=by,
            action="delete_indicator",
            obj=indicator,
            cycle_code=locked.cycle.code,
            old=old,
        )
        indicator.delete()


# Import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    deleted: int


class ImportMode:
    REPLACE = "replace"  # the workbook is the whole tree
    APPEND = "append"  # the workbook adds first-level nodes to the tree as it is


def import_tree(
    *, status: TreeStatus, nodes: Sequence[ParsedNode], mode: str, by: Any, reason: str = ""
) -> ImportSummary:
    """Write a parsed workbook into the tree, all or nothing.

    ``replace``: nodes are matched by code, so a re-import keeps the rows (and the tasks and
    scores that point at them) of every code it still has; codes no longer present are
    deleted. ``append``: every node is new, and a code already in the tree is refused.
    The caller has checked the parsed tree (``excel.validate``) against the tree as it is.
    """
    with transaction.atomic():
        locked = _lock_editable(status)
        existing = {
            row.code: row
            for row in Indicator.objects.filter(
                cycle=locked.cycle, tree=locked.tree, unit=locked.unit
            )
        }
        if mode == ImportMode.APPEND:
            clash = sorted(code for code in (n.code for n in nodes) if code in existing)
            if clash:
                raise ValidationError(_("序号已存在：%(codes)s") % {"codes": "、".join(clash)})
        order = _next_order(locked) if mode == ImportMode.APPEND else 0
        saved: dict[int, Indicator] = {}  # parsed index → row
        created = updated = 0
        for level in range(1, MAX_DEPTH + 1):
            new_rows: list[Indicator] = []
            changed_rows: list[Indicator] = []
            for node in nodes:
                if node.level != level:
                    continue
                parent = saved[node.parent] if node.parent is not None else None
                row = existing.pop(node.code, None) if mode == ImportMode.REPLACE else None
                if row is None:
                    row = Indicator(cycle=locked.cycle, tree=locked.tree, unit=locked.unit)
                    new_rows.append(row)
                else:
                    changed_rows.append(row)
                row.parent = parent
                row.order = order + node.index
                _apply(row, node.model_values())
                saved[node.index] = row
            Indicator.objects.bulk_create(new_rows, batch_size=500)
            Indicator.objects.bulk_update(
                changed_rows, [*NODE_FIELDS, "parent", "order"], batch_size=500
            )
            created += len(new_rows)
            updated += len(changed_rows)
        deleted = 0
        if mode == ImportMode.REPLACE and existing:
            deleted = len(existing)
            Indicator.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
        summary = ImportSummary(created=created, updated=updated, deleted=deleted)
        record_audit(
            by=by,
            action="import_tree",
            obj=locked,
            cycle_code=locked.cycle.code,
            new={"mode": mode, "created": created, "updated": updated, "deleted": deleted},
            reason=reason,
        )
    return summary


# Copying a cycle ---------------------------------------------------------------------------


def copy_trees(ctx: Any) -> None:
    """The copy step of ``cycles.services.copy_cycle``: every tree of the old cycle, as a
    draft of the new one. Deadlines move by the years between the cycles (a deadline that
    cannot, 29 February, moves to the 28th); without a year in either code they are cleared.
    """
    source: Cycle = ctx.source
    target: Cycle = ctx.target
    old_year = cycle_year(source.code, source.name)
    new_year = cycle_year(target.code, target.name)
    shift = None if old_year is None or new_year is None else new_year - old_year
    rows = list(Indicator.objects.filter(cycle=source).order_by("parent_id", "order", "id"))
    depth: dict[int, int] = {}
    by_id = {row.pk: row for row in rows}

    def level(row: Indicator) -> int:
        if row.pk not in depth:
            depth[row.pk] = 1 if row.parent_id is None else level(by_id[row.parent_id]) + 1
        return depth[row.pk]

    new_of: dict[int, Indicator] = {}
    for lvl in range(1, MAX_DEPTH + 2):
        batch = []
        for row in rows:
            if level(row) != lvl:
                continue
            copy = Indicator(
                cycle=target,
                tree=row.tree,
                unit_id=row.unit_id,
                parent=new_of[row.parent_id] if row.parent_id else None,
                order=row.order,
                collection_unit_id=row.collection_unit_id,
                **{f: getattr(row, f) for f in NODE_FIELDS if f not in ("collection_unit",)},
            )
            if copy.deadline is not None:
                copy.deadline = _shift(copy.deadline, shift)
            new_of[row.pk] = copy
            batch.append(copy)
        Indicator.objects.bulk_create(batch, batch_size=500)
    ctx.counts["indicators"] = len(rows)


def _shift(day: Any, years: int | None) -> Any:
    if years is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)
