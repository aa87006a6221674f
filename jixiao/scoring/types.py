"""The engine's vocabulary: plain, frozen data that the Django side builds from the database.

Nothing here imports Django, so the arithmetic can be tested (and reasoned about) on its own.
Every number is a ``Decimal``; callers never pass floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

#: The component names a formula may use (the guide's symbols plus the two halves of
#: ``indicator``).
COMPONENTS: tuple[str, ...] = (
    "performance",
    "self_construction",
    "indicator",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
)

DEFAULT_FORMULA = "(indicator + city_incentive) * 0.6 + public * 0.4 + bonus - deduction"


class Method(StrEnum):
    """How a leaf turns its inputs into a score (评估办法)."""

    JUDGEMENT = "judgement"  # reviewers' scores, aggregated
    RATIO = "ratio"  # points × min(actual ÷ target, 1)
    DEDUCTION = "deduction"  # points − count × points_per_finding, not below 0
    COMPLETION_PROGRESS = "completion_progress"  # two judged parts, each with its own points
    DIRECT = "direct"  # one score entered by the data-collection unit


class Aggregation(StrEnum):
    MEAN = "mean"
    MEDIAN = "median"
    TRIMMED_MEAN = "trimmed_mean"  # drop one highest and one lowest when ≥ 5 scores


class Part(StrEnum):
    """Which part of a leaf a reviewer's score is for."""

    TOTAL = "total"
    COMPLETION = "completion"
    PROGRESS = "progress"


class Level(StrEnum):
    """Who found an inspection finding (finder level)."""

    DISTRICT = "district"
    CITY = "city"
    PROVINCE = "province"


@dataclass(frozen=True, slots=True)
class Node:
    """One node of an indicator tree. A node without children is a leaf and has a method."""

    code: str
    name: str
    points: Decimal
    children: tuple[Node, ...] = ()
    method: Method | None = None
    aggregation: Aggregation = Aggregation.MEAN
    points_per_finding: Decimal | None = None  # DEDUCTION
    completion_points: Decimal | None = None  # COMPLETION_PROGRESS
    progress_points: Decimal | None = None  # COMPLETION_PROGRESS

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True, slots=True)
class Review:
    reviewer: str  # username; shown only to those entitled
    score: Decimal
    part: Part = Part.TOTAL


@dataclass(frozen=True, slots=True)
class ReviewStats:
    """The reviewers' scores of one part of a leaf, summarised: enough for a mean, a trimmed
    mean and a median of at most two scores, so a recompute need not load every score."""

    part: Part
    count: int
    total: Decimal  # the exact sum
    low: Decimal
    high: Decimal


@dataclass(frozen=True, slots=True)
class LeafInput:
    """Everything entered for one unit × leaf. Which fields matter depends on the method.

    Reviews come either one by one (``reviews``) or summarised per part (``review_stats``,
    read only when ``reviews`` is empty); both give the same score. A median of three or more
    scores needs the scores themselves.
    """

    reviews: tuple[Review, ...] = ()
    score: Decimal | None = None  # DIRECT
    count: int | None = None  # DEDUCTION
    actual: Decimal | None = None  # RATIO
    target: Decimal | None = None  # RATIO
    review_stats: tuple[ReviewStats, ...] = ()


@dataclass(frozen=True, slots=True)
class Bonus:
    category: int
    title: str
    points: Decimal  # the approved points of this item
    approved: bool = True


@dataclass(frozen=True, slots=True)
class Deduction:
    code: str  # the deduction standard's item code
    description: str
    count: int
    points: Decimal  # points per occurrence
    level: Level = Level.DISTRICT


@dataclass(frozen=True, slots=True)
class BonusCategoryRule:
    cap: Decimal | None = None  # None: no cap for the category
    stack: bool = True  # False: only the highest approved item counts


@dataclass(frozen=True, slots=True)
class GradeBand:
    grade: str
    minimum: Decimal  # composite ≥ minimum


@dataclass(frozen=True, slots=True)
class GradeQuota:
    grade: str
    share: Decimal  # share of the group's units, e.g. Decimal("0.3")


@dataclass(frozen=True, slots=True)
class GradeRule:
    """Either bands (by score) or quotas (by rank within the group); ``rest`` is the last grade."""

    mode: str  # "bands" | "quotas"
    bands: tuple[GradeBand, ...] = ()
    quotas: tuple[GradeQuota, ...] = ()
    rest: str = "较差"


@dataclass(frozen=True, slots=True)
class Scheme:
    formula: str = DEFAULT_FORMULA
    precision: int = 2
    scale: Decimal = Decimal("1000")
    bonus_categories: dict[int, BonusCategoryRule] = field(default_factory=dict)
    bonus_total_cap: Decimal | None = None
    multipliers: dict[Level, Decimal] = field(
        default_factory=lambda: {
            Level.DISTRICT: Decimal("1"),
            Level.CITY: Decimal("2"),
            Level.PROVINCE: Decimal("2"),
        }
    )
    grade_rule: GradeRule = field(
        default_factory=lambda: GradeRule(
            mode="bands",
            bands=(
                GradeBand("优秀", Decimal("900")),
                GradeBand("良好", Decimal("800")),
                GradeBand("一般", Decimal("700")),
            ),
            rest="较差",
        )
    )


@dataclass(frozen=True, slots=True)
class UnitInputs:
    unit: str  # unit code
    group: str  # ranking group code
    performance_tree: Node | None  # None: the unit has no tree yet (all missing)
    self_construction_tree: Node | None
    performance_leaves: dict[str, LeafInput] = field(default_factory=dict)  # code → input
    self_construction_leaves: dict[str, LeafInput] = field(default_factory=dict)
    city_incentive: Decimal | None = None  # None counts 0 and is not "missing"
    public: Decimal | None = None  # None counts 0 and makes the result provisional
    bonuses: tuple[Bonus, ...] = ()
    deductions: tuple[Deduction, ...] = ()


#: An explanation is a JSON-ready dict:
#: {"key": str, "label": str, "value": "12.50", "rule": str, "inputs": [...], "children": [...]}
Explanation = dict[str, Any]


@dataclass(frozen=True, slots=True)
class UnitResult:
    unit: str
    group: str
    components: dict[str, Decimal]  # every name of COMPONENTS
    composite: Decimal  # rounded half up to the scheme's precision
    provisional: bool
    missing: tuple[str, ...]  # human-readable: "performance 2.1: no review", "public score"
    leaf_scores: dict[str, Decimal]  # "performance:1.1" / "self_construction:2.3" → score
    explanation: Explanation | None  # None when evaluated with explain=False
    rank: int | None = None
    grade: str | None = None
