"""Summarised reviews (``LeafInput.review_stats``) score a leaf exactly as the reviews do."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.scoring.engine import evaluate_unit
from jixiao.scoring.tests.test_engine import DEFAULT, SELF_ONE, leaf, parent, reviews, unit
from jixiao.scoring.types import (
    Aggregation,
    LeafInput,
    Method,
    Node,
    Part,
    Review,
    ReviewStats,
    Scheme,
    UnitResult,
)

D = Decimal


def summarise(given: Sequence[Review]) -> tuple[ReviewStats, ...]:
    out = []
    for part in Part:
        scores = [r.score for r in given if r.part == part]
        if scores:
            out.append(ReviewStats(part, len(scores), sum(scores, D(0)), min(scores), max(scores)))
    return tuple(out)


def both(node: Node, given: tuple[Review, ...], precision: int = 2) -> tuple[UnitResult, ...]:
    """The unit evaluated from the reviews and from their summary."""
    results = []
    for leaf_input in (LeafInput(reviews=given), LeafInput(review_stats=summarise(given))):
        inputs = unit(
            parent("P", node),
            SELF_ONE,
            performance_leaves={node.code: leaf_input},
            self_construction_leaves={"9": LeafInput(score=D(700))},
            public=D(900),
        )
        results.append(evaluate_unit(inputs, Scheme(precision=precision), DEFAULT, explain=False))
    return tuple(results)


@pytest.mark.parametrize(
    ("aggregation", "scores", "expected"),
    [
        (Aggregation.MEAN, ["55", "56", "57.5"], "56.17"),  # 56.1666… rounded half up
        (Aggregation.MEAN, ["10.005"], "10.01"),  # a single review is rounded as made
        (Aggregation.MEAN, ["1", "2"], "1.50"),
        (Aggregation.TRIMMED_MEAN, ["19", "12", "15", "16"], "15.50"),  # four: nothing dropped
        (Aggregation.TRIMMED_MEAN, ["200", "185", "186", "184", "100"], "185.00"),  # five
        (Aggregation.TRIMMED_MEAN, ["20", "20", "10", "10", "15", "17.5"], "15.63"),  # six, ties
        (Aggregation.MEDIAN, ["171", "175"], "173.00"),  # two: mean of both
        (Aggregation.MEDIAN, ["171"], "171.00"),
    ],
)
def test_summary_gives_the_same_judgement_score(
    aggregation: Aggregation, scores: list[str], expected: str
) -> None:
    node = leaf("1", 200, Method.JUDGEMENT, aggregation=aggregation)
    from_reviews, from_summary = both(node, reviews(*scores))
    assert from_summary.leaf_scores == from_reviews.leaf_scores
    assert from_summary.leaf_scores["performance:1"] == D(expected)
    assert from_summary.composite == from_reviews.composite
    assert from_summary.missing == from_reviews.missing


@pytest.mark.parametrize(
    ("aggregation", "completion", "progress", "expected"),
    [
        (Aggregation.MEAN, ["14", "15", "13.5"], ["4", "5", "5"], "18.84"),  # 14.17 + 4.67
        (Aggregation.MEAN, ["16", "16"], ["6", "6"], "20.00"),  # parts capped, then the leaf
        (Aggregation.MEAN, ["14"], [], "14.00"),  # progress missing counts 0
        (Aggregation.TRIMMED_MEAN, ["15", "10", "12", "13", "14"], ["1", "2", "3", "4"], "15.50"),
    ],
)
def test_summary_gives_the_same_completion_and_progress_score(
    aggregation: Aggregation, completion: list[str], progress: list[str], expected: str
) -> None:
    node = leaf(
        "1",
        20,
        Method.COMPLETION_PROGRESS,
        aggregation=aggregation,
        completion_points=D(15),
        progress_points=D(5),
    )
    given = reviews(*completion, part=Part.COMPLETION) + reviews(*progress, part=Part.PROGRESS)
    from_reviews, from_summary = both(node, given)
    assert from_summary.leaf_scores == from_reviews.leaf_scores
    assert from_summary.leaf_scores["performance:1"] == D(expected)
    assert from_summary.missing == from_reviews.missing


def test_summary_without_the_judged_part_is_a_missing_review() -> None:
    node = leaf("1", 20, Method.JUDGEMENT)
    from_reviews, from_summary = both(node, reviews("5", part=Part.PROGRESS))
    assert from_summary.leaf_scores == from_reviews.leaf_scores
    assert from_summary.leaf_scores["performance:1"] == D(0)
    assert from_summary.missing == from_reviews.missing == ("performance 1: no review",)


def test_median_of_three_refuses_a_summary() -> None:
    node = leaf("1", 200, Method.JUDGEMENT, aggregation=Aggregation.MEDIAN)
    with pytest.raises(ValueError, match="median"):
        both(node, reviews("1", "2", "3"))


def test_listed_reviews_take_precedence_over_a_summary() -> None:
    node = leaf("1", 200, Method.JUDGEMENT)
    stale = (ReviewStats(Part.TOTAL, 1, D(3), D(3), D(3)),)
    inputs = unit(
        parent("P", node),
        SELF_ONE,
        performance_leaves={"1": LeafInput(reviews=reviews("10", "20"), review_stats=stale)},
    )
    result = evaluate_unit(inputs, Scheme(), DEFAULT, explain=False)
    assert result.leaf_scores == {"performance:1": D(15), "self_construction:9": D(0)}


def test_explanation_of_a_summary_names_the_aggregate() -> None:
    node = leaf("1", 200, Method.JUDGEMENT)
    inputs = unit(
        parent("P", node),
        SELF_ONE,
        performance_leaves={"1": LeafInput(review_stats=summarise(reviews("55", "56", "57.5")))},
    )
    explanation = evaluate_unit(inputs, Scheme(), DEFAULT, explain=True).explanation
    assert explanation is not None
    leaf_entry = explanation["children"][0]["children"][0]["children"][0]
    assert leaf_entry["value"] == "56.17"
    assert leaf_entry["rule"] == "total: mean of 3 reviews = 56.17; leaf score 56.17"


_SCORES = st.lists(
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=9,
)


@given(
    scores=_SCORES,
    aggregation=st.sampled_from([Aggregation.MEAN, Aggregation.TRIMMED_MEAN]),
    precision=st.integers(min_value=0, max_value=4),
)
def test_summary_and_reviews_agree_on_any_scores(
    scores: list[Decimal], aggregation: Aggregation, precision: int
) -> None:
    node = leaf("1", 100, Method.JUDGEMENT, aggregation=aggregation)
    from_reviews, from_summary = both(node, reviews(*scores), precision)
    assert from_summary.leaf_scores == from_reviews.leaf_scores
    assert from_summary.composite == from_reviews.composite
