"""Loading a cycle's score inputs into the engine's ``UnitInputs`` with a handful of queries.

Each source is read once for the whole cycle (or the given units) and grouped in Python; the
number of queries does not depend on the number of units.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet

from jixiao.adjustments import selectors as adjustments
from jixiao.cycles import selectors as cycles
from jixiao.cycles.models import Cycle
from jixiao.evaluations import selectors as evaluations
from jixiao.indicators import selectors as indicators
from jixiao.scoring.models import Result
from jixiao.scoring.types import Bonus, Deduction, LeafInput, Level, Part, Review, UnitInputs
from jixiao.surveys import selectors as surveys


def load_inputs(*, cycle: Cycle, unit_ids: list[int] | None = None) -> list[tuple[int, UnitInputs]]:
    """(unit id, inputs) for every participating unit (or the given ones), in unit-code order."""
    parts = list(cycles.participations(cycle=cycle, unit_ids=unit_ids))
    ids = [p.unit_id for p in parts] if unit_ids is None else unit_ids
    trees = indicators.cycle_trees(cycle=cycle, unit_ids=unit_ids)
    leaf_keys = trees.leaf_keys

    reviews: dict[tuple[int, int], list[Review]] = defaultdict(list)
    for unit_id, indicator_id, reviewer, part, score in evaluations.review_rows(
        cycle=cycle, unit_ids=unit_ids
    ):
        reviews[(unit_id, indicator_id)].append(Review(reviewer, score, Part(part)))
    collected: dict[
        tuple[int, int], tuple[Decimal | None, int | None, Decimal | None, Decimal | None]
    ] = {}
    for unit_id, indicator_id, score, count, actual, target in evaluations.collection_rows(
        cycle=cycle, unit_ids=unit_ids
    ):
        collected[(unit_id, indicator_id)] = (score, count, actual, target)

    leaves: dict[int, dict[str, dict[str, LeafInput]]] = defaultdict(
        lambda: {"performance": {}, "self_construction": {}}
    )
    for key in reviews.keys() | collected.keys():
        unit_id, indicator_id = key
        tree, code = leaf_keys.get(indicator_id, ("", ""))
        if not tree:
            continue
        score, count, actual, target = collected.get(key, (None, None, None, None))
        leaves[unit_id][tree][code] = LeafInput(
            reviews=tuple(reviews.get(key, ())),
            score=score,
            count=count,
            actual=actual,
            target=target,
        )

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
    for p in sorted(parts, key=lambda p: p.unit.code):
        unit_leaves = leaves.get(p.unit_id, {"performance": {}, "self_construction": {}})
        out.append(
            (
                p.unit_id,
                UnitInputs(
                    unit=p.unit.code,
                    group=p.group.code,
                    performance_tree=trees.performance.get(p.unit_id),
                    self_construction_tree=trees.self_construction,
                    performance_leaves=unit_leaves["performance"],
                    self_construction_leaves=unit_leaves["self_construction"],
                    city_incentive=city.get(p.unit_id),
                    public=public.get(p.unit_id),
                    bonuses=tuple(bonuses.get(p.unit_id, ())),
                    deductions=tuple(deductions.get(p.unit_id, ())),
                ),
            )
        )
    return out


def cycle_results(*, cycle: Cycle, group_code: str | None = None) -> QuerySet[Result]:
    """Stored results with unit and group, ordered by group, rank, unit code."""
    qs = Result.objects.filter(cycle=cycle).select_related("unit", "group")
    if group_code:
        qs = qs.filter(group__code=group_code)
    return qs.order_by("group__order", "group__code", "rank", "unit__code")
