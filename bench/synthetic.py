"""A province-sized synthetic cycle for the benchmarks, generated deterministically.

``generate_cycle(units=5000)`` builds one cycle of ``units`` assessed units in ten ranking
groups. Every unit has a 200-point performance tree (five areas, fourteen leaves: one
completion-plus-progress leaf and thirteen reviewer judgements, most averaged by three
reviewers, some by a trimmed mean of four or five, some by a median) and shares the demo's
800-point self-construction tree (judgements, finding counts, actual/target ratios). Some
units get bonuses, inspection deductions (some found by the city) and a city incentive; every
unit gets a public score; one unit in a hundred misses one review, so some results are
provisional. The same ``units`` and ``seed`` give the same rows on every machine and database.

Usable as a module (``generate_cycle``) and from the command line after ``django.setup()``
(``bench/recompute.py`` calls it when its database has no cycle of the requested size).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from jixiao.accounts.models import Unit, User
from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem, Level
from jixiao.cycles.demo import BONUS_CATEGORIES, COMMON_TREE
from jixiao.cycles.models import Cycle, Participation, Phase, RankingGroup
from jixiao.evaluations.models import CollectionValue, Part, ReviewScore
from jixiao.indicators.models import Aggregation, Indicator, Method, Tree
from jixiao.surveys.models import PublicScore

SEED = 5000
GROUPS = 10
REVIEWERS = 12  # the pool of joint-evaluation-group accounts
CHUNK = 250  # units generated and inserted together
BATCH = 5000  # rows per INSERT statement

#: The performance tree of every unit: five areas, fourteen leaves, 200 points.
AREAS: tuple[tuple[int, ...], ...] = (
    (20, 15, 15),
    (15, 15, 10),
    (15, 15, 10),
    (15, 10, 10),
    (20, 15),
)
#: Leaf 1.1 is judged in two parts: completion (15) and progress (5).
CP_LEAF = ("1.1", Decimal(15), Decimal(5))

_HALVES = [Decimal(h) / 2 for h in range(0, 2 * 200 + 1)]


@dataclass(frozen=True)
class Generated:
    cycle: Cycle
    units: int
    indicators: int
    review_scores: int
    collection_values: int


def cycle_code(units: int) -> str:
    return f"BENCH-{units}"


def existing_cycle(units: int) -> Cycle | None:
    """The generated cycle of this size, if a complete one is in the database."""
    cycle = Cycle.objects.filter(code=cycle_code(units)).first()
    if cycle is not None and cycle.participations.count() == units:
        return cycle
    return None


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="unit", desc="generating", leave=False)


def generate_cycle(*, units: int = 5000, seed: int = SEED, progress: bool = True) -> Generated:
    """Delete any cycle of the same size, then generate it in one transaction."""
    rng = random.Random(seed)
    code = cycle_code(units)
    with transaction.atomic():
        old = Cycle.objects.filter(code=code).first()
        if old is not None:
            # Participation → unit is protected, and the units are reused by code below.
            Participation.objects.filter(cycle=old).delete()
            old.delete()
        cycle = Cycle.objects.create(
            code=code,
            name=f"基准测试年度({units} 个单位,合成数据)",
            phase=Phase.ASSESSMENT,
            bonus_categories=BONUS_CATEGORIES,
            bonus_total_cap=Decimal(30),
        )
        groups = RankingGroup.objects.bulk_create(
            RankingGroup(cycle=cycle, code=f"G{g:02d}", name=f"第{g + 1}组", order=g)
            for g in range(GROUPS)
        )
        reviewers = _reviewers()
        unit_rows = _units(units)
        Participation.objects.bulk_create(
            (
                Participation(cycle=cycle, unit=unit, group=groups[i % GROUPS])
                for i, unit in enumerate(unit_rows)
            ),
            batch_size=BATCH,
        )
        common = _common_tree(cycle)
        counts = [0, 0, 0]
        bar = _progress(units, progress)
        numbered = list(enumerate(unit_rows))
        for start in range(0, units, CHUNK):
            chunk = numbered[start : start + CHUNK]
            n_ind, n_rev, n_val = _generate_chunk(cycle, chunk, common, reviewers, rng)
            counts[0] += n_ind
            counts[1] += n_rev
            counts[2] += n_val
            if bar is not None:
                bar.update(len(chunk))
        if bar is not None:
            bar.close()
    return Generated(
        cycle=cycle,
        units=units,
        indicators=counts[0] + len(common),
        review_scores=counts[1],
        collection_values=counts[2],
    )


def _reviewers() -> list[User]:
    names = [f"bench-reviewer-{i:02d}" for i in range(1, REVIEWERS + 1)]
    existing = {u.username: u for u in User.objects.filter(username__in=names)}
    # An unusable password: these accounts only carry review scores.
    User.objects.bulk_create(
        User(username=name, display_name=f"评估组成员{name[-2:]}", password="!")
        for name in names
        if name not in existing
    )
    by_name = {u.username: u for u in User.objects.filter(username__in=names)}
    return [by_name[name] for name in names]


def _units(count: int) -> list[Unit]:
    codes = [f"B{count}-{i:05d}" for i in range(count)]
    existing = set(Unit.objects.filter(code__in=codes).values_list("code", flat=True))
    Unit.objects.bulk_create(
        (Unit(code=code, name=f"合成单位{code}") for code in codes if code not in existing),
        batch_size=BATCH,
    )
    by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    return [by_code[code] for code in codes]


@dataclass(frozen=True)
class _Leaf:
    code: str
    points: Decimal
    method: str
    per_finding: Decimal | None = None


def _common_tree(cycle: Cycle) -> list[tuple[_Leaf, Indicator]]:
    areas = Indicator.objects.bulk_create(
        Indicator(
            cycle=cycle,
            tree=Tree.SELF_CONSTRUCTION,
            code=area.code,
            name=area.name,
            order=order,
            points=area.points,
        )
        for order, area in enumerate(COMMON_TREE)
    )
    leaves: list[tuple[_Leaf, Indicator]] = []
    order = len(areas)
    for parent, area in zip(areas, COMMON_TREE, strict=True):
        for spec in area.leaves:
            order += 1
            leaf = _Leaf(spec.code, spec.points, spec.method, spec.per_finding)
            leaves.append(
                (
                    leaf,
                    Indicator(
                        cycle=cycle,
                        tree=Tree.SELF_CONSTRUCTION,
                        parent=parent,
                        code=spec.code,
                        name=spec.name,
                        order=order,
                        points=spec.points,
                        method=spec.method,
                        points_per_finding=spec.per_finding,
                    ),
                )
            )
    Indicator.objects.bulk_create([indicator for _, indicator in leaves])
    return leaves


def _aggregation(i: int, code: str) -> tuple[str, int]:
    """(aggregation, number of reviewers) of one performance leaf of unit ``i``."""
    if code == "2.1" and i % 5 == 0:
        return Aggregation.TRIMMED_MEAN, 5
    if code == "2.1" and i % 5 == 1:
        return Aggregation.TRIMMED_MEAN, 4
    if code == "3.1" and i % 10 == 2:
        return Aggregation.MEDIAN, 3
    if code == "3.1" and i % 10 == 3:
        return Aggregation.MEDIAN, 4
    return Aggregation.MEAN, 3


def _score(points: Decimal, form: int, rng: random.Random) -> Decimal:
    """A judgement near ``form`` per mille of ``points``, in half points."""
    share = min(1000, form + rng.randint(-40, 40))
    return _HALVES[min(int(points) * 2, round(float(points) * share * 2 / 1000))]


def _generate_chunk(
    cycle: Cycle,
    chunk: Sequence[tuple[int, Unit]],
    common: Sequence[tuple[_Leaf, Indicator]],
    reviewers: Sequence[User],
    rng: random.Random,
) -> tuple[int, int, int]:
    areas: list[Indicator] = []
    for _i, unit in chunk:
        for a, leaves in enumerate(AREAS):
            areas.append(
                Indicator(
                    cycle=cycle,
                    tree=Tree.PERFORMANCE,
                    unit=unit,
                    code=str(a + 1),
                    name=f"业绩领域{a + 1}",
                    order=a,
                    points=Decimal(sum(leaves)),
                )
            )
    Indicator.objects.bulk_create(areas, batch_size=BATCH)

    leaves: list[tuple[int, Unit, str, int, Indicator]] = []
    area_iter = iter(areas)
    for i, unit in chunk:
        order = len(AREAS)
        for a, points_list in enumerate(AREAS):
            parent = next(area_iter)
            for j, points in enumerate(points_list):
                order += 1
                code = f"{a + 1}.{j + 1}"
                aggregation, count = _aggregation(i, code)
                extra: dict[str, Any] = {"method": Method.JUDGEMENT}
                if code == CP_LEAF[0]:
                    extra = {
                        "method": Method.COMPLETION_PROGRESS,
                        "completion_points": CP_LEAF[1],
                        "progress_points": CP_LEAF[2],
                    }
                indicator = Indicator(
                    cycle=cycle,
                    tree=Tree.PERFORMANCE,
                    unit=unit,
                    parent=parent,
                    code=code,
                    name=f"业绩任务{code}",
                    order=order,
                    points=Decimal(points),
                    aggregation=aggregation,
                    **extra,
                )
                leaves.append((i, unit, code, count, indicator))
    Indicator.objects.bulk_create([row[-1] for row in leaves], batch_size=BATCH)

    reviews: list[ReviewScore] = []
    values: list[CollectionValue] = []
    form = {i: rng.randint(700, 980) for i, _unit in chunk}

    def review(unit: Unit, indicator: Indicator, who: User, part: str, points: Decimal) -> None:
        reviews.append(
            ReviewScore(
                cycle=cycle,
                unit=unit,
                indicator=indicator,
                reviewer=who,
                part=part,
                score=_score(points, form[unit_index[unit.pk]], rng),
            )
        )

    unit_index = {unit.pk: i for i, unit in chunk}
    for i, unit, code, count, indicator in leaves:
        if i % 100 == 19 and code == "5.2":
            continue  # a review still outstanding: the result is provisional
        panel = rng.sample(list(reviewers), count)
        if code == CP_LEAF[0]:
            for who in panel:
                review(unit, indicator, who, Part.COMPLETION, CP_LEAF[1])
                review(unit, indicator, who, Part.PROGRESS, CP_LEAF[2])
        else:
            for who in panel:
                review(unit, indicator, who, Part.TOTAL, indicator.points)

    for i, unit in chunk:
        for leaf, indicator in common:
            if leaf.method == Method.JUDGEMENT:
                for who in rng.sample(list(reviewers), 3):
                    review(unit, indicator, who, Part.TOTAL, leaf.points)
            elif leaf.method == Method.DEDUCTION:
                assert leaf.per_finding is not None
                worst = int(leaf.points / leaf.per_finding)
                findings = max(0, int(worst * (1000 - form[i]) / 1000 * rng.uniform(0.3, 1.2)))
                values.append(
                    CollectionValue(
                        cycle=cycle, unit=unit, indicator=indicator, finding_count=findings
                    )
                )
            elif leaf.method == Method.RATIO:
                target = Decimal(rng.randint(12, 200))
                done = min(1.0, (form[i] + rng.randint(-60, 60)) / 1000)
                actual = Decimal(round(float(target) * done * 100)) / 100
                values.append(
                    CollectionValue(
                        cycle=cycle, unit=unit, indicator=indicator, actual=actual, target=target
                    )
                )

    for batch in _batches(reviews):
        ReviewScore.objects.bulk_create(batch)
    CollectionValue.objects.bulk_create(values, batch_size=BATCH)
    _adjustments(cycle, chunk, form, rng)
    return len(areas) + len(leaves), len(reviews), len(values)


def _batches(rows: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


_LEVELS = (Level.DISTRICT, Level.DISTRICT, Level.DISTRICT, Level.CITY, Level.PROVINCE)


def _adjustments(
    cycle: Cycle, chunk: Sequence[tuple[int, Unit]], form: dict[int, int], rng: random.Random
) -> None:
    bonuses: list[BonusItem] = []
    deductions: list[DeductionItem] = []
    incentives: list[CityIncentive] = []
    public: list[PublicScore] = []
    for i, unit in chunk:
        if rng.random() < 0.3:
            for k in range(rng.randint(1, 3)):
                bonuses.append(
                    BonusItem(
                        cycle=cycle,
                        unit=unit,
                        category=rng.randint(1, 6),
                        title=f"正向激励事项{k + 1}",
                        points=_HALVES[rng.randint(2, 20)],
                        approved=rng.random() < 0.9,
                    )
                )
        if rng.random() < 0.2:
            for k in range(rng.randint(1, 2)):
                deductions.append(
                    DeductionItem(
                        cycle=cycle,
                        unit=unit,
                        standard_code=f"K{rng.randint(1, 5)}",
                        description=f"察访核验问题{k + 1}",
                        count=rng.randint(1, 3),
                        points=_HALVES[rng.randint(1, 6)],
                        level=rng.choice(_LEVELS),
                    )
                )
        if rng.random() < 0.1:
            incentives.append(
                CityIncentive(
                    cycle=cycle, unit=unit, points=_HALVES[rng.randint(2, 10)], source="市考评"
                )
            )
        cents = 82000 + (form[i] - 750) * 50 + rng.randint(-1500, 1500)
        public.append(
            PublicScore(
                cycle=cycle,
                unit=unit,
                score=Decimal(max(80000, min(98000, cents))) / 100,
                responses=rng.randint(120, 400),
            )
        )
    BonusItem.objects.bulk_create(bonuses)
    DeductionItem.objects.bulk_create(deductions)
    CityIncentive.objects.bulk_create(incentives)
    PublicScore.objects.bulk_create(public)
