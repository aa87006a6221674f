"""The office's progress of the assessment: who still owes what.

A read (a selector) kept in its own module because of its size. At 5,000 units it must answer
in well under a second, so the whole-cycle counts are grouped queries read as plain values
(no model instances), and only the units of the shown page are read cell by cell.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from jixiao.accounts.models import Unit, User
from jixiao.cycles.models import Cycle, Participation
from jixiao.evaluations.models import (
    CollectionValue,
    DeadlineExtension,
    PackageState,
    ReviewerAssignment,
    ReviewScore,
    SelfEvaluation,
    SelfEvaluationPackage,
)
from jixiao.evaluations.selectors import COLLECTED, JUDGED, calendar_for, leaves
from jixiao.indicators.models import Method, Tree

#: A collection value counts as entered when the fields its method needs are there.
ENTERED = (
    Q(indicator__method=Method.DIRECT, score__isnull=False)
    | Q(indicator__method=Method.DEDUCTION, finding_count__isnull=False)
    | Q(indicator__method=Method.RATIO, actual__isnull=False, target__isnull=False)
)


@dataclass
class UnitProgress:
    unit_id: int
    code: str
    name: str
    leaves: int = 0
    self_missing: int = 0
    package: str = PackageState.DRAFT
    reviews_expected: int = 0
    reviews_done: int = 0
    collection_expected: int = 0
    collection_done: int = 0
    extended_until: datetime | None = None

    @property
    def reviews_missing(self) -> int:
        return max(self.reviews_expected - self.reviews_done, 0)

    @property
    def collection_missing(self) -> int:
        return max(self.collection_expected - self.collection_done, 0)

    @property
    def missing(self) -> int:
        return self.self_missing + self.reviews_missing + self.collection_missing


@dataclass
class Cell:
    self_evaluation: bool | None = None  # None: not self-evaluated (a collected leaf)
    reviews: tuple[int, int] | None = None  # (done, expected)
    collected: bool | None = None

    @property
    def complete(self) -> bool:
        return (
            self.self_evaluation is not False
            and (self.reviews is None or self.reviews[0] >= self.reviews[1])
            and self.collected is not False
        )


@dataclass
class Progress:
    units: list[UnitProgress]
    reviewers: list[dict[str, Any]]
    collectors: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    columns: list[str] = field(default_factory=list)
    cells: dict[int, dict[str, Cell]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)


def cycle_progress(*, cycle: Cycle, now: datetime | None = None) -> Progress:
    """Counts per unit, reviewer and collection unit, and the overdue items, for the whole
    cycle. Queries: participations, leaves per unit, filled self-evaluations per unit,
    packages, assignments, reviews per unit × reviewer, common collected leaves, collection
    values per unit × collection unit, extensions, users, units (names), calendar."""
    now = now or timezone.now()
    units: dict[int, UnitProgress] = {
        unit_id: UnitProgress(unit_id, code, name)
        for unit_id, code, name in Participation.objects.filter(cycle=cycle)
        .order_by("unit__code")
        .values_list("unit_id", "unit__code", "unit__name")
    }
    judged: dict[int, int] = defaultdict(int)
    own_collected: dict[tuple[int, int], int] = defaultdict(int)
    for unit_id, method, collector_id, n in (
        leaves(cycle=cycle)
        .filter(tree=Tree.PERFORMANCE)
        .values("unit_id", "method", "collection_unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "method", "collection_unit_id", "n")
    ):
        progress = units.get(unit_id)
        if progress is None:
            continue
        progress.leaves += n
        if method in JUDGED:
            judged[unit_id] += n
        if method in COLLECTED and collector_id is not None:
            own_collected[(unit_id, collector_id)] += n
    filled = dict(
        SelfEvaluation.objects.filter(cycle=cycle, claimed_score__isnull=False)
        .exclude(achievement="")
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    states = dict(SelfEvaluationPackage.objects.filter(cycle=cycle).values_list("unit_id", "state"))
    for unit_id, progress in units.items():
        progress.self_missing = max(progress.leaves - filled.get(unit_id, 0), 0)
        progress.package = states.get(unit_id, PackageState.DRAFT)

    # Reviews: expected per assignment (a whole unit: its judged leaves), done = distinct
    # leaves the reviewer scored for the unit.
    expected: dict[tuple[int, int], int] = defaultdict(int)
    for unit_id, reviewer_id, indicator_id in ReviewerAssignment.objects.filter(
        cycle=cycle
    ).values_list("unit_id", "reviewer_id", "indicator_id"):
        expected[(unit_id, reviewer_id)] += judged.get(unit_id, 0) if indicator_id is None else 1
    done = {
        (unit_id, reviewer_id): n
        for unit_id, reviewer_id, n in ReviewScore.objects.filter(
            cycle=cycle, indicator__tree=Tree.PERFORMANCE
        )
        .values("unit_id", "reviewer_id")
        .annotate(n=Count("indicator_id", distinct=True))
        .values_list("unit_id", "reviewer_id", "n")
    }
    per_reviewer: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (unit_id, reviewer_id), n in expected.items():
        scored = min(done.get((unit_id, reviewer_id), 0), n)
        progress = units.get(unit_id)
        if progress is not None:
            progress.reviews_expected += n
            progress.reviews_done += scored
        per_reviewer[reviewer_id][0] += n
        per_reviewer[reviewer_id][1] += scored

    # Collection: every common collected leaf for every unit, plus collected leaves of a
    # unit's own tree.
    common = list(
        leaves(cycle=cycle)
        .filter(tree=Tree.SELF_CONSTRUCTION, method__in=COLLECTED, collection_unit__isnull=False)
        .values_list("collection_unit_id", flat=True)
    )
    per_collector: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for collector_id in common:
        per_collector[collector_id][0] += len(units)
    for progress in units.values():
        progress.collection_expected = len(common)
    for (unit_id, collector_id), n in own_collected.items():
        units[unit_id].collection_expected += n
        per_collector[collector_id][0] += n
    for unit_id, collector_id, n in (
        CollectionValue.objects.filter(
            ENTERED, cycle=cycle, indicator__collection_unit__isnull=False
        )
        .values("unit_id", "indicator__collection_unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "indicator__collection_unit_id", "n")
    ):
        progress = units.get(unit_id)
        if progress is None:
            continue
        progress.collection_done += n
        per_collector[collector_id][1] += n

    for unit_id, until in DeadlineExtension.objects.filter(cycle=cycle, until__gte=now).values_list(
        "unit_id", "until"
    ):
        if unit_id in units:
            units[unit_id].extended_until = max(
                filter(None, [units[unit_id].extended_until, until])
            )

    names = dict(User.objects.filter(pk__in=list(per_reviewer)).values_list("pk", "display_name"))
    usernames = dict(User.objects.filter(pk__in=list(per_reviewer)).values_list("pk", "username"))
    collector_names = dict(
        Unit.objects.filter(pk__in=list(per_collector)).values_list("pk", "name")
    )
    reviewers = sorted(
        (
            _counts(pk, names.get(pk) or usernames.get(pk, ""), e, d)
            for pk, (e, d) in per_reviewer.items()
        ),
        key=_by_missing,
    )
    collectors = sorted(
        (_counts(pk, collector_names.get(pk, ""), e, d) for pk, (e, d) in per_collector.items()),
        key=_by_missing,
    )

    calendar = calendar_for(cycle=cycle)
    overdue: list[dict[str, Any]] = []
    unit_list = list(units.values())
    if calendar.self_evaluation_deadline and now > calendar.self_evaluation_deadline:
        overdue += [
            {
                "kind": "self_evaluation",
                "who": u.name,
                "code": u.code,
                "count": max(u.self_missing, 1),
                "deadline": calendar.self_evaluation_deadline,
            }
            for u in unit_list
            if u.package != PackageState.SUBMITTED and u.extended_until is None
        ]
    if calendar.review_deadline and now > calendar.review_deadline:
        overdue += [
            {
                "kind": "review",
                "who": r["name"],
                "code": "",
                "count": r["missing"],
                "deadline": calendar.review_deadline,
            }
            for r in reviewers
            if r["missing"] > 0
        ]
    if calendar.collection_deadline and now > calendar.collection_deadline:
        overdue += [
            {
                "kind": "collection",
                "who": c["name"],
                "code": "",
                "count": c["missing"],
                "deadline": calendar.collection_deadline,
            }
            for c in collectors
            if c["missing"] > 0
        ]
    totals = {
        "units": len(unit_list),
        "self_missing": sum(u.self_missing for u in unit_list),
        "submitted": sum(1 for u in unit_list if u.package == PackageState.SUBMITTED),
        "reviews_missing": sum(u.reviews_missing for u in unit_list),
        "collection_missing": sum(u.collection_missing for u in unit_list),
    }
    return Progress(
        units=unit_list, reviewers=reviewers, collectors=collectors, overdue=overdue, totals=totals
    )


def page_cells(
    *, cycle: Cycle, unit_ids: list[int]
) -> tuple[list[str], dict[int, dict[str, Cell]]]:
    """The matrix of the shown units: columns are the leaf keys (the performance leaf codes
    of these units, then the common collected leaves), each cell what it still lacks.
    Queries: leaves of the units, common collected leaves, self-evaluations, assignments,
    reviews, collection values."""
    if not unit_ids:
        return [], {}
    own = list(
        leaves(cycle=cycle)
        .filter(tree=Tree.PERFORMANCE, unit_id__in=unit_ids)
        .order_by("order", "id")
        .values_list("pk", "unit_id", "code", "method", "collection_unit_id")
    )
    common = list(
        leaves(cycle=cycle)
        .filter(tree=Tree.SELF_CONSTRUCTION, method__in=COLLECTED, collection_unit__isnull=False)
        .order_by("order", "id")
        .values_list("pk", "code")
    )
    filled = set(
        SelfEvaluation.objects.filter(
            cycle=cycle, unit_id__in=unit_ids, claimed_score__isnull=False
        )
        .exclude(achievement="")
        .values_list("indicator_id", flat=True)
    )
    assigned: dict[int, set[int]] = defaultdict(set)  # unit → reviewers of every leaf
    assigned_leaf: dict[int, set[int]] = defaultdict(set)  # leaf → reviewers of that leaf
    for unit_id, reviewer_id, indicator_id in ReviewerAssignment.objects.filter(
        cycle=cycle, unit_id__in=unit_ids
    ).values_list("unit_id", "reviewer_id", "indicator_id"):
        if indicator_id is None:
            assigned[unit_id].add(reviewer_id)
        else:
            assigned_leaf[indicator_id].add(reviewer_id)
    scored: dict[int, set[int]] = defaultdict(set)
    for indicator_id, reviewer_id in (
        ReviewScore.objects.filter(
            cycle=cycle, unit_id__in=unit_ids, indicator__tree=Tree.PERFORMANCE
        )
        .values_list("indicator_id", "reviewer_id")
        .distinct()
    ):
        scored[indicator_id].add(reviewer_id)
    entered = set(
        CollectionValue.objects.filter(ENTERED, cycle=cycle, unit_id__in=unit_ids).values_list(
            "unit_id", "indicator_id"
        )
    )
    columns: list[str] = []
    seen: set[str] = set()
    cells: dict[int, dict[str, Cell]] = {unit_id: {} for unit_id in unit_ids}
    for pk, unit_id, code, method, collector_id in own:
        if code not in seen:
            seen.add(code)
            columns.append(code)
        cell = Cell(self_evaluation=pk in filled)
        if method in JUDGED:
            reviewers = assigned[unit_id] | assigned_leaf.get(pk, set())
            cell.reviews = (len(scored.get(pk, set()) & reviewers), len(reviewers))
        if method in COLLECTED and collector_id is not None:
            cell.collected = (unit_id, pk) in entered
        cells[unit_id][code] = cell
    for pk, code in common:
        columns.append(code)
        for unit_id in unit_ids:
            cells[unit_id][code] = Cell(collected=(unit_id, pk) in entered)
    return columns, cells


def _by_missing(row: dict[str, Any]) -> tuple[int, str]:
    return (-row["missing"], row["name"])


def _counts(pk: int, name: str, expected: int, done: int) -> dict[str, Any]:
    return {"id": pk, "name": name, "expected": expected, "done": done, "missing": expected - done}
