"""A cycle with something of everything, for the archive tests.

Two ranking groups, a data-collection unit outside the ranking, a unit whose parent is not
assessed, three-level trees using all five scoring methods, reviews (enough for a trimmed
mean), collection values, city incentives, public scores, bonuses (one over its category
cap, one not approved), deductions at all three levels, and one unit with missing inputs.
"""

from __future__ import annotations

from decimal import Decimal

from jixiao.accounts.models import Role, Unit, User
from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem
from jixiao.core.testing import make_cycle, make_group, make_unit, make_user
from jixiao.cycles.models import Cycle
from jixiao.evaluations.models import CollectionValue, Part, ReviewScore
from jixiao.indicators.models import Aggregation, Indicator, Method, Source, Tree
from jixiao.surveys.models import PublicScore

D = Decimal


def _node(
    cycle: Cycle,
    tree: str,
    unit: Unit | None,
    parent: Indicator | None,
    code: str,
    points: str,
    **extra: object,
) -> Indicator:
    return Indicator.objects.create(
        cycle=cycle,
        tree=tree,
        unit=unit,
        parent=parent,
        code=code,
        name=f"指标 {code}",
        points=D(points),
        **extra,
    )


def build_rich_cycle(code: str = "2020", *, assessed: int = 5) -> Cycle:
    """``assessed`` units (at least 4) in two groups, with everything a cycle holds."""
    cycle = make_cycle(
        code,
        bonus_total_cap=D("10"),
        bonus_categories={
            str(c): {"cap": "5" if c == 1 else None, "stack": True} for c in range(1, 7)
        },
    )
    g1 = make_group(cycle, "G1", "政府部门", order=0)
    g2 = make_group(cycle, "G2", "镇街", order=1)
    district = make_unit(f"{code}-X00", "同安区人民政府")
    legal = make_unit(f"{code}-C01", "区司法局(法制科)")
    units = []
    for i in range(1, assessed + 1):
        unit = make_unit(f"{code}-U{i:02d}", f"单位{i}", cycle=cycle, group=g1 if i <= 3 else g2)
        if i == 4:
            unit.parent = district
            unit.short_name = "四号"
            unit.save()
        units.append(unit)

    admin = make_user(f"{code}-admin", Role.OFFICE_ADMIN, display_name="效能办")
    reviewers = [
        make_user(f"{code}-r{i}", Role.REVIEWER, cycle=cycle, email=f"r{i}@example.org")
        for i in range(1, 6)
    ]
    collector = make_user(f"{code}-c1", Role.COLLECTOR, unit=legal, cycle=cycle)
    make_user(f"{code}-op1", Role.UNIT_OPERATOR, unit=units[0])
    _ = admin, collector

    # The common tree: 800 = A (400: A.1 judgement, A.2 deduction)
    #                      + B (400: B.1 ratio, B.2 (B.2.1 direct, B.2.2 completion+progress)).
    sc = Tree.SELF_CONSTRUCTION
    a = _node(cycle, sc, None, None, "A", "400", order=0)
    a1 = _node(
        cycle,
        sc,
        None,
        a,
        "A.1",
        "200",
        method=Method.JUDGEMENT,
        aggregation=Aggregation.TRIMMED_MEAN,
        rule="五名评估组成员打分,去掉最高最低分",
    )
    a2 = _node(
        cycle,
        sc,
        None,
        a,
        "A.2",
        "200",
        method=Method.DEDUCTION,
        points_per_finding=D("7.5"),
        collection_unit=legal,
    )
    b = _node(cycle, sc, None, None, "B", "400", order=1)
    b1 = _node(cycle, sc, None, b, "B.1", "150", method=Method.RATIO, order=0)
    b2 = _node(cycle, sc, None, b, "B.2", "250", order=1)
    b21 = _node(cycle, sc, None, b2, "B.2.1", "100", method=Method.DIRECT, collection_unit=legal)
    b22 = _node(
        cycle,
        sc,
        None,
        b2,
        "B.2.2",
        "150",
        method=Method.COMPLETION_PROGRESS,
        aggregation=Aggregation.MEDIAN,
        completion_points=D("100"),
        progress_points=D("50"),
    )

    for n, unit in enumerate(units):
        pf = Tree.PERFORMANCE
        p1 = _node(
            cycle,
            pf,
            unit,
            None,
            "1",
            "120",
            source=Source.DECISION,
            source_detail="区委全会",
        )
        p11 = _node(
            cycle,
            pf,
            unit,
            p1,
            "1.1",
            "60",
            method=Method.JUDGEMENT,
            target="完成 3 项改革",
            responsible_office="办公室",
            responsible_person="张三",
            deadline="2020-12-31",
        )
        p12 = _node(
            cycle,
            pf,
            unit,
            p1,
            "1.2",
            "60",
            method=Method.COMPLETION_PROGRESS,
            completion_points=D("40"),
            progress_points=D("20"),
        )
        p2 = _node(cycle, pf, unit, None, "2", "80", source=Source.OWN_PLAN)
        p21 = _node(cycle, pf, unit, p2, "2.1", "50", method=Method.RATIO)
        p22 = _node(cycle, pf, unit, p2, "2.2", "30", method=Method.DIRECT)

        k = D(n)
        last = n == len(units) - 1  # the last unit lacks some inputs: provisional
        for i, reviewer in enumerate(reviewers):
            score = D("150") + k * 3 + i * D("4.25")
            ReviewScore.objects.create(
                cycle=cycle,
                unit=unit,
                indicator=a1,
                reviewer=reviewer,
                score=score,
                comment="良好" if i == 0 else "",
            )
        for i, reviewer in enumerate(reviewers[:3]):
            ReviewScore.objects.create(
                cycle=cycle,
                unit=unit,
                indicator=p11,
                reviewer=reviewer,
                score=D("50") + k + i * D("1.33"),
            )
        for i, reviewer in enumerate(reviewers[:2]):
            ReviewScore.objects.create(
                cycle=cycle,
                unit=unit,
                indicator=p12,
                reviewer=reviewer,
                part=Part.COMPLETION,
                score=D("35") - k + i,
            )
            if not last:
                ReviewScore.objects.create(
                    cycle=cycle,
                    unit=unit,
                    indicator=p12,
                    reviewer=reviewer,
                    part=Part.PROGRESS,
                    score=D("15.5") + i,
                )
            ReviewScore.objects.create(
                cycle=cycle,
                unit=unit,
                indicator=b22,
                reviewer=reviewer,
                part=Part.COMPLETION,
                score=D("90") - k,
            )
            ReviewScore.objects.create(
                cycle=cycle,
                unit=unit,
                indicator=b22,
                reviewer=reviewer,
                part=Part.PROGRESS,
                score=D("40") + i * 3,
            )
        CollectionValue.objects.create(cycle=cycle, unit=unit, indicator=a2, finding_count=n)
        CollectionValue.objects.create(
            cycle=cycle, unit=unit, indicator=b1, actual=D("87.5") + k, target=D("100")
        )
        CollectionValue.objects.create(
            cycle=cycle, unit=unit, indicator=b21, score=D("95.5") - k, note="依法行政考核"
        )
        CollectionValue.objects.create(
            cycle=cycle, unit=unit, indicator=p21, actual=D("3") + k, target=D("7")
        )
        if not last:
            CollectionValue.objects.create(cycle=cycle, unit=unit, indicator=p22, score=D("28"))
            PublicScore.objects.create(
                cycle=cycle,
                unit=unit,
                score=D("880.25") - k * 10,
                responses=120 + n,
                source="2020 问卷",
            )
    CityIncentive.objects.create(cycle=cycle, unit=units[0], points=D("4"), source="市考评")
    CityIncentive.objects.create(cycle=cycle, unit=units[3], points=D("2.5"))
    BonusItem.objects.create(
        cycle=cycle,
        unit=units[0],
        category=1,
        title="国务院通报表扬",
        points=D("4"),
        approved=True,
    )
    BonusItem.objects.create(
        cycle=cycle, unit=units[0], category=1, title="省委推广经验", points=D("3"), approved=True
    )
    BonusItem.objects.create(
        cycle=cycle, unit=units[0], category=2, title="待核定", points=D("2"), approved=False
    )
    BonusItem.objects.create(
        cycle=cycle,
        unit=units[2],
        category=6,
        title="区主要领导批示",
        points=D("1.5"),
        approved=True,
    )
    DeductionItem.objects.create(
        cycle=cycle,
        unit=units[1],
        standard_code="4.1",
        description="窗口迟到",
        points=D("1"),
        found_on="2020-05-06",
    )
    DeductionItem.objects.create(
        cycle=cycle,
        unit=units[1],
        standard_code="4.2",
        description="暗访发现",
        points=D("1.5"),
        level="city",
    )
    DeductionItem.objects.create(
        cycle=cycle,
        unit=units[3],
        standard_code="4.3",
        description="省级通报",
        points=D("0.5"),
        count=2,
        level="province",
    )
    return cycle


def all_users() -> list[str]:
    return sorted(User.objects.values_list("username", flat=True))
