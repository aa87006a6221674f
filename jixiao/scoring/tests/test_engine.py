"""The engine on hand-checked cases: the guide's worked example, every leaf method, caps,
multipliers, ranking, grades, provisional results and tree validation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import pytest

from jixiao.scoring.engine import (
    TreeProblem,
    evaluate_cycle,
    evaluate_unit,
    rank_and_grade,
    validate_tree,
)
from jixiao.scoring.formula import compile_formula
from jixiao.scoring.rounding import quantize
from jixiao.scoring.types import (
    COMPONENTS,
    DEFAULT_FORMULA,
    Aggregation,
    Bonus,
    BonusCategoryRule,
    Deduction,
    Explanation,
    GradeBand,
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
DEFAULT = compile_formula(DEFAULT_FORMULA)


# Builders and checks shared with test_properties ------------------------------------------


def reviews(*scores: str | Decimal, part: Part = Part.TOTAL) -> tuple[Review, ...]:
    return tuple(Review(f"reviewer{i}", D(score), part) for i, score in enumerate(scores))


def leaf(code: str, points: str | int | Decimal, method: Method, **extra: Any) -> Node:
    return Node(code, f"leaf {code}", D(points), method=method, **extra)


def parent(code: str, *children: Node, points: Decimal | None = None) -> Node:
    total = sum((child.points for child in children), D(0)) if points is None else points
    return Node(code, f"node {code}", total, children=children)


def unit(
    performance: Node | None = None,
    self_construction: Node | None = None,
    *,
    code: str = "U1",
    group: str = "G",
    performance_leaves: dict[str, LeafInput] | None = None,
    self_construction_leaves: dict[str, LeafInput] | None = None,
    **extra: Any,
) -> UnitInputs:
    return UnitInputs(
        unit=code,
        group=group,
        performance_tree=performance,
        self_construction_tree=self_construction,
        performance_leaves=performance_leaves or {},
        self_construction_leaves=self_construction_leaves or {},
        **extra,
    )


SELF_ONE = parent("S", leaf("9", 800, Method.DIRECT))


def one_leaf(node: Node, given: LeafInput) -> UnitResult:
    """Evaluate a unit whose performance tree is a single leaf under a root (and nothing
    else is missing)."""
    inputs = unit(
        parent("P", node),
        SELF_ONE,
        performance_leaves={node.code: given},
        self_construction_leaves={"9": LeafInput(score=D(700))},
        public=D(900),
    )
    return evaluate_unit(inputs, Scheme(), DEFAULT)


def leaf_score(node: Node, given: LeafInput) -> Decimal:
    return one_leaf(node, given).leaf_scores[f"performance:{node.code}"]


def walk(entry: Explanation) -> Iterable[Explanation]:
    yield entry
    for child in entry["children"]:
        yield from walk(child)


def find(entry: Explanation, key: str) -> Explanation:
    for node in walk(entry):
        if node["key"] == key:
            return node
    raise KeyError(key)


def assert_adds_up(explanation: Explanation, scheme: Scheme) -> None:
    """Every parent line of a score card is the sum of its lines (caps where they apply)."""

    def value(entry: Explanation) -> Decimal:
        return D(entry["value"])

    for entry in walk(explanation):
        children = entry["children"]
        key = entry["key"]
        if key == "composite" or not children:
            continue
        total = sum((value(child) for child in children), D(0))
        if key == "bonus":
            cap = scheme.bonus_total_cap
            assert value(entry) == (total if cap is None else min(total, cap)), entry
        else:
            limit = D(entry.get("points", total))
            assert value(entry) == max(min(total, limit), D(0)), entry
    for line in ("deduction_district", "deduction_higher"):
        entry = find(explanation, line)
        assert value(entry) == sum((D(item["amount"]) for item in entry["inputs"]), D(0))


# The guide's worked example ----------------------------------------------------------------

WORKED_PERFORMANCE = parent(
    "P",
    parent(
        "1",
        leaf("1.1", 60, Method.JUDGEMENT),
        leaf("1.2", 40, Method.RATIO),
    ),
    parent(
        "2",
        leaf("2.1", 50, Method.DEDUCTION, points_per_finding=D("2.5")),
        leaf(
            "2.2",
            50,
            Method.COMPLETION_PROGRESS,
            completion_points=D(40),
            progress_points=D(10),
        ),
    ),
)
WORKED_PERFORMANCE_LEAVES = {
    "1.1": LeafInput(reviews=reviews("55", "56", "57.5")),  # mean 56.166… → 56.17
    "1.2": LeafInput(actual=D("95"), target=D("100")),  # 40 × 0.95 = 38
    "2.1": LeafInput(count=2),  # 50 − 2 × 2.5 = 45
    "2.2": LeafInput(
        reviews=reviews("36", "38", part=Part.COMPLETION)  # 37
        + reviews("6", "6.66", part=Part.PROGRESS)  # 6.33
    ),
}
# 56.17 + 38 + 45 + 43.33 = 182.50
WORKED_SELF = parent(
    "S",
    parent(
        "1",
        leaf("1.1", 200, Method.DIRECT),
        leaf("1.2", 200, Method.DEDUCTION, points_per_finding=D(5)),
    ),
    parent(
        "2",
        leaf("2.1", 200, Method.JUDGEMENT, aggregation=Aggregation.MEDIAN),
        leaf("2.2", 200, Method.JUDGEMENT, aggregation=Aggregation.TRIMMED_MEAN),
    ),
)
WORKED_SELF_LEAVES = {
    "1.1": LeafInput(score=D("180")),
    "1.2": LeafInput(count=3),  # 185
    "2.1": LeafInput(reviews=reviews("170", "175", "190", "171")),  # median (171 + 175) / 2 = 173
    "2.2": LeafInput(reviews=reviews("200", "185", "186", "184", "100")),  # (185+186+184)/3 = 185
}
# 180 + 185 + 173 + 185 = 723
WORKED_SCHEME = Scheme(bonus_total_cap=D(10))
WORKED_UNIT = unit(
    WORKED_PERFORMANCE,
    WORKED_SELF,
    performance_leaves=WORKED_PERFORMANCE_LEAVES,
    self_construction_leaves=WORKED_SELF_LEAVES,
    city_incentive=D(4),
    public=D("880.25"),
    bonuses=(Bonus(1, "circular of the provincial government", D(6)),),
    deductions=(
        Deduction("A1", "late reply", 1, D(1), Level.DISTRICT),
        Deduction("B2", "unannounced visit", 1, D("1.5"), Level.CITY),
    ),
)


def test_worked_example() -> None:
    result = evaluate_unit(WORKED_UNIT, WORKED_SCHEME, DEFAULT)
    assert result.components == {
        "performance": D("182.5"),
        "self_construction": D("723"),
        "indicator": D("905.5"),
        "city_incentive": D("4"),
        "public": D("880.25"),
        "bonus": D("6"),
        "deduction": D("4"),
    }
    assert result.composite == D("899.80")
    assert str(result.composite) == "899.80"
    assert not result.provisional
    assert result.missing == ()
    assert result.rank is None and result.grade is None
    assert result.leaf_scores == {
        "performance:1.1": D("56.17"),
        "performance:1.2": D("38"),
        "performance:2.1": D("45"),
        "performance:2.2": D("43.33"),
        "self_construction:1.1": D("180"),
        "self_construction:1.2": D("185"),
        "self_construction:2.1": D("173"),
        "self_construction:2.2": D("185"),
    }


def test_worked_example_explanation() -> None:
    explanation = evaluate_unit(WORKED_UNIT, WORKED_SCHEME, DEFAULT).explanation
    assert explanation is not None
    json.dumps(explanation)  # JSON-ready as it is
    assert explanation["key"] == "composite"
    assert explanation["value"] == "899.80"
    assert explanation["rule"] == "(905.50 + 4.00) × 0.6 + 880.25 × 0.4 + 6.00 − 4.00"
    assert explanation["missing"] is False
    assert [child["key"] for child in explanation["children"]] == [
        "indicator",
        "city_incentive",
        "public",
        "bonus",
        "deduction",
    ]
    indicator = find(explanation, "indicator")
    assert indicator["value"] == "905.50"
    assert indicator["rule"] == "182.50 + 723.00"
    assert [child["key"] for child in indicator["children"]] == ["performance", "self_construction"]
    assert find(explanation, "performance")["value"] == "182.50"
    assert find(explanation, "self_construction")["value"] == "723.00"
    assert find(explanation, "deduction_district")["value"] == "1.00"
    assert find(explanation, "deduction_higher")["value"] == "3.00"
    higher = find(explanation, "deduction_higher")["inputs"]
    assert higher[0]["rule"] == "1.5 × 1 × 2 = 3"
    assert higher[0]["level"] == "city"
    for entry in walk(explanation):
        assert set(entry) >= {"key", "label", "value", "rule", "inputs", "children", "missing"}
        assert isinstance(entry["value"], str) and len(entry["value"].split(".")[1]) == 2
    assert_adds_up(explanation, WORKED_SCHEME)


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("performance:1.1", "mean of 3 reviews, rounded half up"),
        ("performance:1.2", "40 × min(95 ÷ 100, 1) = 38.00"),
        ("performance:2.1", "50 − 2 × 2.5 = 45"),
        (
            "performance:2.2",
            "completion: mean of 2 reviews, rounded half up = 37.00; "
            "progress: mean of 2 reviews, rounded half up = 6.33; 37.00 + 6.33 = 43.33",
        ),
        ("self_construction:1.1", "entered score"),
        (
            "self_construction:2.1",
            "median of 4 reviews (mean of the middle two 171 and 175), rounded half up",
        ),
        (
            "self_construction:2.2",
            "trimmed mean of 5 reviews (dropped highest 200 and lowest 100), rounded half up",
        ),
        ("performance", "94.17 + 88.33"),
        ("bonus", "6.00"),
        ("deduction", "1.00 + 3.00"),
        ("public", "public evaluation score"),
    ],
)
def test_worked_example_rules(key: str, rule: str) -> None:
    explanation = evaluate_unit(WORKED_UNIT, WORKED_SCHEME, DEFAULT).explanation
    assert explanation is not None
    assert find(explanation, key)["rule"] == rule


def test_leaf_explanation_lists_inputs() -> None:
    explanation = evaluate_unit(WORKED_UNIT, WORKED_SCHEME, DEFAULT).explanation
    assert explanation is not None
    judged = find(explanation, "performance:1.1")
    assert judged["label"] == "leaf 1.1"
    assert judged["inputs"] == [
        {"kind": "review", "reviewer": "reviewer0", "score": "55.00", "part": "total"},
        {"kind": "review", "reviewer": "reviewer1", "score": "56.00", "part": "total"},
        {"kind": "review", "reviewer": "reviewer2", "score": "57.50", "part": "total"},
    ]
    assert find(explanation, "performance:2.1")["inputs"] == [
        {"kind": "count", "count": 2, "per_finding": "2.50"}
    ]
    assert find(explanation, "performance:1.2")["inputs"] == [
        {"kind": "ratio", "actual": "95", "target": "100"}
    ]
    assert find(explanation, "self_construction:1.1")["inputs"] == [
        {"kind": "score", "score": "180.00"}
    ]
    bonus = find(explanation, "bonus:1")
    assert bonus["inputs"][0]["title"] == "circular of the provincial government"


def test_explain_false_builds_nothing_and_agrees() -> None:
    fast = evaluate_unit(WORKED_UNIT, WORKED_SCHEME, DEFAULT, explain=False)
    slow = evaluate_unit(WORKED_UNIT, WORKED_SCHEME, DEFAULT)
    assert fast.explanation is None
    assert fast.composite == slow.composite
    assert fast.components == slow.components
    assert fast.leaf_scores == slow.leaf_scores
    assert fast.missing == slow.missing


# Aggregation and rounding at the leaf ------------------------------------------------------


@pytest.mark.parametrize(
    ("aggregation", "scores", "expected"),
    [
        (Aggregation.MEAN, ("18", "19", "17"), "18.00"),
        (Aggregation.MEAN, ("14.12", "14.13"), "14.13"),  # 14.125 half up
        (Aggregation.MEAN, ("2.67", "2.68"), "2.68"),  # 2.675 exactly, not 2.67 as with floats
        (Aggregation.MEAN, ("10", "10", "11"), "10.33"),
        (Aggregation.MEAN, ("10", "11", "11"), "10.67"),
        (Aggregation.MEAN, ("7.5",), "7.50"),
        (Aggregation.MEDIAN, ("12", "19", "15"), "15"),
        (Aggregation.MEDIAN, ("12", "19", "15", "16"), "15.50"),
        (Aggregation.MEDIAN, ("12.01", "12.02"), "12.02"),  # 12.015 half up
        (Aggregation.MEDIAN, ("5",), "5"),
        (Aggregation.TRIMMED_MEAN, ("19", "12", "15", "16"), "15.50"),  # 4: plain mean
        (Aggregation.TRIMMED_MEAN, ("19", "12", "15", "16", "14"), "15.00"),  # drop 19 and 12
        (Aggregation.TRIMMED_MEAN, ("20", "20", "10", "10", "15"), "15.00"),  # drop one of each
        (Aggregation.TRIMMED_MEAN, ("19", "12", "15", "16", "14", "13"), "14.50"),
        (Aggregation.TRIMMED_MEAN, ("10", "10", "10", "10", "10.01"), "10.00"),
    ],
)
def test_aggregation(aggregation: Aggregation, scores: Sequence[str], expected: str) -> None:
    node = leaf("1", 20, Method.JUDGEMENT, aggregation=aggregation)
    score = leaf_score(node, LeafInput(reviews=reviews(*scores)))
    assert score == D(expected)


def test_trimmed_mean_explanation_with_fewer_than_five() -> None:
    node = leaf("1", 20, Method.JUDGEMENT, aggregation=Aggregation.TRIMMED_MEAN)
    explanation = one_leaf(node, LeafInput(reviews=reviews("19", "12", "15", "16"))).explanation
    assert explanation is not None
    assert find(explanation, "performance:1")["rule"] == (
        "mean of 4 reviews (fewer than 5, nothing dropped), rounded half up"
    )


def test_judgement_ignores_reviews_for_other_parts() -> None:
    node = leaf("1", 20, Method.JUDGEMENT)
    given = LeafInput(reviews=reviews("10") + reviews("20", part=Part.PROGRESS))
    assert leaf_score(node, given) == D("10")


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        ("2.675", 2, "2.68"),
        ("14.125", 2, "14.13"),
        ("14.124999", 2, "14.12"),
        ("2.5", 0, "3"),
        ("-2.5", 0, "-3"),
        ("-0.001", 2, "0.00"),
        ("5", 2, "5.00"),
        ("0.05", 1, "0.1"),
        ("123.4567", 3, "123.457"),
    ],
)
def test_quantize(value: str, precision: int, expected: str) -> None:
    assert str(quantize(D(value), precision)) == expected


def test_precision_is_taken_from_the_scheme() -> None:
    node = leaf("1", 20, Method.JUDGEMENT)
    inputs = unit(
        parent("P", node), None, performance_leaves={"1": LeafInput(reviews=reviews("1", "2", "2"))}
    )
    one = evaluate_unit(inputs, Scheme(precision=1), DEFAULT)
    assert one.leaf_scores["performance:1"] == D("1.7")
    assert str(one.composite) == str(one.composite.quantize(D("0.1")))
    assert one.explanation is not None
    assert one.explanation["value"].count(".") == 1
    assert len(one.explanation["value"].split(".")[1]) == 1


# The other leaf methods -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        ("95", "100", "19.00"),
        ("100", "100", "20"),
        ("130", "100", "20"),  # capped at full points
        ("1", "3", "6.67"),  # 20 / 3 rounded half up
        ("0", "100", "0"),
        ("-5", "100", "0"),  # a negative actual counts 0
        ("0.5", "0.8", "12.50"),
    ],
)
def test_ratio(actual: str, target: str, expected: str) -> None:
    node = leaf("1", 20, Method.RATIO)
    result = one_leaf(node, LeafInput(actual=D(actual), target=D(target)))
    assert result.leaf_scores["performance:1"] == D(expected)
    assert not result.provisional


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (LeafInput(actual=D(5)), "performance 1: no target"),
        (LeafInput(target=D(5)), "performance 1: no actual value"),
        (LeafInput(actual=D(5), target=D(0)), "performance 1: target must be above 0"),
        (LeafInput(actual=D(5), target=D(-1)), "performance 1: target must be above 0"),
    ],
)
def test_ratio_missing(given: LeafInput, reason: str) -> None:
    result = one_leaf(leaf("1", 20, Method.RATIO), given)
    assert result.leaf_scores["performance:1"] == 0
    assert result.missing == (reason,)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "15"), (1, "13"), (2, "11"), (7, "1"), (8, "0"), (50, "0")],
)
def test_deduction_from_full_marks(count: int, expected: str) -> None:
    node = leaf("1", 15, Method.DEDUCTION, points_per_finding=D(2))
    result = one_leaf(node, LeafInput(count=count))
    assert result.leaf_scores["performance:1"] == D(expected)
    assert result.explanation is not None
    rule = find(result.explanation, "performance:1")["rule"]
    assert rule.startswith(f"15 − {count} × 2 = ")
    assert rule.endswith(", not below 0") == (count > 7)


def test_deduction_rule_from_the_brief() -> None:
    node = leaf("1", 15, Method.DEDUCTION, points_per_finding=D(2))
    explanation = one_leaf(node, LeafInput(count=2)).explanation
    assert explanation is not None
    assert find(explanation, "performance:1")["rule"] == "15 − 2 × 2 = 11"


def test_ratio_rule_from_the_brief() -> None:
    explanation = one_leaf(
        leaf("1", 20, Method.RATIO), LeafInput(actual=D(95), target=D(100))
    ).explanation
    assert explanation is not None
    assert find(explanation, "performance:1")["rule"] == "20 × min(95 ÷ 100, 1) = 19.00"


def test_deduction_without_count_is_missing() -> None:
    node = leaf("1", 15, Method.DEDUCTION, points_per_finding=D(2))
    result = one_leaf(node, LeafInput())
    assert result.leaf_scores["performance:1"] == 0
    assert "performance 1: no count" in result.missing


def test_completion_plus_progress() -> None:
    node = leaf("1", 20, Method.COMPLETION_PROGRESS, completion_points=D(15), progress_points=D(5))
    both = LeafInput(
        reviews=reviews("14", "13", part=Part.COMPLETION)
        + reviews("4", "5", "5", part=Part.PROGRESS)
    )
    assert leaf_score(node, both) == D("13.50") + D("4.67")
    # Each part is limited to its own points, then the sum to the leaf's.
    over = LeafInput(reviews=reviews("18", part=Part.COMPLETION) + reviews("9", part=Part.PROGRESS))
    assert leaf_score(node, over) == D(20)


@pytest.mark.parametrize(
    ("given", "score", "reason"),
    [
        (LeafInput(reviews=reviews("14", part=Part.COMPLETION)), "14", "no progress review"),
        (LeafInput(reviews=reviews("3", part=Part.PROGRESS)), "3", "no completion review"),
        (LeafInput(reviews=reviews("3")), "0", "no completion or progress review"),
        (LeafInput(), "0", "no completion or progress review"),
    ],
)
def test_completion_plus_progress_missing_part(given: LeafInput, score: str, reason: str) -> None:
    node = leaf("1", 20, Method.COMPLETION_PROGRESS, completion_points=D(15), progress_points=D(5))
    result = one_leaf(node, given)
    assert result.leaf_scores["performance:1"] == D(score)
    assert result.provisional
    assert f"performance 1: {reason}" in result.missing


@pytest.mark.parametrize(
    ("entered", "expected"),
    [("12.5", "12.5"), ("20", "20"), ("25", "20"), ("-3", "0")],
)
def test_direct_score_is_kept_in_range(entered: str, expected: str) -> None:
    assert leaf_score(leaf("1", 20, Method.DIRECT), LeafInput(score=D(entered))) == D(expected)


def test_judged_leaf_is_kept_in_range() -> None:
    node = leaf("1", 20, Method.JUDGEMENT)
    assert leaf_score(node, LeafInput(reviews=reviews("25", "30"))) == D(20)
    assert leaf_score(node, LeafInput(reviews=reviews("-5"))) == D(0)


def test_leaf_without_method_is_missing() -> None:
    result = one_leaf(Node("1", "x", D(20)), LeafInput(score=D(5)))
    assert result.leaf_scores["performance:1"] == 0
    assert "performance 1: no scoring method" in result.missing


def test_parent_is_kept_within_its_points() -> None:
    # An invalid tree (children add up to more than the parent) must still give a sane score.
    tree = parent(
        "P",
        leaf("1", 20, Method.DIRECT),
        leaf("2", 20, Method.DIRECT),
        points=D(30),
    )
    inputs = unit(
        tree,
        None,
        performance_leaves={"1": LeafInput(score=D(20)), "2": LeafInput(score=D(15))},
    )
    result = evaluate_unit(inputs, Scheme(), DEFAULT)
    assert result.components["performance"] == D(30)
    assert result.explanation is not None
    assert find(result.explanation, "performance")["rule"] == (
        "20.00 + 15.00 = 35.00, capped at 30.00"
    )


# Provisional results ----------------------------------------------------------------------


def test_missing_inputs_make_the_result_provisional() -> None:
    performance = parent(
        "P",
        parent("2", leaf("2.1", 10, Method.JUDGEMENT), leaf("2.2", 10, Method.DIRECT)),
    )
    self_construction = parent(
        "S", parent("1", leaf("1.3", 10, Method.DEDUCTION, points_per_finding=D(1)))
    )
    inputs = unit(
        performance,
        self_construction,
        performance_leaves={"2.2": LeafInput(score=D(8))},
    )
    result = evaluate_unit(inputs, Scheme(), DEFAULT)
    assert result.provisional
    assert result.missing == (
        "performance 2.1: no review",
        "self_construction 1.3: no count",
        "public: no score",
    )
    assert result.leaf_scores["performance:2.1"] == 0
    assert result.components["performance"] == D(8)
    assert result.explanation is not None
    assert result.explanation["missing"] is True
    assert find(result.explanation, "performance:2.1")["missing"] is True
    assert find(result.explanation, "performance:2.2")["missing"] is False
    assert find(result.explanation, "performance:2")["missing"] is True
    assert find(result.explanation, "public")["missing"] is True


def test_no_trees_and_no_city_incentive() -> None:
    result = evaluate_unit(unit(None, None, public=D(900)), Scheme(), DEFAULT)
    assert result.components["indicator"] == 0
    assert result.components["city_incentive"] == 0
    assert result.missing == (
        "performance: no indicator tree",
        "self_construction: no indicator tree",
    )
    assert result.composite == D("360.00")
    assert result.explanation is not None
    assert find(result.explanation, "city_incentive")["missing"] is False


def test_city_incentive_none_is_not_missing() -> None:
    inputs = unit(
        WORKED_PERFORMANCE,
        WORKED_SELF,
        performance_leaves=WORKED_PERFORMANCE_LEAVES,
        self_construction_leaves=WORKED_SELF_LEAVES,
        public=D(800),
    )
    result = evaluate_unit(inputs, Scheme(), DEFAULT)
    assert not result.provisional
    assert result.components["city_incentive"] == 0


def test_components_hold_every_name() -> None:
    result = evaluate_unit(unit(None, None), Scheme(), DEFAULT, explain=False)
    assert set(result.components) == set(COMPONENTS)


# Bonuses and deductions ---------------------------------------------------------------------


def bonus_total(bonuses: Sequence[Bonus], scheme: Scheme) -> Decimal:
    result = evaluate_unit(unit(None, None, bonuses=tuple(bonuses)), scheme, DEFAULT)
    assert result.explanation is not None
    assert_adds_up(result.explanation, scheme)
    return result.components["bonus"]


@pytest.mark.parametrize(
    ("bonuses", "categories", "total_cap", "expected"),
    [
        ([Bonus(1, "a", D(3)), Bonus(1, "b", D(4))], {}, None, "7"),
        ([Bonus(1, "a", D(3)), Bonus(1, "b", D(4))], {1: BonusCategoryRule(D(5))}, None, "5"),
        (
            [Bonus(1, "a", D(3)), Bonus(1, "b", D(4))],
            {1: BonusCategoryRule(None, stack=False)},
            None,
            "4",
        ),
        (
            [Bonus(1, "a", D(3)), Bonus(1, "b", D(4))],
            {1: BonusCategoryRule(D("3.5"), stack=False)},
            None,
            "3.5",
        ),
        (
            [Bonus(1, "a", D(8)), Bonus(2, "b", D(4)), Bonus(9, "c", D(1))],
            {1: BonusCategoryRule(D(6)), 2: BonusCategoryRule(D(5))},
            D(10),
            "10",
        ),
        ([Bonus(1, "a", D(8)), Bonus(2, "b", D(4))], {}, D(10), "10"),
        ([Bonus(1, "a", D(8)), Bonus(1, "b", D(4), approved=False)], {}, None, "8"),
        ([Bonus(1, "a", D(4), approved=False)], {1: BonusCategoryRule(D(5))}, None, "0"),
        ([Bonus(7, "a", D(4)), Bonus(7, "b", D(4))], {1: BonusCategoryRule(D(1))}, None, "8"),
        ([], {}, D(10), "0"),
    ],
)
def test_bonus_caps(
    bonuses: list[Bonus],
    categories: dict[int, BonusCategoryRule],
    total_cap: Decimal | None,
    expected: str,
) -> None:
    scheme = Scheme(bonus_categories=categories, bonus_total_cap=total_cap)
    assert bonus_total(bonuses, scheme) == D(expected)


def test_bonus_explanation_names_the_cap() -> None:
    scheme = Scheme(
        bonus_categories={1: BonusCategoryRule(D(5)), 2: BonusCategoryRule(None, stack=False)},
        bonus_total_cap=D(8),
    )
    bonuses = (Bonus(1, "a", D(3)), Bonus(1, "b", D(4)), Bonus(2, "c", D(2)), Bonus(2, "d", D(6)))
    explanation = evaluate_unit(unit(None, None, bonuses=bonuses), scheme, DEFAULT).explanation
    assert explanation is not None
    assert find(explanation, "bonus:1")["rule"] == (
        "3.00 + 4.00 = 7.00, capped at 5.00 (category cap)"
    )
    assert find(explanation, "bonus:2")["rule"] == "highest single item 6.00"
    assert find(explanation, "bonus")["rule"] == "5.00 + 6.00 = 11.00, capped at 8.00 (total cap)"
    assert find(explanation, "bonus")["value"] == "8.00"


@pytest.mark.parametrize(
    ("deductions", "multipliers", "expected", "district", "higher"),
    [
        ([Deduction("a", "x", 1, D(1))], None, "1", "1", "0"),
        ([Deduction("a", "x", 3, D("0.5"))], None, "1.5", "1.5", "0"),
        ([Deduction("a", "x", 1, D("1.5"), Level.CITY)], None, "3", "0", "3"),
        ([Deduction("a", "x", 2, D(1), Level.PROVINCE)], None, "4", "0", "4"),
        (
            [
                Deduction("a", "x", 1, D(1)),
                Deduction("b", "y", 1, D(1), Level.CITY),
                Deduction("c", "z", 1, D(1), Level.PROVINCE),
            ],
            {Level.DISTRICT: D(1), Level.CITY: D("1.5"), Level.PROVINCE: D(3)},
            "5.5",
            "1",
            "4.5",
        ),
        ([], None, "0", "0", "0"),
    ],
)
def test_deductions_and_multipliers(
    deductions: list[Deduction],
    multipliers: dict[Level, Decimal] | None,
    expected: str,
    district: str,
    higher: str,
) -> None:
    scheme = Scheme() if multipliers is None else Scheme(multipliers=multipliers)
    result = evaluate_unit(unit(None, None, deductions=tuple(deductions)), scheme, DEFAULT)
    assert result.components["deduction"] == D(expected)
    assert result.explanation is not None
    assert D(find(result.explanation, "deduction_district")["value"]) == D(district)
    assert D(find(result.explanation, "deduction_higher")["value"]) == D(higher)
    assert_adds_up(result.explanation, scheme)


# Ranking and grades -------------------------------------------------------------------------


def result(code: str, composite: str, group: str = "G") -> UnitResult:
    components = dict.fromkeys(COMPONENTS, D(0))
    return UnitResult(code, group, components, D(composite), False, (), {}, None)


def ranks(results: Sequence[UnitResult]) -> list[tuple[str, int | None, str | None]]:
    return [(r.unit, r.rank, r.grade) for r in results]


def test_competition_ranking_per_group() -> None:
    results = [
        result("a", "905.00"),
        result("b", "880.50"),
        result("c", "880.50"),
        result("d", "700.00"),
        result("x", "650.00", "H"),
        result("y", "950.00", "H"),
        result("z", "650.00", "H"),
    ]
    ranked = rank_and_grade(results, Scheme())
    assert ranks(ranked) == [
        ("a", 1, "优秀"),
        ("b", 2, "良好"),
        ("c", 2, "良好"),
        ("d", 4, "一般"),
        ("y", 1, "优秀"),
        ("x", 2, "较差"),
        ("z", 2, "较差"),
    ]
    assert results[0].rank is None  # new objects; the inputs are untouched


def test_ranking_uses_the_rounded_composite() -> None:
    # Composites that round to the same value share a rank.
    ranked = rank_and_grade([result("a", "880.501"), result("b", "880.5049")], Scheme())
    assert ranks(ranked) == [("a", 1, "良好"), ("b", 1, "良好")]


def test_band_boundaries() -> None:
    ranked = rank_and_grade(
        [result("a", "900.00"), result("b", "899.99"), result("c", "800"), result("d", "0")],
        Scheme(),
    )
    assert [r.grade for r in ranked] == ["优秀", "良好", "良好", "较差"]


def test_bands_apply_in_order() -> None:
    rule = GradeRule(
        mode="bands",
        bands=(GradeBand("A", D(90)), GradeBand("B", D(95))),  # B can never match after A
        rest="C",
    )
    ranked = rank_and_grade([result("a", "96"), result("b", "80")], Scheme(grade_rule=rule))
    assert [r.grade for r in ranked] == ["A", "C"]


def quota_scheme(*shares: tuple[str, str]) -> Scheme:
    quotas = tuple(GradeQuota(grade, D(share)) for grade, share in shares)
    return Scheme(grade_rule=GradeRule(mode="quotas", quotas=quotas, rest="其他"))


def test_quota_counts_whole_units_rounded_down() -> None:
    results = [result(f"u{i:02d}", str(1000 - i)) for i in range(11)]
    ranked = rank_and_grade(results, quota_scheme(("优秀", "0.3")))
    assert [r.grade for r in ranked].count("优秀") == 3  # 30 % of 11 is 3.3
    assert [r.grade for r in ranked[:4]] == ["优秀", "优秀", "优秀", "其他"]


def test_quota_ties_at_the_boundary_get_the_better_grade() -> None:
    scores = ["990", "980", "970", "970", "970", "960", "950", "940", "930", "920", "910"]
    results = [result(f"u{i:02d}", score) for i, score in enumerate(scores)]
    ranked = rank_and_grade(results, quota_scheme(("优秀", "0.3")))
    assert ranks(ranked)[:6] == [
        ("u00", 1, "优秀"),
        ("u01", 2, "优秀"),
        ("u02", 3, "优秀"),
        ("u03", 3, "优秀"),
        ("u04", 3, "优秀"),
        ("u05", 6, "其他"),
    ]


def test_quotas_are_cumulative_per_group() -> None:
    results = [result(f"a{i}", str(100 - i)) for i in range(10)] + [
        result(f"b{i}", str(100 - i), "H") for i in range(4)
    ]
    ranked = rank_and_grade(results, quota_scheme(("优秀", "0.2"), ("良好", "0.3")))
    grades_a = [r.grade for r in ranked if r.group == "G"]
    grades_b = [r.grade for r in ranked if r.group == "H"]
    assert grades_a == ["优秀"] * 2 + ["良好"] * 3 + ["其他"] * 5
    # 20 % of 4 is 0 units; 50 % of 4 is 2.
    assert grades_b == ["良好", "良好", "其他", "其他"]


def test_unknown_grade_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown grade mode"):
        rank_and_grade([result("a", "1")], Scheme(grade_rule=GradeRule(mode="curve")))


def test_evaluate_cycle() -> None:
    units = [
        WORKED_UNIT,
        unit(None, None, code="U0", public=D(1000)),
        unit(None, None, code="U2", group="A", public=D(500)),
    ]
    results = evaluate_cycle(units, WORKED_SCHEME)
    assert ranks(results) == [("U2", 1, "较差"), ("U1", 1, "良好"), ("U0", 2, "较差")]
    assert all(r.explanation is None for r in results)
    assert results[1].composite == D("899.80")
    explained = evaluate_cycle(units, WORKED_SCHEME, explain=True)
    assert all(r.explanation is not None for r in explained)


# Tree validation ----------------------------------------------------------------------------


def test_valid_trees_have_no_problems() -> None:
    assert validate_tree(WORKED_PERFORMANCE, D(200)) == []
    assert validate_tree(WORKED_SELF, D(800)) == []


def test_tree_problems() -> None:
    tree = Node(
        "P",
        "root",
        D(200),
        children=(
            Node(
                "1",
                "one",
                D(100),
                children=(
                    leaf("1.1", 60, Method.JUDGEMENT),
                    leaf("1.2", 40, Method.DEDUCTION),
                ),
            ),
            Node(
                "2",
                "two",
                D(45),
                children=(
                    leaf("2.1", 30, Method.DIRECT),
                    Node("2.2", "no method", D(10)),
                ),
            ),
            leaf(
                "3",
                30,
                Method.COMPLETION_PROGRESS,
                completion_points=D(20),
                progress_points=D(5),
            ),
            leaf("4", -5, Method.COMPLETION_PROGRESS),
            leaf("1.1", 30, Method.DEDUCTION, points_per_finding=D(0)),
        ),
    )
    problems = validate_tree(tree, D(200))
    assert problems == [
        TreeProblem("1.2", "node 1.2: deduction method needs points per finding"),
        TreeProblem("2", "node 2: points 45 but children sum to 40 (difference 5)", D(5)),
        TreeProblem("2.2", "node 2.2: leaf has no scoring method"),
        TreeProblem(
            "3",
            "node 3: points 30 but completion 20 + progress 5 = 25 (difference 5)",
            D(5),
        ),
        TreeProblem("4", "node 4: points -5 must not be negative"),
        TreeProblem(
            "4", "node 4: completion plus progress needs completion points and progress points"
        ),
        TreeProblem("1.1", "node 1.1: code used more than once"),
        TreeProblem("1.1", "node 1.1: points per finding 0 must be above 0"),
    ]


def test_tree_total_must_match() -> None:
    tree = parent("P", leaf("1", "190.5", Method.DIRECT))
    assert validate_tree(tree, D(200)) == [
        TreeProblem(
            "P",
            "node P: points 190.5 but the tree must total 200 (difference -9.5)",
            D("-9.5"),
        )
    ]
    assert validate_tree(tree, D("190.50")) == []
