"""Reads of score inputs, shaped for the engine's loader: plain tuples, one query each.

These run over every review of a cycle (hundreds of thousands of rows), so they are plain SQL
through the connection's cursor. Scores are ``numeric`` on PostgreSQL and come back as
``Decimal``; SQLite keeps them as integers and floats, which :func:`decimal_reader` turns back
into the exact two-decimal values that were stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from jixiao.cycles.models import Cycle
from jixiao.scoring.types import Part, ReviewStats

_PARTS = (Part.TOTAL, Part.COMPLETION, Part.PROGRESS)
_CHUNK = 5000


def decimal_reader() -> Callable[[Any], Decimal | None]:
    """A function turning a two-decimal column value of this database into a ``Decimal``."""
    if connection.vendor == "postgresql":
        return _same
    cache: dict[Any, Decimal] = {}

    def read(value: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        result = cache.get(value)
        if result is None:
            # Every score column has two decimal places; the float is the nearest binary value.
            result = cache[value] = Decimal(f"{value:.2f}")
        return result

    return read


def _same(value: Any) -> Any:
    return value


def _scope(column: str, unit_ids: Sequence[int] | None) -> tuple[str, list[int]]:
    if unit_ids is None:
        return "", []
    if not unit_ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(unit_ids))})", list(unit_ids)


def _rows(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(_CHUNK)
            if not chunk:
                return
            yield from chunk


def review_rows(
    *, cycle: Cycle, unit_ids: list[int] | None = None, aggregation: str | None = None
) -> Iterator[tuple[int, int, str, str, Decimal]]:
    """(unit id, indicator id, reviewer username, part, score) for every review of the cycle,
    or of the given units, or of the leaves aggregated by ``aggregation``."""
    clause, params = _scope("r.unit_id", unit_ids)
    join = ""
    if aggregation is not None:
        join = " JOIN indicators_indicator i ON i.id = r.indicator_id"
        clause += " AND i.aggregation = %s"
        params.append(aggregation)  # type: ignore[arg-type]
    read = decimal_reader()
    for unit_id, indicator_id, username, part, score in _rows(
        "SELECT r.unit_id, r.indicator_id, u.username, r.part, r.score"
        " FROM evaluations_reviewscore r JOIN accounts_user u ON u.id = r.reviewer_id" + join + ""
        " WHERE r.cycle_id = %s" + clause,
        [cycle.pk, *params],
    ):
        yield unit_id, indicator_id, username, part, read(score)  # type: ignore[misc]


def review_summaries(*, cycle: Cycle) -> Iterator[tuple[int, int, tuple[ReviewStats, ...], str]]:
    """Per unit × leaf with reviews: the count, sum, lowest and highest score of each part, and
    the canonical text of all its reviews (``jixiao.scoring.canonical.reviews_text``).

    The text is built in SQL from the same rows, so it names every reviewer and score without
    one Python object per review: ``username:part:score`` items, the score without trailing
    zeros (as ``canonical`` prints numbers, whatever the database's decimal type prints),
    sorted by code point. Within one part the items differ from their reviewer's name on, so
    ordering by ``username || ':'`` in PostgreSQL's "C" collation (code point order for UTF-8,
    as in Python) orders the items; a leaf judged in two parts merges its parts in Python.
    Numbering the users once and ordering each group by that integer is much cheaper than
    sorting the text of every group. SQLite before 3.44 cannot order inside ``group_concat``,
    so there every group is sorted in Python.
    """
    postgres = connection.vendor == "postgresql"
    if postgres:
        sql = (
            "WITH u AS (SELECT id, username || ':' AS name,"
            " row_number() OVER (ORDER BY username || ':' COLLATE \"C\") AS position"
            " FROM accounts_user)"
            " SELECT r.unit_id, r.indicator_id, r.part,"
            " COUNT(*), SUM(r.score), MIN(r.score), MAX(r.score),"
            " string_agg(u.name || r.part || ':' || trim_scale(r.score)::text, chr(31)"
            " ORDER BY u.position)"
            " FROM evaluations_reviewscore r JOIN u ON u.id = r.reviewer_id"
            " WHERE r.cycle_id = %s GROUP BY r.unit_id, r.indicator_id, r.part"
            " ORDER BY r.unit_id, r.indicator_id"
        )
    else:
        sql = (
            "SELECT r.unit_id, r.indicator_id, r.part,"
            # Sums in whole cents are exact; a sum of SQLite's floats need not be.
            " COUNT(*), SUM(CAST(round(r.score * 100) AS INTEGER)), MIN(r.score), MAX(r.score),"
            " group_concat(u.username || ':' || r.part || ':' ||"
            " rtrim(rtrim(printf('%%.2f', r.score), '0'), '.'), char(31))"
            " FROM evaluations_reviewscore r JOIN accounts_user u ON u.id = r.reviewer_id"
            " WHERE r.cycle_id = %s GROUP BY r.unit_id, r.indicator_id, r.part"
            " ORDER BY r.unit_id, r.indicator_id"
        )
    read = decimal_reader()
    cent = Decimal("0.01")
    parts = {part.value: part for part in _PARTS}
    # Rows come grouped by unit and leaf; a leaf's parts are collected until the next leaf.
    key: tuple[int, int] | None = None
    summaries: list[ReviewStats] = []
    texts: list[str] = []
    for unit_id, indicator_id, part, count, total, low, high, text in _rows(sql, [cycle.pk]):
        if (unit_id, indicator_id) != key:
            if key is not None:
                yield key[0], key[1], tuple(summaries), _joined(texts, postgres)
            key = (unit_id, indicator_id)
            summaries = []
            texts = []
        if postgres:
            summaries.append(ReviewStats(parts[part], count, total, low, high))
        else:
            summaries.append(
                ReviewStats(parts[part], count, Decimal(total) * cent, read(low), read(high))  # type: ignore[arg-type]
            )
        texts.append(text)
    if key is not None:
        yield key[0], key[1], tuple(summaries), _joined(texts, postgres)


def _joined(texts: list[str], ordered: bool) -> str:
    """One leaf's reviews text from the per-part texts (items separated by U+001F)."""
    if ordered and len(texts) == 1:
        return texts[0].replace("\x1f", ",")
    return ",".join(sorted([item for text in texts for item in text.split("\x1f")]))


def collection_rows(
    *, cycle: Cycle, unit_ids: list[int] | None = None
) -> Iterator[tuple[int, int, Decimal | None, int | None, Decimal | None, Decimal | None]]:
    """(unit id, indicator id, score, finding count, actual, target)."""
    clause, params = _scope("unit_id", unit_ids)
    read = decimal_reader()
    for unit_id, indicator_id, score, count, actual, target in _rows(
        "SELECT unit_id, indicator_id, score, finding_count, actual, target"
        " FROM evaluations_collectionvalue WHERE cycle_id = %s" + clause,
        [cycle.pk, *params],
    ):
        yield unit_id, indicator_id, read(score), count, read(actual), read(target)


# The assessment workflow -------------------------------------------------------------------
#
# Reads of the pages below; every list is a fixed number of queries whatever its length.

from dataclasses import dataclass, field  # noqa: E402
from datetime import datetime  # noqa: E402

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet  # noqa: E402
from django.utils import timezone  # noqa: E402

from jixiao.accounts.models import Role, Unit, User  # noqa: E402
from jixiao.core.models import AuditEntry  # noqa: E402
from jixiao.cycles.models import Participation  # noqa: E402
from jixiao.evaluations.models import (  # noqa: E402
    Appeal,
    AssessmentCalendar,
    CollectionValue,
    DeadlineExtension,
    Evidence,
    LineKind,
    PackageState,
    ReviewerAssignment,
    ReviewReturn,
    ReviewScore,
    SelfEvaluation,
    SelfEvaluationPackage,
)
from jixiao.indicators.models import Indicator, Method, Tree  # noqa: E402

#: Methods scored by the joint evaluation group (and self-evaluated by the unit first).
JUDGED = (Method.JUDGEMENT, Method.COMPLETION_PROGRESS)
#: Methods whose inputs a data-collection unit enters.
COLLECTED = (Method.DIRECT, Method.DEDUCTION, Method.RATIO)


def calendar_for(*, cycle: Cycle) -> AssessmentCalendar:
    """The cycle's deadlines; an unsaved default (no deadlines) when the office set none."""
    calendar = AssessmentCalendar.objects.filter(cycle=cycle).first()
    return calendar if calendar is not None else AssessmentCalendar(cycle=cycle, version=0)


def self_evaluation_window_open(*, cycle: Cycle, unit: Unit, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    deadline = calendar_for(cycle=cycle).self_evaluation_deadline
    if deadline is None or now <= deadline:
        return True
    return DeadlineExtension.objects.filter(cycle=cycle, unit=unit, until__gte=now).exists()


def appeal_window_open(*, cycle: Cycle, now: datetime | None = None) -> bool:
    deadline = calendar_for(cycle=cycle).appeal_deadline
    return deadline is None or (now or timezone.now()) <= deadline


def leaves(*, cycle: Cycle) -> QuerySet[Indicator]:
    """Every leaf (a node without children) of the cycle's trees."""
    return Indicator.objects.filter(cycle=cycle).filter(
        ~Exists(Indicator.objects.filter(parent=OuterRef("pk")))
    )


def performance_leaves(*, cycle: Cycle, unit: Unit) -> QuerySet[Indicator]:
    return leaves(cycle=cycle).filter(tree=Tree.PERFORMANCE, unit=unit).order_by("order", "id")


def unfilled_self_evaluation_leaves(*, cycle: Cycle, unit: Unit) -> list[Indicator]:
    filled = SelfEvaluation.objects.filter(
        cycle=cycle, unit=unit, indicator=OuterRef("pk"), claimed_score__isnull=False
    ).exclude(achievement="")
    return list(performance_leaves(cycle=cycle, unit=unit).filter(~Exists(filled)))


@dataclass
class SelfEvaluationRow:
    leaf: Indicator
    item: SelfEvaluation | None
    evidence: list[Evidence] = field(default_factory=list)
    returns: list[ReviewReturn] = field(default_factory=list)


def self_evaluation_rows(*, cycle: Cycle, unit: Unit) -> list[SelfEvaluationRow]:
    """Every performance leaf of the unit with its self-evaluation, evidence and returns.

    Queries: leaves; self-evaluations; their evidence; their returns."""
    items = {
        item.indicator_id: item
        for item in SelfEvaluation.objects.filter(cycle=cycle, unit=unit)
        .select_related("updated_by")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
            Prefetch("returns", queryset=ReviewReturn.objects.order_by("-at")),
        )
    }
    rows = []
    for leaf in performance_leaves(cycle=cycle, unit=unit):
        item = items.get(leaf.pk)
        rows.append(
            SelfEvaluationRow(
                leaf=leaf,
                item=item,
                evidence=list(item.evidence.all()) if item else [],
                returns=list(item.returns.all()) if item else [],
            )
        )
    return rows


def package_for(*, cycle: Cycle, unit: Unit) -> SelfEvaluationPackage:
    package = (
        SelfEvaluationPackage.objects.filter(cycle=cycle, unit=unit)
        .select_related("submitted_by")
        .first()
    )
    return package if package is not None else SelfEvaluationPackage(cycle=cycle, unit=unit)


def is_assigned(*, reviewer: Any, cycle: Cycle, unit: Unit, indicator: Indicator) -> bool:
    """Whether ``reviewer`` is assigned to this unit's leaf (by the unit or by the leaf)."""
    if not getattr(reviewer, "pk", None) or indicator.method not in JUDGED:
        return False
    if indicator.tree != Tree.PERFORMANCE or indicator.unit_id != unit.pk:
        return False
    return ReviewerAssignment.objects.filter(
        Q(indicator__isnull=True) | Q(indicator=indicator),
        cycle=cycle,
        unit=unit,
        reviewer=reviewer,
    ).exists()


@dataclass
class QueueItem:
    unit: Unit
    leaf: Indicator
    item: SelfEvaluation | None
    mine: dict[str, ReviewScore]
    others: list[ReviewScore]
    last_year: Decimal | None

    @property
    def state(self) -> str:
        if self.item is None or self.item.package.state == PackageState.DRAFT:
            return "waiting"
        if self.item.returned:
            return "returned"
        return "done" if self.mine else "todo"


def reviewer_queue(*, reviewer: Any, cycle: Cycle) -> list[QueueItem]:
    """Every judged leaf the reviewer is assigned to, with its self-evaluation, the reviewer's
    own scores and (once those are in) the other reviewers' scores, and last year's score.

    Queries: assignments; leaves; self-evaluations with packages; reviews; previous cycle;
    its results."""
    assignments = list(
        ReviewerAssignment.objects.filter(cycle=cycle, reviewer=reviewer).values_list(
            "unit_id", "indicator_id"
        )
    )
    whole = {unit_id for unit_id, ind in assignments if ind is None}
    single = {ind for _unit, ind in assignments if ind is not None}
    if not assignments:
        return []
    leaf_rows = list(
        leaves(cycle=cycle)
        .filter(tree=Tree.PERFORMANCE, method__in=JUDGED)
        .filter(Q(unit_id__in=whole) | Q(pk__in=single))
        .select_related("unit")
        .order_by("unit__code", "order", "id")
    )
    leaf_ids = [leaf.pk for leaf in leaf_rows]
    items = {
        i.indicator_id: i
        for i in SelfEvaluation.objects.filter(
            cycle=cycle, indicator_id__in=leaf_ids
        ).select_related("package")
    }
    mine: dict[int, dict[str, ReviewScore]] = {}
    others: dict[int, list[ReviewScore]] = {}
    for review in ReviewScore.objects.filter(cycle=cycle, indicator_id__in=leaf_ids).order_by("id"):
        if review.reviewer_id == reviewer.pk:
            mine.setdefault(review.indicator_id, {})[review.part] = review
        else:
            others.setdefault(review.indicator_id, []).append(review)
    previous = last_year_scores(
        cycle=cycle, unit_ids={leaf.unit_id for leaf in leaf_rows if leaf.unit_id}
    )
    return [
        QueueItem(
            unit=leaf.unit,  # type: ignore[arg-type]
            leaf=leaf,
            item=items.get(leaf.pk),
            mine=mine.get(leaf.pk, {}),
            # Reviewers do not see each other's scores until they have submitted their own.
            others=others.get(leaf.pk, []) if leaf.pk in mine else [],
            last_year=previous.get((leaf.unit_id, f"{Tree.PERFORMANCE}:{leaf.code}")),  # type: ignore[arg-type]
        )
        for leaf in leaf_rows
    ]


def previous_cycle(*, cycle: Cycle) -> Cycle | None:
    return Cycle.objects.filter(code__lt=cycle.code).order_by("-code").first()


def last_year_scores(*, cycle: Cycle, unit_ids: set[int]) -> dict[tuple[int, str], Decimal]:
    """(unit id, line key) → the leaf's score in the previous cycle's stored results."""
    before = previous_cycle(cycle=cycle)
    if before is None or not unit_ids:
        return {}
    from jixiao.scoring.models import Result

    scores: dict[tuple[int, str], Decimal] = {}
    for unit_id, leaf_scores in Result.objects.filter(
        cycle=before, unit_id__in=unit_ids
    ).values_list("unit_id", "leaf_scores"):
        for key, value in (leaf_scores or {}).items():
            scores[(unit_id, key)] = Decimal(str(value))
    return scores


@dataclass(frozen=True)
class Spread:
    count: int
    low: Decimal
    high: Decimal
    aggregate: Decimal | None

    @property
    def width(self) -> Decimal:
        return self.high - self.low


def leaf_spread(*, cycle: Cycle, leaf: Indicator, reviews: list[ReviewScore]) -> dict[str, Spread]:
    """Per part: how many reviewers scored, the lowest and highest score, and the aggregate
    the leaf's method names (computed by the engine's rule)."""
    from jixiao.scoring.engine import _aggregate
    from jixiao.scoring.types import Aggregation

    by_part: dict[str, list[Decimal]] = {}
    for review in reviews:
        by_part.setdefault(review.part, []).append(review.score)
    return {
        part: Spread(
            len(scores),
            min(scores),
            max(scores),
            _aggregate(scores, Aggregation(leaf.aggregation), cycle.precision),
        )
        for part, scores in by_part.items()
    }


def wide_spreads(*, cycle: Cycle, threshold: Decimal, limit: int = 200) -> list[dict[str, Any]]:
    """Unit × leaf × part whose reviewers' scores differ by more than ``threshold``: one
    grouped query over the cycle's reviews."""
    rows = (
        ReviewScore.objects.filter(cycle=cycle)
        .values("unit__code", "unit__name", "indicator__code", "indicator__name", "part")
        .annotate(n=Count("id"), low=models_min("score"), high=models_max("score"))
        .filter(n__gte=2)
        .order_by("unit__code", "indicator__code")
    )
    out = []
    for row in rows:
        if row["high"] - row["low"] > threshold:
            out.append({**row, "width": row["high"] - row["low"]})
            if len(out) >= limit:
                break
    return out


def models_min(name: str) -> Any:
    from django.db.models import Min

    return Min(name)


def models_max(name: str) -> Any:
    from django.db.models import Max

    return Max(name)


# Collection -------------------------------------------------------------------------------


def collected_leaves(*, cycle: Cycle, collection_unit: Unit) -> list[Indicator]:
    """The common leaves this collection unit scores, in tree order."""
    return list(
        leaves(cycle=cycle)
        .filter(tree=Tree.SELF_CONSTRUCTION, collection_unit=collection_unit, method__in=COLLECTED)
        .order_by("order", "id")
    )


def assessed_units(*, cycle: Cycle) -> QuerySet[Participation]:
    return Participation.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code")


def collection_values(
    *, cycle: Cycle, leaves: list[Indicator], unit_ids: list[int] | None = None
) -> dict[tuple[int, int], CollectionValue]:
    qs = CollectionValue.objects.filter(cycle=cycle, indicator__in=leaves)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return {(v.unit_id, v.indicator_id): v for v in qs}


# Appeals and lines -------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    kind: str
    key: str
    label: str
    value: str


def appealable_lines(*, cycle: Cycle, unit: Unit) -> list[Line]:
    """The lines of a unit's score card that can be appealed: every leaf, every bonus
    category and both deduction lines, keyed as the engine's explanation keys them."""
    from jixiao.scoring.services import explain_unit

    explained = explain_unit(cycle=cycle, unit_id=unit.pk)
    if explained is None or explained.explanation is None:
        return []
    lines: list[Line] = []

    def walk(node: dict[str, Any]) -> None:
        key = str(node.get("key", ""))
        if "method" in node and not node.get("children"):
            lines.append(
                Line(
                    LineKind.LEAF,
                    key,
                    f"{node.get('code', '')} {node['label']}",
                    str(node["value"]),
                )
            )
        elif key.startswith("bonus:"):
            lines.append(Line(LineKind.BONUS, key, str(node["label"]), str(node["value"])))
        elif key in ("deduction_district", "deduction_higher"):
            lines.append(Line(LineKind.DEDUCTION, key, key, str(node["value"])))
        for child in node.get("children") or ():
            walk(child)

    walk(explained.explanation)
    return lines


def leaf_for_line(*, cycle: Cycle, unit: Unit, line_key: str) -> Indicator | None:
    tree, _sep, code = line_key.partition(":")
    if tree not in Tree.values or not code:
        return None
    qs = leaves(cycle=cycle).filter(tree=tree, code=code)
    qs = qs.filter(unit=unit) if tree == Tree.PERFORMANCE else qs.filter(unit__isnull=True)
    return qs.first()


def appeals_of(*, cycle: Cycle, unit_ids: set[int] | None = None) -> QuerySet[Appeal]:
    qs = Appeal.objects.filter(cycle=cycle).select_related("unit", "checker")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs.prefetch_related("evidence")


# Audit -------------------------------------------------------------------------------------


def line_object_ids(*, cycle: Cycle, unit: Unit, line_key: str) -> list[tuple[str, str]]:
    """(object type, object id) of everything whose audit entries make up the history of one
    score card line: its reviews, collection value, self-evaluation and appeals."""
    objects: list[tuple[str, str]] = [
        ("evaluations.appeal", str(pk))
        for pk in Appeal.objects.filter(cycle=cycle, unit=unit, line_key=line_key).values_list(
            "pk", flat=True
        )
    ]
    leaf = leaf_for_line(cycle=cycle, unit=unit, line_key=line_key)
    if leaf is not None:
        objects += [
            ("evaluations.reviewscore", str(pk))
            for pk in ReviewScore.objects.filter(
                cycle=cycle, unit=unit, indicator=leaf
            ).values_list("pk", flat=True)
        ]
        objects += [
            ("evaluations.collectionvalue", str(pk))
            for pk in CollectionValue.objects.filter(
                cycle=cycle, unit=unit, indicator=leaf
            ).values_list("pk", flat=True)
        ]
        objects += [
            ("evaluations.selfevaluation", str(pk))
            for pk in SelfEvaluation.objects.filter(
                cycle=cycle, unit=unit, indicator=leaf
            ).values_list("pk", flat=True)
        ]
    return objects


def line_history(*, cycle: Cycle, unit: Unit, line_key: str) -> QuerySet[AuditEntry]:
    objects = line_object_ids(cycle=cycle, unit=unit, line_key=line_key)
    if not objects:
        return AuditEntry.objects.none()
    where = Q()
    for object_type, object_id in objects:
        where |= Q(object_type=object_type, object_id=object_id)
    return AuditEntry.objects.filter(where, cycle_code=cycle.code).select_related("actor")


def search_audit(
    *,
    cycle: Cycle,
    text: str = "",
    action: str = "",
    actor: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.filter(cycle_code=cycle.code).select_related("actor")
    if text:
        qs = qs.filter(
            Q(object_repr__icontains=text) | Q(reason__icontains=text) | Q(object_id=text)
        )
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(
            Q(actor__username__icontains=actor) | Q(actor__display_name__icontains=actor)
        )
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lte=until)
    return qs.order_by("-at", "-id")


def reviewers_of(*, cycle: Cycle) -> list[User]:
    return list(
        User.objects.filter(
            Q(memberships__cycle=cycle) | Q(memberships__cycle__isnull=True),
            memberships__role=Role.REVIEWER,
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )
