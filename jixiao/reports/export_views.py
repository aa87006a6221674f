"""Downloads: Excel workbooks and PDFs of a cycle's results.

Each export is written to an anonymous temporary file and streamed from it by ``FileResponse``
(which closes, and so deletes, the file when the response is done): the response body is never
held in memory, whatever the number of units.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext

from jixiao.cycles.models import Cycle, Participation, RankingGroup
from jixiao.reports import exports
from jixiao.reports.permissions import (
    can_export_adjustments,
    can_export_all_cards,
    can_export_results,
    can_export_unit_card,
)
from jixiao.reports.views import get_cycle_for_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _download(
    write: Callable[[IO[bytes]], object], filename: str, content_type: str
) -> FileResponse:
    # Not a context manager: FileResponse closes (and so deletes) the file once it is sent.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write(out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)


def _results_cycle(request: HttpRequest, code: str) -> Cycle:
    cycle = get_cycle_for_user(request, code)
    if not can_export_results(request.user, cycle):
        raise PermissionDenied
    return cycle


def _group_codes(request: HttpRequest, cycle: Cycle) -> list[str] | None:
    """``?group=A&group=B``: only those groups (404 for one the cycle does not have)."""
    codes = request.GET.getlist("group")
    if not codes:
        return None
    known = set(
        RankingGroup.objects.filter(cycle=cycle, code__in=codes).values_list("code", flat=True)
    )
    if known != set(codes):
        raise Http404
    return codes


def score_sheet_xlsx(request: HttpRequest, code: str) -> FileResponse:
    cycle = _results_cycle(request, code)
    groups = _group_codes(request, cycle)
    return _download(
        lambda out: exports.write_score_sheet(cycle=cycle, out=out, group_codes=groups),
        gettext("%(cycle)s 成绩汇总表.xlsx") % {"cycle": cycle.code},
        XLSX,
    )


def ranking_xlsx(request: HttpRequest, code: str) -> FileResponse:
    cycle = _results_cycle(request, code)
    return _download(
        lambda out: exports.write_ranking_table(cycle=cycle, out=out),
        gettext("%(cycle)s 排名表.xlsx") % {"cycle": cycle.code},
        XLSX,
    )


def adjustments_xlsx(request: HttpRequest, code: str) -> FileResponse:
    cycle = get_cycle_for_user(request, code)
    if not can_export_adjustments(request.user, cycle):
        raise PermissionDenied
    return _download(
        lambda out: exports.write_adjustments(cycle=cycle, out=out),
        gettext("%(cycle)s 加减分明细.xlsx") % {"cycle": cycle.code},
        XLSX,
    )


def notice_pdf(request: HttpRequest, code: str) -> FileResponse:
    cycle = _results_cycle(request, code)
    return _download(
        lambda out: exports.write_notice_pdf(cycle=cycle, out=out),
        gettext("%(cycle)s 考评结果通报.pdf") % {"cycle": cycle.code},
        PDF,
    )


def card_pdf(request: HttpRequest, code: str, unit_code: str) -> FileResponse:
    cycle = get_cycle_for_user(request, code)
    participation = (
        Participation.objects.filter(cycle=cycle, unit__code=unit_code)
        .select_related("unit")
        .first()
    )
    if participation is None or not can_export_unit_card(request.user, cycle, participation.unit):
        raise Http404
    unit = participation.unit
    return _download(
        lambda out: exports.write_cards_pdf(cycle=cycle, out=out, unit_ids=[unit.pk]),
        gettext("%(cycle)s %(unit)s 评分卡.pdf") % {"cycle": cycle.code, "unit": unit.name},
        PDF,
    )


def cards_pdf(request: HttpRequest, code: str) -> FileResponse:
    """Every unit's card in one PDF (``?group=`` for one group's units)."""
    cycle = get_cycle_for_user(request, code)
    if not can_export_all_cards(request.user, cycle):
        raise PermissionDenied
    groups = _group_codes(request, cycle)
    unit_ids = None
    if groups is not None:
        unit_ids = list(
            Participation.objects.filter(cycle=cycle, group__code__in=groups).values_list(
                "unit_id", flat=True
            )
        )
    return _download(
        lambda out: exports.write_cards_pdf(cycle=cycle, out=out, unit_ids=unit_ids),
        gettext("%(cycle)s 全部评分卡.pdf") % {"cycle": cycle.code},
        PDF,
    )
