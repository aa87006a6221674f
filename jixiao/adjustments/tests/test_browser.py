"""The issue's scenario in a real Chromium: claims, decisions, findings, a contest, and the
composite on the score card checked against a hand computation.

Screenshots (desktop and 390 px phone width) go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from jixiao.adjustments.models import BonusClaim, Finding, FindingState
from jixiao.adjustments.tests.data import PDF, Cast, build
from jixiao.core.testing import PASSWORD, make_simple_trees
from jixiao.evaluations.models import CollectionValue
from jixiao.surveys.models import PublicScore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "adjustments"
D = Decimal


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def claim(page: Any, base: str, cast: Cast, category: str, title: str) -> None:
    page.goto(f"{base}/cycles/{cast.cycle.code}/adjustments/claims/new/")
    page.get_by_label("类别").select_option(category)
    page.get_by_label("事项").fill(title)
    page.get_by_label("发文机关").fill("区委办公室")
    page.get_by_label("文号").fill("同委办〔2020〕12号")
    page.get_by_label("发文日期").fill("2020-09-01")
    page.get_by_label("佐证材料").set_input_files(
        {"name": "批示.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交单位负责人审核").click()
    page.get_by_text("待单位负责人审核").first.wait_for()


def test_claims_findings_and_the_score_card(live_server: Any, page: Any) -> None:
    cast = build("B1")
    perf, self_leaf = make_simple_trees(cast.cycle, cast.unit)
    CollectionValue.objects.create(cycle=cast.cycle, unit=cast.unit, indicator=perf, score=D(180))
    CollectionValue.objects.create(
        cycle=cast.cycle, unit=cast.unit, indicator=self_leaf, score=D(700)
    )
    PublicScore.objects.create(cycle=cast.cycle, unit=cast.unit, score=D(850))
    base = live_server.url
    adj = f"{base}/cycles/{cast.cycle.code}/adjustments"

    # The unit claims two bonuses in category 6 and one in category 4.
    log_in(page, base, cast.operator.username)
    claim(page, base, cast, "6", "“光荣之家”走访慰问获区委书记批示肯定")
    claim(page, base, cast, "6", "双拥工作获区长批示肯定")
    claim(page, base, cast, "4", "全国示范型退役军人服务站")
    page.goto(f"{adj}/claims/")
    shot(page, "01-claims-unit")

    log_in(page, base, cast.leader.username)
    for pk in BonusClaim.objects.order_by("pk").values_list("pk", flat=True):
        page.goto(f"{adj}/claims/{pk}/")
        page.get_by_role("button", name="同意，报效能办").click()
        page.get_by_text("待效能办审核").first.wait_for()

    # The office approves one at standard points, adjusts one (above the standard: a reason
    # is required) and rejects one.
    first, second, third = BonusClaim.objects.order_by("pk")
    log_in(page, base, cast.office.username)
    page.goto(f"{adj}/claims/{first.pk}/")
    page.get_by_label("按标准分值核准").check()
    page.get_by_role("button", name="保存审核结论").click()
    page.get_by_text("已保存审核结论").wait_for()

    page.goto(f"{adj}/claims/{second.pk}/")
    page.get_by_label("调整分值后核准").check()
    page.get_by_label("核定分值").fill("5")
    page.get_by_role("button", name="保存审核结论").click()
    assert page.get_by_text("必须填写原因").first.is_visible()
    shot(page, "02-claim-adjust-refused")
    page.get_by_label("原因").fill("区委、区政府主要领导均有批示，按两项计")
    page.get_by_role("button", name="保存审核结论").click()
    page.get_by_text("已保存审核结论").wait_for()

    page.goto(f"{adj}/claims/{third.pk}/")
    page.get_by_label("不予核准").check()
    page.get_by_label("原因").fill("示范站命名文件尚未下发")
    page.get_by_role("button", name="保存审核结论").click()
    page.get_by_text("已保存审核结论").wait_for()
    shot(page, "03-claim-decided")

    # The inspector records a city-level and a district-level finding.
    log_in(page, base, cast.inspector.username)
    for level, code, count, text in (
        ("市级", "K4", "1", "窗口人员服务态度生硬"),
        ("区级", "K3", "2", "两件事项未在承诺时限内办结"),
    ):
        page.goto(f"{adj}/inspections/new/")
        page.get_by_label("察访日期").fill("2020-09-10")
        page.get_by_label("地点").fill("退役军人服务中心窗口")
        page.get_by_label("方式").select_option(label="暗访")
        page.get_by_label("发现层级").select_option(label=level)
        page.get_by_label("察访人员").fill("蔡晓峰、周敏")
        page.get_by_role("button", name="保存").click()
        page.get_by_label("单位", exact=True).select_option(label=cast.unit.name)
        page.get_by_label("扣分标准条目").select_option(label=f"{code} " + _text(code))
        page.get_by_label("次数").fill(count)
        page.get_by_label("问题描述").fill(text)
        page.get_by_role("button", name="登记").click()
        page.get_by_text("已登记问题").wait_for()
    shot(page, "04-inspection")

    city = Finding.objects.get(standard__code="K4")
    district = Finding.objects.get(standard__code="K3")

    # The unit answers the city finding and contests the district one.
    log_in(page, base, cast.operator.username)
    page.goto(f"{adj}/findings/")
    shot(page, "05-findings-unit")
    page.goto(f"{adj}/findings/{city.pk}/")
    page.get_by_label("认可并答复").check()
    page.get_by_label("答复或申辩内容").fill("已约谈窗口人员并整改")
    page.get_by_role("button", name="提交").click()
    page.get_by_text("已提交答复").wait_for()
    page.goto(f"{adj}/findings/{district.pk}/")
    page.get_by_label("申辩", exact=True).check()
    page.get_by_label("答复或申辩内容").fill("两件事项均因申请人补正材料而顺延，附补正通知")
    page.get_by_role("button", name="提交").click()
    page.get_by_text("已提交答复").wait_for()

    # The office confirms the city finding and withdraws the contested one.
    log_in(page, base, cast.office.username)
    page.goto(f"{adj}/findings/{city.pk}/")
    page.get_by_label("确认扣分").check()
    page.get_by_role("button", name="保存处理结论").click()
    page.get_by_text("已保存处理结论").wait_for()
    page.goto(f"{adj}/findings/{district.pk}/")
    page.get_by_label("撤销", exact=True).check()
    page.get_by_label("原因").first.fill("申辩理由成立")
    page.get_by_role("button", name="保存处理结论").click()
    page.get_by_text("已保存处理结论").wait_for()
    shot(page, "06-finding-withdrawn")
    district.refresh_from_db()
    assert district.state == FindingState.WITHDRAWN

    # The office enters the city incentive.
    page.goto(f"{adj}/city-incentives/")
    page.get_by_label("单位", exact=True).select_option(label=cast.unit.name)
    page.get_by_label("激励得分").fill("4")
    page.get_by_label("来源(市考评项目)").fill("市对区考评“双拥共建”项目获评优秀")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("已保存").first.wait_for()
    shot(page, "07-city-incentives")
    page.goto(f"{adj}/")
    shot(page, "08-summary")
    page.goto(f"{adj}/standards/")
    shot(page, "09-standards")

    # By hand: category 6 stacks 2 (standard) + 5 (adjusted) = 7, capped at 6; category 4 was
    # rejected; total cap 30 does not bite. The city finding: 1.5 × 1 × 2 (city multiplier);
    # the district finding was withdrawn.
    bonus = min(D(2) + D(5), D(6))
    deduction = D("1.5") * 1 * D(2)
    expected = (D(180) + D(700) + D(4)) * D("0.6") + D(850) * D("0.4") + bonus - deduction
    assert expected == D("873.40")

    page.goto(f"{base}/cycles/{cast.cycle.code}/units/{cast.unit.code}/")
    composite = page.locator("#explain-composite > summary .explain-value")
    assert composite.inner_text().strip() == f"{expected:.2f}"
    page.locator("#explain-composite > summary").click()
    page.locator("#explain-bonus > summary").click()
    assert page.locator("#explain-bonus > summary .explain-value").inner_text().strip() == "6.00"
    page.locator("#explain-deduction > summary").click()
    higher = page.locator("#explain-deduction_higher > summary .explain-value")
    assert higher.inner_text().strip() == "3.00"
    district_line = page.locator("#explain-deduction_district > summary .explain-value")
    assert district_line.inner_text().strip() == "0.00"
    shot(page, "10-score-card")


def _text(code: str) -> str:
    from jixiao.adjustments.tests.data import DEDUCTION_STANDARDS

    return next(text for c, text, _p in DEDUCTION_STANDARDS if c == code)
