"""Loading a cycle's score inputs into the engine's ``UnitInputs`` with a handful of queries.

Each source is read once for the whole cycle (or the given units) and grouped in Python; the
number of queries does not depend on the number of units. A recompute reads thousands of
units, so the reads are plain SQL through the connection's cursor (no model instances), and
reviews come summarised per unit, leaf and part (see ``load_recompute_inputs``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from jixiao.adjustments import selectors as adjustments
from jixiao.cycles.models import Cycle
from jixiao.evaluations import selectors as evaluations
from jixiao.indicators.models import Tree
from jixiao.scoring.models import Result
from jixiao.scoring.types import (
    Aggregation,
    Bonus,
    Deduction,
    LeafInput,
    Level,
    Method,
    Node,
    Part,
    Review,
    UnitInputs,
)
from jixiao.surveys import selectors as surveys


@dataclass(frozen=True)
class RecomputeInputs:
    """A cycle's inputs for a recompute: per unit, its engine inputs in unit-code order, and
    the canonical text of the reviews of each leaf given as summaries ("P:1.1" → text)."""

    units: list[tuple[int, UnitInputs]]
    review_texts: dict[int, dict[str, str]]


def load_inputs(*, cycle: Cycle, unit_ids: list[int] | None = None) -> list[tuple[int, UnitInputs]]:
    """(unit id, inputs) for every participating unit (or the given ones), in unit-code order,
    with every review listed one by one (as explanations show them)."""
    return _load(cycle, unit_ids, summarise=False).units


def load_recompute_inputs(*, cycle: Cycle) -> RecomputeInputs:
    """Every participating unit's inputs, with reviews summarised per part where the leaf's
    aggregation allows it (all but a median of three or more): the same scores and hashes as
    :func:`load_inputs`, from a fraction of the rows."""
    return _load(cycle, None, summarise=True)


def _load(cycle: Cycle, unit_ids: list[int] | None, *, summarise: bool) -> RecomputeInputs:
    parts = _participations(cycle, unit_ids)
    ids = [unit_id for unit_id, _code, _group in parts] if unit_ids is None else unit_ids
    common, performance, leaf_keys = _trees(cycle, unit_ids)

    collected: dict[
        tuple[int, int], tuple[Decimal | None, int | None, Decimal | None, Decimal | None]
    ] = {}
    for unit_id, indicator_id, score, count, actual, target in evaluations.collection_rows(
        cycle=cycle, unit_ids=unit_ids
    ):
        collected[(unit_id, indicator_id)] = (score, count, actual, target)

    # unit id → (performance leaves, self-construction leaves), each code → input
    leaves: dict[int, tuple[dict[str, LeafInput], dict[str, LeafInput]]] = {}
    review_texts: dict[int, dict[str, str]] = {}
    empty = (None, None, None, None)
    performance_tree = Tree.PERFORMANCE.value

    def place(unit_id: int, indicator_id: int) -> tuple[dict[str, LeafInput], str, str] | None:
        """Where the input of this unit × indicator goes: (leaves of its tree, code, prefix)."""
        key = leaf_keys.get(indicator_id)
        if key is None:
            return None
        unit_leaves = leaves.get(unit_id)
        if unit_leaves is None:
            unit_leaves = leaves[unit_id] = ({}, {})
        if key[0] == performance_tree:
            return unit_leaves[0], key[1], "P:"
        return unit_leaves[1], key[1], "S:"

    reviews: dict[tuple[int, int], list[Review]] = defaultdict(list)
    if summarise:
        # The inner loop of a recompute's load (one pass per unit × leaf): ``place`` inlined.
        last_unit: int | None = None
        unit_leaves: tuple[dict[str, LeafInput], dict[str, LeafInput]] = ({}, {})
        texts: dict[str, str] = {}
        for unit_id, indicator_id, summaries, text in evaluations.review_summaries(cycle=cycle):
            tree_code = leaf_keys.get(indicator_id)
            if tree_code is None:
                continue
            if unit_id != last_unit:
                last_unit = unit_id
                found = leaves.get(unit_id)
                unit_leaves = leaves[unit_id] = found if found is not None else ({}, {})
                found_texts = review_texts.get(unit_id)
                texts = review_texts[unit_id] = found_texts if found_texts is not None else {}
            code = tree_code[1]
            score, count, actual, target = (
                collected.pop((unit_id, indicator_id), empty) if collected else empty
            )
            given = LeafInput((), score, count, actual, target, summaries)
            if tree_code[0] == performance_tree:
                unit_leaves[0][code] = given
                texts["P:" + code] = text
            else:
                unit_leaves[1][code] = given
                texts["S:" + code] = text
        # A median of three or more needs every score: those leaves are read one by one too
        # (and their listed reviews take precedence over the summary).
        raw = evaluations.review_rows(cycle=cycle, aggregation=Aggregation.MEDIAN.value)
    else:
        raw = evaluations.review_rows(cycle=cycle, unit_ids=unit_ids)
    for unit_id, indicator_id, reviewer, part, review_score in raw:
        reviews[(unit_id, indicator_id)].append(Review(reviewer, review_score, Part(part)))
    for (unit_id, indicator_id), unit_reviews in reviews.items():
        where = place(unit_id, indicator_id)
        if where is None:
            continue
        target_leaves, code, _prefix = where
        previous = target_leaves.get(code)
        if previous is not None:
            score, count, actual, target = (
                previous.score,
                previous.count,
                previous.actual,
                previous.target,
            )
        else:
            score, count, actual, target = collected.pop((unit_id, indicator_id), empty)
        target_leaves[code] = LeafInput(tuple(unit_reviews), score, count, actual, target)
    for (unit_id, indicator_id), (score, count, actual, target) in collected.items():
        where = place(unit_id, indicator_id)
        if where is not None:
            target_leaves, code, _prefix = where
            target_leaves[code] = LeafInput((), score, count, actual, target)

    bonuses: dict[int, list[Bonus]] = defaultdict(list)
    for unit_id, category, title, points, approved in adjustments.bonus_rows(
        cycle=cycle, unit_ids=unit_ids
    ):
        bonuses[unit_id].append(Bonus(category, title, points, approved))
    deductions: dict[int, list[Deduction]] = defaultdict(list)
    for unit_id, code, description, count, points, level in adjustments.deduction_rows(
        cycle=cycle, unit_ids=unit_ids
    ):
        deductions[unit_id].append(Deduction(code, description, count, points, Level(level)))
    city = adjustments.city_incentives(cycle=cycle, unit_ids=ids)
    public = surveys.public_scores(cycle=cycle, unit_ids=ids)

    out: list[tuple[int, UnitInputs]] = []
    no_leaves: tuple[dict[str, LeafInput], dict[str, LeafInput]] = ({}, {})
    for unit_id, unit_code, group_code in sorted(parts, key=lambda p: p[1]):
        perf_leaves, self_leaves = leaves.get(unit_id, no_leaves)
        out.append(
            (
                unit_id,
                UnitInputs(
                    unit_code,
                    group_code,
                    performance.get(unit_id),
                    common,
                    perf_leaves if perf_leaves else {},
                    self_leaves if self_leaves else {},
                    city.get(unit_id),
                    public.get(unit_id),
                    tuple(bonuses.get(unit_id, ())),
                    tuple(deductions.get(unit_id, ())),
                ),
            )
        )
    return RecomputeInputs(units=out, review_texts=review_texts)


def _in(column: str, ids: Sequence[int] | None) -> tuple[str, list[int]]:
    """An ``AND column IN (...)`` clause for the given ids, or nothing."""
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _participations(cycle: Cycle, unit_ids: list[int] | None) -> list[tuple[int, str, str]]:
    clause, params = _in("p.unit_id", unit_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.unit_id, u.code, g.code FROM cycles_participation p"
            " JOIN accounts_unit u ON u.id = p.unit_id"
            " JOIN cycles_rankinggroup g ON g.id = p.group_id"
            " WHERE p.cycle_id = %s" + clause,
            [cycle.pk, *params],
        )
        return [(row[0], row[1], row[2]) for row in cursor.fetchall()]


def _trees(
    cycle: Cycle, unit_ids: list[int] | None
) -> tuple[Node | None, dict[int, Node], dict[int, tuple[str, str]]]:
    """The common tree, each unit's performance tree, and indicator id → (tree, code).

    The same nodes as ``jixiao.indicators.selectors.cycle_trees`` builds, from plain rows.
    """
    clause, params = _in("unit_id", unit_ids)
    if clause:
        clause = f" AND (unit_id IS NULL OR ({clause[5:]}))"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, tree, unit_id, parent_id, code, name, points, method, aggregation,"
            ' points_per_finding, completion_points, progress_points, "order"'
            " FROM indicators_indicator WHERE cycle_id = %s" + clause,
            [cycle.pk, *params],
        )
        rows = cursor.fetchall()
    # Sorting here is cheaper than asking the database to sort before sending.
    rows.sort(key=itemgetter(12, 0))
    to_decimal = evaluations.decimal_reader()
    leaf_keys: dict[int, tuple[str, str]] = {}
    # parent id (None: top level) → child rows, per tree owner (None: the common tree)
    children: dict[int | None, dict[int | None, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        pk, tree, unit_id, parent_id = row[0], row[1], row[2], row[3]
        leaf_keys[pk] = (tree, row[4])
        if tree == Tree.SELF_CONSTRUCTION:
            children[None][parent_id].append(row)
        elif unit_id is not None:
            children[unit_id][parent_id].append(row)

    aggregations = {a.value: a for a in Aggregation}
    methods = {m.value: m for m in Method}

    def build(by_parent: dict[int | None, list[Any]], root_name: str) -> Node:
        get = by_parent.get

        def node(row: Any) -> Node:
            kid_rows = get(row[0])
            kids = tuple([node(child) for child in kid_rows]) if kid_rows else ()
            method = row[7]
            return Node(
                row[4],
                row[5],
                to_decimal(row[6]) or Decimal(0),  # never null in the table
                kids,
                methods[method] if method and not kids else None,
                aggregations[row[8]],
                to_decimal(row[9]),
                to_decimal(row[10]),
                to_decimal(row[11]),
            )

        top = tuple([node(row) for row in get(None, ())])
        # A synthetic root whose points are the sum of the first-level nodes, so that the
        # engine's total check reports a tree that does not add up.
        return Node("", root_name, sum((n.points for n in top), Decimal(0)), top)

    common_rows = children.pop(None, None)
    common = build(common_rows, str(Tree.SELF_CONSTRUCTION.label)) if common_rows else None
    label = str(Tree.PERFORMANCE.label)
    performance = {
        unit_id: build(by_parent, label)
        for unit_id, by_parent in children.items()
        if unit_id is not None
    }
    return common, performance, leaf_keys


def cycle_results(*, cycle: Cycle, group_code: str | None = None) -> QuerySet[Result]:
    """Stored results with unit and group, ordered by group, rank, unit code."""
    qs = Result.objects.filter(cycle=cycle).select_related("unit", "group")
    if group_code:
        qs = qs.filter(group__code=group_code)
    return qs.order_by("group__order", "group__code", "rank", "unit__code")
