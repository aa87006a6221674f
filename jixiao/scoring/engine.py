"""The score engine: from one unit's inputs to its composite, rank and grade.

Arithmetic is exact ``Decimal`` throughout. Rounding happens only where the guide says a
number is *made* (a leaf's aggregate of reviews, a completion ratio) and once at the end
(the composite), always through :func:`jixiao.scoring.rounding.quantize`, so every line of
a printed score card adds up by hand.

``explain=False`` is the recompute path: it builds no strings or dicts beyond the result
itself. The explanation is built by separate functions from the same inputs and the
already computed scores, so both paths agree by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, localcontext

from jixiao.scoring.formula import CompiledFormula, compile_formula
from jixiao.scoring.rounding import quantize
from jixiao.scoring.types import (
    Aggregation,
    Bonus,
    Deduction,
    Explanation,
    GradeQuota,
    LeafInput,
    Level,
    Method,
    Node,
    Part,
    Review,
    ReviewStats,
    Scheme,
    UnitInputs,
    UnitResult,
)

__all__ = [
    "TreeProblem",
    "evaluate_cycle",
    "evaluate_unit",
    "rank_and_grade",
    "validate_tree",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_TWO = Decimal(2)
_EMPTY = LeafInput()

# Sums of two-decimal scores are exact in any context; the wide precision matters for the
# divisions of averages and ratios, which are then rounded half up to the cycle's precision.
_CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)

PERFORMANCE = "performance"
SELF_CONSTRUCTION = "self_construction"


# Evaluation ---------------------------------------------------------------------------------


def evaluate_unit(
    inputs: UnitInputs,
    scheme: Scheme,
    formula: CompiledFormula,
    *,
    explain: bool = True,
) -> UnitResult:
    """Score one unit. ``rank`` and ``grade`` are left ``None`` (see :func:`rank_and_grade`)."""
    with localcontext(_CONTEXT):
        return _evaluate(inputs, scheme, formula, explain)


def evaluate_cycle(
    inputs: Iterable[UnitInputs],
    scheme: Scheme,
    *,
    explain: bool = False,
) -> list[UnitResult]:
    """Score, rank and grade every unit of a cycle with the scheme's formula."""
    formula = compile_formula(scheme.formula)
    with localcontext(_CONTEXT):
        results = [_evaluate(unit, scheme, formula, explain) for unit in inputs]
    return rank_and_grade(results, scheme)


def _evaluate(
    inputs: UnitInputs, scheme: Scheme, formula: CompiledFormula, explain: bool
) -> UnitResult:
    precision = scheme.precision
    leaf_scores: dict[str, Decimal] = {}
    missing: list[str] = []

    performance = _tree_score(
        PERFORMANCE,
        inputs.performance_tree,
        inputs.performance_leaves,
        precision,
        leaf_scores,
        missing,
    )
    self_construction = _tree_score(
        SELF_CONSTRUCTION,
        inputs.self_construction_tree,
        inputs.self_construction_leaves,
        precision,
        leaf_scores,
        missing,
    )
    city = inputs.city_incentive
    if city is None:
        city = _ZERO
    public = inputs.public
    if public is None:
        public = _ZERO
        missing.append("public: no score")
    bonus = _bonus_total(inputs.bonuses, scheme)
    district, higher = _deduction_totals(inputs.deductions, scheme.multipliers)

    components = {
        "performance": performance,
        "self_construction": self_construction,
        "indicator": performance + self_construction,
        "city_incentive": city,
        "public": public,
        "bonus": bonus,
        "deduction": district + higher,
    }
    composite = quantize(formula.evaluate(components), precision)
    explanation = None
    if explain:
        explanation = _explain_unit(inputs, scheme, formula, components, composite, bool(missing))
    return UnitResult(
        unit=inputs.unit,
        group=inputs.group,
        components=components,
        composite=composite,
        provisional=bool(missing),
        missing=tuple(missing),
        leaf_scores=leaf_scores,
        explanation=explanation,
    )


def _clamp(value: Decimal, points: Decimal) -> Decimal:
    if value > points:
        value = points
    if value < _ZERO:
        return _ZERO
    return value


# Module-level aliases: the recompute path compares methods and parts once per leaf, and a
# global lookup is cheaper than an attribute lookup on the enum class.
_JUDGEMENT = Method.JUDGEMENT
_DEDUCTION = Method.DEDUCTION
_DIRECT = Method.DIRECT
_RATIO = Method.RATIO
_COMPLETION_PROGRESS = Method.COMPLETION_PROGRESS
_MEAN = Aggregation.MEAN
_MEDIAN = Aggregation.MEDIAN
_TRIMMED_MEAN = Aggregation.TRIMMED_MEAN
_TOTAL = Part.TOTAL
_COMPLETION = Part.COMPLETION
_PROGRESS = Part.PROGRESS


def _tree_score(
    name: str,
    tree: Node | None,
    leaves: Mapping[str, LeafInput],
    precision: int,
    leaf_scores: dict[str, Decimal],
    missing: list[str],
) -> Decimal:
    if tree is None:
        missing.append(f"{name}: no indicator tree")
        return _ZERO
    prefix = name + ":"
    get = leaves.get

    # A closure keeps the recursion to one argument, and leaves are scored in the parent's
    # loop rather than by a recursive call: this is the inner loop of a recompute.
    def walk(node: Node) -> Decimal:
        total = _ZERO
        for child in node.children:
            if child.children:
                total += walk(child)
                continue
            code = child.code
            score, reason = _leaf_score(child, get(code, _EMPTY), precision)
            leaf_scores[prefix + code] = score
            if reason is not None:
                missing.append(f"{name} {code}: {reason}")
            total += score
        points = node.points
        if total > points:
            total = points
        return total if total >= _ZERO else _ZERO

    if not tree.children:
        score, reason = _leaf_score(tree, get(tree.code, _EMPTY), precision)
        leaf_scores[prefix + tree.code] = score
        if reason is not None:
            missing.append(f"{name} {tree.code}: {reason}")
        return score
    return walk(tree)


def _scores(reviews: Sequence[Review], part: Part) -> list[Decimal]:
    return [review.score for review in reviews if review.part == part]


def _aggregate(scores: list[Decimal], aggregation: Aggregation, precision: int) -> Decimal | None:
    """The reviewers' aggregate, rounded half up where it is made; ``None`` without scores."""
    count = len(scores)
    if count == 0:
        return None
    if count == 1:
        return quantize(scores[0], precision)
    if aggregation == _MEDIAN:
        ordered = sorted(scores)
        middle = count // 2
        if count % 2:
            return quantize(ordered[middle], precision)
        return quantize((ordered[middle - 1] + ordered[middle]) / _TWO, precision)
    if aggregation == _TRIMMED_MEAN and count >= 5:
        return quantize((sum(scores, _ZERO) - max(scores) - min(scores)) / (count - 2), precision)
    return quantize(sum(scores, _ZERO) / count, precision)


def _stats(summaries: Sequence[ReviewStats], part: Part) -> ReviewStats | None:
    for stats in summaries:
        if stats.part == part:
            return stats
    return None


def _aggregate_stats(
    stats: ReviewStats | None, aggregation: Aggregation, precision: int
) -> Decimal | None:
    """:func:`_aggregate` from a summary of the scores: the same arithmetic, the same result."""
    if stats is None or stats.count <= 0:
        return None
    count = stats.count
    if count == 1:
        return quantize(stats.total, precision)
    if aggregation == _MEDIAN:
        if count == 2:
            return quantize((stats.low + stats.high) / _TWO, precision)
        raise ValueError("a median of three or more scores needs the scores, not a summary")
    if aggregation == _TRIMMED_MEAN and count >= 5:
        return quantize((stats.total - stats.high - stats.low) / (count - 2), precision)
    return quantize(stats.total / count, precision)


def _leaf_score(node: Node, given: LeafInput, precision: int) -> tuple[Decimal, str | None]:
    """A leaf's score in [0, points] and, when an input is missing, why."""
    method = node.method
    points = node.points
    value: Decimal | None
    if method == _JUDGEMENT:
        aggregation = node.aggregation
        if given.review_stats and not given.reviews:
            value = _aggregate_stats(_stats(given.review_stats, _TOTAL), aggregation, precision)
            if value is None:
                return _ZERO, "no review"
        # The plain mean is by far the most common case; a single pass without a list or a
        # call to the general function keeps a recompute fast.
        elif aggregation == _MEAN:
            total = _ZERO
            reviewed = 0
            for review in given.reviews:
                if review.part == _TOTAL:
                    total += review.score
                    reviewed += 1
            if not reviewed:
                return _ZERO, "no review"
            value = quantize(total / reviewed, precision)
        else:
            value = _aggregate(_scores(given.reviews, _TOTAL), aggregation, precision)
            if value is None:
                return _ZERO, "no review"
    elif method == _DEDUCTION:
        count = given.count
        per_finding = node.points_per_finding
        if per_finding is None:
            return _ZERO, "no points per finding configured"
        if count is None:
            return _ZERO, "no count"
        value = points - count * per_finding if count > 0 else points
    elif method == _DIRECT:
        value = given.score
        if value is None:
            return _ZERO, "no score"
    elif method == _RATIO:
        actual = given.actual
        target = given.target
        if actual is None:
            return _ZERO, "no actual value"
        if target is None:
            return _ZERO, "no target"
        if target <= _ZERO:
            return _ZERO, "target must be above 0"
        if actual >= target:
            value = points
        elif actual <= _ZERO:
            return _ZERO, None
        else:
            value = quantize(points * actual / target, precision)
    elif method == _COMPLETION_PROGRESS:
        return _completion_progress(node, given, precision)
    else:
        return _ZERO, "no scoring method"
    if value > points:
        value = points
    if value < _ZERO:
        return _ZERO, None
    return value, None


def _completion_progress(
    node: Node, given: LeafInput, precision: int
) -> tuple[Decimal, str | None]:
    points = node.points
    aggregation = node.aggregation
    completion: Decimal | None = None
    progress: Decimal | None = None
    if given.review_stats and not given.reviews:
        summaries = given.review_stats
        completion = _aggregate_stats(_stats(summaries, _COMPLETION), aggregation, precision)
        progress = _aggregate_stats(_stats(summaries, _PROGRESS), aggregation, precision)
    elif aggregation == _MEAN:
        completion_total = progress_total = _ZERO
        completion_count = progress_count = 0
        for review in given.reviews:
            part = review.part
            if part == _COMPLETION:
                completion_total += review.score
                completion_count += 1
            elif part == _PROGRESS:
                progress_total += review.score
                progress_count += 1
        if completion_count:
            completion = quantize(completion_total / completion_count, precision)
        if progress_count:
            progress = quantize(progress_total / progress_count, precision)
    else:
        reviews = given.reviews
        completion = _aggregate(_scores(reviews, _COMPLETION), aggregation, precision)
        progress = _aggregate(_scores(reviews, _PROGRESS), aggregation, precision)
    completion_points = node.completion_points
    progress_points = node.progress_points
    # A missing part counts 0 (like a missing leaf); the part that is in still counts.
    total = _ZERO
    if completion is not None:
        limit = points if completion_points is None else completion_points
        if completion > limit:
            completion = limit
        if completion > _ZERO:
            total = completion
    if progress is not None:
        limit = points if progress_points is None else progress_points
        if progress > limit:
            progress = limit
        if progress > _ZERO:
            total += progress
    if total > points:
        total = points
    if completion is None or progress is None:
        if completion is not None:
            return total, "no progress review"
        if progress is not None:
            return total, "no completion review"
        return total, "no completion or progress review"
    return total, None


def _bonus_by_category(bonuses: Iterable[Bonus]) -> dict[int, list[Bonus]]:
    by_category: dict[int, list[Bonus]] = {}
    for bonus in bonuses:
        if bonus.approved:
            by_category.setdefault(bonus.category, []).append(bonus)
    return by_category


def _category_total(items: Sequence[Bonus], scheme: Scheme, category: int) -> Decimal:
    rule = scheme.bonus_categories.get(category)
    if rule is None:
        return sum((item.points for item in items), _ZERO)
    if rule.stack:
        value = sum((item.points for item in items), _ZERO)
    else:
        value = max(item.points for item in items)
    if rule.cap is not None and value > rule.cap:
        return rule.cap
    return value


def _bonus_total(bonuses: Sequence[Bonus], scheme: Scheme) -> Decimal:
    if not bonuses:
        return _ZERO
    total = _ZERO
    for category, items in _bonus_by_category(bonuses).items():
        total += _category_total(items, scheme, category)
    cap = scheme.bonus_total_cap
    if cap is not None and total > cap:
        return cap
    return total


def _deduction_totals(
    deductions: Sequence[Deduction], multipliers: Mapping[Level, Decimal]
) -> tuple[Decimal, Decimal]:
    """(district, city and province) deduction points, multipliers applied, exact."""
    district = _ZERO
    higher = _ZERO
    for item in deductions:
        amount = item.points * item.count * multipliers.get(item.level, _ONE)
        if item.level == Level.DISTRICT:
            district += amount
        else:
            higher += amount
    return district, higher


# Ranking and grades -------------------------------------------------------------------------


def rank_and_grade(results: Sequence[UnitResult], scheme: Scheme) -> list[UnitResult]:
    """Competition ranks (1, 2, 2, 4) within each group on the rounded composite, and grades.

    Returns new results ordered by group, rank and unit code.
    """
    rule = scheme.grade_rule
    if rule.mode not in ("bands", "quotas"):
        raise ValueError(f"unknown grade mode {rule.mode!r} (expected 'bands' or 'quotas')")
    precision = scheme.precision
    groups: dict[str, list[tuple[Decimal, UnitResult]]] = {}
    for result in results:
        rounded = quantize(result.composite, precision)
        groups.setdefault(result.group, []).append((rounded, result))

    ranked: list[UnitResult] = []
    for group in sorted(groups):
        members = sorted(groups[group], key=lambda pair: (-pair[0], pair[1].unit))
        boundaries = _quota_boundaries(rule.quotas, len(members)) if rule.mode == "quotas" else []
        rank = 0
        previous: Decimal | None = None
        for position, (rounded, result) in enumerate(members, start=1):
            if rounded != previous:
                rank = position
                previous = rounded
            if rule.mode == "bands":
                grade = next(
                    (band.grade for band in rule.bands if rounded >= band.minimum), rule.rest
                )
            else:
                grade = next((name for name, last in boundaries if rank <= last), rule.rest)
            ranked.append(_ranked(result, rank, grade))
    return ranked


_RESULT_FIELDS = (
    "unit",
    "group",
    "components",
    "composite",
    "provisional",
    "missing",
    "leaf_scores",
    "explanation",
    "rank",
    "grade",
)
# dataclasses.replace() introspects the fields on every call, which is a noticeable share of a
# 5,000-unit recompute; build the copy directly while UnitResult has exactly these fields.
_DIRECT_COPY = tuple(field.name for field in fields(UnitResult)) == _RESULT_FIELDS


def _ranked(result: UnitResult, rank: int, grade: str) -> UnitResult:
    if not _DIRECT_COPY:
        return replace(result, rank=rank, grade=grade)
    return UnitResult(
        result.unit,
        result.group,
        result.components,
        result.composite,
        result.provisional,
        result.missing,
        result.leaf_scores,
        result.explanation,
        rank,
        grade,
    )


def _quota_boundaries(quotas: Iterable[GradeQuota], size: int) -> list[tuple[str, int]]:
    """For each quota grade the last rank it covers: floor(cumulative share × group size).

    Comparing ranks (not positions) with the boundary gives every unit tied at a boundary
    the better grade.
    """
    boundaries: list[tuple[str, int]] = []
    cumulative = _ZERO
    for quota in quotas:
        cumulative += quota.share
        last = int((cumulative * size).to_integral_value(rounding=ROUND_FLOOR))
        boundaries.append((quota.grade, last))
    return boundaries


# Tree validation ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TreeProblem:
    code: str  # the node's code
    message: str  # English; the Django side translates
    difference: Decimal | None = None  # how far off the node's points are, when that applies


def validate_tree(root: Node, expected_total: Decimal) -> list[TreeProblem]:
    """Every reason ``root`` cannot be activated; an empty list means it is sound."""
    problems: list[TreeProblem] = []
    if root.points != expected_total:
        difference = root.points - expected_total
        problems.append(
            TreeProblem(
                root.code,
                f"node {root.code}: points {_plain(root.points)} but the tree must total "
                f"{_plain(expected_total)} (difference {_plain(difference)})",
                difference,
            )
        )
    seen: set[str] = set()
    _check_node(root, problems, seen)
    return problems


def _check_node(node: Node, problems: list[TreeProblem], seen: set[str]) -> None:
    code = node.code
    if code in seen:
        problems.append(TreeProblem(code, f"node {code}: code used more than once"))
    seen.add(code)
    if node.points < _ZERO:
        problems.append(
            TreeProblem(code, f"node {code}: points {_plain(node.points)} must not be negative")
        )
    if node.children:
        children_sum = sum((child.points for child in node.children), _ZERO)
        if children_sum != node.points:
            difference = node.points - children_sum
            problems.append(
                TreeProblem(
                    code,
                    f"node {code}: points {_plain(node.points)} but children sum to "
                    f"{_plain(children_sum)} (difference {_plain(difference)})",
                    difference,
                )
            )
        for child in node.children:
            _check_node(child, problems, seen)
        return
    method = node.method
    if method is None:
        problems.append(TreeProblem(code, f"node {code}: leaf has no scoring method"))
    elif method == Method.DEDUCTION:
        per_finding = node.points_per_finding
        if per_finding is None:
            problems.append(
                TreeProblem(code, f"node {code}: deduction method needs points per finding")
            )
        elif per_finding <= _ZERO:
            problems.append(
                TreeProblem(
                    code,
                    f"node {code}: points per finding {_plain(per_finding)} must be above 0",
                )
            )
    elif method == Method.COMPLETION_PROGRESS:
        completion = node.completion_points
        progress = node.progress_points
        if completion is None or progress is None:
            problems.append(
                TreeProblem(
                    code,
                    f"node {code}: completion plus progress needs completion points "
                    "and progress points",
                )
            )
        elif completion < _ZERO or progress < _ZERO:
            problems.append(
                TreeProblem(
                    code, f"node {code}: completion and progress points must not be negative"
                )
            )
        elif completion + progress != node.points:
            difference = node.points - (completion + progress)
            problems.append(
                TreeProblem(
                    code,
                    f"node {code}: points {_plain(node.points)} but completion "
                    f"{_plain(completion)} + progress {_plain(progress)} = "
                    f"{_plain(completion + progress)} (difference {_plain(difference)})",
                    difference,
                )
            )


# Explanation --------------------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    """A number as people write it in a rule: 15, 2.5, -10 (no exponent, no trailing zeros)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _entry(
    key: str,
    label: str,
    value: str,
    rule: str,
    *,
    inputs: list[dict[str, object]] | None = None,
    children: list[Explanation] | None = None,
    missing: bool = False,
) -> Explanation:
    return {
        "key": key,
        "label": label,
        "value": value,
        "rule": rule,
        "inputs": inputs if inputs is not None else [],
        "children": children if children is not None else [],
        "missing": missing,
    }


class _Explainer:
    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.precision = scheme.precision

    def fmt(self, value: Decimal) -> str:
        return format(quantize(value, self.precision), "f")

    # trees

    def tree(
        self, name: str, tree: Node | None, leaves: Mapping[str, LeafInput], value: Decimal
    ) -> Explanation:
        if tree is None:
            return _entry(name, name, self.fmt(_ZERO), "no indicator tree (counts 0)", missing=True)
        nodes = tree.children if tree.children else (tree,)
        children = [self.node(child, name, leaves)[0] for child in nodes]
        entry = _entry(
            name,
            name,
            self.fmt(value),
            self._sum_rule(children, value, tree.points),
            children=children,
            missing=any(child["missing"] for child in children),
        )
        entry["code"] = tree.code
        entry["points"] = self.fmt(tree.points)
        return entry

    def _sum_rule(self, children: Sequence[Explanation], value: Decimal, points: Decimal) -> str:
        rule = " + ".join(str(child["value"]) for child in children) if children else "0"
        total = sum((Decimal(str(child["value"])) for child in children), _ZERO)
        if total > points:
            return f"{rule} = {self.fmt(total)}, capped at {self.fmt(points)}"
        if total != value:
            return f"{rule} = {self.fmt(total)}, not below 0"
        return rule

    def node(
        self, node: Node, name: str, leaves: Mapping[str, LeafInput]
    ) -> tuple[Explanation, Decimal]:
        if node.children:
            parts = [self.node(child, name, leaves) for child in node.children]
            children = [entry for entry, _ in parts]
            score = _clamp(sum((score for _, score in parts), _ZERO), node.points)
            entry = _entry(
                f"{name}:{node.code}",
                node.name,
                self.fmt(score),
                self._sum_rule(children, score, node.points),
                children=children,
                missing=any(child["missing"] for child in children),
            )
        else:
            given = leaves.get(node.code, _EMPTY)
            score, reason = _leaf_score(node, given, self.precision)
            rule, inputs = self.leaf(node, given, score, reason)
            entry = _entry(
                f"{name}:{node.code}",
                node.name,
                self.fmt(score),
                rule,
                inputs=inputs,
                missing=reason is not None,
            )
            entry["method"] = str(node.method) if node.method is not None else None
        entry["code"] = node.code
        entry["points"] = self.fmt(node.points)
        return entry, score

    def leaf(
        self, node: Node, given: LeafInput, score: Decimal, reason: str | None
    ) -> tuple[str, list[dict[str, object]]]:
        method = node.method
        points = node.points
        inputs: list[dict[str, object]] = []
        if method in (Method.JUDGEMENT, Method.COMPLETION_PROGRESS) and (
            given.review_stats and not given.reviews
        ):
            return self._stats_rule(node, given, score), inputs
        if method == Method.JUDGEMENT or method == Method.COMPLETION_PROGRESS:
            wanted = (
                (Part.TOTAL,) if method == Method.JUDGEMENT else (Part.COMPLETION, Part.PROGRESS)
            )
            inputs = [
                {
                    "kind": "review",
                    "reviewer": review.reviewer,
                    "score": self.fmt(review.score),
                    "part": str(review.part),
                }
                for review in given.reviews
                if review.part in wanted
            ]
        if method == Method.JUDGEMENT:
            scores = _scores(given.reviews, Part.TOTAL)
            if not scores:
                return "no review yet (counts 0)", inputs
            return self._aggregate_rule(scores, node.aggregation, score, points), inputs
        if method == Method.COMPLETION_PROGRESS:
            return self._completion_progress_rule(node, given, score), inputs
        if method == Method.DEDUCTION:
            per_finding = node.points_per_finding
            if given.count is not None:
                inputs = [
                    {
                        "kind": "count",
                        "count": given.count,
                        "per_finding": None if per_finding is None else self.fmt(per_finding),
                    }
                ]
            if reason is not None or per_finding is None or given.count is None:
                return f"{reason} (counts 0)", inputs
            raw = points - max(given.count, 0) * per_finding
            rule = f"{_plain(points)} − {given.count} × {_plain(per_finding)} = {_plain(raw)}"
            if raw < _ZERO:
                rule += ", not below 0"
            return rule, inputs
        if method == Method.RATIO:
            inputs = [
                {
                    "kind": "ratio",
                    "actual": None if given.actual is None else _plain(given.actual),
                    "target": None if given.target is None else _plain(given.target),
                }
            ]
            if reason is not None or given.actual is None or given.target is None:
                return f"{reason} (counts 0)", inputs
            rule = (
                f"{_plain(points)} × min({_plain(given.actual)} ÷ {_plain(given.target)}, 1)"
                f" = {self.fmt(score)}"
            )
            if _ZERO < given.actual < given.target and score * given.target != (
                points * given.actual
            ):
                rule += ", rounded half up"
            elif given.actual < _ZERO:
                rule += ", not below 0"
            return rule, inputs
        if method == Method.DIRECT:
            if given.score is None:
                return "no score yet (counts 0)", inputs
            inputs = [{"kind": "score", "score": self.fmt(given.score)}]
            rule = "entered score"
            if score != given.score:
                rule += f" {_plain(given.score)}, limited to [0, {_plain(points)}]"
            return rule, inputs
        return "no scoring method (counts 0)", inputs

    def _stats_rule(self, node: Node, given: LeafInput, score: Decimal) -> str:
        """The rule of a leaf given summarised reviews (which cannot list the reviewers)."""
        wanted = (
            (Part.TOTAL,) if node.method == Method.JUDGEMENT else (Part.COMPLETION, Part.PROGRESS)
        )
        pieces: list[str] = []
        for part in wanted:
            stats = _stats(given.review_stats, part)
            aggregate = _aggregate_stats(stats, node.aggregation, self.precision)
            if stats is None or aggregate is None:
                pieces.append(f"{part}: no review (counts 0)")
            else:
                pieces.append(
                    f"{part}: {node.aggregation} of {stats.count} reviews = {self.fmt(aggregate)}"
                )
        return "; ".join(pieces) + f"; leaf score {self.fmt(score)}"

    def _describe_aggregate(self, scores: list[Decimal], aggregation: Aggregation) -> str:
        count = len(scores)
        if count == 1:
            return "single review"
        if aggregation == Aggregation.MEDIAN:
            ordered = sorted(scores)
            if count % 2:
                return f"median of {count} reviews"
            low, high = ordered[count // 2 - 1], ordered[count // 2]
            return (
                f"median of {count} reviews (mean of the middle two {_plain(low)} and "
                f"{_plain(high)}), rounded half up"
            )
        if aggregation == Aggregation.TRIMMED_MEAN:
            if count >= 5:
                return (
                    f"trimmed mean of {count} reviews (dropped highest {_plain(max(scores))} "
                    f"and lowest {_plain(min(scores))}), rounded half up"
                )
            return f"mean of {count} reviews (fewer than 5, nothing dropped), rounded half up"
        return f"mean of {count} reviews, rounded half up"

    def _aggregate_rule(
        self, scores: list[Decimal], aggregation: Aggregation, score: Decimal, points: Decimal
    ) -> str:
        rule = self._describe_aggregate(scores, aggregation)
        aggregate = _aggregate(scores, aggregation, self.precision)
        if aggregate is not None and aggregate != score:
            rule += f" = {self.fmt(aggregate)}, limited to [0, {_plain(points)}]"
        return rule

    def _completion_progress_rule(self, node: Node, given: LeafInput, score: Decimal) -> str:
        pieces: list[str] = []
        shown_parts: list[str] = []
        for part, part_points in (
            (Part.COMPLETION, node.completion_points),
            (Part.PROGRESS, node.progress_points),
        ):
            scores = _scores(given.reviews, part)
            limit = node.points if part_points is None else part_points
            aggregate = _aggregate(scores, node.aggregation, self.precision)
            if aggregate is None:
                pieces.append(f"{part}: no review (counts 0)")
                shown_parts.append(self.fmt(_ZERO))
                continue
            shown = _clamp(aggregate, limit)
            text = f"{part}: {self._describe_aggregate(scores, node.aggregation)}"
            text += f" = {self.fmt(aggregate)}"
            if shown != aggregate:
                text += f", limited to [0, {_plain(limit)}]"
            pieces.append(text)
            shown_parts.append(self.fmt(shown))
        total = " + ".join(shown_parts) + f" = {self.fmt(score)}"
        if sum((Decimal(part) for part in shown_parts), _ZERO) != score:
            total += f", limited to [0, {_plain(node.points)}]"
        return "; ".join([*pieces, total])

    # bonus and deduction

    def bonus(self, bonuses: Sequence[Bonus], value: Decimal) -> Explanation:
        scheme = self.scheme
        children: list[Explanation] = []
        total = _ZERO
        for category, items in sorted(_bonus_by_category(bonuses).items()):
            category_value = _category_total(items, scheme, category)
            total += category_value
            rule_config = scheme.bonus_categories.get(category)
            stack = rule_config is None or rule_config.stack
            if stack:
                raw = sum((item.points for item in items), _ZERO)
                rule = " + ".join(self.fmt(item.points) for item in items)
                if len(items) > 1:
                    rule += f" = {self.fmt(raw)}"
            else:
                raw = max(item.points for item in items)
                rule = f"highest single item {self.fmt(raw)}"
            if category_value != raw:
                rule += f", capped at {self.fmt(category_value)} (category cap)"
            children.append(
                _entry(
                    f"bonus:{category}",
                    f"category {category}",
                    self.fmt(category_value),
                    rule,
                    inputs=[
                        {
                            "kind": "bonus",
                            "category": item.category,
                            "title": item.title,
                            "points": self.fmt(item.points),
                        }
                        for item in items
                    ],
                )
            )
        if not children:
            rule = "no approved bonus"
        else:
            rule = " + ".join(str(child["value"]) for child in children)
            if total != value:
                rule += f" = {self.fmt(total)}, capped at {self.fmt(value)} (total cap)"
        return _entry("bonus", "bonus", self.fmt(value), rule, children=children)

    def deduction(self, deductions: Sequence[Deduction], value: Decimal) -> Explanation:
        multipliers = self.scheme.multipliers
        lines: dict[str, list[dict[str, object]]] = {"district": [], "higher": []}
        totals = {"district": _ZERO, "higher": _ZERO}
        for item in deductions:
            multiplier = multipliers.get(item.level, _ONE)
            amount = item.points * item.count * multiplier
            line = "district" if item.level == Level.DISTRICT else "higher"
            totals[line] += amount
            lines[line].append(
                {
                    "kind": "deduction",
                    "code": item.code,
                    "description": item.description,
                    "level": str(item.level),
                    "points": self.fmt(item.points),
                    "count": item.count,
                    "multiplier": _plain(multiplier),
                    "amount": self.fmt(amount),
                    "rule": f"{_plain(item.points)} × {item.count} × {_plain(multiplier)}"
                    f" = {_plain(amount)}",
                }
            )
        children = []
        for line in ("district", "higher"):
            items = lines[line]
            rule = " + ".join(str(entry["amount"]) for entry in items) if items else "none"
            children.append(
                _entry(
                    f"deduction_{line}",
                    f"deduction_{line}",
                    self.fmt(totals[line]),
                    rule,
                    inputs=items,
                )
            )
        rule = f"{children[0]['value']} + {children[1]['value']}"
        return _entry("deduction", "deduction", self.fmt(value), rule, children=children)


def _explain_unit(
    inputs: UnitInputs,
    scheme: Scheme,
    formula: CompiledFormula,
    components: Mapping[str, Decimal],
    composite: Decimal,
    provisional: bool,
) -> Explanation:
    explainer = _Explainer(scheme)
    fmt = explainer.fmt
    performance = explainer.tree(
        PERFORMANCE, inputs.performance_tree, inputs.performance_leaves, components[PERFORMANCE]
    )
    self_construction = explainer.tree(
        SELF_CONSTRUCTION,
        inputs.self_construction_tree,
        inputs.self_construction_leaves,
        components[SELF_CONSTRUCTION],
    )
    indicator = _entry(
        "indicator",
        "indicator",
        fmt(components["indicator"]),
        f"{performance['value']} + {self_construction['value']}",
        children=[performance, self_construction],
        missing=bool(performance["missing"] or self_construction["missing"]),
    )
    if inputs.city_incentive is None:
        city = _entry("city_incentive", "city_incentive", fmt(_ZERO), "none (counts 0)")
    else:
        city = _entry(
            "city_incentive", "city_incentive", fmt(inputs.city_incentive), "entered score"
        )
    if inputs.public is None:
        public = _entry("public", "public", fmt(_ZERO), "no score yet (counts 0)", missing=True)
    else:
        public = _entry("public", "public", fmt(inputs.public), "public evaluation score")
    bonus = explainer.bonus(inputs.bonuses, components["bonus"])
    deduction = explainer.deduction(inputs.deductions, components["deduction"])
    shown = {name: fmt(value) for name, value in components.items()}
    return _entry(
        "composite",
        "composite",
        fmt(composite),
        formula.render(shown),
        children=[indicator, city, public, bonus, deduction],
        missing=provisional,
    )
