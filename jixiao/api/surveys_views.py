"""/api/v1/ endpoints of public evaluation, on the same services, selectors and predicates as
the pages. The public submission endpoint takes no login and no session: the single-use token
in the body is the only authority, so there is no ambient credential for CSRF to abuse."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.permissions import (
    can_see_full_phones,
    can_view_respondents,
    can_view_survey_responses,
    unit_ids_of,
)
from jixiao.api.access import get_cycle_for
from jixiao.cycles.models import Cycle, Participation
from jixiao.surveys import selectors, services
from jixiao.surveys.rules import mask_phone


def _unit_ids(user: Any, cycle: Cycle, unit_code: str | None) -> list[int] | None:
    """The units the reader asks about and may see (None: every unit, for the office)."""
    if unit_code:
        part = (
            Participation.objects.filter(cycle=cycle, unit__code=unit_code)
            .select_related("unit")
            .first()
        )
        if part is None or not can_view_respondents(user, cycle, part.unit):
            raise NotFound
        return [part.unit_id]
    if can_view_survey_responses(user, cycle):
        return None
    return sorted(unit_ids_of(user, cycle))


class RespondentsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        """Respondents of the units the reader may see; phones masked except for the office."""
        cycle = get_cycle_for(request.user, code)
        ids = _unit_ids(request.user, cycle, request.query_params.get("unit"))
        full = can_see_full_phones(request.user, cycle)
        qs = selectors.respondents(cycle=cycle)
        if ids is not None:
            qs = qs.filter(unit_id__in=ids)
        return Response(
            [
                {
                    "id": r.pk,
                    "unit": r.unit.code,
                    "name": r.name,
                    "phone": (r.phone or "") if full else mask_phone(r.phone or ""),
                    "kind": r.kind,
                    "matter": r.matter,
                    "served_on": r.served_on,
                    "consent": r.consent,
                }
                for r in qs[:5000]
            ]
        )


class InvitationsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        """Active invitations (links) with whether they were answered."""
        cycle = get_cycle_for(request.user, code)
        ids = _unit_ids(request.user, cycle, request.query_params.get("unit"))
        qs = selectors.invitations(
            cycle=cycle, pending_only=request.query_params.get("pending") == "1"
        )
        if ids is not None:
            qs = qs.filter(unit_id__in=ids)
        return Response(
            [
                {
                    "id": i.pk,
                    "unit": i.unit.code,
                    "respondent": i.respondent.name,
                    "url": request.build_absolute_uri(f"/s/{i.token}/"),
                    "answered": i.answered,  # type: ignore[attr-defined]
                    "sample": i.sample_id,
                }
                for i in qs
            ]
        )


class ResponsesView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        """Individual responses: the office only."""
        cycle = get_cycle_for(request.user, code)
        if not can_view_survey_responses(request.user, cycle):
            raise PermissionDenied
        qs = selectors.responses(
            cycle=cycle, flagged_only=request.query_params.get("flagged") == "1"
        )
        return Response(
            [
                {
                    "id": r.pk,
                    "unit": r.unit.code,
                    "channel": r.channel,
                    "submitted_at": r.submitted_at,
                    "seconds_taken": r.seconds_taken,
                    "score": str(r.score),
                    "flags": r.flags,
                    "valid": r.valid,
                }
                for r in qs[:5000]
            ]
        )


class ScoresView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        """Public scores with count, rate and interval; a unit's people see only their own."""
        cycle = get_cycle_for(request.user, code)
        ids = _unit_ids(request.user, cycle, request.query_params.get("unit"))
        rows = selectors.unit_progress(cycle=cycle, unit_ids=set(ids) if ids is not None else None)
        return Response(
            [
                {
                    "unit": r.code,
                    "respondents": r.respondents,
                    "reported": r.reported,
                    "invited": r.invited,
                    "responses": r.responses,
                    "score": str(r.score.score) if r.score else None,
                    "rate": str(r.score.rate) if r.score and r.score.rate is not None else None,
                    "ci_low": str(r.score.ci_low)
                    if r.score and r.score.ci_low is not None
                    else None,
                    "ci_high": str(r.score.ci_high)
                    if r.score and r.score.ci_high is not None
                    else None,
                    "low_count": r.score.low_count if r.score else None,
                }
                for r in rows
            ]
        )


class SubmissionSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=64)
    answers = serializers.DictField(child=serializers.IntegerField(min_value=1))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


#: What a refused submission is told: nothing about the respondent or anyone else.
_REFUSED = {"invalid": 404, "not_open": 403, "closed": 410, "used": 409, "throttled": 429}


class PublicSubmissionView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request=SubmissionSerializer, responses={201: dict})
    def post(self, request: Request) -> Response:
        """Submit the answers of one personal link: {token, answers: {question id: option
        number}, comment}. 201 once; 409 for a link already used."""
        from jixiao.surveys.views import throttled

        address = str(request.META.get("REMOTE_ADDR", ""))
        if throttled(address):
            return Response({"detail": "throttled"}, status=429)
        data = SubmissionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            answers = {int(k): v for k, v in data.validated_data["answers"].items()}
        except ValueError:
            raise ValidationError({"answers": "question ids are numbers"}) from None
        try:
            response = services.submit_response(
                token=data.validated_data["token"],
                answers=answers,
                comment=data.validated_data.get("comment", ""),
                address=address,
            )
        except services.SurveyUnavailable as exc:
            return Response({"detail": exc.code}, status=_REFUSED[exc.code])
        except DjangoValidationError as exc:
            raise ValidationError({"answers": exc.messages}) from None
        return Response({"id": response.pk}, status=201)
