"""Reading the tables offices make, writing the same layout, and the round trip."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from jixiao.indicators import excel
from jixiao.indicators.models import Indicator, Tree
from jixiao.indicators.services import ImportMode, get_tree_status, import_tree
from jixiao.indicators.tests.conftest import Cast
from jixiao.indicators.tests.workbooks import office_table
from jixiao.indicators.views import TreeRef, import_context

pytestmark = pytest.mark.django_db

# An office's 附件1: first-level names merged down, "20分" and full-width digits, a stated
# first-level total in the name, a totals row and a note under the table.
OFFICE_ROWS: list[list[Any]] = [
    [
        1,
        "经济发展（120分）",
        "项目建设",
        "７０分",
        "完成 3 个项目",
        "评估组评分",
        "区委全会",
        "规划科",
        "张三",
        "2020-06-30",
    ],
    [
        2,
        None,
        "招商引资",
        "50.0",
        "引资 1 亿元",
        "每发现一起扣2分",
        "政府工作报告",
        "规划科",
        "李四",
        "2020年12月",
    ],
    [3, "服务保障", "优抚安置", 80, "按时发放", "评估组评分", "职能职责", "优抚科", "王五", None],
    ["合计", None, None, "200分"],
]


def ref_for(cast: Cast, unit: bool = True) -> TreeRef:
    u = cast.unit if unit else None
    return TreeRef(cast.cycle, u, get_tree_status(cycle=cast.cycle, unit=u))


def parse(
    cast: Cast, data: bytes, mode: str = ImportMode.REPLACE, unit: bool = True
) -> excel.ParseResult:
    return excel.parse_workbook(
        data, filename="t.xlsx", context=import_context(ref_for(cast, unit), mode)
    )


def snapshot(cast: Cast, unit: bool = True) -> list[tuple[Any, ...]]:
    """The tree as comparable values: every field, parents by code, in table order."""
    rows = Indicator.objects.filter(
        cycle=cast.cycle, unit=cast.unit if unit else None
    ).select_related("parent")
    return sorted(
        (
            r.code,
            r.parent.code if r.parent else None,
            r.name,
            r.points,
            r.method,
            r.aggregation,
            r.points_per_finding,
            r.completion_points,
            r.progress_points,
            r.source,
            r.source_detail,
            r.target,
            r.rule,
            r.collection_unit_id,
            r.responsible_office,
            r.responsible_person,
            r.deadline,
        )
        for r in rows
    )


def export(cast: Cast, unit: bool = True) -> bytes:
    ref = ref_for(cast, unit)
    rows = list(
        Indicator.objects.filter(cycle=cast.cycle, tree=ref.tree, unit=ref.unit)
        .select_related("collection_unit")
        .order_by("order", "id")
    )
    total = sum((r.points for r in rows if r.parent_id is None), Decimal(0))
    return excel.export_workbook(
        tree=ref.tree, rows=rows, title=ref.title, unit_name="单位", total=total
    )


def do_import(cast: Cast, data: bytes, mode: str = ImportMode.REPLACE, unit: bool = True) -> None:
    result = parse(cast, data, mode, unit)
    assert result.errors == []
    import_tree(status=ref_for(cast, unit).status, nodes=result.nodes, mode=mode, by=cast.operator)


def test_an_office_table_is_read_with_merged_cells_titles_points_and_totals(cast: Cast) -> None:
    result = parse(cast, office_table(OFFICE_ROWS, merges=["B6:B7"]))
    assert result.errors == [] and result.warnings == []
    got = [
        (n.level, n.code, n.name, n.points, n.method, n.source, n.deadline) for n in result.nodes
    ]
    assert got == [
        (1, "一", "经济发展", "120", "", "", None),
        (2, "1", "项目建设", "70", "judgement", "decision", "2020-06-30"),
        (2, "2", "招商引资", "50", "deduction", "decision", "2020-12-31"),
        (1, "二", "服务保障", "80", "", "", None),
        (2, "3", "优抚安置", "80", "judgement", "own_plan", None),
    ]
    assert result.nodes[2].points_per_finding == "2"


def test_import_export_import_gives_the_identical_tree(cast: Cast) -> None:
    do_import(cast, office_table(OFFICE_ROWS, merges=["B6:B7"]))
    first = snapshot(cast)
    data = export(cast)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize or 0) == 9
    assert any(rng.min_row != rng.max_row for rng in ws.merged_cells.ranges)
    do_import(cast, data)
    assert snapshot(cast) == first
    # And once more from the second export: the layout is stable.
    do_import(cast, export(cast))
    assert snapshot(cast) == first


def test_round_trip_of_a_three_level_common_tree_with_collection_units(cast: Cast) -> None:
    rows: list[list[Any]] = [
        ["A", "依法行政", None, None, 800, None, None, None],
        ["A.1", None, "法治建设", None, 500, None, None, None],
        ["A.1.1", None, None, "行政复议", "３００", "每发现一起扣5分", "区司法局", "满分倒扣"],
        ["A.1.2", None, None, "执法监督", "200分", "按完成率计分", "C1", "完成率"],
        ["A.2", None, "普法", None, 300, "评估组打分", "区司法局", ""],
        ["合计", None, None, None, 800],
    ]
    header = (
        "序号",
        "一级指标",
        "二级指标",
        "三级指标",
        "分值",
        "评估办法",
        "数据采集单位",
        "评分方式",
    )
    do_import(
        cast,
        office_table(rows, header=header, merges=["B6:B10", "C7:C9"], sheet="附件2"),
        unit=False,
    )
    first = snapshot(cast, unit=False)
    by_code = {r[0]: r for r in first}
    assert by_code["A"][1:5] == (None, "依法行政", Decimal(800), "")
    assert by_code["A.1.1"][4] == "deduction" and by_code["A.1.1"][6] == Decimal(5)
    assert by_code["A.1.2"][4] == "ratio"
    assert by_code["A.2"][4] == "judgement"
    assert {r[13] for r in first if r[4]} == {cast.collector_unit.pk}
    do_import(cast, export(cast, unit=False), unit=False)
    assert snapshot(cast, unit=False) == first


def test_replacing_keeps_the_rows_of_codes_still_present(cast: Cast) -> None:
    do_import(cast, office_table(OFFICE_ROWS, merges=["B6:B7"]))
    kept = Indicator.objects.get(unit=cast.unit, code="3").pk
    do_import(cast, export(cast))
    assert Indicator.objects.get(unit=cast.unit, code="3").pk == kept


def errors_of(cast: Cast, data: bytes, mode: str = ImportMode.REPLACE) -> list[str]:
    return [str(e) for e in parse(cast, data, mode).errors]


def test_a_corrupt_workbook_is_named() -> None:
    ctx = excel.ImportContext(
        tree=Tree.PERFORMANCE, expected_total=Decimal(200), year=2020, units={}
    )
    result = excel.parse_workbook(b"PK\x03\x04 not really", filename="bad.xlsx", context=ctx)
    assert [str(e) for e in result.errors] == [
        "工作表“bad.xlsx”：文件已损坏或不是 Excel 工作簿（.xlsx）"
    ]


def test_a_password_protected_workbook_is_named() -> None:
    ctx = excel.ImportContext(
        tree=Tree.PERFORMANCE, expected_total=Decimal(200), year=2020, units={}
    )
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    result = excel.parse_workbook(ole, filename="secret.xlsx", context=ctx)
    assert "密码保护" in str(result.errors[0])


def test_an_upload_over_10_mb_is_refused_before_it_is_opened() -> None:
    ctx = excel.ImportContext(
        tree=Tree.PERFORMANCE, expected_total=Decimal(200), year=2020, units={}
    )
    result = excel.parse_workbook(b"x" * (excel.MAX_BYTES + 1), filename="big.xlsx", context=ctx)
    assert "超过 10 MB" in str(result.errors[0])


def test_a_sheet_without_a_header(cast: Cast) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws.append(["名称", "数量"])
    out = io.BytesIO()
    wb.save(out)
    assert errors_of(cast, out.getvalue()) == [
        "工作表“Sheet1”：没有找到表头：前 30 行中须有一行同时含“一级指标”和“分值”列"
    ]


def test_points_written_as_text(cast: Cast) -> None:
    rows = [list(r) for r in OFFICE_ROWS]
    rows[0][3] = "七十"
    errors = errors_of(cast, office_table(rows, merges=["B6:B7"]))
    assert errors[0] == "工作表“附件1” 第 6 行 D（分值） 列：“七十”不是数字"


def test_a_second_level_row_before_any_first_level_row(cast: Cast) -> None:
    rows = [[1, None, "项目建设", 200], ["合计", None, None, 200]]
    assert errors_of(cast, office_table(rows)) == [
        "工作表“附件1” 第 6 行 B（一级指标） 列：二级指标出现在任何一级指标之前",
        "工作表“附件1” 第 5 行：表头下没有指标行",
    ]


def test_a_tree_totalling_199_5_names_the_totals_row(cast: Cast) -> None:
    rows = [list(r) for r in OFFICE_ROWS]
    rows[2][3] = "79.5"
    rows[3][3] = "199.5"
    assert errors_of(cast, office_table(rows, merges=["B6:B7"])) == [
        "工作表“附件1” 第 9 行 D（分值） 列：指标合计 199.5 分，应为 200 分（差 -0.5）"
    ]


def test_a_duplicated_code(cast: Cast) -> None:
    rows = [list(r) for r in OFFICE_ROWS]
    rows[2][0] = 2
    assert errors_of(cast, office_table(rows, merges=["B6:B7"])) == [
        "工作表“附件1” 第 8 行 A（序号） 列：序号“2”重复（第 7 行已使用）"
    ]


def test_a_deadline_outside_the_cycle_year(cast: Cast) -> None:
    rows = [list(r) for r in OFFICE_ROWS]
    rows[0][9] = "2021-03-31"
    assert errors_of(cast, office_table(rows, merges=["B6:B7"])) == [
        "工作表“附件1” 第 6 行 J（完成时限） 列：完成时限 2021-03-31 不在 2020 年度内"
    ]


def test_nothing_is_saved_when_a_workbook_has_errors(cast: Cast) -> None:
    rows = [list(r) for r in OFFICE_ROWS]
    rows[0][3] = "七十"
    assert parse(cast, office_table(rows, merges=["B6:B7"])).errors
    assert not Indicator.objects.filter(unit=cast.unit).exists()


def test_appending_checks_the_total_with_the_nodes_already_there(cast: Cast) -> None:
    from jixiao.indicators.tests.builders import build_tree

    build_tree(cast.cycle, cast.unit, cast.operator)  # 200 already
    rows: list[list[Any]] = [
        ["三", "党建", "", 10],
        ["三.1", None, "组织建设", 10, "", "", "职能职责"],
    ]
    assert errors_of(cast, office_table(rows), ImportMode.APPEND) == [
        "工作表“附件1” 第 7 行 D（分值） 列："
        "现有指标 200 分加本表 10 分，合计 210 分，应为 200 分（差 +10）"
    ]
