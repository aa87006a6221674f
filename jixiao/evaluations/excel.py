"""The collection grid as an Excel sheet: download a template, upload it filled in.

Row 1 names the columns for people, row 2 carries the keys the upload reads
(``unit``, ``A.1:score``, ``B.2:actual`` …); rows from 3 are the assessed units. An upload is
checked as a whole: every problem is reported with its row and column, and nothing is saved
unless there are none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from jixiao.accounts.models import Unit
from jixiao.cycles.models import Cycle
from jixiao.evaluations.models import CollectionValue
from jixiao.evaluations.services import (
    CollectionEntry,
    fields_for,
    validate_collection_entry,
)
from jixiao.indicators.models import Indicator

# Lazy: the module is imported once, the labels are read in each request's language.
FIELD_LABELS = {
    "score": gettext_lazy("得分"),
    "finding_count": gettext_lazy("发现问题数"),
    "actual": gettext_lazy("实际完成值"),
    "target": gettext_lazy("目标值"),
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def columns(leaves: list[Indicator]) -> list[tuple[Indicator, str]]:
    return [(leaf, name) for leaf in leaves for name in fields_for(leaf.method)]


def build_template(
    *,
    cycle: Cycle,
    collection_unit: Unit,
    leaves: list[Indicator],
    units: list[Unit],
    values: dict[tuple[int, int], CollectionValue],
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("采集表")
    cols = columns(leaves)
    sheet.append(
        [_("单位代码"), _("单位名称")]
        + [f"{leaf.code} {leaf.name} · {FIELD_LABELS[name]}" for leaf, name in cols]
    )
    sheet.append(["unit", "name"] + [f"{leaf.code}:{name}" for leaf, name in cols])
    for unit in units:
        row: list[Any] = [unit.code, unit.name]
        for leaf, name in cols:
            value = values.get((unit.pk, leaf.pk))
            cell = getattr(value, name) if value is not None else None
            row.append(float(cell) if isinstance(cell, Decimal) else cell)
        sheet.append(row)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for cell in sheet[2]:
        cell.fill = PatternFill("solid", fgColor="EEEEEE")
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["B"].width = 24
    for i in range(3, len(cols) + 3):
        sheet.column_dimensions[get_column_letter(i)].width = 18
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class ParsedUpload:
    entries: list[CollectionEntry]
    errors: list[str]


def _number(raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, float):
        # openpyxl reads numbers as floats; repr gives the shortest text that round-trips, so
        # 1.234 stays 1.234 (and is refused for its places) instead of becoming 1.23.
        return Decimal(repr(raw))
    return Decimal(str(raw).strip())


def parse_upload(
    *, stream: IO[bytes], cycle: Cycle, leaves: list[Indicator], units_by_code: dict[str, Unit]
) -> ParsedUpload:
    errors: list[str] = []
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return ParsedUpload([], [_("无法读取该文件：请上传从本页下载的 .xlsx 采集表")])
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if len(rows) < 2:
        return ParsedUpload([], [_("表格缺少表头（第 1、2 行）")])
    keys = [str(k).strip() if k is not None else "" for k in rows[1]]
    if not keys or keys[0] != "unit":
        return ParsedUpload([], [_("第 2 行第 1 列应为 unit：请使用本页下载的模板")])
    by_code = {leaf.code: leaf for leaf in leaves}
    cols: list[tuple[int, Indicator, str]] = []
    for index, key in enumerate(keys):
        if index < 2 or not key:
            continue
        code, _sep, name = key.partition(":")
        leaf = by_code.get(code)
        if leaf is None or name not in fields_for(leaf.method):
            errors.append(
                _("第 2 行第 %(col)s 列：不认识的列“%(key)s”")
                % {"col": get_column_letter(index + 1), "key": key}
            )
            continue
        cols.append((index, leaf, name))
    entries: list[CollectionEntry] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[2:], start=3):
        if not row or all(v is None or str(v).strip() == "" for v in row):
            continue
        code = str(row[0]).strip() if row[0] is not None else ""
        unit = units_by_code.get(code)
        if unit is None:
            errors.append(
                _("第 %(row)s 行：单位代码“%(code)s”不存在或未参加本年度考评")
                % {"row": number, "code": code}
            )
            continue
        if code in seen:
            errors.append(
                _("第 %(row)s 行：单位代码“%(code)s”重复") % {"row": number, "code": code}
            )
            continue
        seen.add(code)
        per_leaf: dict[int, CollectionEntry] = {}
        for index, leaf, name in cols:
            raw = row[index] if index < len(row) else None
            where = _("第 %(row)s 行 %(col)s 列") % {
                "row": number,
                "col": get_column_letter(index + 1),
            }
            entry = per_leaf.setdefault(
                leaf.pk, CollectionEntry(unit=unit, indicator=leaf, where=where)
            )
            try:
                value = _number(raw)
            except InvalidOperation:
                errors.append(f"{where}: " + _("“%(raw)s”不是数字") % {"raw": raw})
                continue
            if name == "finding_count" and value is not None:
                if value != value.to_integral_value():
                    errors.append(f"{where}: " + _("发现问题数必须是整数"))
                    continue
                setattr(entry, name, int(value))
            else:
                setattr(entry, name, value)
        for entry in per_leaf.values():
            problems = validate_collection_entry(entry, cycle)
            errors.extend(problems)
            if not problems:
                entries.append(entry)
    return ParsedUpload(entries, errors)
