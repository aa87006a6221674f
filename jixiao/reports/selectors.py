"""Reads behind the report pages, each a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
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


@dataclass(frozen=True)
class RankingFilter:
    """What a reader narrowed the ranking to: one grade, provisional results only, a name."""

    grade: str = ""
    provisional: bool = False
    query: str = ""

    @classmethod
    def from_query(cls, params: Any) -> RankingFilter:
        return cls(
            grade=str(params.get("grade") or "")[:20],
            provisional=params.get("provisional") == "1",
            query=str(params.get("q") or "").strip()[:50],
        )

    @property
    def active(self) -> bool:
        return bool(self.grade or self.provisional or self.query)

    def keeps(self, result: Result) -> bool:
        if self.grade and result.grade != self.grade:
            return False
        if self.provisional and not result.provisional:
            return False
        if self.query:
            needle = self.query.casefold()
            unit = result.unit
            if needle not in unit.name.casefold() and needle not in unit.code.casefold():
                return False
        return True

    def params(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.grade:
            out["grade"] = self.grade
        if self.provisional:
            out["provisional"] = "1"
        if self.query:
            out["q"] = self.query
        return out


@dataclass
class RankingTable:
    group: RankingGroup
    units: int
    rows: list[Result] = field(default_factory=list)
    #: (grade, count) over the whole group, whatever the filter.
    grades: list[tuple[str, int]] = field(default_factory=list)
    #: rows of the group before the filter
    total: int = 0
    #: how each grade is given in this group (see :func:`grade_notes`)
    notes: list[GradeNote] = field(default_factory=list)


def ranking_tables(
    *,
    cycle: Cycle,
    group_code: str | None = None,
    sort: str = "rank",
    filters: RankingFilter | None = None,
) -> list[RankingTable]:
    """One table per ranking group (or the one asked for), rows in the asked order, with the
    group's grade distribution; ``filters`` then narrows the rows (not the distribution).

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
    order = grade_order(cycle)
    for table in tables.values():
        table.grades = grade_counts(table.rows, order)
        table.total = len(table.rows)
        if filters is not None and filters.active:
            table.rows = [r for r in table.rows if filters.keeps(r)]
    return list(tables.values())


def ranking_cache_key(
    *,
    cycle: Cycle,
    group_code: str | None,
    sort: str,
    filters: RankingFilter,
    language: str,
) -> str:
    """The cache key of rendered ranking tables, or "" when there is nothing to cache yet.

    Everything that changes the rendered rows is in it: the results (their hash and the time
    they were computed), the cycle's precision and grade rules, the asked group, order and
    filter, and the language.
    """
    if not cycle.computed_at:
        return ""
    text = "|".join(
        [
            str(cycle.pk),
            cycle.results_hash,
            cycle.computed_at.isoformat(),
            str(cycle.precision),
            cycle.grade_mode,
            json.dumps(cycle.grade_rules, sort_keys=True, default=str),
            group_code or "",
            sort,
            json.dumps(filters.params(), sort_keys=True),
            language,
        ]
    )
    return "reports:ranking:" + hashlib.sha256(text.encode()).hexdigest()


def groups_for_filter(*, cycle: Cycle) -> list[RankingGroup]:
    return list(RankingGroup.objects.filter(cycle=cycle).order_by("order", "code"))


# Year over year ------------------------------------------------------------------------------


def previous_cycle(*, cycle: Cycle) -> Cycle | None:
    """The cycle before ``cycle``: the one with the greatest code below its code (codes are
    years, "2019" < "2020"). One query."""
    return Cycle.objects.filter(code__lt=cycle.code).order_by("-code").first()


def results_by_unit(*, cycle: Cycle | None, unit_ids: list[int] | None = None) -> dict[int, Result]:
    """Stored results of ``cycle`` keyed by unit id (all units, or the given ones). One query,
    none without a cycle."""
    if cycle is None:
        return {}
    qs = Result.objects.filter(cycle=cycle).select_related("group")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return {r.unit_id: r for r in qs}


@dataclass(frozen=True)
class TrendPoint:
    cycle: Cycle
    composite: Decimal
    rank: int
    grade: str
    group_name: str
    group_size: int


def unit_trend(*, unit_id: int, user: Any) -> list[TrendPoint]:
    """The unit's composite, rank and grade in every cycle ``user`` may see it, oldest first.

    Queries: the results with cycle and group, the group sizes of those cycles (the user's
    memberships are cached on the user).
    """
    from jixiao.accounts.permissions import can_view_unit_result

    rows = list(
        Result.objects.filter(unit_id=unit_id)
        .select_related("cycle", "group", "unit")
        .order_by("cycle__code")
    )
    rows = [r for r in rows if can_view_unit_result(user, r.cycle, r.unit)]
    if not rows:
        return []
    sizes = dict(
        Participation.objects.filter(group_id__in=[r.group_id for r in rows])
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    return [
        TrendPoint(
            cycle=r.cycle,
            composite=r.composite,
            rank=r.rank,
            grade=r.grade,
            group_name=r.group.name,
            group_size=sizes.get(r.group_id, 0),
        )
        for r in rows
    ]


# A group's figures ---------------------------------------------------------------------------

#: The components compared with the group's average (radar) and last year (score card).
COMPONENT_KEYS = (
    "performance",
    "self_construction",
    "indicator",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
)


@dataclass(frozen=True)
class GroupStanding:
    """Where one unit stands in its group."""

    size: int
    rank: int
    above: Result | None  # the next better unit (by rank, then code)
    below: Result | None
    best: Decimal
    worst: Decimal
    averages: dict[str, Decimal]  # component (and "composite") → the group's mean


def group_standing(*, cycle: Cycle, result: Result) -> GroupStanding:
    """The unit's neighbours, the group's best and worst and its mean of every component.

    Queries: the group's results with their units (ordered by rank).
    """
    rows = list(
        Result.objects.filter(cycle=cycle, group_id=result.group_id)
        .select_related("unit")
        .order_by("rank", "unit__code")
    )
    position = next((i for i, r in enumerate(rows) if r.pk == result.pk), 0)
    size = len(rows)
    keys = (*COMPONENT_KEYS, "composite")
    averages = {
        key: (sum((getattr(r, key) for r in rows), Decimal(0)) / size) if size else Decimal(0)
        for key in keys
    }
    return GroupStanding(
        size=size,
        rank=result.rank,
        above=rows[position - 1] if position > 0 else None,
        below=rows[position + 1] if position + 1 < size else None,
        best=max((r.composite for r in rows), default=Decimal(0)),
        worst=min((r.composite for r in rows), default=Decimal(0)),
        averages=averages,
    )


# Grades --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeNote:
    grade: str
    rule: str  # e.g. "得分 ≥ 900" or "累计前 30%：本组 11 个单位，名次 ≤ 3"


def grade_notes(*, cycle: Cycle, size: int) -> list[GradeNote]:
    """How each grade is given in a group of ``size`` units, as the cycle's rule says."""
    from django.utils.translation import gettext

    from jixiao.reports.explanations import grade_label

    rules = cycle.grade_rules if isinstance(cycle.grade_rules, dict) else {}
    rest = str(rules.get("rest") or "较差")
    notes: list[GradeNote] = []
    if cycle.grade_mode == GradeMode.BANDS:
        for band in rules.get("bands") or []:
            notes.append(
                GradeNote(
                    grade_label(str(band.get("grade"))),
                    gettext("得分 ≥ %(min)s") % {"min": band.get("min")},
                )
            )
        notes.append(GradeNote(grade_label(rest), gettext("其余")))
        return notes
    cumulative = Decimal(0)
    for quota in rules.get("quotas") or []:
        share = Decimal(str(quota.get("share")))
        cumulative += share
        last = int((cumulative * size).to_integral_value(rounding=ROUND_FLOOR))
        notes.append(
            GradeNote(
                grade_label(str(quota.get("grade"))),
                gettext("累计前 %(share)s%%：本组 %(size)s 个单位，名次 ≤ %(last)s")
                % {
                    "share": format((cumulative * 100).normalize(), "f"),
                    "size": size,
                    "last": last,
                },
            )
        )
    notes.append(GradeNote(grade_label(rest), gettext("其余")))
    return notes


def grade_counts(rows: list[Result], order: list[str]) -> list[tuple[str, int]]:
    """(grade, count) in the cycle's order of grades, for rows already loaded."""
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.grade] += 1
    extra = sorted(g for g in counts if g not in order)
    return [(g, counts.get(g, 0)) for g in [*order, *extra]]
