"""Workbooks of public evaluation: respondent lists and an outside firm's results in, the
reported lists and the links for outreach out. Reading and writing both stream (openpyxl's
read-only and write-only modes), so memory does not grow with the number of rows."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

#: Columns of a respondent list, as the office's template names them.
RESPONDENT_COLUMNS = {
    "单位代码": "unit",
    "姓名": "name",
    "名称": "name",
    "电话": "phone",
    "手机": "phone",
    "联系电话": "phone",
    "类别": "kind",
    "服务事项": "matter",
    "服务日期": "served_on",
    "同意回访": "consent",
}
RESPONDENT_HEADER = ["单位代码", "姓名", "电话", "类别", "服务事项", "服务日期", "同意回访"]

Row = tuple[int, dict[str, Any]]


def _open(stream: IO[bytes]) -> Any:
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationError(_("文件不是有效的 Excel 工作簿(.xlsx)")) from None


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_rows(stream: IO[bytes], columns: dict[str, str] | None) -> Iterator[Row]:
    """(row number, {field: value}) for every non-empty row of the first sheet, read lazily.

    With ``columns`` the header names are mapped to fields (unknown headers are kept under
    their own name); without, the header names are the keys.
    """
    book = _open(stream)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ValidationError(_("工作簿是空的"))
        names = [str(h).strip() if h is not None else "" for h in header]
        keys = [(columns or {}).get(name, name) for name in names]
        for number, values in enumerate(rows, start=2):
            cells = [_cell(v) for v in values]
            if not any(v is not None for v in cells):
                continue
            yield number, {k: v for k, v in zip(keys, cells, strict=False) if k}
    finally:
        book.close()


def header_of(stream: IO[bytes]) -> list[str]:
    book = _open(stream)
    try:
        first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
        return [str(h).strip() for h in first if h is not None]
    finally:
        book.close()


def write_workbook(
    stream: IO[bytes], title: str, header: list[str], rows: Iterable[Iterable[Any]]
) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    book.save(stream)
