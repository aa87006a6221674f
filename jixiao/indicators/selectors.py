"""Reads of indicator trees, including their conversion into the engine's ``Node`` trees."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from jixiao.cycles.models import Cycle
from jixiao.indicators.models import Indicator, Tree
from jixiao.scoring.types import Aggregation, Method, Node


@dataclass(frozen=True)
class CycleTrees:
    """All trees of a cycle as engine nodes, plus the indicator id → (tree, code) map."""

    self_construction: Node | None
    performance: dict[int, Node]  # unit id → root
    leaf_keys: dict[int, tuple[str, str]]  # indicator id → (tree, code)


def tree_indicators(*, cycle: Cycle, tree: str, unit_id: int | None = None) -> QuerySet[Indicator]:
    qs = Indicator.objects.filter(cycle=cycle, tree=tree)
    qs = qs.filter(unit__isnull=True) if unit_id is None else qs.filter(unit_id=unit_id)
    return qs.select_related("collection_unit").order_by("order", "id")


def _build(rows: list[Indicator], root_code: str, root_name: str) -> Node:
    """Assemble flat rows into a tree under a synthetic root whose points are the sum of the
    first-level nodes, so that the engine's total check reports a tree that does not add up."""
    children_of: dict[int | None, list[Indicator]] = defaultdict(list)
    for row in rows:
        children_of[row.parent_id].append(row)

    def node(row: Indicator) -> Node:
        kids = tuple(node(child) for child in children_of.get(row.pk, ()))
        return Node(
            code=row.code,
            name=row.name,
            points=row.points,
            children=kids,
            method=Method(row.method) if row.method and not kids else None,
            aggregation=Aggregation(row.aggregation),
            points_per_finding=row.points_per_finding,
            completion_points=row.completion_points,
            progress_points=row.progress_points,
        )

    top = tuple(node(row) for row in children_of.get(None, ()))
    return Node(
        code=root_code,
        name=root_name,
        points=sum((n.points for n in top), Decimal(0)),
        children=top,
    )


def cycle_trees(*, cycle: Cycle, unit_ids: list[int] | None = None) -> CycleTrees:
    """One query for every indicator of the cycle (or of the given units and the common tree)."""
    qs = Indicator.objects.filter(cycle=cycle).only(
        "id",
        "tree",
        "unit_id",
        "parent_id",
        "code",
        "name",
        "points",
        "method",
        "aggregation",
        "points_per_finding",
        "completion_points",
        "progress_points",
        "order",
    )
    if unit_ids is not None:
        from django.db.models import Q

        qs = qs.filter(Q(unit__isnull=True) | Q(unit_id__in=unit_ids))
    common: list[Indicator] = []
    per_unit: dict[int, list[Indicator]] = defaultdict(list)
    leaf_keys: dict[int, tuple[str, str]] = {}
    for row in qs.order_by("order", "id"):
        leaf_keys[row.pk] = (row.tree, row.code)
        if row.tree == Tree.SELF_CONSTRUCTION:
            common.append(row)
        elif row.unit_id is not None:
            per_unit[row.unit_id].append(row)
    return CycleTrees(
        self_construction=_build(common, "", str(Tree.SELF_CONSTRUCTION.label)) if common else None,
        performance={
            unit_id: _build(rows, "", str(Tree.PERFORMANCE.label))
            for unit_id, rows in per_unit.items()
        },
        leaf_keys=leaf_keys,
    )


@dataclass
class OutlineRow:
    """A node in table order, with its depth and the sum of its children's points."""

    indicator: Indicator
    depth: int
    children_sum: Decimal
    has_children: bool
    first: bool  # first among its siblings
    last: bool  # last among its siblings


def tree_outline(rows: list[Indicator]) -> list[OutlineRow]:
    """The rows of one tree depth first (each node, then its children), in sibling order."""
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)
    out: list[OutlineRow] = []

    def walk(parent: int | None, depth: int) -> None:
        kids = children.get(parent, [])
        for i, row in enumerate(kids):
            grandkids = children.get(row.pk, [])
            out.append(
                OutlineRow(
                    indicator=row,
                    depth=depth,
                    children_sum=sum((k.points for k in grandkids), Decimal(0)),
                    has_children=bool(grandkids),
                    first=i == 0,
                    last=i == len(kids) - 1,
                )
            )
            walk(row.pk, depth + 1)

    walk(None, 1)
    return out


@dataclass(frozen=True)
class TreeSummary:
    unit_id: int | None
    nodes: int
    total: Decimal


def tree_summaries(*, cycle: Cycle) -> dict[int | None, TreeSummary]:
    """Per tree of the cycle (unit id, None for the common tree): node count and the sum of
    the first-level points. Two aggregate queries, whatever the number of units."""
    from django.db.models import Count, Q, Sum

    counts = (
        Indicator.objects.filter(cycle=cycle)
        .values("unit_id")
        .annotate(n=Count("id"), total=Sum("points", filter=Q(parent__isnull=True)))
    )
    return {
        row["unit_id"]: TreeSummary(row["unit_id"], row["n"], row["total"] or Decimal(0))
        for row in counts
    }
