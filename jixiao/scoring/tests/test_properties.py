"""Properties that must hold for any inputs: monotonicity, order independence, bounds, ranges,
and score cards that add up."""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.scoring.engine import evaluate_unit, rank_and_grade
from jixiao.scoring.formula import compile_formula
from jixiao.scoring.rounding import quantize
from jixiao.scoring.tests.test_engine import DEFAULT, assert_adds_up, find, walk
from jixiao.scoring.types import (
    COMPONENTS,
    Aggregation,
    Bonus,
    BonusCategoryRule,
    Deduction,
    GradeQuota,
    GradeRule,
    LeafInput,
    Level,
    Method,
    Node,
    Part,
    Review,
    Scheme,
    UnitInputs,
    UnitResult,
)

D = Decimal
ZERO = D(0)

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals with two places in [low, high]."""
    return st.integers(low * 100, high * 100).map(lambda cents: D(cents).scaleb(-2))


@st.composite
def leaf_nodes(draw: st.DrawFn, code: str) -> Node:
    method = draw(st.sampled_from(list(Method)))
    points = D(draw(st.integers(1, 100)))
    completion = progress = per_finding = None
    if method == Method.COMPLETION_PROGRESS:
        completion = D(draw(st.integers(0, int(points))))
        progress = points - completion
    if method == Method.DEDUCTION:
        per_finding = draw(money(0, 20).filter(bool))
    return Node(
        code,
        f"leaf {code}",
        points,
        method=method,
        aggregation=draw(st.sampled_from(list(Aggregation))),
        points_per_finding=per_finding,
        completion_points=completion,
        progress_points=progress,
    )


@st.composite
def trees(draw: st.DrawFn, root: str) -> Node:
    branches = []
    for i in range(draw(st.integers(1, 3))):
        leaves = tuple(draw(leaf_nodes(f"{i + 1}.{j + 1}")) for j in range(draw(st.integers(1, 3))))
        points = sum((leaf.points for leaf in leaves), ZERO)
        branches.append(Node(str(i + 1), f"branch {i + 1}", points, children=leaves))
    points = sum((branch.points for branch in branches), ZERO)
    return Node(root, root, points, children=tuple(branches))


def leaves_of(tree: Node | None) -> list[Node]:
    if tree is None:
        return []
    if not tree.children:
        return [tree]
    return [leaf for child in tree.children for leaf in leaves_of(child)]


@st.composite
def leaf_inputs(draw: st.DrawFn, node: Node) -> LeafInput:
    # Scores may leave [0, points] a little: upstream validation is not the engine's safety net.
    score = money(-5, int(node.points) + 10)
    method = node.method
    if method == Method.JUDGEMENT or method == Method.COMPLETION_PROGRESS:
        parts = (
            [Part.TOTAL]
            if method == Method.JUDGEMENT
            else [Part.COMPLETION, Part.PROGRESS, Part.TOTAL]
        )
        reviews = draw(
            st.lists(
                st.builds(
                    Review,
                    st.sampled_from(["ann", "bo", "cy", "di"]),
                    score,
                    st.sampled_from(parts),
                ),
                max_size=7,
            )
        )
        return LeafInput(reviews=tuple(reviews))
    if method == Method.RATIO:
        return LeafInput(
            actual=draw(st.none() | money(-10, 200)),
            target=draw(st.none() | money(-1, 150)),
        )
    if method == Method.DEDUCTION:
        return LeafInput(count=draw(st.none() | st.integers(0, 12)))
    return LeafInput(score=draw(st.none() | score))


@st.composite
def tree_inputs(draw: st.DrawFn, tree: Node | None) -> dict[str, LeafInput]:
    out: dict[str, LeafInput] = {}
    for node in leaves_of(tree):
        if draw(st.integers(0, 9)):  # now and then a leaf has no row at all
            out[node.code] = draw(leaf_inputs(node))
    return out


bonuses = st.builds(
    Bonus,
    category=st.integers(1, 7),
    title=st.just("bonus"),
    points=money(0, 10),
    approved=st.booleans(),
)
deductions = st.builds(
    Deduction,
    code=st.sampled_from(["A1", "A2", "B1"]),
    description=st.just("finding"),
    count=st.integers(0, 4),
    points=money(0, 5),
    level=st.sampled_from(list(Level)),
)


@st.composite
def units(draw: st.DrawFn, code: str = "U1", group: str = "G") -> UnitInputs:
    performance = draw(st.none() | trees("P")) if draw(st.integers(0, 9)) == 0 else draw(trees("P"))
    self_construction = draw(trees("S"))
    return UnitInputs(
        unit=code,
        group=group,
        performance_tree=performance,
        self_construction_tree=self_construction,
        performance_leaves=draw(tree_inputs(performance)),
        self_construction_leaves=draw(tree_inputs(self_construction)),
        city_incentive=draw(st.none() | money(0, 20)),
        public=draw(st.none() | money(0, 1000)),
        bonuses=tuple(draw(st.lists(bonuses, max_size=5))),
        deductions=tuple(draw(st.lists(deductions, max_size=5))),
    )


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    categories = draw(
        st.dictionaries(
            st.integers(1, 6),
            st.builds(BonusCategoryRule, st.none() | money(0, 8), st.booleans()),
            max_size=6,
        )
    )
    multipliers = {level: D(draw(st.integers(1, 3))) for level in Level}
    return Scheme(
        precision=2,  # inputs carry at most the precision (validated upstream)
        bonus_categories=categories,
        bonus_total_cap=draw(st.none() | money(0, 30)),
        multipliers=multipliers,
    )


def with_leaves(inputs: UnitInputs, field: str, leaves: dict[str, LeafInput]) -> UnitInputs:
    if field == "performance_leaves":
        return dataclasses.replace(inputs, performance_leaves=leaves)
    return dataclasses.replace(inputs, self_construction_leaves=leaves)


def composite(inputs: UnitInputs, scheme: Scheme) -> Decimal:
    return evaluate_unit(inputs, scheme, DEFAULT, explain=False).composite


# Ranges, agreement of both paths, and score cards that add up -----------------------------


@PROPERTY
@given(units(), schemes())
def test_leaf_scores_in_range_and_cards_add_up(inputs: UnitInputs, scheme: Scheme) -> None:
    result = evaluate_unit(inputs, scheme, DEFAULT)
    for name, tree in (
        ("performance", inputs.performance_tree),
        ("self_construction", inputs.self_construction_tree),
    ):
        for node in leaves_of(tree):
            score = result.leaf_scores[f"{name}:{node.code}"]
            assert ZERO <= score <= node.points
        if tree is not None:
            assert ZERO <= result.components[name] <= tree.points
    assert result.provisional == bool(result.missing)
    assert set(result.components) == set(COMPONENTS)
    assert result.composite == quantize(result.composite, scheme.precision)

    explanation = result.explanation
    assert explanation is not None
    assert_adds_up(explanation, scheme)
    for key, score in result.leaf_scores.items():
        assert D(find(explanation, key)["value"]) == quantize(score, scheme.precision)
    for name in ("indicator", "city_incentive", "public", "bonus", "deduction"):
        assert D(find(explanation, name)["value"]) == quantize(
            result.components[name], scheme.precision
        )
    assert explanation["missing"] == result.provisional
    assert D(explanation["value"]) == result.composite

    fast = evaluate_unit(inputs, scheme, DEFAULT, explain=False)
    assert fast.explanation is None
    assert (fast.composite, fast.components, fast.leaf_scores, fast.missing) == (
        result.composite,
        result.components,
        result.leaf_scores,
        result.missing,
    )


# Monotonicity -------------------------------------------------------------------------------


@PROPERTY
@given(units(), schemes(), st.data())
def test_raising_a_review_never_lowers_the_composite(
    inputs: UnitInputs, scheme: Scheme, data: st.DataObject
) -> None:
    candidates = [
        (field, code)
        for field in ("performance_leaves", "self_construction_leaves")
        for code, leaf in getattr(inputs, field).items()
        if leaf.reviews
    ]
    if not candidates:
        return
    field, code = data.draw(st.sampled_from(candidates))
    leaves = dict(getattr(inputs, field))
    leaf = leaves[code]
    index = data.draw(st.integers(0, len(leaf.reviews) - 1))
    raised = list(leaf.reviews)
    raised[index] = dataclasses.replace(
        raised[index], score=raised[index].score + data.draw(money(0, 30))
    )
    leaves[code] = dataclasses.replace(leaf, reviews=tuple(raised))
    after = with_leaves(inputs, field, leaves)
    assert composite(after, scheme) >= composite(inputs, scheme)


@PROPERTY
@given(units(), schemes(), st.data())
def test_raising_any_other_input_never_lowers_the_composite(
    inputs: UnitInputs, scheme: Scheme, data: st.DataObject
) -> None:
    change = data.draw(
        st.sampled_from(
            ["public", "city", "new bonus", "raise bonus", "fewer findings", "drop finding"]
        )
    )
    delta = data.draw(money(0, 50))
    if change == "public":
        after = dataclasses.replace(inputs, public=(inputs.public or ZERO) + delta)
    elif change == "city":
        after = dataclasses.replace(inputs, city_incentive=(inputs.city_incentive or ZERO) + delta)
    elif change == "new bonus":
        bonus = Bonus(data.draw(st.integers(1, 7)), "new", delta)
        after = dataclasses.replace(inputs, bonuses=(*inputs.bonuses, bonus))
    elif change == "raise bonus":
        if not inputs.bonuses:
            return
        index = data.draw(st.integers(0, len(inputs.bonuses) - 1))
        items = list(inputs.bonuses)
        items[index] = dataclasses.replace(items[index], points=items[index].points + delta)
        after = dataclasses.replace(inputs, bonuses=tuple(items))
    else:
        if not inputs.deductions:
            return
        index = data.draw(st.integers(0, len(inputs.deductions) - 1))
        findings = list(inputs.deductions)
        if change == "drop finding":
            del findings[index]
        else:
            lower = data.draw(st.integers(0, findings[index].count))
            findings[index] = dataclasses.replace(findings[index], count=lower)
        after = dataclasses.replace(inputs, deductions=tuple(findings))
    assert composite(after, scheme) >= composite(inputs, scheme)


@PROPERTY
@given(units(), schemes(), st.data())
def test_lowering_a_deduction_leaf_count_never_lowers_the_composite(
    inputs: UnitInputs, scheme: Scheme, data: st.DataObject
) -> None:
    candidates = [
        (field, code)
        for field in ("performance_leaves", "self_construction_leaves")
        for code, leaf in getattr(inputs, field).items()
        if leaf.count
    ]
    if not candidates:
        return
    field, code = data.draw(st.sampled_from(candidates))
    leaves = dict(getattr(inputs, field))
    count = leaves[code].count
    assert count is not None
    leaves[code] = dataclasses.replace(leaves[code], count=data.draw(st.integers(0, count)))
    after = with_leaves(inputs, field, leaves)
    assert composite(after, scheme) >= composite(inputs, scheme)


# Order never matters ------------------------------------------------------------------------


def shuffled_leaves(leaves: dict[str, LeafInput], data: st.DataObject) -> dict[str, LeafInput]:
    out = {}
    for code in data.draw(st.permutations(list(leaves))):
        leaf = leaves[code]
        out[code] = dataclasses.replace(
            leaf, reviews=tuple(data.draw(st.permutations(list(leaf.reviews))))
        )
    return out


@PROPERTY
@given(units(), schemes(), st.data())
def test_order_of_reviews_bonuses_and_deductions_does_not_matter(
    inputs: UnitInputs, scheme: Scheme, data: st.DataObject
) -> None:
    shuffled = dataclasses.replace(
        inputs,
        performance_leaves=shuffled_leaves(inputs.performance_leaves, data),
        self_construction_leaves=shuffled_leaves(inputs.self_construction_leaves, data),
        bonuses=tuple(data.draw(st.permutations(list(inputs.bonuses)))),
        deductions=tuple(data.draw(st.permutations(list(inputs.deductions)))),
    )
    before = evaluate_unit(inputs, scheme, DEFAULT)
    after = evaluate_unit(shuffled, scheme, DEFAULT)
    assert after.composite == before.composite
    assert after.components == before.components
    assert after.leaf_scores == before.leaf_scores
    assert sorted(after.missing) == sorted(before.missing)
    assert before.explanation is not None and after.explanation is not None
    values_before = {entry["key"]: entry["value"] for entry in walk(before.explanation)}
    values_after = {entry["key"]: entry["value"] for entry in walk(after.explanation)}
    assert values_after == values_before


composites = st.integers(0, 100).map(lambda n: D(n) * 10)  # coarse, so ties are common


def results_strategy() -> st.SearchStrategy[list[UnitResult]]:
    def build(rows: list[tuple[str, Decimal]]) -> list[UnitResult]:
        components = dict.fromkeys(COMPONENTS, ZERO)
        return [
            UnitResult(f"u{i:03d}", group, components, value, False, (), {}, None)
            for i, (group, value) in enumerate(rows)
        ]

    return st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), composites), max_size=30).map(build)


grade_rules = st.one_of(
    st.just(Scheme().grade_rule),
    st.lists(st.integers(0, 60), min_size=1, max_size=3).map(
        lambda shares: GradeRule(
            mode="quotas",
            quotas=tuple(GradeQuota(f"g{i}", D(share) / 100) for i, share in enumerate(shares)),
            rest="rest",
        )
    ),
)


@PROPERTY
@given(results_strategy(), grade_rules, st.data())
def test_ranking_is_order_independent_and_consistent(
    results: list[UnitResult], rule: GradeRule, data: st.DataObject
) -> None:
    scheme = Scheme(grade_rule=rule)
    ranked = rank_and_grade(results, scheme)
    shuffled = data.draw(st.permutations(results))
    assert rank_and_grade(shuffled, scheme) == ranked
    assert sorted(r.unit for r in ranked) == sorted(r.unit for r in results)

    order = [grade.grade for grade in rule.quotas] + [rule.rest]
    for group in {r.group for r in ranked}:
        members = [r for r in ranked if r.group == group]
        for member in members:
            # Competition rank: one more than the number of units strictly ahead.
            ahead = sum(1 for other in members if other.composite > member.composite)
            assert member.rank == ahead + 1
            for other in members:
                if other.composite == member.composite:
                    assert other.grade == member.grade
                if rule.mode == "quotas" and other.composite > member.composite:
                    assert other.grade is not None and member.grade is not None
                    assert order.index(other.grade) <= order.index(member.grade)
        if rule.mode == "quotas":
            counts = Counter(r.grade for r in members)
            cumulative = ZERO
            covered = 0
            for quota in rule.quotas:
                cumulative += quota.share
                covered += counts[quota.grade]
                # Whole units rounded down, plus any units tied at the boundary.
                assert covered >= min(int(cumulative * len(members)), len(members))


# Bounds ------------------------------------------------------------------------------------


@PROPERTY
@given(units(), schemes())
def test_composite_lies_within_the_scheme_bounds(inputs: UnitInputs, scheme: Scheme) -> None:
    result = evaluate_unit(inputs, scheme, DEFAULT, explain=False)
    deductions = sum(
        (item.points * item.count * scheme.multipliers[item.level] for item in inputs.deductions),
        ZERO,
    )
    indicator_max = sum(
        (tree.points for tree in (inputs.performance_tree, inputs.self_construction_tree) if tree),
        ZERO,
    )
    bonus_max = sum((item.points for item in inputs.bonuses if item.approved), ZERO)
    if scheme.bonus_total_cap is not None:
        bonus_max = min(bonus_max, scheme.bonus_total_cap)
    city = inputs.city_incentive or ZERO
    low = quantize(-deductions, scheme.precision)
    high = quantize(
        (indicator_max + city) * D("0.6") + D(1000) * D("0.4") + bonus_max, scheme.precision
    )
    assert low <= result.composite <= high
    assert ZERO <= result.components["bonus"] <= bonus_max
    assert result.components["deduction"] == deductions


# The formula compiler against exact rational arithmetic -----------------------------------


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> tuple[str, Fraction]:
    values = {name: Fraction(index * 37 + 11, 4) for index, name in enumerate(COMPONENTS)}
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            name = draw(st.sampled_from(COMPONENTS))
            return name, values[name]
        number = draw(money(0, 50))
        return str(number), Fraction(number)
    kind = draw(st.sampled_from(["+", "-", "*", "/", "neg", "min", "max"]))
    left, left_value = draw(expressions(depth + 1))
    if kind == "neg":
        return f"-({left})", -left_value
    if kind == "/":
        divisor = draw(money(1, 9))
        return f"({left}) / {divisor}", left_value / Fraction(divisor)
    right, right_value = draw(expressions(depth + 1))
    if kind == "min":
        return f"min({left}, {right})", min(left_value, right_value)
    if kind == "max":
        return f"max({left}, {right})", max(left_value, right_value)
    combined = {
        "+": left_value + right_value,
        "-": left_value - right_value,
        "*": left_value * right_value,
    }[kind]
    return f"({left}) {kind} ({right})", combined


@PROPERTY
@given(expressions())
def test_formula_matches_exact_arithmetic(expression: tuple[str, Fraction]) -> None:
    source, expected = expression
    values = {name: D(index * 37 + 11) / 4 for index, name in enumerate(COMPONENTS)}
    result = compile_formula(source).evaluate(values)
    assert abs(Fraction(result) - expected) < Fraction(1, 10**20)
    shown = {name: str(value) for name, value in values.items()}
    # The score-card rendering is itself a formula over the same numbers with the same value.
    rendered = compile_formula(source).render(shown)
    plain = rendered.replace("×", "*").replace("÷", "/").replace("−", "-")
    assert abs(Fraction(compile_formula(plain).evaluate({})) - expected) < Fraction(1, 10**20)
