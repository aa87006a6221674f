"""Workbooks made in the tests, the way offices make them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook


def office_table(
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = (
        "序号",
        "一级指标",
        "二级指标",
        "分值",
        "指标内容/目标任务",
        "评估办法",
        "指标来源",
        "责任科室",
        "责任人",
        "完成时限",
    ),
    merges: Sequence[str] = (),
    title_rows: bool = True,
    notes: bool = True,
    sheet: str = "附件1",
) -> bytes:
    """A sheet with the 附件 number, the table's title and the unit's name above the header,
    ``rows`` below it (row 5 on), the given merged ranges and a note under the table."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    if title_rows:
        ws.append(["附件1"])
        ws.append(["2020年度绩效指标任务分解表（200分）"])
        ws.merge_cells("A2:J2")
        ws.append(["单位（盖章）：区退役军人事务局"])
        ws.append([])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    if notes:
        ws.append([])
        ws.append(["注：1. 分值合计 200 分；2. 完成时限为 2020 年内。"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
