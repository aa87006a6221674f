"""Excel for the adjustments pages: every list exports as .xlsx, and the city incentive
imports from one sheet of 单位代码 / 单位名称 / 激励得分 / 来源."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import IO, Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jixiao.accounts.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_ROWS = 5000


def xlsx_response(
    filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])
    ws.append([_bold(ws, h) for h in headers])
    widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        for i, value in enumerate(values):
            widths[i] = min(60, max(widths[i], len(str(value or "")) * 2 + 2))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _bold(ws: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=str(value))
    cell.font = Font(bold=True)
    return cell


def _cell(value: Any) -> Any:
    # Scores leave as numbers so the office can add them up in Excel; Decimal → float is
    # exact for two decimals at these magnitudes.
    if isinstance(value, Decimal):
        return float(value)
    return value


# City incentive import ----------------------------------------------------------------------

HEADERS = ("单位代码", "单位名称", "激励得分", "来源")


@dataclass(frozen=True)
class ImportRow:
    line: int
    unit_code: str
    unit_name: str
    points: Decimal | None
    source: str


@dataclass(frozen=True)
class ImportProblem:
    line: int
    column: str
    message: str


def template_response() -> HttpResponse:
    return xlsx_response(_("市对区激励得分导入模板.xlsx"), _("激励得分"), HEADERS, [])


def parse_city_incentives(
    data: IO[bytes], *, units: dict[str, Unit], precision: int
) -> tuple[list[ImportRow], list[ImportProblem]]:
    """Rows of the first sheet and every problem found, by row and column. An empty points
    cell removes the unit's entry."""
    problems: list[ImportProblem] = []
    try:
        book = load_workbook(data, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return [], [ImportProblem(0, "", _("无法读取文件：请上传 .xlsx 格式的 Excel 文件。"))]
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        return [], [ImportProblem(0, "", _("文件中没有工作表。"))]
    rows_iter = sheet.iter_rows(values_only=True)
    header = next(rows_iter, None)
    names = [str(h).strip() if h is not None else "" for h in (header or ())]
    missing = [h for h in ("单位代码", "激励得分") if h not in names]
    if missing:
        return [], [ImportProblem(1, h, _("第 1 行缺少表头“%(h)s”。") % {"h": h}) for h in missing]
    col = {name: names.index(name) for name in HEADERS if name in names}
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for line, values in enumerate(rows_iter, start=2):
        if line > MAX_IMPORT_ROWS + 1:
            problems.append(
                ImportProblem(line, "", _("行数过多（最多 %(n)s 行）。") % {"n": MAX_IMPORT_ROWS})
            )
            break

        def get(name: str, values: Sequence[Any] = values) -> Any:
            i = col.get(name)
            return values[i] if i is not None and i < len(values) else None

        if all(v in (None, "") for v in values):
            continue
        code = str(get("单位代码") or "").strip()
        if not code:
            problems.append(ImportProblem(line, "单位代码", _("单位代码为空。")))
            continue
        if code not in units:
            problems.append(
                ImportProblem(line, "单位代码", _("单位“%(c)s”未参加本年度考评。") % {"c": code})
            )
            continue
        if code in seen:
            problems.append(
                ImportProblem(
                    line,
                    "单位代码",
                    _("单位“%(c)s”与第 %(l)s 行重复。") % {"c": code, "l": seen[code]},
                )
            )
            continue
        seen[code] = line
        raw = get("激励得分")
        points: Decimal | None = None
        if raw not in (None, ""):
            try:
                points = Decimal(str(raw).strip())
            except InvalidOperation:
                problems.append(
                    ImportProblem(line, "激励得分", _("“%(v)s”不是数字。") % {"v": raw})
                )
                continue
            if not points.is_finite() or points < 0:
                problems.append(
                    ImportProblem(line, "激励得分", _("“%(v)s”不能为负数。") % {"v": raw})
                )
                continue
            if isinstance(raw, float):
                points = Decimal(repr(raw))
            exponent = points.normalize().as_tuple().exponent
            if isinstance(exponent, int) and exponent < -precision:
                problems.append(
                    ImportProblem(
                        line,
                        "激励得分",
                        _("“%(v)s”超过 %(n)s 位小数。") % {"v": raw, "n": precision},
                    )
                )
                continue
            if points >= Decimal("1000000"):
                problems.append(ImportProblem(line, "激励得分", _("“%(v)s”过大。") % {"v": raw}))
                continue
        source = str(get("来源") or "").strip()
        if len(source) > 300:
            problems.append(ImportProblem(line, "来源", _("来源不能超过 300 字。")))
            continue
        rows.append(ImportRow(line, code, units[code].name, points, source))
    return rows, problems
