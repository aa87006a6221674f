"""Reads behind the report pages, each a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from jixiao.cycles.models import Cycle, GradeMode, Participation, RankingGroup
from jixiao.cycles.selectors import visible_cycles
from jixiao.scoring.models import Result
from jixiao.scoring.selectors import cycle_results

#: Columns of the ranking a reader may sort by (``?sort=composite`` / ``?sort=-composite``),
#: mapped to the ordering they stand for. Anything else falls back to the rank.
RANKING_SORTS: dict[str, str] = {
    "rank": "rank",
    "unit": "unit__code",
    "composite": "composite",
    "grade": "grade",
    "performance": "performance",
    "self_construction": "self_construction",
    "indicator": "indicator",
    "city_incentive": "city_incentive",
    "public": "public",
    "bonus": "bonus",
    "deduction": "deduction",
    "provisional": "provisional",
}


@dataclass(frozen=True)
class ResultCounts:
    total: int = 0
    provisional: int = 0


@dataclass(frozen=True)
class CycleSummary:
    cycle: Cycle
    units: int
    results: ResultCounts


def home_cycles(*, user: Any) -> list[CycleSummary]:
    """The cycles ``user`` may open, newest first, with unit and result counts.

    Queries: the user's memberships (cached on the user), the cycles, participations counted
    per cycle, results counted per cycle.
    """
    cycles = visible_cycles(user=user)
    if not cycles:
        return []
    ids = [c.pk for c in cycles]
    units = dict(
        Participation.objects.filter(cycle_id__in=ids)
        .values("cycle_id")
        .annotate(n=Count("id"))
        .values_list("cycle_id", "n")
    )
    results = {
        row["cycle_id"]: ResultCounts(row["total"], row["provisional"])
        for row in Result.objects.filter(cycle_id__in=ids)
        .values("cycle_id")
        .annotate(total=Count("id"), provisional=Count("id", filter=Q(provisional=True)))
    }
    return [
        CycleSummary(cycle=c, units=units.get(c.pk, 0), results=results.get(c.pk, ResultCounts()))
        for c in cycles
    ]


def grade_order(cycle: Cycle) -> list[str]:
    """The cycle's grades from best to worst, as its grade rule names them."""
    rules = cycle.grade_rules if isinstance(cycle.grade_rules, dict) else {}
    key = "bands" if cycle.grade_mode == GradeMode.BANDS else "quotas"
    names = [str(item.get("grade")) for item in rules.get(key) or [] if isinstance(item, dict)]
    rest = str(rules.get("rest") or "较差")
    if rest not in names:
        names.append(rest)
    return names


@dataclass
class GroupSummary:
    group: RankingGroup
    units: int
    results: int = 0
    provisional: int = 0
    grades: list[tuple[str, int]] = field(default_factory=list)


def cycle_group_summaries(*, cycle: Cycle) -> list[GroupSummary]:
    """Each ranking group with its unit count, result count and grade distribution.

    Queries: the groups with their participations counted, results counted per group and grade.
    """
    groups = list(
        RankingGroup.objects.filter(cycle=cycle)
        .annotate(n_units=Count("participations"))
        .order_by("order", "code")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    provisional: dict[int, int] = defaultdict(int)
    for row in (
        Result.objects.filter(cycle=cycle)
        .values("group_id", "grade")
        .annotate(n=Count("id"), n_provisional=Count("id", filter=Q(provisional=True)))
        .order_by()
    ):
        counts[row["group_id"]][row["grade"]] = row["n"]
        provisional[row["group_id"]] += row["n_provisional"]
    order = grade_order(cycle)
    summaries = []
    for group in groups:
        by_grade = counts.get(group.pk, {})
        extra = sorted(g for g in by_grade if g not in order)
        summaries.append(
            GroupSummary(
                group=group,
                units=group.n_units,
                results=sum(by_grade.values()),
                provisional=provisional.get(group.pk, 0),
                grades=[(g, by_grade.get(g, 0)) for g in [*order, *extra]],
            )
        )
    return summaries


@dataclass
class RankingTable:
    group: RankingGroup
    units: int
    rows: list[Result] = field(default_factory=list)


def ranking_tables(
    *, cycle: Cycle, group_code: str | None = None, sort: str = "rank"
) -> list[RankingTable]:
    """One table per ranking group (or the one asked for), rows in the asked order.

    ``sort`` must be a key of :data:`RANKING_SORTS`, optionally prefixed by ``-``.
    Queries: the groups with their participations counted, the results with unit and group.
    """
    groups_qs = RankingGroup.objects.filter(cycle=cycle).annotate(n_units=Count("participations"))
    if group_code:
        groups_qs = groups_qs.filter(code=group_code)
    tables = {
        g.pk: RankingTable(group=g, units=g.n_units) for g in groups_qs.order_by("order", "code")
    }
    descending = sort.startswith("-")
    field_name = RANKING_SORTS.get(sort.lstrip("-"), "rank")
    ordering = f"-{field_name}" if descending else field_name
    results: QuerySet[Result] = cycle_results(cycle=cycle, group_code=group_code).order_by(
        ordering, "rank", "unit__code"
    )
    for result in results:
        table = tables.get(result.group_id)
        if table is not None:
            table.rows.append(result)
    return list(tables.values())


def groups_for_filter(*, cycle: Cycle) -> list[RankingGroup]:
    return list(RankingGroup.objects.filter(cycle=cycle).order_by("order", "code"))
