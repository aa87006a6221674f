"""Excel and PDF downloads, read back: the workbook's cells, the PDF's text."""

from __future__ import annotations

import io
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.reports.tests.conftest import Cast
from jixiao.reports.tests.data import Built, build_cycle
from jixiao.scoring.models import Result

pytestmark = pytest.mark.django_db


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def workbook(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(body(response)))


def pdf_text(response: Any) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(body(response))
        f.flush()
        done = subprocess.run(
            ["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True, text=True
        )
    return done.stdout


def pdf_pages(response: Any) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(body(response))
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, check=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def url(name: str, *args: str) -> str:
    return reverse(name, args=list(args))


def test_score_sheet_has_a_sheet_per_group_in_rank_order_with_every_leaf(
    built: Built, cast: Cast, client_as: Any
) -> None:
    book = workbook(client_as(cast.viewer).get(url("export_score_sheet_xlsx", "2020")))

    assert book.sheetnames == ["政府部门", "镇街"]
    sheet = book["政府部门"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["名次", "单位代码", "单位名称", "绩效评估得分", "等次", "暂定"]
    assert "业绩指标 1.1" in header
    assert "自身建设指标 A.1 决策科学化" in header
    assert sheet.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    stored = list(
        Result.objects.filter(group__code="G1").order_by("rank").values_list("unit__name", "rank")
    )
    assert [(r[2], r[0]) for r in rows] == stored
    first = Result.objects.get(unit=built.units[0])
    assert rows[0][3] == pytest.approx(float(first.composite))
    assert sheet.cell(row=2, column=4).number_format == "0.00"
    leaf = header.index("自身建设指标 A.1 决策科学化")
    assert Decimal(str(rows[0][leaf])) == Decimal(first.leaf_scores["self_construction:A.1"])


def test_score_sheet_for_one_group_only(built: Built, cast: Cast, client_as: Any) -> None:
    response = client_as(cast.office).get(url("export_score_sheet_xlsx", "2020"), {"group": "G2"})
    assert workbook(response).sheetnames == ["镇街"]
    unknown = client_as(cast.office).get(url("export_score_sheet_xlsx", "2020"), {"group": "X"})
    assert unknown.status_code == 404


def test_ranking_table_lists_every_group_and_last_years_rank(
    built: Built, cast: Cast, client_as: Any
) -> None:
    build_cycle("2019", units=built.units, reverse=True)
    sheet = workbook(client_as(cast.viewer).get(url("export_ranking_xlsx", "2020")))["排名表"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(values_only=False)]
    assert rows[0] == [
        "组别", "名次", "单位代码", "单位名称", "绩效评估得分", "等次", "暂定",
        "2019 年度名次", "2019 年度得分",
    ]  # fmt: skip
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ("政府部门", 1, "第1局"),
        ("政府部门", 2, "第2局"),
        ("镇街", 1, "第3局"),
        ("镇街", 2, "第4局"),
    ]
    assert [r[7] for r in rows[1:]] == [2, 1, 2, 1]


def test_adjustments_detail_lists_bonuses_and_multiplied_deductions(
    built: Built, cast: Cast, client_as: Any
) -> None:
    book = workbook(client_as(cast.office).get(url("export_adjustments_xlsx", "2020")))
    bonuses = [[c.value for c in r] for r in book["正向激励得分"].iter_rows(min_row=2)]
    deductions = [[c.value for c in r] for r in book["察访核验扣分"].iter_rows(min_row=2)]
    assert bonuses[0][3] == "区主要领导书面批示肯定"
    assert len(bonuses) == 4
    city = next(r for r in deductions if r[2] == "4.7")
    assert city[6] == "市级" and city[7] == 2 and city[8] == 3


def test_notice_pdf_has_the_ranking_per_group_in_chinese_with_page_numbers(
    built: Built, cast: Cast, client_as: Any
) -> None:
    text = pdf_text(client_as(cast.viewer).get(url("export_notice_pdf", "2020")))

    assert "关于2020 年度绩效考评结果的通报" in text
    assert "1. 政府部门" in text and "2. 镇街" in text
    assert "第1页/共1页" in text.replace(" ", "")
    lines = [line.split() for line in text.splitlines() if "局" in line and line.split()]
    ranked = [(cells[0], cells[1]) for cells in lines if cells[0].isdigit()]
    assert ranked == [("1", "第1局"), ("2", "第2局"), ("1", "第3局"), ("2", "第4局")]
    first = Result.objects.get(unit=built.units[0])
    assert f"{first.composite:.2f}" in text


def test_unit_card_pdf_is_one_page_with_last_year_beside(
    built: Built, cast: Cast, client_as: Any
) -> None:
    build_cycle("2019", units=built.units, reverse=True)
    response = client_as(cast.operator).get(url("export_card_pdf", "2020", built.units[0].code))
    raw = body(response)
    response.streaming_content = iter([raw])
    text = pdf_text(response)
    response.streaming_content = iter([raw])
    assert pdf_pages(response) == 1
    assert "第1局 · 评分卡" in text
    assert "2019 年度" in text
    assert "项目建设" in text and "决策科学化" in text
    now = Result.objects.get(cycle=built.cycle, unit=built.units[0])
    assert f"{now.composite:.2f}" in text


def test_all_cards_pdf_has_a_page_per_unit(built: Built, cast: Cast, client_as: Any) -> None:
    response = client_as(cast.office).get(url("export_cards_pdf", "2020"))
    raw = body(response)
    response.streaming_content = iter([raw])
    text = pdf_text(response)
    response.streaming_content = iter([raw])
    assert pdf_pages(response) == 4
    assert [name for name in ("第1局", "第2局", "第3局", "第4局") if f"{name} · 评分卡" in text]
    assert "第4页/共4页" in text.replace(" ", "")


@pytest.mark.parametrize(
    ("who", "name", "status"),
    [
        ("operator", "export_score_sheet_xlsx", 403),
        ("operator", "export_ranking_xlsx", 403),
        ("operator", "export_notice_pdf", 403),
        ("operator", "export_cards_pdf", 403),
        ("operator", "export_adjustments_xlsx", 403),
        ("viewer", "export_cards_pdf", 403),
        ("viewer", "export_adjustments_xlsx", 403),
        ("inspector", "export_score_sheet_xlsx", 403),
        ("outsider", "export_score_sheet_xlsx", 404),
        ("outsider", "export_notice_pdf", 404),
    ],
)
def test_exports_refuse_who_may_not_see_every_unit(
    who: str, name: str, status: int, built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(getattr(cast, who)).get(url(name, "2020"))
    assert response.status_code == status


def test_operator_cannot_download_another_units_card(
    built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.operator).get(url("export_card_pdf", "2020", built.units[1].code))
    assert response.status_code == 404


@pytest.mark.parametrize("units", [1, 3])
def test_score_sheet_queries(
    units: int, cast: Cast, client_as: Any, django_assert_num_queries: Any
) -> None:
    build_cycle("2021", units_per_group=units, groups=(("G1", "政府部门"),))
    client = client_as(cast.office)
    # session, user, cycle, memberships, groups, the common tree's leaves, the group's
    # performance leaf codes, the group's results with units (one chunk).
    with django_assert_num_queries(8):
        response = client.get(url("export_score_sheet_xlsx", "2021"))
        rows = list(workbook(response)["政府部门"].iter_rows(min_row=2))
    assert len(rows) == units


@pytest.mark.parametrize("units", [1, 3])
def test_ranking_table_and_notice_queries(
    units: int, cast: Cast, client_as: Any, django_assert_num_queries: Any
) -> None:
    build_cycle("2021", units_per_group=units, groups=(("G1", "政府部门"),))
    client = client_as(cast.office)
    # session, user, cycle, memberships, previous cycle (2020 of the fixture), its results,
    # the results with unit and group.
    with django_assert_num_queries(7):
        body(client.get(url("export_ranking_xlsx", "2021")))
    # session, user, cycle, memberships, groups, results with units.
    with django_assert_num_queries(6):
        body(client.get(url("export_notice_pdf", "2021")))


@pytest.mark.parametrize("units", [1, 3])
def test_cards_pdf_queries(
    units: int, cast: Cast, client_as: Any, django_assert_num_queries: Any
) -> None:
    build_cycle("2021", units_per_group=units, groups=(("G1", "政府部门"),))
    client = client_as(cast.office)
    # session, user, cycle, memberships, results, previous cycle twice (pages, title), its
    # results, group sizes, indicators.
    with django_assert_num_queries(10):
        body(client.get(url("export_cards_pdf", "2021")))


def test_pdf_fonts_are_embedded(built: Built, cast: Cast, client_as: Any) -> None:
    raw = body(client_as(cast.viewer).get(url("export_notice_pdf", "2020")))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "n.pdf"
        path.write_bytes(raw)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts
