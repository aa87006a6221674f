"""One unit through the whole assessment in a real Chromium: self-evaluation with a file,
leader approval, two reviewers (one returning the item first), a collection unit's Excel
grid, preliminary results, an appeal changed by a re-check, finalization, the audit page.

Screenshots go to ``test-artifacts/`` (not kept in the repository) for a person to look at.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from openpyxl import load_workbook

from jixiao.core.models import AuditEntry
from jixiao.core.testing import PASSWORD
from jixiao.cycles.models import Cycle, Phase
from jixiao.evaluations.tests.builders import build_world
from jixiao.scoring.models import Result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"evaluations-{name}.png"), full_page=True)


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    form = page.locator("form[action='/accounts/login/']")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(PASSWORD)
    form.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def expect_message(page: Any, text: str) -> None:
    assert page.locator(".messages").get_by_text(text).first.is_visible(), page.content()[:3000]


def test_one_unit_through_the_whole_assessment(live_server: Any, page: Any, tmp_path: Path) -> None:
    w = build_world(code="BW")
    unit = w.units[0]
    base = live_server.url
    c = f"{base}/cycles/{w.cycle.code}"
    evidence = tmp_path / "项目清单.pdf"
    evidence.write_bytes(PDF)
    fake = tmp_path / "setup.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)

    # The operator self-evaluates both leaves and uploads evidence; a renamed executable is refused.
    log_in(page, base, w.operator.username)
    page.goto(f"{c}/self-evaluation/")
    for leaf, score in ((w.judged[unit.code], "95"), (w.progress_leaf[unit.code], "90")):
        card = page.locator(f"#leaf-{leaf.pk}")
        card.get_by_label("完成情况").fill(f"{leaf.name}：全部完成")
        card.get_by_label("自评得分").fill(score)
        card.get_by_role("button", name="保存").click()
        expect_message(page, f"已保存指标 {leaf.code} 的自评")
    card = page.locator(f"#leaf-{w.judged[unit.code].pk}")
    card.locator("input[type=file]").set_input_files(str(fake))
    card.get_by_role("button", name="上传").click()
    expect_message(page, "不是允许的类型")
    card = page.locator(f"#leaf-{w.judged[unit.code].pk}")
    card.locator("input[type=file]").set_input_files(str(evidence))
    card.get_by_role("button", name="上传").click()
    expect_message(page, "已上传佐证材料")
    assert page.get_by_role("link", name="项目清单.pdf").is_visible()
    shot(page, "01-self-evaluation")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "01-self-evaluation-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The leader approves and submits.
    log_in(page, base, w.leader.username)
    page.goto(f"{c}/self-evaluation/")
    page.get_by_role("button", name="审核通过并提交").click()
    expect_message(page, "已审核并提交")

    # The office assigns two reviewers in bulk.
    log_in(page, base, w.office.username)
    page.goto(f"{c}/assessment/assignments/")
    page.get_by_label("单位代码").fill(unit.code)
    page.get_by_label("评委甲").check()
    page.get_by_label("评委乙").check()
    page.get_by_role("button", name="分配").click()
    expect_message(page, "新增 2 项评估分工")
    shot(page, "02-assignments")

    # The first reviewer returns 1.1 for more evidence.
    log_in(page, base, w.reviewer.username)
    page.goto(f"{c}/reviews/")
    shot(page, "03-review-queue")
    page.get_by_role("link", name="1.1 项目建设").click()
    page.get_by_text("退回补充材料").click()
    page.get_by_label("退回原因").fill("请补充项目验收材料")
    page.get_by_role("button", name="退回单位").click()
    expect_message(page, "已退回单位补充材料")

    # The unit sees the reason, adds a file, the leader resubmits.
    log_in(page, base, w.operator.username)
    page.goto(f"{c}/self-evaluation/")
    assert page.get_by_text("请补充项目验收材料").is_visible()
    card = page.locator(f"#leaf-{w.judged[unit.code].pk}")
    card.locator("input[type=file]").set_input_files(str(evidence))
    card.get_by_role("button", name="上传").click()
    expect_message(page, "已上传佐证材料")
    log_in(page, base, w.leader.username)
    page.goto(f"{c}/self-evaluation/")
    page.get_by_role("button", name="审核通过并提交").click()
    expect_message(page, "已审核并提交")

    # Both reviewers score both leaves.
    for reviewer, total in ((w.reviewer, "80"), (w.reviewer2, "90")):
        log_in(page, base, reviewer.username)
        page.goto(f"{c}/reviews/")
        page.get_by_role("link", name="1.1 项目建设").click()
        page.get_by_label("总分得分").fill(total)
        page.get_by_role("button", name="提交评分").click()
        expect_message(page, "评分已提交")
        page.goto(f"{c}/reviews/")
        page.get_by_role("link", name="1.2 营商环境").click()
        page.get_by_label("完成情况得分").fill("50")
        page.get_by_label("进步情况得分").fill("30")
        page.get_by_role("button", name="提交评分").click()
        expect_message(page, "评分已提交")
    shot(page, "04-review-item")

    # The collection unit downloads its grid, fills it in and uploads it.
    log_in(page, base, w.collector.username)
    page.goto(f"{c}/collection/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel 采集表").click()
    with open(download.value.path(), "rb") as handle:
        book = load_workbook(handle)
    sheet = book.active
    assert sheet is not None
    for row in sheet.iter_rows(min_row=3):
        row[2].value = 380 if row[0].value == unit.code else 360
        row[3].value = 1
    filled = tmp_path / "grid.xlsx"
    book.save(filled)
    page.locator("#grid-file").set_input_files(str(filled))
    page.get_by_role("button", name="上传并预览").click()
    assert page.get_by_role("heading", name="将修改 4 项").is_visible()
    shot(page, "05-collection-preview")
    page.get_by_role("button", name="确认导入").click()
    expect_message(page, "已导入 4 项采集数据")
    shot(page, "06-collection-grid")

    # The office watches progress and publishes.
    log_in(page, base, w.office.username)
    page.goto(f"{c}/assessment/progress/")
    shot(page, "07-progress")
    page.goto(f"{c}/assessment/settings/")
    page.get_by_role("button", name="计算并公示初步结果").click()
    expect_message(page, "已公示初步结果")
    published = Result.objects.get(cycle=w.cycle, unit=unit).composite

    # The unit appeals 1.1.
    log_in(page, base, w.operator.username)
    page.goto(f"{c}/appeals/")
    page.get_by_role("link", name="提出申诉").click()
    page.get_by_label("申诉事项").select_option("performance:1.1")
    page.get_by_label("申诉理由").fill("验收材料证明项目全部完成")
    page.get_by_role("button", name="提交申诉").click()
    expect_message(page, "申诉已提交")
    appeal_url = page.url

    # The office assigns itself the re-check and changes the first reviewer's 80 to 90.
    log_in(page, base, w.office.username)
    page.goto(appeal_url)
    page.locator("#id_checker").select_option(label="效能办")
    page.get_by_role("button", name="指定复核").click()
    expect_message(page, "已指定复核人")
    page.get_by_label("予以更正").check()
    page.get_by_label("评委甲 · 总分").fill("90")
    page.get_by_label("复核意见").fill("核实验收材料，予以更正")
    shot(page, "08-ruling")
    page.get_by_role("button", name="作出裁定").click()
    expect_message(page, "已作出复核裁定")
    ruled = Result.objects.get(cycle=w.cycle, unit=unit).composite
    # Leaf 1.1: mean(80, 90) = 85 → mean(90, 90) = 90; +5 indicator points × 0.6.
    assert ruled - published == Decimal("3")

    # The unit reads the ruling.
    log_in(page, base, w.operator.username)
    page.goto(appeal_url)
    assert page.get_by_text("核实验收材料，予以更正").is_visible()
    assert page.get_by_text("85.00 → 90.00").is_visible()
    assert "评委甲" not in page.locator(".ev-ruling").inner_text()
    shot(page, "09-ruling-unit")

    # The office finalizes; the audit page shows every step.
    log_in(page, base, w.office.username)
    page.goto(f"{c}/assessment/settings/")
    page.get_by_role("button", name="定档").click()
    expect_message(page, "已定档")
    cycle = Cycle.objects.get(pk=w.cycle.pk)
    assert cycle.phase == Phase.FINALIZED and cycle.results_hash
    page.goto(f"{c}/results/compare/?changed=1")
    assert page.locator("tr.is-changed").count() >= 3
    shot(page, "10-compare")
    page.goto(f"{c}/audit/")
    shot(page, "11-audit")
    text = page.locator(".ev-audit").inner_text()
    for action in (
        "save_self_evaluation",
        "add_evidence",
        "self_evaluation_state",
        "assign_reviewers",
        "return_for_evidence",
        "save_review",
        "save_collection_value",
        "change_phase",
        "lodge_appeal",
        "appeal_state",
        "correct_review",
        "finalize_cycle",
    ):
        assert (
            action in text
            or AuditEntry.objects.filter(cycle_code=cycle.code, action=action).exists()
        ), action
    page.get_by_label("关键词").fill("1.1")
    page.get_by_role("button", name="查询").click()
    assert page.locator(".ev-audit tbody tr").count() >= 3
    page.goto(f"{c}/units/{unit.code}/history/?line=performance:1.1")
    assert page.get_by_text("correct_review").is_visible()
    shot(page, "12-line-history")
