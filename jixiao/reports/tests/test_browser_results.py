"""The issue's walk in a real Chromium: a leader reads the dashboard, switches group, opens a
score card from the chart and downloads the results notice; the office tries new weights in
the what-if sandbox and sees which ranks change, without saving anything.

Screenshots go to ``test-artifacts/``; the ones in ``docs/screenshots/`` were taken here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from jixiao.core.models import AuditEntry
from jixiao.cycles.demo import CYCLE_CODE, DEMO_PASSWORD
from jixiao.cycles.models import Cycle
from jixiao.scoring.models import Result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def click_bar(page: Any, chart_id: str, index: int) -> None:
    """Click the ``index``-th bar of an ECharts bar chart, where a person would."""
    page.wait_for_selector(f"#{chart_id}[data-ready]")
    x, y = page.evaluate(
        """([id, index]) => {
            const chart = window.jixiaoCharts[id];
            const value = chart.getOption().series[0].data[index].value;
            const [x, y] = chart.convertToPixel({xAxisIndex: 0, yAxisIndex: 0}, [index, value]);
            const box = document.getElementById(id).getBoundingClientRect();
            return [box.left + x, box.top + y + 12];
        }""",
        [chart_id, index],
    )
    page.mouse.click(x, y)


def test_leader_reads_the_dashboard_and_office_tries_new_weights(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    call_command("seed_demo", verbosity=0)
    base = live_server.url

    # A leader (viewer) opens the dashboard of the first group.
    log_in(page, base, "viewer")
    page.get_by_role("link", name="2020年度绩效管理考评(示例数据)").first.click()
    page.get_by_role("link", name="图表", exact=True).click()
    page.wait_for_url(f"**/cycles/{CYCLE_CODE}/dashboard/")
    assert page.get_by_role("heading", name="结果图表 · 区直政府部门").is_visible()
    page.wait_for_selector("#chart-ranking[data-ready] svg")
    # The chart is drawn with Chinese labels (SVG text, not boxes of a missing font).
    assert "退役军人局" in page.locator("#chart-ranking svg").inner_html()
    shot(page, "20-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#chart-ranking[data-ready] svg")
    shot(page, "21-dashboard-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Switch group, then open the first unit's score card from its bar.
    page.get_by_role("link", name="镇(街)", exact=True).click()
    page.wait_for_url("**/dashboard/?group=ZJ")
    assert page.get_by_role("heading", name="结果图表 · 镇(街)").is_visible()
    click_bar(page, "chart-ranking", 0)
    page.wait_for_url("**/units/Z01/")
    assert page.get_by_role("heading", name="大同街道").is_visible()
    assert page.get_by_role("columnheader", name="2019 年度").is_visible()
    page.wait_for_selector("#chart-radar[data-ready] svg")
    page.wait_for_selector("#chart-trend[data-ready] svg")
    shot(page, "22-card")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#chart-radar[data-ready] svg")
    shot(page, "23-card-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Download the results notice from the dashboard.
    page.goto(f"{base}/cycles/{CYCLE_CODE}/dashboard/")
    with page.expect_download() as info:
        page.get_by_role("link", name="结果通报（PDF）").click()
    path = tmp_path / "notice.pdf"
    info.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "关于2020年度绩效管理考评(示例数据)结果的通报" in text
    assert "区退役军人事务局" in text and "镇(街)" in text
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")

    # The office tries other weights: indicators 40 %, public evaluation 60 %.
    before = list(Result.objects.order_by("id").values_list("composite", "rank", "grade"))
    audits = AuditEntry.objects.count()
    log_in(page, base, "office")
    page.goto(f"{base}/cycles/{CYCLE_CODE}/")
    page.get_by_role("link", name="方案试算").click()
    formula = page.get_by_label("综合得分公式")
    formula.fill("(indicator + city_incentive) * 0.4 + public * 0.6 + bonus - deduction")
    page.get_by_role("button", name="试算", exact=True).click()
    page.wait_for_selector(".whatif-summary")
    changed = page.locator("tr.is-changed")
    assert changed.count() > 0
    assert "名次或等次发生变化" in page.locator(".whatif-summary").inner_text()
    shot(page, "24-whatif")
    # Nothing was saved.
    cycle = Cycle.objects.get(code=CYCLE_CODE)
    assert cycle.formula.endswith("* 0.6 + public * 0.4 + bonus - deduction")
    assert list(Result.objects.order_by("id").values_list("composite", "rank", "grade")) == before
    assert AuditEntry.objects.count() == audits
