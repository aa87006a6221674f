"""Public evaluation end to end in a real Chromium: a unit imports 50 respondents, the office
samples 20, a respondent answers on a phone-sized screen (once), a call-centre entry and a
firm's import add responses, and the score and its interval match a hand computation.

Screenshots go to ``test-artifacts/`` (not kept in the repository) for a person to look at.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from jixiao.accounts.models import Role
from jixiao.core.testing import PASSWORD, make_simple_trees, make_user
from jixiao.surveys.models import Invitation, Response
from jixiao.surveys.tests.builders import HEADER, open_survey, people, setup_cycle, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"survey-{name}.png"), full_page=True)


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    form = page.locator("form").filter(has=page.get_by_label("密码"))
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(PASSWORD)
    form.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_public_evaluation_from_list_to_score(live_server: Any, page: Any, chromium: Any) -> None:
    base = live_server.url
    cycle, (u1, _u2) = setup_cycle()
    make_simple_trees(cycle, u1)
    survey = open_survey(cycle)
    make_user("office", Role.OFFICE_ADMIN)
    make_user("op1", Role.UNIT_OPERATOR, unit=u1)
    ARTIFACTS.mkdir(exist_ok=True)
    upload = ARTIFACTS / "survey-respondents-50.xlsx"
    upload.write_bytes(workbook(HEADER, people(50)).getvalue())

    # The unit imports its list (preview, confirm) and reports it.
    log_in(page, base, "op1")
    page.goto(f"{base}/cycles/2020/survey/units/U1/import/")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="上传并预览").click()
    assert page.locator(".facts").get_by_text("50").first.is_visible()
    shot(page, "01-import-preview")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/survey/units/U1/")
    assert page.get_by_text("新增 50 人").is_visible()
    assert page.get_by_text("139****0007").is_visible()  # masked for the unit
    page.get_by_role("button", name="上报名单").click()
    assert page.locator(".message-success").get_by_text("名单已上报。").is_visible()
    shot(page, "02-unit-reported")
    page.get_by_role("button", name="退出").click()

    # The office draws 20.
    log_in(page, base, "office")
    page.goto(f"{base}/cycles/2020/survey/units/U1/")
    page.get_by_label("样本量").fill("20")
    page.get_by_label("随机种子(可空)").fill("2020")
    page.get_by_role("button", name="抽样", exact=True).click()
    assert page.get_by_text("已抽取 20 人").is_visible()
    shot(page, "03-sampled")
    page.goto(f"{base}/cycles/2020/survey/units/U1/invitations/")
    shot(page, "04-invitations")
    tokens = list(Invitation.objects.filter(unit=u1, active=True).values_list("token", flat=True))
    assert len(tokens) == 20

    # A respondent answers on a phone; a second visit is refused.
    phone = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    mobile = phone.new_page()
    mobile.goto(f"{base}/s/{tokens[0]}/")
    assert mobile.locator(".site-header").count() == 0
    shot(mobile, "05-public-390")
    for fieldset in mobile.locator("fieldset").all():
        fieldset.get_by_text("满意", exact=True).click()
    mobile.get_by_role("button", name="提交").click()
    assert mobile.get_by_role("heading", name="提交成功").is_visible()
    shot(mobile, "06-thanks-390")
    mobile.goto(f"{base}/s/{tokens[0]}/")
    assert mobile.get_by_role("heading", name="您已提交过答卷").is_visible()
    shot(mobile, "07-used-390")
    mobile.goto(f"{base}/s/not-a-real-token-at-all-0000/")
    assert mobile.get_by_role("heading", name="链接无效").is_visible()
    phone.close()

    # A call-centre entry and a firm's import.
    page.goto(f"{base}/cycles/2020/survey/phone/")
    page.keyboard.type(tokens[1])
    page.keyboard.press("Tab")
    page.keyboard.type("2222")
    page.keyboard.press("Enter")
    page.locator(".message-success").wait_for()
    assert "已录入" in page.locator(".message-success").inner_text()
    shot(page, "08-phone-entry")
    firm = ARTIFACTS / "survey-firm.xlsx"
    firm.write_bytes(
        workbook(
            ["单位代码", "编号", "1", "2", "3", "4"],
            [["U1", "A1", "满意", "基本满意", "不满意", "满意"], ["U1", "A2", 1, 1, 1, 2]],
        ).getvalue()
    )
    page.goto(f"{base}/cycles/2020/survey/responses/import/")
    page.get_by_label("来源(调查机构)").fill("某调查公司")
    page.set_input_files("input[type=file]", str(firm))
    page.get_by_role("button", name="上传并预览").click()
    shot(page, "09-firm-preview")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/survey/responses/")
    assert page.get_by_text("已导入 2 份答卷").is_visible()
    assert Response.objects.filter(unit=u1).count() == 4

    # The score: responses 1000 (web), 800 (phone), 700 and 950 (firm), by hand.
    scores = [Decimal(1000), Decimal(800), Decimal(700), Decimal(950)]
    mean: Decimal = sum(scores, Decimal(0)) / 4
    variance: Decimal = sum(((s - mean) ** 2 for s in scores), Decimal(0)) / 3
    half = Decimal("1.96") * (variance / 4).sqrt()
    cent = Decimal("0.01")
    expected = mean.quantize(cent, ROUND_HALF_UP)
    low = (mean - half).quantize(cent, ROUND_HALF_UP)
    high = (mean + half).quantize(cent, ROUND_HALF_UP)
    page.goto(f"{base}/cycles/2020/survey/")
    page.get_by_role("button", name="计算公众评议得分").click()
    shot(page, "10-overview")
    page.goto(f"{base}/cycles/2020/")
    page.get_by_role("button", name="重新计算").first.click()
    page.goto(f"{base}/cycles/2020/units/U1/")
    assert page.locator("tr.component-public td").inner_text().strip() == f"{expected}"
    shot(page, "11-score-card")
    page.goto(f"{base}/cycles/2020/survey/units/U1/")
    assert page.get_by_text(f"{low} – {high}").is_visible()
    assert page.locator(".survey-score").get_by_text(f"{expected}").is_visible()
    shot(page, "12-unit-score")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "13-unit-390")
    assert survey.pk
