"""Report endpoints of /api/v1/: score cards with last year, exports, verification.

Each view fetches through ``jixiao.api.access`` and the report predicates, reads through the
report selectors and writes its files with ``jixiao.reports.exports`` (streamed from a
temporary file, as the pages do).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.permissions import can_view_reviewer_names
from jixiao.api import reports_serializers as s
from jixiao.api.access import get_cycle_for, get_participation_for, get_result_for
from jixiao.api.explanations import without_reviewer_names
from jixiao.api.views import CYCLE_CODE, UNIT_CODE
from jixiao.cycles.models import Participation
from jixiao.reports import exports
from jixiao.reports.permissions import (
    can_export_adjustments,
    can_export_all_cards,
    can_export_results,
    can_verify_cycle,
)
from jixiao.reports.selectors import previous_cycle, results_by_unit
from jixiao.scoring.services import explain_unit, verify_cycle

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FILE = {
    200: OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment"),
    403: OpenApiResponse(description="Not allowed to export this"),
    404: OpenApiResponse(description="No such cycle or unit, or not visible to the user"),
}


class ScoreCardView(APIView):
    @extend_schema(parameters=[CYCLE_CODE, UNIT_CODE], responses=s.ScoreCardSerializer)
    def get(self, request: Request, code: str, unit_code: str) -> Response:
        """One unit's score card: stored result, its position in the group, last year's result
        and the worked explanation. Reviewers appear as "评估组成员 N" unless the reader may see
        their names."""
        cycle = get_cycle_for(request.user, code)
        result = get_result_for(request.user, cycle, unit_code)
        explained = explain_unit(cycle=cycle, unit_id=result.unit_id)
        explanation = explained.explanation if explained is not None else None
        if explanation is not None and not can_view_reviewer_names(request.user, cycle):
            explanation = without_reviewer_names(explanation)
        previous = previous_cycle(cycle=cycle)
        before = results_by_unit(cycle=previous, unit_ids=[result.unit_id]).get(result.unit_id)
        data = {
            "cycle": cycle.code,
            "unit": result.unit.code,
            "unit_name": result.unit.name,
            "group": result.group.code,
            "group_size": Participation.objects.filter(cycle=cycle, group=result.group).count(),
            "composite": result.composite,
            "rank": result.rank,
            "grade": result.grade,
            "provisional": result.provisional,
            "missing": result.missing,
            "components": result,
            "leaf_scores": result.leaf_scores,
            "previous": (
                {
                    "cycle": previous.code,
                    "composite": before.composite,
                    "rank": before.rank,
                    "grade": before.grade,
                    "components": before,
                }
                if previous is not None and before is not None
                else None
            ),
            "explanation": explanation,
        }
        return Response(s.ScoreCardSerializer(data, context={"precision": cycle.precision}).data)


def _file(write: Callable[[IO[bytes]], object], filename: str, content_type: str) -> FileResponse:
    # Not a context manager: FileResponse closes (and so deletes) the file once it is sent.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write(out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)


class _ExportView(APIView):
    """An export of the whole cycle; subclasses say which file and who may have it."""

    allowed: Callable[[Any, Any], bool] = staticmethod(can_export_results)
    filename = ""
    content_type = XLSX

    def write(self, cycle: Any, out: IO[bytes]) -> object:
        raise NotImplementedError

    @extend_schema(parameters=[CYCLE_CODE], responses=FILE)
    def get(self, request: Request, code: str) -> FileResponse:
        cycle = get_cycle_for(request.user, code)
        if not type(self).allowed(request.user, cycle):
            raise PermissionDenied(_("无权导出"))
        return _file(
            lambda out: self.write(cycle, out), self.filename % cycle.code, self.content_type
        )


class ScoreSheetExportView(_ExportView):
    """The full score sheet (.xlsx): a sheet per group, a row per unit, every leaf."""

    filename = "%s-score-sheet.xlsx"

    def write(self, cycle: Any, out: IO[bytes]) -> object:
        return exports.write_score_sheet(cycle=cycle, out=out)


class RankingExportView(_ExportView):
    """The official ranking table (.xlsx), with last year's rank and composite."""

    filename = "%s-ranking.xlsx"

    def write(self, cycle: Any, out: IO[bytes]) -> object:
        return exports.write_ranking_table(cycle=cycle, out=out)


class AdjustmentsExportView(_ExportView):
    """Bonuses and deductions of every unit (.xlsx): the office only."""

    allowed = staticmethod(can_export_adjustments)
    filename = "%s-adjustments.xlsx"

    def write(self, cycle: Any, out: IO[bytes]) -> object:
        return exports.write_adjustments(cycle=cycle, out=out)


class NoticeExportView(_ExportView):
    """The results notice (PDF): every group's ranking table."""

    filename = "%s-notice.pdf"
    content_type = PDF

    def write(self, cycle: Any, out: IO[bytes]) -> object:
        exports.write_notice_pdf(cycle=cycle, out=out)
        return None


class CardsExportView(_ExportView):
    """Every unit's one-page score card in one PDF: the office only."""

    allowed = staticmethod(can_export_all_cards)
    filename = "%s-cards.pdf"
    content_type = PDF

    def write(self, cycle: Any, out: IO[bytes]) -> object:
        return exports.write_cards_pdf(cycle=cycle, out=out)


class CardExportView(APIView):
    @extend_schema(parameters=[CYCLE_CODE, UNIT_CODE], responses=FILE)
    def get(self, request: Request, code: str, unit_code: str) -> FileResponse:
        """One unit's score card (PDF), for whoever may see that unit's result."""
        cycle = get_cycle_for(request.user, code)
        unit = get_participation_for(request.user, cycle, unit_code).unit
        return _file(
            lambda out: exports.write_cards_pdf(cycle=cycle, out=out, unit_ids=[unit.pk]),
            f"{cycle.code}-{unit.code}-card.pdf",
            PDF,
        )


class VerificationView(APIView):
    @extend_schema(
        parameters=[CYCLE_CODE],
        request=None,
        responses={
            200: s.VerificationSerializer,
            403: OpenApiResponse(description="Only the office and leaders may verify"),
            404: OpenApiResponse(description="No such cycle, or not visible to the user"),
        },
    )
    def post(self, request: Request, code: str) -> Response:
        """Recompute the cycle from its stored inputs (nothing is written) and list every line
        that differs from the stored results and hash."""
        cycle = get_cycle_for(request.user, code)
        if not can_verify_cycle(request.user, cycle):
            raise PermissionDenied(_("无权核验"))
        report = verify_cycle(cycle=cycle)
        data = {
            "cycle_code": report.cycle_code,
            "ok": report.ok,
            "units": report.units,
            "stored_hash": report.stored_hash,
            "recomputed_hash": report.recomputed_hash,
            "checked_at": report.checked_at,
            "differences": list(report.differences),
        }
        return Response(s.VerificationSerializer(data).data)
