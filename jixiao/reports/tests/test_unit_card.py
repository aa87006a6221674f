"""The score card: its numbers are the stored results, and each one opens its explanation."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from jixiao.reports.explanations import translate_missing, translate_rule
from jixiao.reports.tests.conftest import Cast
from jixiao.reports.tests.data import Built, build_cycle
from jixiao.scoring.models import Result
from jixiao.surveys.models import PublicScore

pytestmark = pytest.mark.django_db

COMPONENTS = (
    "performance",
    "self_construction",
    "indicator",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
)


def card(client: Any, built: Built, index: int) -> Any:
    return client.get(reverse("unit_card", args=[built.cycle.code, built.units[index].code]))


def summary_value(body: str, node_id: str) -> str:
    """The number in the <summary> of the explanation node with this id."""
    match = re.search(
        rf'<details class="explain[^"]*" id="{re.escape(node_id)}"[^>]*>\s*<summary>'
        r'<span class="explain-value">([^<]+)</span>',
        body,
    )
    assert match, f"no explanation node {node_id}"
    return match.group(1)


@pytest.mark.parametrize("index", [0, 3])
def test_card_numbers_are_the_stored_results(
    index: int, built: Built, cast: Cast, client_as: Any
) -> None:
    response = card(client_as(cast.office), built, index)
    body = response.content.decode()
    stored = Result.objects.get(cycle=built.cycle, unit=built.units[index])
    shown = {c["key"]: c["value"] for c in response.context["components"]}
    assert shown == {key: getattr(stored, key) for key in COMPONENTS}
    composite = f"{stored.composite:.2f}"
    assert summary_value(body, "explain-composite") == composite
    for key in COMPONENTS:
        assert f'href="#explain-{key}" data-open>{getattr(stored, key):.2f}</a>' in body
        assert summary_value(body, f"explain-{key}") == f"{getattr(stored, key):.2f}"
    assert f"{stored.rank}" in body
    assert not response.context["stale"]


def test_composite_explanation_shows_the_formula_with_values(
    built: Built, cast: Cast, client_as: Any
) -> None:
    body = card(client_as(cast.office), built, 0).content.decode()
    stored = Result.objects.get(cycle=built.cycle, unit=built.units[0])
    line = (
        f"({stored.indicator:.2f} + {stored.city_incentive:.2f}) × 0.6 + {stored.public:.2f} × 0.4"
        f" + {stored.bonus:.2f} − {stored.deduction:.2f} = {stored.composite:.2f}"
    )
    assert line in body
    assert "(指标考核得分 + 市对区绩效考评激励得分) × 0.6 + 公众评议得分 × 0.4" in body


def test_leaves_show_their_inputs_and_rules_in_chinese(
    built: Built, cast: Cast, client_as: Any
) -> None:
    body = card(client_as(cast.operator), built, 0).content.decode()
    # 项目建设： reviews 99, 100, 102 → 100.33; 督查督办： 200 − 1 × 5; 纠错率： 400 × 94 ÷ 100.
    assert summary_value(body, "explain-performance-1-1") == "100.33"
    assert "3 个评分的平均，四舍五入" in body
    assert "200 − 1 × 5 = 195" in body
    assert "400 × min(94 ÷ 100, 1) = 376.00" in body
    assert "市、省级察访扣分 (成倍)" in body
    assert "1.5 × 1 × 2 = 3" in body


def test_provisional_card_lists_missing_inputs(cast: Cast, client_as: Any) -> None:
    built = build_cycle("2021", complete=False)
    response = card(client_as(cast.office), built, 3)
    body = response.content.decode()
    assert "暂定结果" in body
    assert "公众评议得分：尚无得分" in body


def test_changed_inputs_flag_the_stored_result_as_stale(
    built: Built, cast: Cast, client_as: Any
) -> None:
    PublicScore.objects.filter(cycle=built.cycle, unit=built.units[0]).update(score=Decimal(500))
    response = card(client_as(cast.office), built, 0)
    body = response.content.decode()
    assert response.context["stale"]
    assert "输入已变更，请重新计算。" in body
    stored = Result.objects.get(cycle=built.cycle, unit=built.units[0])
    assert f"已保存的得分为 {stored.composite:.2f}" in body


def test_card_before_any_recompute_says_not_computed(cast: Cast, client_as: Any) -> None:
    built = build_cycle("2021", recompute=False)
    response = card(client_as(cast.office), built, 0)
    body = response.content.decode()
    assert "尚未计算" in body
    assert 'id="explain-composite"' in body  # the fresh explanation is still shown


def test_card_in_english(built: Built, cast: Cast, client_as: Any) -> None:
    client = client_as(cast.office)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = card(client, built, 0).content.decode()
    assert "Composite score" in body
    assert "mean of 3 reviews, rounded half up" in body


@pytest.mark.parametrize(
    ("rule", "chinese"),
    [
        ("mean of 3 reviews, rounded half up", "3 个评分的平均，四舍五入"),
        (
            "trimmed mean of 5 reviews (dropped highest 90 and lowest 60), rounded half up",
            "5 个评分去掉最高分 90 和最低分 60 后的平均，四舍五入",
        ),
        ("no review yet (counts 0)", "尚无评分（按 0 计）"),
        (
            "180.00 + 20.50 = 200.50, capped at 200.00",
            "180.00 + 20.50 = 200.50，以分值 200.00 封顶",
        ),
        (
            "6.00 + 8.00 = 14.00, capped at 10.00 (category cap)",
            "6.00 + 8.00 = 14.00，按类别上限 10.00 封顶",
        ),
        ("entered score 90, limited to [0, 80]", "录入得分 90，限定在 0 至 80 之间"),
        (
            "completion 60.00 (single review) + progress no review (counts 0) = 60.00",
            "完成情况 60.00 (仅一个评分) + 进步情况 尚无评分（按 0 计） = 60.00",
        ),
        ("none", "无"),
    ],
)
def test_rule_phrases_are_translated(rule: str, chinese: str) -> None:
    with translation.override("zh-hans"):
        assert translate_rule(rule) == chinese


def test_missing_notes_name_the_indicator() -> None:
    with translation.override("zh-hans"):
        note = translate_missing("performance 1.1: no review", {"performance:1.1": "项目建设"})
    assert note == "业绩指标 1.1 项目建设：尚无评分"
