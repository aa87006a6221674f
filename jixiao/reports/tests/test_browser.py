"""The report pages in a real Chromium: login, ranking, score card, language switch.

Screenshots go to ``test-artifacts/`` (not kept in the repository) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from jixiao.accounts.models import Role
from jixiao.core.testing import PASSWORD, make_user
from jixiao.cycles.demo import CYCLE_CODE, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_office_reads_ranking_and_explanation_in_both_languages(
    live_server: Any, page: Any
) -> None:
    call_command("seed_demo", verbosity=0)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").is_visible()
    shot(page, "01-login-error")

    log_in(page, base, "office", DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")
    shot(page, "02-home")

    page.goto(f"{base}/cycles/{CYCLE_CODE}/")
    assert page.get_by_role("button", name="重新计算").is_visible()
    shot(page, "03-overview")

    page.goto(f"{base}/cycles/{CYCLE_CODE}/ranking/")
    assert page.get_by_role("heading", name="区直政府部门").is_visible()
    bureau = page.get_by_role("link", name="区退役军人事务局", exact=True)
    assert bureau.is_visible()
    shot(page, "04-ranking")

    bureau.click()
    page.wait_for_url("**/units/G01/")
    composite = page.locator("#explain-composite")
    formula_line = composite.locator(":scope > .explain-body > .explain-rule").first
    assert not formula_line.is_visible()
    composite.locator(":scope > summary").click()
    assert formula_line.is_visible()
    assert " × 0.6 + " in formula_line.inner_text()
    indicator = page.locator("#explain-indicator")
    indicator.locator(":scope > summary").click()
    page.locator("#explain-performance > summary").click()
    area = page.locator("#explain-performance > .explain-body > details").first
    area.locator(":scope > summary").click()
    leaf = area.locator(":scope > .explain-body > details").first
    leaf.locator(":scope > summary").click()
    assert leaf.locator(".inputs-table").first.is_visible()
    page.locator("#explain-deduction > summary").click()
    shot(page, "05-card-expanded")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Ranking", exact=True).is_visible()
    assert page.get_by_role("heading", name="Calculation").is_visible()
    shot(page, "06-card-english")
    page.get_by_role("link", name="Ranking", exact=True).click()
    assert page.get_by_role("columnheader", name="Composite score").first.is_visible()
    shot(page, "07-ranking-english")

    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="排名", exact=True).is_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "08-ranking-390")
    page.goto(f"{base}/cycles/{CYCLE_CODE}/units/G01/#explain-composite")
    shot(page, "09-card-390")


def test_empty_states_and_lock_out(live_server: Any, page: Any) -> None:
    base = live_server.url
    make_user("newcomer")
    office = make_user("office", Role.OFFICE_ADMIN)
    assert office.pk

    log_in(page, base, "newcomer", PASSWORD)
    page.wait_for_url(f"{base}/")
    assert page.get_by_text("暂无可查看的考评年度").is_visible()
    shot(page, "10-home-empty")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")

    from jixiao.core.testing import make_cycle, make_group

    cycle = make_cycle("2021", name="2021 年度绩效考评")
    make_group(cycle, "G1", "党群部门")
    log_in(page, base, "office", PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/cycles/2021/")
    assert page.get_by_text("尚未计算").first.is_visible()
    shot(page, "11-overview-empty")
    page.goto(f"{base}/cycles/2021/ranking/")
    assert page.get_by_text("本组暂无参评单位").is_visible()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, base, "newcomer", "not-the-password")
    assert page.get_by_role("heading", name="账号已暂时锁定").is_visible()
    shot(page, "12-locked-out")
