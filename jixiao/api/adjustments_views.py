"""Bonuses, inspections and the city incentive under /api/v1/: reads and writes.

They fetch through the same predicates as the pages: a unit's people see only their own
claims and findings; inspections are for inspectors and the office; the city incentive table
for the office and those who see every result. An object the user may not see is a 404; a
visible one the user may not act on is a 403. Every write calls the page's service with
``by=request.user``; the service's refusal is a 400 naming its field, and nothing changes.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import (
    can_answer_finding,
    can_claim_bonus,
    can_decide_claims,
    can_edit_adjustment_standards,
    can_enter_city_incentives,
    can_record_findings,
    can_view_all_findings,
    can_view_all_results,
    can_view_unit_adjustments,
    is_office_admin,
    is_unit_leader,
    is_unit_operator,
    unit_ids_of,
)
from jixiao.adjustments import selectors, services
from jixiao.adjustments.models import (
    BonusCategory,
    BonusClaim,
    CityIncentive,
    ClaimEvidence,
    ClaimState,
    DeductionStandard,
    Finding,
    FindingState,
    Inspection,
    Level,
)
from jixiao.adjustments.services import answer_days_of
from jixiao.api import adjustments_serializers as s
from jixiao.api.access import get_cycle_for
from jixiao.cycles.models import Cycle

#: Endpoints that take files accept them as multipart; without files, JSON does as well.
FILES_OR_JSON = [JSONParser, FormParser, MultiPartParser]


def _refused(exc: DjangoValidationError) -> APIException:
    """A service's refusal as the client sees it: 400 with the messages under the field they
    name ("detail" for the rest); the workflow's "not yours to do" is a 403."""
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {
                ("detail" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        )
    if any(error.code == "forbidden" for error in exc.error_list):
        return PermissionDenied(exc.messages[0])
    return ValidationError({"detail": exc.messages})


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _own_or_all(user: Any, cycle: Cycle) -> set[int] | None:
    if is_office_admin(user, cycle):
        return None
    own = unit_ids_of(user, cycle)
    if not own:
        raise PermissionDenied(_("无权查看加减分"))
    return own


def _standards_data(cycle: Cycle) -> dict[str, Any]:
    scheme = cycle.scheme()
    bonus = [
        {
            "category": b.category,
            "label": b.label,
            "points": b.points,
            "cap": scheme.bonus_categories.get(b.category).cap  # type: ignore[union-attr]
            if b.category in scheme.bonus_categories
            else None,
            "stack": scheme.bonus_categories[b.category].stack
            if b.category in scheme.bonus_categories
            else True,
        }
        for b in selectors.bonus_standards(cycle=cycle)
    ]
    return {
        "bonus": bonus,
        "bonus_total_cap": scheme.bonus_total_cap,
        "deduction": selectors.deduction_standards(cycle=cycle),
        "multipliers": {str(k): v for k, v in scheme.multipliers.items()},
        "answer_days": answer_days_of(cycle),
    }


_BONUS_FIELD = re.compile(r"category_(\d+)_(points|cap)")
_MULTIPLIER_FIELD = re.compile(r"multiplier_(\w+)")


def _standards_refused(exc: DjangoValidationError, categories: list[int]) -> APIException:
    """The standards service names the page's fields (``category_3_points``,
    ``multiplier_city``); put its messages where this endpoint's body has those values."""
    if not hasattr(exc, "error_dict"):
        return _refused(exc)
    errors: dict[str, Any] = {}
    for field, messages in exc.message_dict.items():
        if (m := _BONUS_FIELD.fullmatch(field)) and int(m[1]) in categories:
            rows = errors.setdefault("bonus", [{} for _c in categories])
            rows[categories.index(int(m[1]))][m[2]] = messages
        elif m := _MULTIPLIER_FIELD.fullmatch(field):
            errors.setdefault("multipliers", {})[m[1]] = messages
        elif field == "total_cap":
            errors["bonus_total_cap"] = messages
        else:
            errors["detail" if field == NON_FIELD_ERRORS else field] = messages
    return ValidationError(errors)


class StandardsView(APIView):
    @extend_schema(responses=s.StandardsSerializer)
    def get(self, request: Request, code: str) -> Response:
        """The cycle's bonus standards with caps, the deduction standard and multipliers."""
        cycle = get_cycle_for(request.user, code)
        return Response(s.StandardsSerializer(_standards_data(cycle)).data)

    @extend_schema(request=s.StandardsWriteSerializer, responses=s.StandardsSerializer)
    def put(self, request: Request, code: str) -> Response:
        """Replace the bonus standards (points, caps, stacking), the total cap, the multipliers,
        the answer window and, when given, the deduction standard (the office; only before
        the assessment phase)."""
        cycle = get_cycle_for(request.user, code)
        _require(
            can_edit_adjustment_standards(request.user, cycle),
            _("只有效能办可以修改加减分标准"),
        )
        body = s.StandardsWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        given = {row["category"]: row for row in data["bonus"]}
        if len(given) != len(data["bonus"]):
            raise ValidationError({"bonus": [_("每个类别只能出现一次。")]})
        rules = cycle.bonus_categories or {}
        bonus = []
        for category in BonusCategory:
            row = given.get(category.value)
            if row is None:
                # A category left out has no standard any more; its cap and stacking stay
                # as they were, as on the page, where they are kept for a disabled category.
                kept = rules.get(str(category.value)) or {}
                bonus.append(
                    services.BonusStandardRow(
                        category=category.value,
                        enabled=False,
                        points=None,
                        cap=None if kept.get("cap") is None else Decimal(str(kept["cap"])),
                        stack=bool(kept.get("stack", True)),
                    )
                )
                continue
            bonus.append(
                services.BonusStandardRow(
                    category=category.value,
                    enabled=True,
                    points=row["points"],
                    cap=row["cap"],
                    stack=row["stack"],
                    description=row["description"],
                )
            )
        multipliers = data["multipliers"]
        try:
            with transaction.atomic():
                services.save_standards(
                    cycle=cycle,
                    bonus=bonus,
                    total_cap=data["bonus_total_cap"],
                    multipliers={
                        Level.DISTRICT: multipliers["district"],
                        Level.CITY: multipliers["city"],
                        Level.PROVINCE: multipliers["province"],
                    },
                    answer_days=data["answer_days"],
                    by=request.user,
                )
                if "deduction" in data:
                    services.save_deduction_standards(
                        cycle=cycle, rows=_deduction_rows(cycle, data["deduction"]), by=request.user
                    )
        except DjangoValidationError as exc:
            raise _standards_refused(exc, [row["category"] for row in data["bonus"]]) from exc
        cycle.refresh_from_db()
        return Response(s.StandardsSerializer(_standards_data(cycle)).data)


def _deduction_rows(
    cycle: Cycle, given: list[dict[str, Any]]
) -> list[services.DeductionStandardRow]:
    """The whole standard as the service's rows: items matched by code, the ones left out
    deleted (after the others, so that the service's row numbers are the body's)."""
    existing = {d.code: d for d in DeductionStandard.objects.filter(cycle=cycle)}
    rows = [
        services.DeductionStandardRow(
            existing[row["code"].strip()].pk if row["code"].strip() in existing else None,
            row["code"],
            row["description"],
            row["points"],
        )
        for row in given
    ]
    kept = {row["code"].strip() for row in given}
    rows += [
        services.DeductionStandardRow(d.pk, d.code, "", None, delete=True)
        for code, d in existing.items()
        if code not in kept
    ]
    return rows


def _claim_unit_for(user: Any, cycle: Cycle, unit_code: str) -> Unit:
    """A participating unit whose claims ``user`` may see; NotFound otherwise (also for
    another unit's operator)."""
    unit = Unit.objects.filter(code=unit_code, participations__cycle=cycle).first()
    if unit is None or not can_view_unit_adjustments(user, cycle, unit):
        raise NotFound(_("没有找到单位 %(code)s") % {"code": unit_code})
    return unit


def _claim_for(user: Any, cycle: Cycle, pk: int) -> BonusClaim:
    """The claim ``pk`` of ``cycle`` if ``user`` may see its unit's claims (the page's
    ``get_claim``); NotFound otherwise."""
    claim = BonusClaim.objects.filter(cycle=cycle, pk=pk).select_related("unit").first()
    if claim is None or not can_view_unit_adjustments(user, cycle, claim.unit):
        raise NotFound(_("没有找到申报 %(pk)s") % {"pk": pk})
    return claim


def _claim_data(claim: BonusClaim) -> dict[str, Any]:
    fresh = BonusClaim.objects.select_related("unit").prefetch_related("evidence").get(pk=claim.pk)
    return s.ClaimDetailSerializer(fresh).data


class ClaimListView(generics.ListAPIView[BonusClaim]):
    """Bonus claims: every unit's for the office, a unit's own for its people."""

    serializer_class = s.ClaimSerializer
    parser_classes = FILES_OR_JSON

    def get_queryset(self) -> QuerySet[BonusClaim]:
        cycle = get_cycle_for(self.request.user, self.kwargs["code"])
        return selectors.claims(cycle=cycle, unit_ids=_own_or_all(self.request.user, cycle))

    @extend_schema(
        request={
            "application/json": s.ClaimCreateSerializer,
            "multipart/form-data": s.ClaimCreateSerializer,
        },
        responses={201: s.ClaimDetailSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        """A draft claim of a unit whose operator you are, with its evidence files (multipart)
        or without (JSON, files added later); the points claimed are the standard's."""
        cycle = get_cycle_for(request.user, code)
        body = s.ClaimCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        unit = _claim_unit_for(request.user, cycle, data["unit"])
        _require(can_claim_bonus(request.user, cycle, unit), _("只有本单位经办人可以申报正向激励"))
        try:
            claim = services.create_claim(
                cycle=cycle,
                unit=unit,
                category=data["category"],
                title=data["title"],
                authority=data["authority"],
                document_no=data.get("document_no", ""),
                issued_on=data["issued_on"],
                evidence=data.get("evidence", []),
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(_claim_data(claim), status=status.HTTP_201_CREATED)


class ClaimDetailView(APIView):
    @extend_schema(responses=s.ClaimDetailSerializer)
    def get(self, request: Request, code: str, pk: int) -> Response:
        """A claim with its evidence files."""
        cycle = get_cycle_for(request.user, code)
        return Response(_claim_data(_claim_for(request.user, cycle, pk)))

    @extend_schema(request=s.ClaimEditSerializer, responses=s.ClaimDetailSerializer)
    def patch(self, request: Request, code: str, pk: int) -> Response:
        """Change a draft claim (the unit's operator); a new category brings its standard's
        points."""
        cycle = get_cycle_for(request.user, code)
        claim = _claim_for(request.user, cycle, pk)
        _require(
            is_unit_operator(request.user, cycle, claim.unit), _("只有本单位经办人可以修改申报")
        )
        body = s.ClaimEditSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        values = {
            "category": claim.category,
            "title": claim.title,
            "authority": claim.authority,
            "document_no": claim.document_no,
            "issued_on": claim.issued_on,
            **body.validated_data,
        }
        try:
            services.update_claim(claim=claim, by=request.user, **values)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(_claim_data(claim))


def _may_move_claim(user: Any, cycle: Cycle, claim: BonusClaim, to: str) -> bool:
    """The page's per-action predicates: the operator submits, the leader endorses or
    returns, the office decides."""
    if to == ClaimState.SUBMITTED:
        return is_unit_operator(user, cycle, claim.unit)
    if to in (ClaimState.ENDORSED, ClaimState.DRAFT):
        return is_unit_leader(user, cycle, claim.unit)
    return can_decide_claims(user, cycle)


class ClaimTransitionView(APIView):
    @extend_schema(request=s.ClaimTransitionSerializer, responses=s.ClaimDetailSerializer)
    def post(self, request: Request, code: str, pk: int) -> Response:
        """Submit (operator), endorse or return with a reason (leader), approve, adjust with
        points and a reason, or reject with a reason (office)."""
        cycle = get_cycle_for(request.user, code)
        claim = _claim_for(request.user, cycle, pk)
        body = s.ClaimTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        to = data["to"]
        _require(_may_move_claim(request.user, cycle, claim, to), _("您无权进行此操作。"))
        user = request.user
        try:
            if to == ClaimState.SUBMITTED:
                services.submit_claim(claim=claim, by=user)
            elif to == ClaimState.ENDORSED:
                services.endorse_claim(claim=claim, by=user)
            elif to == ClaimState.DRAFT:
                services.return_claim(claim=claim, reason=data["reason"], by=user)
            else:
                services.decide_claim(
                    claim=claim, decision=to, points=data["points"], reason=data["reason"], by=user
                )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(_claim_data(claim))


class ClaimEvidenceView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={201: s.EvidenceSerializer},
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        """Attach a file to a draft claim (the unit's operator); same type and size checks as
        the page."""
        cycle = get_cycle_for(request.user, code)
        claim = _claim_for(request.user, cycle, pk)
        _require(
            is_unit_operator(request.user, cycle, claim.unit),
            _("只有本单位经办人可以上传佐证材料"),
        )
        body = s.EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            evidence = services.add_claim_evidence(
                claim=claim, upload=body.validated_data["evidence"], by=request.user
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(s.EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class ClaimEvidenceDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, code: str, pk: int, evidence_id: int) -> Response:
        """Remove a file from a draft claim (the unit's operator)."""
        cycle = get_cycle_for(request.user, code)
        claim = _claim_for(request.user, cycle, pk)
        evidence = ClaimEvidence.objects.filter(claim=claim, pk=evidence_id).first()
        if evidence is None:
            raise NotFound(_("没有找到佐证材料 %(pk)s") % {"pk": evidence_id})
        _require(
            is_unit_operator(request.user, cycle, claim.unit),
            _("只有本单位经办人可以删除佐证材料"),
        )
        try:
            services.delete_claim_evidence(evidence=evidence, by=request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


def _inspection_for(user: Any, cycle: Cycle, pk: int) -> Inspection:
    """Inspections are the inspectors' and the office's records: hidden (404) from others,
    as on the pages."""
    inspection = (
        selectors.inspections(cycle=cycle).filter(pk=pk).first()
        if can_view_all_findings(user, cycle)
        else None
    )
    if inspection is None:
        raise NotFound(_("没有找到察访记录 %(pk)s") % {"pk": pk})
    return inspection


def _finding_for(user: Any, cycle: Cycle, pk: int) -> Finding:
    """A finding of ``cycle`` for inspectors, the office and the finding's unit (the page's
    ``get_finding``); NotFound otherwise."""
    finding = selectors.findings(cycle=cycle, unit_ids=None).filter(pk=pk).first()
    if finding is None or not (
        can_view_all_findings(user, cycle) or can_view_unit_adjustments(user, cycle, finding.unit)
    ):
        raise NotFound(_("没有找到察访问题 %(pk)s") % {"pk": pk})
    return finding


def _finding_refs(
    cycle: Cycle, row: dict[str, Any]
) -> tuple[Unit | None, DeductionStandard | None]:
    """The unit and standard item a finding names by code. An unknown unit goes to the service
    as None, which refuses it naming the field; so does a missing standard item."""
    unit = Unit.objects.filter(code=row["unit"]).first()
    code = row.get("standard", "").strip()
    if not code:
        return unit, None
    standard = DeductionStandard.objects.filter(cycle=cycle, code=code).first()
    if standard is None:
        raise DjangoValidationError(
            {"standard": _("本年度没有扣分标准条目 %(code)s。") % {"code": code}}
        )
    return unit, standard


def _inspection_data(cycle: Cycle, pk: int) -> dict[str, Any]:
    inspection = selectors.inspections(cycle=cycle).get(pk=pk)
    inspection.findings_list = list(  # type: ignore[attr-defined]
        selectors.findings(cycle=cycle, unit_ids=None).filter(inspection=inspection)
    )
    return s.InspectionDetailSerializer(inspection).data


def _finding_data(cycle: Cycle, pk: int) -> dict[str, Any]:
    return s.FindingSerializer(selectors.findings(cycle=cycle, unit_ids=None).get(pk=pk)).data


class InspectionListView(generics.ListAPIView[Inspection]):
    """Inspections: inspectors and the office only."""

    serializer_class = s.InspectionSerializer

    def get_queryset(self) -> QuerySet[Inspection]:
        cycle = get_cycle_for(self.request.user, self.kwargs["code"])
        if not can_view_all_findings(self.request.user, cycle):
            raise PermissionDenied(_("只有督查员和效能办可以查看察访记录"))
        return selectors.inspections(cycle=cycle)

    @extend_schema(
        request=s.InspectionWriteSerializer, responses={201: s.InspectionDetailSerializer}
    )
    def post(self, request: Request, code: str) -> Response:
        """Record an inspection with the findings made in it (inspectors and the office), all
        or nothing; photos are added to each finding afterwards."""
        cycle = get_cycle_for(request.user, code)
        _require(can_record_findings(request.user, cycle), _("只有督查员和效能办可以记录察访核验"))
        body = s.InspectionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        rows = data.pop("findings", [])
        try:
            with transaction.atomic():
                inspection = services.record_inspection(cycle=cycle, by=request.user, **data)
                for i, row in enumerate(rows):
                    try:
                        unit, standard = _finding_refs(cycle, row)
                        services.record_finding(
                            inspection=inspection,
                            unit=unit,
                            standard=standard,
                            count=row["count"],
                            description=row["description"],
                            by=request.user,
                        )
                    except DjangoValidationError as exc:
                        # Named by the row, as DRF names a nested list's errors.
                        detail = _refused(exc).detail
                        errors: list[Any] = [{} for _row in rows]
                        errors[i] = detail
                        raise ValidationError({"findings": errors}) from exc
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(_inspection_data(cycle, inspection.pk), status=status.HTTP_201_CREATED)


class InspectionDetailView(APIView):
    @extend_schema(responses=s.InspectionDetailSerializer)
    def get(self, request: Request, code: str, pk: int) -> Response:
        """An inspection with its findings (inspectors and the office)."""
        cycle = get_cycle_for(request.user, code)
        return Response(_inspection_data(cycle, _inspection_for(request.user, cycle, pk).pk))


class InspectionFindingsView(APIView):
    parser_classes = FILES_OR_JSON

    @extend_schema(
        request={
            "application/json": s.FindingCreateSerializer,
            "multipart/form-data": s.FindingCreateSerializer,
        },
        responses={201: s.FindingSerializer},
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        """Add a finding to an inspection, with its photos (multipart) or without (JSON); the
        unit may answer it within the cycle's answer window."""
        cycle = get_cycle_for(request.user, code)
        inspection = _inspection_for(request.user, cycle, pk)
        _require(can_record_findings(request.user, cycle), _("只有督查员和效能办可以登记察访问题"))
        body = s.FindingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            unit, standard = _finding_refs(cycle, data)
            finding = services.record_finding(
                inspection=inspection,
                unit=unit,
                standard=standard,
                count=data["count"],
                description=data["description"],
                photos=data.get("photos", []),
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(_finding_data(cycle, finding.pk), status=status.HTTP_201_CREATED)


class FindingListView(generics.ListAPIView[Finding]):
    """Findings: all for inspectors and the office, a unit's own for its people."""

    serializer_class = s.FindingSerializer

    def get_queryset(self) -> QuerySet[Finding]:
        user = self.request.user
        cycle = get_cycle_for(user, self.kwargs["code"])
        unit_ids = None if can_view_all_findings(user, cycle) else _own_or_all(user, cycle)
        return selectors.findings(cycle=cycle, unit_ids=unit_ids)


class FindingDetailView(APIView):
    @extend_schema(responses=s.FindingSerializer)
    def get(self, request: Request, code: str, pk: int) -> Response:
        """A finding: inspectors, the office and the finding's unit."""
        cycle = get_cycle_for(request.user, code)
        return Response(_finding_data(cycle, _finding_for(request.user, cycle, pk).pk))


class FindingTransitionView(APIView):
    @extend_schema(request=s.FindingTransitionSerializer, responses=s.FindingSerializer)
    def post(self, request: Request, code: str, pk: int) -> Response:
        """The unit answers or contests before its deadline; the office confirms or
        withdraws."""
        cycle = get_cycle_for(request.user, code)
        finding = _finding_for(request.user, cycle, pk)
        body = s.FindingTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        to = data["to"]
        by_unit = to in (FindingState.ANSWERED, FindingState.CONTESTED)
        _require(
            can_answer_finding(request.user, cycle, finding.unit)
            if by_unit
            else can_decide_claims(request.user, cycle),
            _("您无权进行此操作。"),
        )
        try:
            if by_unit:
                services.answer_finding(
                    finding=finding,
                    contest=to == FindingState.CONTESTED,
                    text=data["response"],
                    by=request.user,
                )
            else:
                services.decide_finding(
                    finding=finding,
                    confirm=to == FindingState.CONFIRMED,
                    reason=data["reason"],
                    by=request.user,
                )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(_finding_data(cycle, finding.pk))


class FindingLinkView(APIView):
    """The same occurrence found at two levels, deducted once at the higher one (the office)."""

    @extend_schema(request=s.LinkSerializer, responses=s.FindingSerializer)
    def post(self, request: Request, code: str, pk: int) -> Response:
        """Link this finding with ``other``; the lower-level one of the two is returned."""
        cycle = get_cycle_for(request.user, code)
        finding = _finding_for(request.user, cycle, pk)
        _require(can_decide_claims(request.user, cycle), _("只有效能办可以关联察访问题"))
        body = s.LinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        other = Finding.objects.filter(cycle=cycle, pk=body.validated_data["other"]).first()
        if other is None:
            raise ValidationError({"other": [_("没有这个编号的察访问题。")]})
        try:
            lower = services.link_findings(
                finding=finding,
                other=other,
                reason=body.validated_data["reason"],
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(_finding_data(cycle, lower.pk))

    @extend_schema(responses=s.FindingSerializer)
    def delete(self, request: Request, code: str, pk: int) -> Response:
        """Undo this finding's link: both are deducted on their own again."""
        cycle = get_cycle_for(request.user, code)
        finding = _finding_for(request.user, cycle, pk)
        _require(can_decide_claims(request.user, cycle), _("只有效能办可以关联察访问题"))
        try:
            services.unlink_finding(finding=finding, by=request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(_finding_data(cycle, finding.pk))


class FindingPhotoView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.PhotoUploadSerializer},
        responses={201: s.PhotoSerializer},
    )
    def post(self, request: Request, code: str, pk: int) -> Response:
        """Add a photo to a finding (inspectors and the office)."""
        cycle = get_cycle_for(request.user, code)
        finding = _finding_for(request.user, cycle, pk)
        _require(can_record_findings(request.user, cycle), _("只有督查员和效能办可以上传现场照片"))
        body = s.PhotoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            photo = services.add_finding_photo(
                finding=finding, upload=body.validated_data["photo"], by=request.user
            )
        except DjangoValidationError as exc:
            refusal = _refused(exc)
            # The service names the page's multi-file field; this endpoint takes one "photo".
            if isinstance(refusal.detail, dict) and "photos" in refusal.detail:
                raise ValidationError({"photo": refusal.detail["photos"]}) from exc
            raise refusal from exc
        return Response(s.PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class CityIncentiveListView(generics.ListAPIView[CityIncentive]):
    """City incentive points with their source: the office and those who see every result;
    a unit's people see their own unit's."""

    serializer_class = s.CityIncentiveSerializer

    def get_queryset(self) -> QuerySet[CityIncentive]:
        user = self.request.user
        cycle = get_cycle_for(user, self.kwargs["code"])
        qs = CityIncentive.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code")
        if can_view_all_results(user, cycle):
            return qs
        return qs.filter(unit_id__in=_own_or_all(user, cycle) or set())


class CityIncentiveDetailView(APIView):
    """One unit's city incentive: set or cleared by the office."""

    def _fetch(self, request: Request, code: str, unit_code: str) -> tuple[Cycle, Unit]:
        cycle = get_cycle_for(request.user, code)
        _require(
            can_enter_city_incentives(request.user, cycle), _("只有效能办可以录入市对区激励得分")
        )
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise NotFound(_("没有找到单位 %(code)s") % {"code": unit_code})
        return cycle, unit

    @extend_schema(request=s.CityIncentiveWriteSerializer, responses=s.CityIncentiveSerializer)
    def put(self, request: Request, code: str, unit_code: str) -> Response:
        """Set the unit's points and their source (the city's evaluation item)."""
        cycle, unit = self._fetch(request, code, unit_code)
        body = s.CityIncentiveWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            services.save_city_incentives(
                cycle=cycle,
                rows=[services.CityIncentiveRow(unit, data["points"], data["source"])],
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        entry = CityIncentive.objects.select_related("unit").get(cycle=cycle, unit=unit)
        return Response(s.CityIncentiveSerializer(entry).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, code: str, unit_code: str) -> Response:
        """Clear the unit's entry."""
        cycle, unit = self._fetch(request, code, unit_code)
        try:
            services.save_city_incentives(
                cycle=cycle, rows=[services.CityIncentiveRow(unit, None, "")], by=request.user
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
