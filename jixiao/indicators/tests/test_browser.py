"""An operator builds part of a tree, imports the rest from Excel and submits; the leader
approves; the office locks; another unit's operator sees nothing of it, on pages or the API.

Screenshots go to ``test-artifacts/`` (not kept in the repository).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from jixiao.accounts.models import Role
from jixiao.core.testing import PASSWORD, make_cycle, make_group, make_unit, make_user
from jixiao.cycles.models import Phase
from jixiao.indicators.models import Indicator, TreeState, TreeStatus
from jixiao.indicators.tests.workbooks import office_table

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"indicators-{name}.png"), full_page=True)


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def test_build_import_submit_approve_lock(live_server: Any, page: Any, tmp_path: Path) -> None:
    cycle = make_cycle("2020", name="2020年度绩效考评", phase=Phase.DECOMPOSITION)
    group = make_group(cycle)
    unit = make_unit("U1", "区退役军人事务局", cycle=cycle, group=group)
    other = make_unit("U2", "区教育局", cycle=cycle, group=group)
    make_user("operator", Role.UNIT_OPERATOR, unit=unit)
    make_user("leader", Role.UNIT_LEADER, unit=unit)
    make_user("office", Role.OFFICE_ADMIN)
    make_user("other", Role.UNIT_OPERATOR, unit=other)
    base = live_server.url
    tree_url = f"{base}/cycles/2020/indicators/U1/"

    # The operator builds the first first-level indicator by hand.
    log_in(page, base, "operator")
    page.goto(tree_url)
    shot(page, "01-empty")
    page.get_by_role("link", name="添加一级指标").click()
    page.fill("#id_code", "一")
    page.fill("#id_name", "党的建设")
    page.fill("#id_points", "40")
    shot(page, "02-node-form")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("link", name="添加下级").click()
    page.fill("#id_code", "一.1")
    page.fill("#id_name", "基层党组织建设")
    page.fill("#id_points", "40")
    page.select_option("#id_method", "judgement")
    page.select_option("#id_source", "own_plan")
    page.fill("#id_deadline", "2020-12-31")
    page.get_by_role("button", name="保存").click()
    assert page.locator(".tree-total.off").is_visible()  # 40 of 200 so far
    shot(page, "03-part-built")

    # The rest comes from the office's own table: merged first-level cells, a totals row.
    rows: list[list[Any]] = [
        ["二", "经济发展", None, 100],
        [
            "二.1",
            None,
            "项目建设",
            "６０分",
            "完成 3 个项目",
            "评估组评分",
            "区委全会",
            "规划科",
            "张三",
            "2020-06-30",
        ],
        [
            "二.2",
            None,
            "招商引资",
            "40",
            "引资 1 亿元",
            "每发现一起扣2分",
            "政府工作报告",
            "规划科",
            "李四",
            "2020年12月",
        ],
        ["三", "服务保障", None, "60分"],
        [
            "三.1",
            None,
            "优抚安置",
            60,
            "按时发放",
            "评估组评分",
            "职能职责",
            "优抚科",
            "王五",
            None,
        ],
        ["合计", None, None, 160],
    ]
    path = tmp_path / "附件1.xlsx"
    path.write_bytes(office_table(rows, merges=["B6:B8", "B9:B10"]))
    page.get_by_role("link", name="导入 Excel").click()
    page.set_input_files("#id_file", str(path))
    page.check("input[name=mode][value=append]")
    page.get_by_role("button", name="上传并预览").click()
    assert page.get_by_role("button", name="确认导入").is_visible()
    shot(page, "04-import-preview")
    assert Indicator.objects.filter(unit=unit).count() == 2  # nothing saved yet
    page.get_by_role("button", name="确认导入").click()
    assert not page.locator(".tree-total.off").is_visible()
    shot(page, "05-tree-complete")
    page.get_by_role("button", name="提交审核").click()
    assert page.get_by_text("已提交", exact=True).first.is_visible()
    page.get_by_role("button", name="退出").click()

    log_in(page, base, "leader")
    page.goto(tree_url)
    page.get_by_role("button", name="审核通过").click()
    page.get_by_role("button", name="退出").click()

    log_in(page, base, "office")
    page.goto(tree_url)
    shot(page, "06-office-approved")
    page.get_by_role("button", name="锁定").click()
    assert TreeStatus.objects.get(unit=unit).state == TreeState.LOCKED
    page.goto(f"{base}/cycles/2020/indicators/")
    shot(page, "07-trees")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(tree_url)
    shot(page, "08-tree-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="退出").click()

    # Another unit's operator: neither the page nor the API shows or changes it.
    log_in(page, base, "other")
    assert page.goto(tree_url).status == 404
    assert page.request.get(f"{base}/api/v1/cycles/2020/trees/U1/").status == 404
    node = Indicator.objects.get(unit=unit, code="一")
    response = page.request.delete(f"{base}/api/v1/cycles/2020/trees/U1/nodes/{node.pk}/")
    assert response.status in (403, 404)
    assert Indicator.objects.filter(unit=unit).count() == 7
