"""A small but complete cycle for the report tests: every kind of input, then a recompute."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.accounts.models import Role, Unit, User
from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem, Level
from jixiao.core.testing import make_cycle, make_group, make_unit, make_user
from jixiao.cycles.models import Cycle, Participation, RankingGroup
from jixiao.evaluations.models import CollectionValue, ReviewScore
from jixiao.indicators.models import Indicator, Method, Tree
from jixiao.surveys.models import PublicScore

D = Decimal


@dataclass
class Built:
    cycle: Cycle
    groups: list[RankingGroup]
    units: list[Unit]
    reviewers: list[User]
    leaves: dict[str, Indicator] = field(default_factory=dict)


def _indicator(
    cycle: Cycle, tree: str, code: str, name: str, points: str, **extra: object
) -> Indicator:
    return Indicator.objects.create(
        cycle=cycle, tree=tree, code=code, name=name, points=D(points), **extra
    )


def build_self_construction(cycle: Cycle) -> dict[str, Indicator]:
    sc = Tree.SELF_CONSTRUCTION
    a = _indicator(cycle, sc, "A", "科学行政", "400", order=1)
    b = _indicator(cycle, sc, "B", "依法行政", "400", order=2)
    return {
        "A.1": _indicator(
            cycle, sc, "A.1", "决策科学化", "200", parent=a, method=Method.JUDGEMENT, order=1
        ),
        "A.2": _indicator(
            cycle,
            sc,
            "A.2",
            "督查督办",
            "200",
            parent=a,
            method=Method.DEDUCTION,
            points_per_finding=D("5"),
            order=2,
        ),
        "B.1": _indicator(
            cycle, sc, "B.1", "行政复议纠错率", "400", parent=b, method=Method.RATIO, order=1
        ),
    }


def build_performance(cycle: Cycle, unit: Unit) -> dict[str, Indicator]:
    pt = Tree.PERFORMANCE
    root = _indicator(cycle, pt, "1", "重点工作", "200", unit=unit, order=1)
    return {
        "1.1": _indicator(
            cycle,
            pt,
            "1.1",
            "项目建设",
            "120",
            unit=unit,
            parent=root,
            method=Method.JUDGEMENT,
            order=1,
        ),
        "1.2": _indicator(
            cycle,
            pt,
            "1.2",
            "招商引资",
            "80",
            unit=unit,
            parent=root,
            method=Method.DIRECT,
            order=2,
        ),
    }


def build_cycle(
    code: str = "2020",
    *,
    units_per_group: int = 2,
    groups: tuple[tuple[str, str], ...] = (("G1", "政府部门"), ("G2", "镇街")),
    complete: bool = True,
    recompute: bool = True,
    units: list[Unit] | None = None,
    reverse: bool = False,
) -> Built:
    """A cycle with ``units_per_group`` units in each group, scored on every input.

    With ``complete=False`` the last unit has no public score (a provisional result). With
    ``units`` (those of another cycle built here) the same units take part again, e.g. in the
    previous year; ``reverse`` scores them in the opposite order, so ranks change.
    """
    from jixiao.scoring.services import recompute_cycle

    cycle = make_cycle(code, name=f"{code} 年度绩效考评")
    made_groups = [make_group(cycle, c, n, order=i) for i, (c, n) in enumerate(groups)]
    reviewers = [
        User.objects.filter(username=f"reviewer{i}").first()
        or make_user(f"reviewer{i}", Role.REVIEWER, display_name=f"评审员{i}")
        for i in (1, 2, 3)
    ]
    common = build_self_construction(cycle)
    made: list[Unit] = []
    index = 0
    total = units_per_group * len(made_groups)
    for group in made_groups:
        for _ in range(units_per_group):
            index += 1
            if units is not None:
                unit = units[index - 1]
                Participation.objects.create(cycle=cycle, unit=unit, group=group)
            else:
                unit = make_unit(f"{code}-U{index:02d}", f"第{index}局", cycle=cycle, group=group)
            made.append(unit)
            perf = build_performance(cycle, unit)
            step = D(total + 1 - index) if reverse else D(index)
            for reviewer, delta in zip(reviewers, (D(0), D(1), D(3)), strict=True):
                ReviewScore.objects.create(
                    cycle=cycle,
                    unit=unit,
                    indicator=perf["1.1"],
                    reviewer=reviewer,
                    score=D("100") + delta - step,
                )
                ReviewScore.objects.create(
                    cycle=cycle,
                    unit=unit,
                    indicator=common["A.1"],
                    reviewer=reviewer,
                    score=D("180") + delta - step,
                )
            CollectionValue.objects.create(
                cycle=cycle, unit=unit, indicator=perf["1.2"], score=D("75.5") - step
            )
            CollectionValue.objects.create(
                cycle=cycle, unit=unit, indicator=common["A.2"], finding_count=index % 3
            )
            CollectionValue.objects.create(
                cycle=cycle,
                unit=unit,
                indicator=common["B.1"],
                actual=D("95") - step,
                target=D("100"),
            )
            CityIncentive.objects.create(cycle=cycle, unit=unit, points=D("4"))
            last = index == units_per_group * len(made_groups)
            if complete or not last:
                PublicScore.objects.create(
                    cycle=cycle, unit=unit, score=D("880.25") - step, responses=120
                )
            BonusItem.objects.create(
                cycle=cycle,
                unit=unit,
                category=6,
                title="区主要领导书面批示肯定",
                points=D("6"),
                approved=True,
            )
            DeductionItem.objects.create(
                cycle=cycle,
                unit=unit,
                standard_code="4.1",
                description="工作日迟到",
                count=1,
                points=D("1"),
                level=Level.DISTRICT,
            )
            DeductionItem.objects.create(
                cycle=cycle,
                unit=unit,
                standard_code="4.7",
                description="市级暗访发现窗口空岗",
                count=1,
                points=D("1.5"),
                level=Level.CITY,
            )
    if recompute:
        recompute_cycle(cycle=cycle, by=None)
        cycle.refresh_from_db()
    return Built(cycle=cycle, groups=made_groups, units=made, reviewers=reviewers, leaves=common)
