from __future__ import annotations

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from jixiao.accounts.models import Membership, Role, Unit, User
from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem
from jixiao.core.testing import make_cycle
from jixiao.cycles.models import Cycle, Participation
from jixiao.evaluations.models import CollectionValue, ReviewScore
from jixiao.indicators.models import Indicator, Method, Tree
from jixiao.indicators.selectors import cycle_trees
from jixiao.scoring.engine import validate_tree
from jixiao.scoring.models import Result
from jixiao.surveys.models import PublicScore

pytestmark = pytest.mark.django_db

# DEMO-2020.md, 附件1: code → points.
BUREAU_POINTS = {
    "1": 35, "1.1": 20, "1.2": 15,
    "2": 45, "2.1": 20, "2.2": 15, "2.3": 10,
    "3": 40, "3.1": 15, "3.2": 15, "3.3": 10,
    "4": 30, "4.1": 20, "4.2": 10,
    "5": 25, "5.1": 15, "5.2": 10,
    "6": 25, "6.1": 15, "6.2": 10,
}  # fmt: skip

# DEMO-2020.md, 附件2: name → (points, method, points per finding).
COMMON_LEAVES = {
    "重大决策部署落实": (80, Method.JUDGEMENT, None),
    "政务公开": (60, Method.DEDUCTION, 2),
    "数字政府与信息化建设": (60, Method.RATIO, None),
    "法治政府建设": (80, Method.JUDGEMENT, None),
    "行政复议与行政诉讼": (60, Method.DEDUCTION, 5),
    "行政执法规范化": (60, Method.DEDUCTION, 2),
    "效能督查与作风建设": (80, Method.DEDUCTION, 2),
    "12345便民服务平台诉求办理": (60, Method.RATIO, None),
    "人大建议和政协提案办理": (50, Method.JUDGEMENT, None),
    "审批服务便民化": (60, Method.RATIO, None),
    "党风廉政建设主体责任": (80, Method.JUDGEMENT, None),
    "审计发现问题整改": (40, Method.RATIO, None),
    "财政资金绩效管理": (30, Method.JUDGEMENT, None),
}
COMMON_AREAS = {"科学行政": 200, "依法行政": 200, "高效行政": 250, "廉洁行政": 150}

COUNTED = (
    Unit, User, Membership, Cycle, Participation, Indicator, ReviewScore, CollectionValue,
    BonusItem, DeductionItem, CityIncentive, PublicScore, Result,
)  # fmt: skip


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def demo() -> Cycle:
    return Cycle.objects.get(code="2020")


def test_seed_demo_creates_nineteen_units_in_three_groups() -> None:
    seed()

    cycle = demo()
    assert "示例数据" in cycle.name
    groups = Counter(
        Participation.objects.filter(cycle=cycle).values_list("group__name", flat=True)
    )
    assert groups == {"区直政府部门": 11, "区直事业单位": 3, "镇(街)": 5}
    bureau = Participation.objects.get(cycle=cycle, unit__code="G01")
    assert (bureau.unit.name, bureau.group.name) == ("区退役军人事务局", "区直政府部门")


def test_bureau_tree_has_the_points_of_attachment_1() -> None:
    seed()

    rows = Indicator.objects.filter(cycle=demo(), tree=Tree.PERFORMANCE, unit__code="G01")
    assert {row.code: int(row.points) for row in rows} == BUREAU_POINTS
    assert sum(row.points for row in rows if row.parent_id is None) == Decimal(200)
    assert sum(1 for row in rows if row.parent_id is None) == 6
    assert sum(1 for row in rows if row.parent_id is not None) == 14
    methods = {row.code: row.method for row in rows if row.parent_id is not None}
    assert methods["2.1"] == Method.COMPLETION_PROGRESS
    assert methods["6.1"] == Method.RATIO
    assert all(row.source and row.source_detail for row in rows if row.parent_id is not None)


def test_common_tree_has_the_rows_of_attachment_2() -> None:
    seed()

    rows = list(Indicator.objects.filter(cycle=demo(), tree=Tree.SELF_CONSTRUCTION))
    areas = {row.name: int(row.points) for row in rows if row.parent_id is None}
    leaves = {
        row.name: (
            int(row.points),
            row.method,
            None if row.points_per_finding is None else int(row.points_per_finding),
        )
        for row in rows
        if row.parent_id is not None
    }
    assert areas == COMMON_AREAS
    assert leaves == COMMON_LEAVES
    assert sum(areas.values()) == 800
    assert all(row.collection_unit_id for row in rows if row.parent_id is not None)


def test_every_unit_tree_adds_up_and_has_the_usual_shape() -> None:
    seed()

    cycle = demo()
    trees = cycle_trees(cycle=cycle)
    assert trees.self_construction is not None
    assert validate_tree(trees.self_construction, Decimal(800)) == []
    assert len(trees.performance) == 19
    for root in trees.performance.values():
        assert validate_tree(root, Decimal(200)) == []
        assert 4 <= len(root.children) <= 6
        assert 10 <= sum(len(area.children) for area in root.children) <= 14


def test_seed_demo_twice_changes_nothing_and_reset_reloads_the_same_year() -> None:
    seed()
    before = counts()
    results_hash = demo().results_hash

    assert "已存在" in seed()
    assert counts() == before

    seed("--reset")
    assert counts() == before
    assert demo().results_hash == results_hash


def test_seed_demo_if_empty_leaves_a_database_with_a_cycle_alone() -> None:
    make_cycle("2019")

    seed("--if-empty")

    assert not Cycle.objects.filter(code="2020").exists()


def test_results_are_complete_and_ranked_within_each_group() -> None:
    seed()

    results = list(Result.objects.filter(cycle=demo()).select_related("group", "unit"))
    assert len(results) == 19
    assert [r.unit.code for r in results if r.provisional] == []
    for group in {r.group.code for r in results}:
        ranks = sorted(r.rank for r in results if r.group.code == group)
        assert ranks[0] == 1
    grades = Counter(r.grade for r in results)
    assert grades["优秀"] >= 2 and grades["良好"] >= 8 and grades["一般"] >= 1
    tie = {
        r.unit.code: (r.composite, r.rank, r.grade)
        for r in results
        if r.unit.code in ("Z02", "Z03")
    }
    assert tie["Z02"] == tie["Z03"]


def test_demo_accounts_lists_every_role_with_the_password() -> None:
    seed()
    out = StringIO()

    call_command("demo_accounts", stdout=out)

    text = out.getvalue()
    for role in Role:
        assert str(role.label) in text
    assert "jixiao-demo-2020" in text
    office = User.objects.get(username="office")
    assert office.is_staff and not office.is_superuser


def test_demo_accounts_prints_nothing_before_the_demo_is_loaded() -> None:
    out = StringIO()

    call_command("demo_accounts", stdout=out)

    assert out.getvalue() == ""
