"""附件1 and 附件2 as Excel workbooks: reading the tables offices make, writing the same layout.

Reading accepts what offices actually send: title rows above the header, the header found by
its column names in any order (some absent), first-level cells merged down over their
second-level rows (or repeated, or given a row of their own), a totals row (合计), points
written ``20``, ``20.0``, ``20分`` or with full-width digits, blank rows and notes under the
table. Every problem is reported with its sheet, row and column; a workbook with any error
is not imported at all (the caller saves nothing unless ``ParseResult.errors`` is empty).

Writing gives one row per node (first-level rows merged down over their children's rows), a
totals row and an A4-landscape print setup, so that an exported workbook imports back to the
identical tree.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.indicators.checks import CheckNode, check_nodes, plain
from jixiao.indicators.models import Aggregation, Indicator, Method, Source, Tree

#: Uploads above this are refused before they are opened.
MAX_BYTES = 10 * 1024 * 1024
#: How far down the header may be (title rows, the unit's name, blank rows).
HEADER_SEARCH_ROWS = 30

# Columns ----------------------------------------------------------------------------------

#: Column key → (the name written on export, other names accepted on import). Names are
#: compared after normalisation (full-width → half-width, no spaces or line breaks).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("序号", ("编号",)),
    "level1": ("一级指标", ("一级指标名称",)),
    "level2": ("二级指标", ("二级指标名称",)),
    "level3": ("三级指标", ("三级指标名称",)),
    "points": ("分值", ("分数", "分值(分)", "权重", "标准分")),
    "target": (
        "指标内容/目标任务",
        ("指标内容", "目标任务", "指标内容及目标任务", "目标任务(指标内容)", "工作目标"),
    ),
    "rule": ("评估办法", ("评分标准", "考评办法", "评估办法(评分标准)", "评分办法")),
    "method": ("评分方式", ("评估方式",)),
    "aggregation": ("汇总方式", ()),
    "points_per_finding": ("每起扣分", ()),
    "completion_points": ("完成情况分值", ()),
    "progress_points": ("进步情况分值", ()),
    "source": ("指标来源", ("来源",)),
    "source_detail": ("来源说明", ()),
    "collection_unit": (
        "数据采集单位",
        ("数据来源/采集单位", "数据来源", "采集单位", "数据采集责任单位", "数据来源及采集单位"),
    ),
    "responsible_office": ("责任科室", ("责任部门", "责任股室")),
    "responsible_person": ("责任人", ()),
    "deadline": ("完成时限", ("时间节点", "完成时间")),
}
LEVEL_KEYS = ("level1", "level2", "level3")
TOTAL_WORDS = frozenset({"合计", "总计", "总分", "合计分值"})
NOTE_PREFIXES = ("注", "备注", "说明", "附注", "填表说明", "填报说明")
CHINESE_NUMERALS = "一二三四五六七八九十"


def normalise(value: Any) -> str:
    """Text of a cell as compared: full-width folded to half-width, no inner spaces."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text)


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for key, (main, others) in COLUMNS.items():
        for name in (main, *others):
            names[normalise(name)] = key
    return names


HEADER_NAMES = _header_names()


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 23 → 二十三 (the numbering of first-level rows)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


# Results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int | None
    column: str  # "E（分值）", or "" for the workbook as a whole
    message: str

    def __str__(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("工作表“%(sheet)s”") % {"sheet": self.sheet})
        if self.row is not None:
            parts.append(_("第 %(row)s 行") % {"row": self.row})
        if self.column:
            parts.append(_("%(column)s 列") % {"column": self.column})
        where = " ".join(parts)
        return f"{where}：{self.message}" if where else self.message


@dataclass
class ParsedNode:
    """One node read from a sheet. ``index`` is its place in the sheet (0-based), ``parent``
    the index of its parent; values are plain JSON types so a preview can be kept in the
    session between the upload and the confirmation."""

    index: int
    level: int
    parent: int | None
    row: int
    code: str
    name: str
    points: str  # a decimal, as text
    method: str = ""
    aggregation: str = Aggregation.MEAN
    points_per_finding: str | None = None
    completion_points: str | None = None
    progress_points: str | None = None
    source: str = ""
    source_detail: str = ""
    target: str = ""
    rule: str = ""
    collection_unit_id: int | None = None
    collection_unit_name: str = ""
    responsible_office: str = ""
    responsible_person: str = ""
    deadline: str | None = None  # ISO date

    def model_values(self) -> dict[str, Any]:
        def dec(text: str | None) -> Decimal | None:
            return None if text is None else Decimal(text)

        return {
            "code": self.code,
            "name": self.name,
            "points": Decimal(self.points),
            "method": self.method,
            "aggregation": self.aggregation,
            "points_per_finding": dec(self.points_per_finding),
            "completion_points": dec(self.completion_points),
            "progress_points": dec(self.progress_points),
            "source": self.source,
            "source_detail": self.source_detail,
            "target": self.target,
            "rule": self.rule,
            "collection_unit_id": self.collection_unit_id,
            "responsible_office": self.responsible_office,
            "responsible_person": self.responsible_person,
            "deadline": date.fromisoformat(self.deadline) if self.deadline else None,
        }

    @property
    def method_label(self) -> str:
        return str(Method(self.method).label) if self.method else ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedNode:
        return cls(**data)


@dataclass
class ParseResult:
    sheet: str = ""
    nodes: list[ParsedNode] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    #: Problems that do not stop the import but will stop a submission (a leaf without a
    #: source, say): shown in the preview.
    warnings: list[CellError] = field(default_factory=list)
    total: Decimal = Decimal(0)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportContext:
    """What the reader needs to know about the target tree."""

    tree: str
    expected_total: Decimal
    year: int | None
    units: dict[str, tuple[int, str]]  # normalised name / short name / code → (id, name)
    #: The tree as it is, for an import that adds to it: (code, points) of its first-level
    #: nodes and every code in use.
    existing_top_points: Decimal | None = None
    existing_codes: frozenset[str] = frozenset()


# Reading ----------------------------------------------------------------------------------


class _Sheet:
    """A worksheet with merged cells resolved: every cell of a merged range reads the value
    of its top-left cell, and knows whether it is that top-left cell."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.title = ws.title
        self.merged_from: dict[tuple[int, int], tuple[int, int]] = {}
        self.merged_height: dict[tuple[int, int], int] = {}
        for rng in ws.merged_cells.ranges:
            top = (rng.min_row, rng.min_col)
            self.merged_height[top] = rng.max_row - rng.min_row + 1
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self.merged_from[(r, c)] = top
        self.values: dict[tuple[int, int], Any] = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    self.values[(cell.row, cell.column)] = cell.value

    def value(self, row: int, col: int) -> Any:
        return self.values.get(self.merged_from.get((row, col), (row, col)))

    def own(self, row: int, col: int) -> Any:
        """The value only if this cell starts it (not a continuation of a merged range)."""
        top = self.merged_from.get((row, col))
        if top is not None and top != (row, col):
            return None
        return self.values.get((row, col))

    def is_merge_start(self, row: int, col: int) -> bool:
        return self.merged_height.get((row, col), 1) > 1

    @property
    def max_row(self) -> int:
        return max((r for r, _c in self.values), default=0)


def _open(data: bytes, name: str) -> tuple[Any, CellError | None]:
    if len(data) > MAX_BYTES:
        return None, CellError(
            name,
            None,
            "",
            _("文件大小 %(size)s MB，超过 10 MB 的上限")
            % {"size": f"{len(data) / 1024 / 1024:.1f}"},
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # An OLE container: either an old .xls or an encrypted (password-protected) .xlsx.
        return None, CellError(
            name,
            None,
            "",
            _("工作簿有密码保护，或是旧版 .xls 格式：请去掉密码并另存为 .xlsx 后再导入"),
        )
    try:
        return load_workbook(io.BytesIO(data), data_only=True), None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError):
        return None, CellError(name, None, "", _("文件已损坏或不是 Excel 工作簿（.xlsx）"))
    except Exception:  # openpyxl raises many kinds on malformed XML; none should be a 500
        return None, CellError(name, None, "", _("文件已损坏或不是 Excel 工作簿（.xlsx）"))


def _find_header(sheet: _Sheet) -> tuple[int, dict[str, int]] | None:
    for row in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
        columns: dict[str, int] = {}
        for (r, c), value in sheet.values.items():
            if r != row:
                continue
            key = HEADER_NAMES.get(normalise(value))
            if key is not None and key not in columns:
                columns[key] = c
        if "points" in columns and "level1" in columns:
            return row, columns
    return None


def _column_label(sheet_columns: dict[str, int], key: str) -> str:
    col = sheet_columns.get(key)
    name = COLUMNS[key][0]
    if col is None:
        return name
    return f"{get_column_letter(col)}（{name}）"


def parse_decimal(value: Any) -> Decimal | None:
    """20, 20.0, "20分", "２０", " 20 " → Decimal. None for an empty cell; ValueError for text
    that is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(str(value))
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        text = normalise(value)
        text = text.removesuffix("分")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(str(value)) from None
    if not number.is_finite():
        raise ValueError(str(value))
    return number


def _points(value: Any) -> Decimal | None:
    """Points or a points-like number; ValueError carries the reason, ready to show."""
    try:
        number = parse_decimal(value)
    except ValueError:
        raise ValueError(_("“%(value)s”不是数字") % {"value": value}) from None
    if number is None:
        return None
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("“%(value)s”超过两位小数") % {"value": value})
    if number < 0:
        raise ValueError(_("“%(value)s”为负数") % {"value": value})
    return number


_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})月?(底|末)?$"),
    re.compile(r"^(?P<y>\d{4})年?(底|末|年底|年末)$"),
)


def parse_date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = normalise(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["y"])
        month = int(parts.get("m") or 12)
        if parts.get("d"):
            return date(year, month, int(parts["d"]))
        # A month (or a year) means its last day.
        next_month = date(year + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    raise ValueError(str(value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _code(value: Any) -> str:
    text = _text(value)
    return unicodedata.normalize("NFKC", text).strip().rstrip("、.．") if text else ""


_STATED_POINTS = re.compile(r"^(?P<name>.*?)[（(]\s*(?P<points>\d+(?:\.\d+)?)\s*分?\s*[)）]$")
_PER_FINDING = re.compile(
    r"每(?:发现)?(?:一)?[起次例项件处个](?:[^扣]{0,6})?扣(?P<p>\d+(?:\.\d+)?)分"
)
_SOURCE_LABELS = {normalise(label): value for value, label in Source.choices}
_SOURCE_KEYWORDS: tuple[tuple[str, str], ...] = (
    (Source.DECISION, "重大决策"),
    (Source.DECISION, "区委全会"),
    (Source.DECISION, "政府工作报告"),
    (Source.DECISION, "经济工作会议"),
    (Source.KEY_WORK, "重点工作"),
    (Source.KEY_WORK, "高质量发展"),
    (Source.KEY_WORK, "六稳"),
    (Source.KEY_WORK, "攻坚战"),
    (Source.KEY_WORK, "生态文明"),
    (Source.KEY_WORK, "重点项目"),
    (Source.KEY_WORK, "主要项目"),
    (Source.OWN_PLAN, "工作要点"),
    (Source.OWN_PLAN, "职能职责"),
    (Source.OWN_PLAN, "工作计划"),
)
_METHOD_LABELS = {normalise(label): value for value, label in Method.choices} | {
    normalise(value): value for value in Method.values
}
_AGGREGATION_LABELS = {normalise(label): value for value, label in Aggregation.choices} | {
    normalise(value): value for value in Aggregation.values
}


def source_of(text: str) -> str | None:
    key = normalise(text)
    if key in _SOURCE_LABELS:
        return _SOURCE_LABELS[key]
    if key in Source.values:
        return key
    for value, word in _SOURCE_KEYWORDS:
        if word in key:
            return value
    return None


@dataclass
class _Draft:
    """A node while the sheet is read; points may still be derived from its children."""

    index: int
    level: int
    parent: int | None
    row: int
    name: str
    code: str = ""
    points: Decimal | None = None
    stated: Decimal | None = None  # "经济发展（40分）"
    values: dict[str, Any] = field(default_factory=dict)
    children: list[int] = field(default_factory=list)


def parse_workbook(data: bytes, *, filename: str, context: ImportContext) -> ParseResult:
    """Read the first sheet that has a recognisable header. Never raises on bad input."""
    workbook, error = _open(data, filename)
    if error is not None:
        return ParseResult(errors=[error])
    sheets = [_Sheet(ws) for ws in workbook.worksheets]
    for sheet in sheets:
        found = _find_header(sheet)
        if found is not None:
            return _parse_sheet(sheet, found[0], found[1], context)
    first = sheets[0].title if sheets else filename
    return ParseResult(
        sheet=first,
        errors=[
            CellError(
                first,
                None,
                "",
                _("没有找到表头：前 %(n)s 行中须有一行同时含“一级指标”和“分值”列")
                % {"n": HEADER_SEARCH_ROWS},
            )
        ],
    )


def _parse_sheet(
    sheet: _Sheet, header_row: int, columns: dict[str, int], context: ImportContext
) -> ParseResult:
    result = ParseResult(sheet=sheet.title)
    errors = result.errors

    def err(row: int | None, key: str, message: str) -> None:
        label = _column_label(columns, key) if key else ""
        errors.append(CellError(sheet.title, row, label, message))

    def cell(row: int, key: str, own: bool = False) -> Any:
        col = columns.get(key)
        if col is None:
            return None
        return sheet.own(row, col) if own else sheet.value(row, col)

    drafts: list[_Draft] = []
    current: list[_Draft | None] = [None, None, None]  # the open node of each level
    totals_row: int | None = None
    totals_value: Decimal | None = None
    last_row = header_row

    for row in range(header_row + 1, sheet.max_row + 1):
        texts = {key: _text(cell(row, key)) for key in columns}
        if not any(texts.values()):
            continue  # a blank row
        leading = [normalise(texts.get(k, "")) for k in ("code", *LEVEL_KEYS) if texts.get(k, "")]
        if leading and leading[0] in TOTAL_WORDS:
            totals_row = row
            try:
                totals_value = _points(cell(row, "points"))
            except ValueError:
                err(row, "points", _("合计行的分值“%(v)s”不是数字") % {"v": texts["points"]})
            break
        first_text = next((normalise(v) for v in texts.values() if v), "")
        if first_text.startswith(NOTE_PREFIXES) and not any(
            _text(cell(row, k, own=True)) for k in LEVEL_KEYS[1:]
        ):
            break  # notes under the table
        last_row = row

        own = {k: _text(cell(row, k, own=True)) for k in LEVEL_KEYS}
        col1 = columns.get("level1")
        merged1 = col1 is not None and (row, col1) in sheet.merged_from
        level: int
        if own.get("level3"):
            level = 3
        elif own.get("level2"):
            level = 2
        elif own.get("level1"):
            level = 1
        else:
            err(row, "level1", _("这一行没有指标名称"))
            continue

        # A first-level name on a second- or third-level row opens a new first-level node
        # when it starts a merged range or differs from the open one (tables that repeat
        # the name on every row instead of merging).
        name1 = own.get("level1", "")
        opens_first = level == 1 or bool(
            name1
            and (
                sheet.is_merge_start(row, col1 or 0)
                or (not merged1 and (current[0] is None or name1 != _display(current[0])))
            )
        )
        code_text = _code(cell(row, "code", own=True))
        code_used = False
        if opens_first:
            first = _Draft(len(drafts), 1, None, row, name1)
            drafts.append(first)
            current = [first, None, None]
            code_col = columns.get("code")
            # A 序号 merged down like the first-level name numbers the first-level node.
            if level == 1 or (code_col is not None and sheet.is_merge_start(row, code_col)):
                first.code, code_used = code_text, True
        if level >= 2:
            if current[0] is None:
                err(row, "level1", _("二级指标出现在任何一级指标之前"))
                continue
            name2 = own.get("level2", "")
            if level == 3 and name2:
                second = _Draft(len(drafts), 2, current[0].index, row, name2)
                drafts.append(second)
                current[0].children.append(second.index)
                current[1] = second
            if level == 2:
                second = _Draft(len(drafts), 2, current[0].index, row, name2)
                drafts.append(second)
                current[0].children.append(second.index)
                current[1], current[2] = second, None
            if level == 3:
                if current[1] is None:
                    err(row, "level2", _("三级指标出现在任何二级指标之前"))
                    continue
                third = _Draft(len(drafts), 3, current[1].index, row, own["level3"])
                drafts.append(third)
                current[1].children.append(third.index)
        node = drafts[-1]
        if not code_used:
            node.code = code_text
        _read_fields(node, row, cell, texts, err, context)

    if not drafts:
        err(header_row, "", _("表头下没有指标行"))
        return result

    _settle(drafts, result, err, context, columns, totals_row, totals_value, last_row)
    return result


def _display(draft: _Draft) -> str:
    return draft.name


def _read_fields(
    node: _Draft, row: int, cell: Any, texts: dict[str, str], err: Any, context: ImportContext
) -> None:
    try:
        node.points = _points(cell(row, "points", own=True))
    except ValueError as exc:
        err(row, "points", str(exc))
    v = node.values
    v["target"] = texts.get("target", "")
    v["rule"] = texts.get("rule", "")
    v["responsible_office"] = texts.get("responsible_office", "")
    v["responsible_person"] = texts.get("responsible_person", "")
    v["source_detail"] = texts.get("source_detail", "")
    for key in ("points_per_finding", "completion_points", "progress_points"):
        try:
            number = _points(cell(row, key))
        except ValueError as exc:
            err(row, key, str(exc))
            number = None
        v[key] = None if number is None else str(number)
    method_text = texts.get("method", "")
    if method_text:
        method = _METHOD_LABELS.get(normalise(method_text))
        if method is None:
            err(
                row,
                "method",
                _("无法识别的评分方式“%(v)s”，可选：%(choices)s")
                % {"v": method_text, "choices": "、".join(str(c[1]) for c in Method.choices)},
            )
        v["method"] = method or ""
    agg_text = texts.get("aggregation", "")
    if agg_text:
        aggregation = _AGGREGATION_LABELS.get(normalise(agg_text))
        if aggregation is None:
            err(row, "aggregation", _("无法识别的汇总方式“%(v)s”") % {"v": agg_text})
        v["aggregation"] = aggregation or Aggregation.MEAN
    source_text = texts.get("source", "")
    if source_text:
        source = source_of(source_text)
        if source is None:
            err(
                row,
                "source",
                _("无法识别的指标来源“%(v)s”，可选：%(choices)s")
                % {"v": source_text, "choices": "、".join(str(c[1]) for c in Source.choices)},
            )
        v["source"] = source or ""
        if source and normalise(source_text) not in _SOURCE_LABELS and not v["source_detail"]:
            v["source_detail"] = source_text
    unit_text = texts.get("collection_unit", "")
    if unit_text:
        found = context.units.get(normalise(unit_text))
        if found is None:
            err(row, "collection_unit", _("没有名为“%(v)s”的单位") % {"v": unit_text})
        else:
            v["collection_unit_id"], v["collection_unit_name"] = found
    try:
        deadline = parse_date(cell(row, "deadline"))
    except ValueError:
        err(
            row,
            "deadline",
            _("完成时限“%(v)s”不是日期（如 2020-12-31）") % {"v": texts.get("deadline", "")},
        )
        deadline = None
    if deadline is not None and context.year is not None and deadline.year != context.year:
        err(
            row,
            "deadline",
            _("完成时限 %(d)s 不在 %(y)s 年度内") % {"d": deadline.isoformat(), "y": context.year},
        )
    v["deadline"] = deadline.isoformat() if deadline else None


def _settle(
    drafts: list[_Draft],
    result: ParseResult,
    err: Any,
    context: ImportContext,
    columns: dict[str, int],
    totals_row: int | None,
    totals_value: Decimal | None,
    last_row: int,
) -> None:
    """Derive missing parent points and codes, then check the tree as a whole."""
    for draft in reversed(drafts):  # children come after their parents
        if draft.points is None and draft.level == 1:
            # "经济发展（40分）": a first-level name that states its points.
            match = _STATED_POINTS.match(normalise(draft.name))
            if match is not None:
                draft.stated = Decimal(match.group("points"))
                draft.name = match.group("name")
        if draft.points is None:
            if draft.children:
                draft.points = sum(
                    (drafts[i].points or Decimal(0) for i in draft.children), Decimal(0)
                )
                if draft.stated is not None and draft.stated != draft.points:
                    err(
                        draft.row,
                        "level1",
                        _("名称中注明 %(s)s 分，下级指标合计 %(p)s 分")
                        % {"s": plain(draft.stated), "p": plain(draft.points)},
                    )
            elif draft.stated is not None:
                draft.points = draft.stated
            else:
                err(draft.row, "points", _("分值为空"))
                draft.points = Decimal(0)
    # Codes: what the sheet says, else numbered by position (一, 二 …; 一.1, 一.2 …).
    ordinal: dict[int | None, int] = {}
    codes: dict[str, int] = {}
    for draft in drafts:
        ordinal[draft.parent] = ordinal.get(draft.parent, 0) + 1
        if not draft.code:
            n = ordinal[draft.parent]
            draft.code = (
                chinese_ordinal(n) if draft.parent is None else f"{drafts[draft.parent].code}.{n}"
            )
        if draft.code in codes:
            err(
                draft.row,
                "code",
                _("序号“%(code)s”重复（第 %(row)s 行已使用）")
                % {"code": draft.code, "row": drafts[codes[draft.code]].row},
            )
        elif draft.code in context.existing_codes:
            err(draft.row, "code", _("序号“%(code)s”在现有指标中已使用") % {"code": draft.code})
        codes.setdefault(draft.code, draft.index)

    for draft in drafts:
        v = draft.values
        leaf = not draft.children
        method = v.get("method", "")
        # "每发现一起扣2分" in the rule gives the method and its points per finding.
        per_finding = _PER_FINDING.search(normalise(v.get("rule", "")))
        if leaf and per_finding and method in ("", Method.DEDUCTION):
            if not v.get("points_per_finding"):
                v["points_per_finding"] = per_finding.group("p")
            method = Method.DEDUCTION
        if leaf and not method:
            method = (
                Method.DEDUCTION
                if v.get("points_per_finding")
                else Method.COMPLETION_PROGRESS
                if v.get("completion_points") and v.get("progress_points")
                else Method.JUDGEMENT
            )
        result.nodes.append(
            ParsedNode(
                index=draft.index,
                level=draft.level,
                parent=draft.parent,
                row=draft.row,
                code=draft.code,
                name=draft.name,
                points=plain(draft.points or Decimal(0)),
                method=method if leaf else "",
                aggregation=v.get("aggregation", Aggregation.MEAN),
                points_per_finding=v.get("points_per_finding"),
                completion_points=v.get("completion_points"),
                progress_points=v.get("progress_points"),
                source=v.get("source", ""),
                source_detail=v.get("source_detail", ""),
                target=v.get("target", ""),
                rule=v.get("rule", ""),
                collection_unit_id=v.get("collection_unit_id"),
                collection_unit_name=v.get("collection_unit_name", ""),
                responsible_office=v.get("responsible_office", ""),
                responsible_person=v.get("responsible_person", ""),
                deadline=v.get("deadline"),
            )
        )

    # The tree's arithmetic, by the same rules as the editor's.
    nodes = [
        CheckNode(
            key=n.index,
            parent_key=n.parent,
            code=n.code,
            name=n.name,
            points=Decimal(n.points),
            method=n.method,
            source=n.source,
            collection_unit=n.collection_unit_id is not None,
            points_per_finding=None
            if n.points_per_finding is None
            else Decimal(n.points_per_finding),
            completion_points=None if n.completion_points is None else Decimal(n.completion_points),
            progress_points=None if n.progress_points is None else Decimal(n.progress_points),
        )
        for n in result.nodes
    ]
    checked = check_nodes(nodes, tree=context.tree, expected_total=Decimal(0), year=None)
    result.total = checked.total
    by_index = {n.index: n for n in result.nodes}
    blocking = {"points"}
    for problem in checked.problems:
        if problem.key is None or problem.field == "code":
            continue  # totals are checked below; duplicate codes above
        row = by_index[int(problem.key)].row  # type: ignore[call-overload]
        column = problem.field if problem.field in COLUMNS else "points"
        if problem.field == "method" and "method" not in columns:
            column = "rule"
        target = result.errors if problem.field in blocking else result.warnings
        target.append(CellError(result.sheet, row, _column_label(columns, column), problem.message))
    total_row = totals_row if totals_row is not None else last_row
    if totals_value is not None and totals_value != checked.total:
        err(
            totals_row,
            "points",
            _("合计行写 %(t)s 分，各一级指标相加为 %(s)s 分")
            % {"t": plain(totals_value), "s": plain(checked.total)},
        )
    grand = checked.total + (context.existing_top_points or Decimal(0))
    if grand != context.expected_total:
        if context.existing_top_points is None:
            message = _("指标合计 %(t)s 分，应为 %(e)s 分（差 %(d)s）") % {
                "t": plain(grand),
                "e": plain(context.expected_total),
                "d": _signed(grand - context.expected_total),
            }
        else:
            message = _(
                "现有指标 %(x)s 分加本表 %(t)s 分，合计 %(g)s 分，应为 %(e)s 分（差 %(d)s）"
            ) % {
                "x": plain(context.existing_top_points),
                "t": plain(checked.total),
                "g": plain(grand),
                "e": plain(context.expected_total),
                "d": _signed(grand - context.expected_total),
            }
        err(total_row, "points", message)


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + plain(value)


# Writing ----------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTRE = Alignment(wrap_text=True, vertical="center", horizontal="center")
WIDTHS = {
    "code": 7,
    "level1": 14,
    "level2": 18,
    "level3": 18,
    "points": 7,
    "target": 36,
    "rule": 30,
    "method": 12,
    "aggregation": 12,
    "points_per_finding": 8,
    "completion_points": 9,
    "progress_points": 9,
    "source": 16,
    "source_detail": 16,
    "collection_unit": 14,
    "responsible_office": 10,
    "responsible_person": 8,
    "deadline": 11,
}


def _export_columns(tree: str, rows: Sequence[Indicator], depth: int) -> list[str]:
    def used(name: str, default: Any = None) -> bool:
        return any(getattr(r, name) not in (None, "", default) for r in rows)

    keys = ["code", "level1", "level2"]
    if depth >= 3:
        keys.append("level3")
    keys += ["points", "target", "rule", "method"]
    if used("aggregation", Aggregation.MEAN):
        keys.append("aggregation")
    keys += [k for k in ("points_per_finding", "completion_points", "progress_points") if used(k)]
    if tree == Tree.PERFORMANCE:
        keys.append("source")
        if used("source_detail"):
            keys.append("source_detail")
        if used("collection_unit_id"):
            keys.append("collection_unit")
    else:
        keys.append("collection_unit")
        if used("source"):
            keys.append("source")
        if used("source_detail"):
            keys.append("source_detail")
    keys += ["responsible_office", "responsible_person", "deadline"]
    return keys


def _ordered(rows: Sequence[Indicator]) -> list[tuple[Indicator, int, int]]:
    """(row, depth, number of rows it spans) in table order: each node, then its children."""
    children: dict[int | None, list[Indicator]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[tuple[Indicator, int, int]] = []

    def span(row: Indicator) -> int:
        return 1 + sum(span(k) for k in children.get(row.pk, []))

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            out.append((row, depth, span(row)))
            walk(row.pk, depth + 1)

    walk(None, 1)
    return out


def export_workbook(
    *, tree: str, rows: Sequence[Indicator], title: str, unit_name: str, total: Decimal
) -> bytes:
    """The tree as the office's table: 附件 number, title and unit above the header, one row
    per node with first- and second-level names merged down over their children, a totals
    row, and an A4-landscape print setup that repeats the header on every page."""
    ordered = _ordered(rows)
    depth = max((d for _r, d, _s in ordered), default=1)
    keys = _export_columns(tree, rows, depth)
    col = {key: i + 1 for i, key in enumerate(keys)}
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "附件1" if tree == Tree.PERFORMANCE else "附件2"
    last = get_column_letter(len(keys))
    ws["A1"] = ws.title
    ws["A1"].font = Font(bold=True)
    ws["A2"] = title
    ws["A2"].font = Font(bold=True, size=16)
    ws["A2"].alignment = CENTRE
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = 30
    ws["A3"] = unit_name
    ws.merge_cells(f"A3:{last}3")
    header = 4
    for key, c in col.items():
        cell = ws.cell(header, c, COLUMNS[key][0])
        cell.font = Font(bold=True)
        cell.alignment = CENTRE
        cell.border = BORDER
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(key, 12)
    r = header
    for row, level, span in ordered:
        r += 1
        values: dict[str, Any] = {
            "code": row.code,
            LEVEL_KEYS[level - 1]: row.name,
            "points": _number(row.points),
            "target": row.target,
            "rule": row.rule,
            "method": str(Method(row.method).label) if row.method else None,
            "aggregation": str(Aggregation(row.aggregation).label),
            "points_per_finding": _number(row.points_per_finding),
            "completion_points": _number(row.completion_points),
            "progress_points": _number(row.progress_points),
            "source": str(Source(row.source).label) if row.source else None,
            "source_detail": row.source_detail,
            "collection_unit": row.collection_unit.name if row.collection_unit else None,
            "responsible_office": row.responsible_office,
            "responsible_person": row.responsible_person,
            "deadline": row.deadline,
        }
        for key, c in col.items():
            value = values.get(key)
            body = ws.cell(r, c, value if value not in ("",) else None)
            body.border = BORDER
            body.alignment = CENTRE if key in ("code", "points", "deadline") else WRAP
            if key == "deadline" and value is not None:
                body.number_format = "yyyy-mm-dd"
        if span > 1 and level < 3:
            name_col = col[LEVEL_KEYS[level - 1]]
            ws.merge_cells(
                start_row=r, start_column=name_col, end_row=r + span - 1, end_column=name_col
            )
    r += 1
    ws.cell(r, 1, "合计").font = Font(bold=True)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=col["points"] - 1)
    ws.cell(r, col["points"], _number(total)).font = Font(bold=True)
    for c in range(1, len(keys) + 1):
        ws.cell(r, c).border = BORDER
        ws.cell(r, c).alignment = CENTRE
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.freeze_panes = f"A{header + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as Excel stores numbers: whole numbers as integers, so a cell shows ``20``."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def errors_text(errors: Iterable[CellError]) -> list[str]:
    return [str(e) for e in errors]
