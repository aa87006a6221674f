"""Assessment endpoints: self-evaluations, reviews, collection values, appeals.

Each view fetches through the same helpers as the pages (``jixiao.evaluations.permissions``,
which answer 404 for what the user may not see and 403 for what they may not do) and writes
through the same services; a service's refusal is a 400 with its messages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import (
    can_edit_self_evaluation,
    can_manage_evaluations,
    collection_unit_ids_of,
    is_reviewer,
    unit_ids_of,
)
from jixiao.api import evaluations_serializers as s
from jixiao.evaluations import selectors, services
from jixiao.evaluations.models import SelfEvaluation
from jixiao.evaluations.permissions import get_cycle, get_review_leaf, get_unit


def _text(value: Any) -> str | None:
    """Decimals as strings, as every score in the API (JSON numbers would be binary floats)."""
    return None if value is None else str(value)


def _refused(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": exc.messages})


def _self_evaluation_data(row: selectors.SelfEvaluationRow) -> dict[str, Any]:
    item = row.item
    return {
        "leaf": row.leaf.code,
        "name": row.leaf.name,
        "points": row.leaf.points,
        "achievement": item.achievement if item else "",
        "claimed_score": item.claimed_score if item else None,
        "version": item.version if item else 0,
        "returned": item.returned if item else False,
        "return_reason": item.return_reason if item else "",
        "evidence": [e.name for e in row.evidence],
    }


class SelfEvaluationListView(APIView):
    """A unit's self-evaluations (the unit and the office)."""

    @extend_schema(responses=s.SelfEvaluationSerializer(many=True))
    def get(self, request: Request, code: str, unit_code: str) -> Response:
        cycle = get_cycle(request.user, code)
        unit = get_unit(request.user, cycle, unit_code)
        rows = selectors.self_evaluation_rows(cycle=cycle, unit=unit)
        return Response(
            s.SelfEvaluationSerializer([_self_evaluation_data(r) for r in rows], many=True).data
        )


class SelfEvaluationDetailView(APIView):
    @extend_schema(request=s.SelfEvaluationSerializer, responses=s.SelfEvaluationSerializer)
    def put(self, request: Request, code: str, unit_code: str, leaf_code: str) -> Response:
        cycle = get_cycle(request.user, code)
        unit = get_unit(request.user, cycle, unit_code)
        if not can_edit_self_evaluation(request.user, cycle, unit):
            raise PermissionDenied
        leaf = selectors.performance_leaves(cycle=cycle, unit=unit).filter(code=leaf_code).first()
        if leaf is None:
            raise Http404
        data = s.SelfEvaluationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.save_self_evaluation(
                cycle=cycle,
                unit=unit,
                indicator=leaf,
                achievement=data.validated_data["achievement"],
                claimed_score=data.validated_data["claimed_score"],
                version=data.validated_data["version"],
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        row = next(
            r
            for r in selectors.self_evaluation_rows(cycle=cycle, unit=unit)
            if r.leaf.pk == leaf.pk
        )
        return Response(s.SelfEvaluationSerializer(_self_evaluation_data(row)).data)


class ReviewQueueView(APIView):
    """The reviewer's assigned leaves with their own scores (never others' names)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        cycle = get_cycle(request.user, code)
        if not is_reviewer(request.user, cycle):
            raise PermissionDenied
        items = selectors.reviewer_queue(reviewer=request.user, cycle=cycle)
        return Response(
            [
                {
                    "unit": q.unit.code,
                    "leaf": q.leaf.code,
                    "method": q.leaf.method,
                    "state": q.state,
                    "claimed_score": _text(q.item.claimed_score if q.item else None),
                    "last_year": _text(q.last_year),
                    "mine": {
                        part: {
                            "score": _text(r.score),
                            "version": services.version_token(r.updated_at),
                        }
                        for part, r in q.mine.items()
                    },
                    "others": [{"part": r.part, "score": _text(r.score)} for r in q.others],
                }
                for q in items
            ]
        )


class ReviewView(APIView):
    @extend_schema(request=s.ReviewInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, code: str, unit_code: str, leaf_code: str) -> Response:
        cycle = get_cycle(request.user, code)
        leaf_id = (
            selectors.leaves(cycle=cycle)
            .filter(unit__code=unit_code, code=leaf_code, tree="performance")
            .values_list("pk", flat=True)
            .first()
        )
        if leaf_id is None:
            raise Http404
        leaf = get_review_leaf(request.user, cycle, unit_code, leaf_id)
        item = (
            SelfEvaluation.objects.filter(cycle=cycle, unit=leaf.unit, indicator=leaf)
            .select_related("package", "cycle", "unit", "indicator")
            .first()
        )
        if item is None:
            raise ValidationError({"detail": [_("该单位还没有填写这项自评")]})
        data = s.ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rows = services.save_review(
                item=item,
                scores=data.validated_data["scores"],
                comment=data.validated_data.get("comment", ""),
                versions=data.validated_data.get("versions") or {},
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(
            {
                r.part: {"score": _text(r.score), "version": services.version_token(r.updated_at)}
                for r in rows
            },
            status=status.HTTP_201_CREATED,
        )


class CollectionView(APIView):
    """A collection unit's values (GET ?collection_unit=) and their entry (POST)."""

    def _collector(self, request: Request, cycle: Any, code: str) -> Unit:
        ids = collection_unit_ids_of(request.user, cycle)
        if not ids:
            raise PermissionDenied
        unit = Unit.objects.filter(pk__in=ids, code=code).first()
        if unit is None:
            raise Http404
        return unit

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, code: str) -> Response:
        cycle = get_cycle(request.user, code)
        collector = self._collector(request, cycle, request.query_params.get("collection_unit", ""))
        leaves = selectors.collected_leaves(cycle=cycle, collection_unit=collector)
        codes = {leaf.pk: leaf.code for leaf in leaves}
        units = dict(Unit.objects.filter(participations__cycle=cycle).values_list("pk", "code"))
        return Response(
            [
                {
                    "unit": units.get(v.unit_id),
                    "leaf": codes[v.indicator_id],
                    "score": _text(v.score),
                    "finding_count": v.finding_count,
                    "actual": _text(v.actual),
                    "target": _text(v.target),
                    "version": services.version_token(v.updated_at),
                }
                for v in selectors.collection_values(cycle=cycle, leaves=leaves).values()
            ]
        )

    @extend_schema(request=s.CollectionInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, code: str) -> Response:
        cycle = get_cycle(request.user, code)
        data = s.CollectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        collector = self._collector(request, cycle, data.validated_data["collection_unit"])
        leaves = {
            leaf.code: leaf
            for leaf in selectors.collected_leaves(cycle=cycle, collection_unit=collector)
        }
        units = {p.unit.code: p.unit for p in selectors.assessed_units(cycle=cycle)}
        entries = []
        problems = []
        for i, raw in enumerate(data.validated_data["entries"]):
            unit, leaf = units.get(raw["unit"]), leaves.get(raw["leaf"])
            if unit is None or leaf is None:
                problems.append(f"entries[{i}]: {raw['unit']} {raw['leaf']}")
                continue
            entries.append(
                services.CollectionEntry(
                    unit=unit,
                    indicator=leaf,
                    score=raw.get("score"),
                    finding_count=raw.get("finding_count"),
                    actual=raw.get("actual"),
                    target=raw.get("target"),
                    token=raw.get("version"),
                    where=f"entries[{i}]",
                )
            )
        if problems:
            raise ValidationError({"entries": problems})
        try:
            changed = services.save_collection_values(
                cycle=cycle, collection_unit=collector, entries=entries, by=request.user
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response({"changed": changed})


class AppealListView(APIView):
    """Appeals: the office sees all, a unit its own; a unit lodges one (POST with unit)."""

    @extend_schema(responses=s.AppealSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        cycle = get_cycle(request.user, code)
        office = can_manage_evaluations(request.user, cycle)
        own = unit_ids_of(request.user, cycle)
        if not office and not own:
            raise PermissionDenied
        appeals = selectors.appeals_of(cycle=cycle, unit_ids=None if office else own)
        return Response(s.AppealSerializer(appeals, many=True).data)


class UnitAppealView(APIView):
    @extend_schema(request=s.AppealSerializer, responses=s.AppealSerializer)
    def post(self, request: Request, code: str, unit_code: str) -> Response:
        cycle = get_cycle(request.user, code)
        unit = get_unit(request.user, cycle, unit_code)
        from jixiao.accounts.permissions import can_appeal

        if not can_appeal(request.user, cycle, unit):
            raise PermissionDenied
        data = s.AppealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            appeal = services.lodge_appeal(
                cycle=cycle,
                unit=unit,
                line_key=data.validated_data["line_key"],
                reason=data.validated_data["reason"],
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(s.AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)
