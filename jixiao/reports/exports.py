"""Excel and PDF outputs of a cycle's results, written to a file object.

Workbooks are written with openpyxl's write-only mode from result rows read in chunks, so the
memory an export needs does not grow with the number of units; the caller streams the file
(see ``export_views``). PDFs are rendered by WeasyPrint from templates under
``reports/pdf/`` with the CJK font ``WenQuanYi Micro Hei``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jixiao.adjustments import selectors as adjustments
from jixiao.cycles.models import Cycle, Participation, RankingGroup
from jixiao.indicators.models import Indicator, Tree
from jixiao.reports.explanations import component_label, grade_label
from jixiao.reports.selectors import COMPONENT_KEYS, previous_cycle, results_by_unit
from jixiao.scoring.models import Result

#: Rows read from the database at a time while writing a sheet.
CHUNK = 1000
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F4F6F8")
_WRAP = Alignment(wrap_text=True, vertical="top")
_INVALID_TITLE = re.compile(r"[\\/*?:\[\]]")


def _number_format(precision: int) -> str:
    return "0." + "0" * precision if precision > 0 else "0"


def _sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet title Excel accepts: no []:*?/\\, at most 31 characters, unique."""
    base = _INVALID_TITLE.sub("_", name).strip() or "Sheet"
    title = base[:31]
    n = 2
    while title in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


class _Writer:
    """Cells for one write-only sheet: a bold header and numbers at the cycle's precision."""

    def __init__(self, sheet: WriteOnlyWorksheet, precision: int) -> None:
        self.sheet = sheet
        self.number_format = _number_format(precision)

    def header(self, labels: Iterable[str], widths: Iterable[float] = ()) -> None:
        for index, width in enumerate(widths, start=1):
            # Column widths work on a write-only sheet; its type stubs do not say so.
            self.sheet.column_dimensions[_column_letter(index)].width = width  # type: ignore[attr-defined]
        # Frozen header: the first row stays on screen while the reader scrolls. A write-only
        # sheet writes its view with the first row, so this comes before it.
        self.sheet.freeze_panes = "A2"
        cells = []
        for label in labels:
            cell = WriteOnlyCell(self.sheet, value=label)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = _WRAP
            cells.append(cell)
        self.sheet.append(cells)

    def number(self, value: Decimal | None) -> Cell | None:
        if value is None:
            return None
        # openpyxl writes a Decimal as a number (its stubs list only float); the exact digits
        # of the stored score go into the file.
        cell = WriteOnlyCell(self.sheet, value=value)  # type: ignore[arg-type]
        cell.number_format = self.number_format
        return cell


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _chunked(qs: QuerySet[Result]) -> Iterator[Result]:
    return qs.iterator(chunk_size=CHUNK)


def _groups(cycle: Cycle, group_codes: Iterable[str] | None) -> list[RankingGroup]:
    qs = RankingGroup.objects.filter(cycle=cycle).order_by("order", "code")
    if group_codes is not None:
        qs = qs.filter(code__in=list(group_codes))
    return list(qs)


def _code_key(code: str) -> tuple[Any, ...]:
    """Indicator codes in their natural order: 1.2 before 1.10, letters after digits."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-]", code))


@dataclass(frozen=True)
class LeafColumn:
    key: str  # "performance:1.1" / "self_construction:2.3", as in Result.leaf_scores
    label: str


def _common_leaf_columns(cycle: Cycle) -> list[LeafColumn]:
    rows = (
        Indicator.objects.filter(cycle=cycle, tree=Tree.SELF_CONSTRUCTION, method__isnull=False)
        .exclude(method="")
        .values_list("code", "name")
    )
    label = component_label("self_construction")
    return [
        LeafColumn(f"self_construction:{code}", f"{label} {code} {name}")
        for code, name in sorted(rows, key=lambda row: _code_key(row[0]))
    ]


def _performance_leaf_columns(cycle: Cycle, group: RankingGroup) -> list[LeafColumn]:
    """The codes of the performance leaves of the group's units. Each unit has its own tree,
    so a column holds the leaf with that code in each unit's tree (its name differs from unit
    to unit and is not in the header)."""
    codes = (
        Indicator.objects.filter(
            cycle=cycle,
            tree=Tree.PERFORMANCE,
            method__isnull=False,
            unit__participations__group=group,
        )
        .exclude(method="")
        .values_list("code", flat=True)
        .distinct()
    )
    label = component_label("performance")
    return [
        LeafColumn(f"performance:{code}", f"{label} {code}")
        for code in sorted(set(codes), key=_code_key)
    ]


def write_score_sheet(
    *, cycle: Cycle, out: IO[bytes], group_codes: Iterable[str] | None = None
) -> int:
    """The full score sheet (成绩汇总表): one sheet per ranking group, one row per unit with its
    rank, composite, grade, every component and every leaf score. Returns the rows written.

    Queries: the groups, the common tree's leaves, and per group its performance leaf codes
    and its results in chunks of :data:`CHUNK`.
    """
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    common = _common_leaf_columns(cycle)
    written = 0
    for group in _groups(cycle, group_codes):
        sheet = workbook.create_sheet(_sheet_title(group.name, taken))
        writer = _Writer(sheet, cycle.precision)
        leaves = _performance_leaf_columns(cycle, group) + common
        labels = [
            gettext("名次"),
            gettext("单位代码"),
            gettext("单位名称"),
            component_label("composite"),
            gettext("等次"),
            gettext("暂定"),
            *(component_label(key) for key in COMPONENT_KEYS),
            *(leaf.label for leaf in leaves),
        ]
        widths = [6, 12, 28, 12, 8, 6, *([12] * len(COMPONENT_KEYS)), *([14] * len(leaves))]
        writer.header(labels, widths)
        provisional = gettext("是")
        results = (
            Result.objects.filter(cycle=cycle, group=group)
            .select_related("unit")
            .order_by("rank", "unit__code")
        )
        for r in _chunked(results):
            scores = r.leaf_scores or {}
            sheet.append(
                [
                    r.rank,
                    r.unit.code,
                    r.unit.name,
                    writer.number(r.composite),
                    grade_label(r.grade),
                    provisional if r.provisional else "",
                    *(writer.number(getattr(r, key)) for key in COMPONENT_KEYS),
                    *(
                        writer.number(Decimal(scores[leaf.key])) if leaf.key in scores else None
                        for leaf in leaves
                    ),
                ]
            )
            written += 1
    if not taken:
        workbook.create_sheet(gettext("无数据"))
    workbook.save(out)
    return written


def write_ranking_table(*, cycle: Cycle, out: IO[bytes]) -> int:
    """The official ranking table: group, rank, unit, composite, grade, and last year's rank
    and composite where the unit has them. Returns the rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("排名表"))
    writer = _Writer(sheet, cycle.precision)
    previous = previous_cycle(cycle=cycle)
    before = results_by_unit(cycle=previous)
    labels = [
        gettext("组别"),
        gettext("名次"),
        gettext("单位代码"),
        gettext("单位名称"),
        component_label("composite"),
        gettext("等次"),
        gettext("暂定"),
    ]
    if previous is not None:
        labels += [
            gettext("%(year)s 年度名次") % {"year": previous.code},
            gettext("%(year)s 年度得分") % {"year": previous.code},
        ]
    writer.header(labels, [18, 6, 12, 28, 12, 8, 6, 12, 12])
    provisional = gettext("是")
    written = 0
    results = (
        Result.objects.filter(cycle=cycle)
        .select_related("unit", "group")
        .order_by("group__order", "group__code", "rank", "unit__code")
    )
    for r in _chunked(results):
        row: list[Any] = [
            r.group.name,
            r.rank,
            r.unit.code,
            r.unit.name,
            writer.number(r.composite),
            grade_label(r.grade),
            provisional if r.provisional else "",
        ]
        if previous is not None:
            last = before.get(r.unit_id)
            row += [last.rank if last else None, writer.number(last.composite if last else None)]
        sheet.append(row)
        written += 1
    workbook.save(out)
    return written


def write_adjustments(*, cycle: Cycle, out: IO[bytes]) -> int:
    """The deductions and bonuses detail: one sheet of approved and refused bonus items, one
    of inspection deductions with the multiplier of the finder's level. Returns rows written."""
    from jixiao.adjustments.models import BonusCategory, Level

    units = dict(Participation.objects.filter(cycle=cycle).values_list("unit_id", "unit__name"))
    codes = dict(Participation.objects.filter(cycle=cycle).values_list("unit_id", "unit__code"))
    workbook = Workbook(write_only=True)
    written = 0

    bonus_sheet = workbook.create_sheet(component_label("bonus"))
    writer = _Writer(bonus_sheet, cycle.precision)
    writer.header(
        [
            gettext("单位代码"),
            gettext("单位名称"),
            gettext("类别"),
            gettext("事项"),
            gettext("分值"),
            gettext("核准"),
        ],
        [12, 28, 30, 50, 10, 8],
    )
    for unit_id, category, title, points, approved in adjustments.bonus_rows(cycle=cycle):
        try:
            category_name = f"{category} {BonusCategory(category).label}"
        except ValueError:
            category_name = str(category)
        bonus_sheet.append(
            [
                codes.get(unit_id, ""),
                units.get(unit_id, ""),
                category_name,
                title,
                writer.number(points),
                gettext("是") if approved else gettext("否"),
            ]
        )
        written += 1

    deduction_sheet = workbook.create_sheet(component_label("deduction"))
    writer = _Writer(deduction_sheet, cycle.precision)
    writer.header(
        [
            gettext("单位代码"),
            gettext("单位名称"),
            gettext("扣分标准"),
            gettext("情形"),
            gettext("次数"),
            gettext("每次扣分"),
            gettext("发现层级"),
            gettext("倍数"),
            gettext("扣分"),
        ],
        [12, 28, 10, 40, 6, 10, 10, 8, 10],
    )
    multipliers = {
        "district": cycle.multiplier_district,
        "city": cycle.multiplier_city,
        "province": cycle.multiplier_province,
    }
    for unit_id, code, description, count, points, level in adjustments.deduction_rows(cycle=cycle):
        multiplier = multipliers.get(level, Decimal(1))
        try:
            level_name = str(Level(level).label)
        except ValueError:
            level_name = level
        deduction_sheet.append(
            [
                codes.get(unit_id, ""),
                units.get(unit_id, ""),
                code,
                description,
                count,
                writer.number(points),
                level_name,
                writer.number(multiplier),
                writer.number(points * count * multiplier),
            ]
        )
        written += 1
    workbook.save(out)
    return written


# PDF -----------------------------------------------------------------------------------------


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for the page's running header)."""
    # Inside <style>: a backslash, a quote or "<" (which could end the element) is escaped the
    # CSS way, so the text cannot leave the string.
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
    )
    return mark_safe(f'"{escaped}"')


def _pdf(template: str, context: dict[str, Any], out: IO[bytes]) -> None:
    from weasyprint import HTML

    cycle: Cycle = context["cycle"]
    printed = timezone.localtime()
    context = {
        **context,
        "printed_at": printed,
        "css_cycle_name": css_string(cycle.name),
        "css_printed": css_string(gettext("打印日期：%(date)s") % {"date": printed.date()}),
    }
    html = render_to_string(template, context)
    HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(target=out)


def notice_context(cycle: Cycle) -> dict[str, Any]:
    """The results notice (通报): every group's ranking table."""
    groups = _groups(cycle, None)
    rows: dict[int, list[Result]] = {g.pk: [] for g in groups}
    for r in _chunked(
        Result.objects.filter(cycle=cycle)
        .select_related("unit")
        .order_by("group__order", "group__code", "rank", "unit__code")
    ):
        rows.setdefault(r.group_id, []).append(r)
    return {
        "cycle": cycle,
        "tables": [(g, rows.get(g.pk, [])) for g in groups],
        "provisional": any(r.provisional for table in rows.values() for r in table),
        "printed_at": timezone.localtime(),
    }


def write_notice_pdf(*, cycle: Cycle, out: IO[bytes]) -> None:
    _pdf("reports/pdf/notice.html", notice_context(cycle), out)


@dataclass
class CardLeaf:
    tree: str  # component label
    code: str
    name: str
    points: Decimal
    depth: int
    score: Decimal | None
    previous: Decimal | None


@dataclass
class CardLine:
    label: str
    value: Decimal
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.value - self.previous


@dataclass
class CardPage:
    result: Result
    before: Result | None
    group_size: int
    components: list[CardLine]
    leaves: list[CardLeaf]


def card_pages(*, cycle: Cycle, unit_ids: list[int] | None = None) -> list[CardPage]:
    """One page per unit: stored result, last year's, and the indicator lines with their
    scores. Queries: the results, last year's results, group sizes, the indicators of the
    units (and the common tree), the previous cycle."""
    from django.db.models import Count

    results_qs = Result.objects.filter(cycle=cycle).select_related("unit", "group")
    if unit_ids is not None:
        results_qs = results_qs.filter(unit_id__in=unit_ids)
    results = list(results_qs.order_by("group__order", "group__code", "rank", "unit__code"))
    ids = [r.unit_id for r in results]
    previous = previous_cycle(cycle=cycle)
    before = results_by_unit(cycle=previous, unit_ids=ids) if previous else {}
    sizes = dict(
        Participation.objects.filter(cycle=cycle)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    indicators_qs = Indicator.objects.filter(cycle=cycle)
    if unit_ids is not None:
        indicators_qs = indicators_qs.filter(Q(unit_id__in=ids) | Q(unit__isnull=True))
    indicators = list(
        indicators_qs.values_list(
            "id", "tree", "unit_id", "parent_id", "code", "name", "points", "order"
        )
    )
    by_owner: dict[int | None, list[tuple[Any, ...]]] = {}
    for row in indicators:
        by_owner.setdefault(row[2], []).append(row)
    common = _ordered_tree(by_owner.get(None, []))
    pages = []
    for r in results:
        last = before.get(r.unit_id)
        lines: list[CardLeaf] = []
        for tree, rows in (
            ("performance", _ordered_tree(by_owner.get(r.unit_id, []))),
            ("self_construction", common),
        ):
            for depth, row in rows:
                key = f"{tree}:{row[4]}"
                score = r.leaf_scores.get(key) if r.leaf_scores else None
                prev = last.leaf_scores.get(key) if last and last.leaf_scores else None
                lines.append(
                    CardLeaf(
                        tree=component_label(tree),
                        code=row[4],
                        name=row[5],
                        points=row[6],
                        depth=depth,
                        score=Decimal(score) if score is not None else None,
                        previous=Decimal(prev) if prev is not None else None,
                    )
                )
        components = [
            CardLine(
                component_label(key),
                getattr(r, key),
                getattr(last, key) if last is not None else None,
            )
            for key in (*COMPONENT_KEYS, "composite")
        ]
        _sum_areas(lines)
        pages.append(
            CardPage(
                result=r,
                before=last,
                group_size=sizes.get(r.group_id, 0),
                components=components,
                leaves=lines,
            )
        )
    return pages


def _sum_areas(lines: list[CardLeaf]) -> None:
    """Give each non-leaf line the sum of the leaf scores below it (lines in tree order)."""
    for index, line in enumerate(lines):
        if line.score is not None:
            continue
        total = previous = Decimal(0)
        seen = seen_previous = False
        for below in lines[index + 1 :]:
            if below.depth <= line.depth or below.tree != line.tree:
                break
            if below.score is not None and not _has_children(lines, below):
                total += below.score
                seen = True
            if below.previous is not None and not _has_children(lines, below):
                previous += below.previous
                seen_previous = True
        if seen:
            line.score = total
        if seen_previous and line.previous is None:
            line.previous = previous


def _has_children(lines: list[CardLeaf], line: CardLeaf) -> bool:
    index = lines.index(line)
    following = lines[index + 1] if index + 1 < len(lines) else None
    return following is not None and following.tree == line.tree and following.depth > line.depth


def _ordered_tree(rows: list[tuple[Any, ...]]) -> list[tuple[int, tuple[Any, ...]]]:
    """(depth, row) in tree order: each node followed by its children, by their order."""
    children: dict[int | None, list[tuple[Any, ...]]] = {}
    for row in sorted(rows, key=lambda row: (row[7], _code_key(row[4]))):
        children.setdefault(row[3], []).append(row)
    out: list[tuple[int, tuple[Any, ...]]] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            out.append((depth, row))
            walk(row[0], depth + 1)

    walk(None, 0)
    return out


def write_cards_pdf(*, cycle: Cycle, out: IO[bytes], unit_ids: list[int] | None = None) -> int:
    """Score cards, one page per unit, in group and rank order. Returns the pages made."""
    pages = card_pages(cycle=cycle, unit_ids=unit_ids)
    _pdf(
        "reports/pdf/cards.html",
        {
            "cycle": cycle,
            "pages": pages,
            "previous": previous_cycle(cycle=cycle),
            "printed_at": timezone.localtime(),
        },
        out,
    )
    return len(pages)
