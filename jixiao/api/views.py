"""Read endpoints and the recompute action of /api/v1/.

Each view fetches through ``jixiao.api.access`` (where permission is checked), reads through
the domain selectors, and serializes; the only write is the recompute service.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.permissions import can_view_reviewer_names
from jixiao.api import serializers as s
from jixiao.api.access import (
    get_cycle_for,
    get_managed_cycle_for,
    get_participation_for,
    get_result_for,
    result_unit_ids_for,
)
from jixiao.api.explanations import without_reviewer_names
from jixiao.cycles import selectors as cycle_selectors
from jixiao.cycles.models import Cycle, Participation
from jixiao.indicators.models import Indicator, Tree
from jixiao.indicators.selectors import tree_indicators
from jixiao.scoring.models import Result
from jixiao.scoring.selectors import cycle_results
from jixiao.scoring.services import explain_unit, recompute_cycle

CYCLE_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="Cycle code")
UNIT_CODE = OpenApiParameter("unit_code", str, OpenApiParameter.PATH, description="Unit code")


class CycleListView(generics.ListAPIView[Cycle]):
    """Cycles the user may open, newest first."""

    serializer_class = s.CycleListSerializer

    def get_queryset(self) -> list[Cycle]:  # type: ignore[override]
        return cycle_selectors.visible_cycles(user=self.request.user)


def cycle_detail_data(cycle: Cycle) -> dict[str, Any]:
    scheme = cycle.scheme()
    rule = scheme.grade_rule
    groups = cycle_selectors.groups(cycle=cycle).annotate(units=Count("participations"))
    return {
        "code": cycle.code,
        "name": cycle.name,
        "phase": cycle.phase,
        "get_phase_display": cycle.get_phase_display(),
        "computed_at": cycle.computed_at,
        "formula": scheme.formula,
        "precision": scheme.precision,
        "scale": scheme.scale,
        "performance_total": cycle.performance_total,
        "self_construction_total": cycle.self_construction_total,
        "bonus_categories": [
            {"category": category, "cap": r.cap, "stack": r.stack}
            for category, r in sorted(scheme.bonus_categories.items())
        ],
        "bonus_total_cap": scheme.bonus_total_cap,
        "multipliers": {str(level): value for level, value in scheme.multipliers.items()},
        "grade_rule": {
            "mode": rule.mode,
            "bands": [{"grade": b.grade, "min": b.minimum} for b in rule.bands],
            "quotas": [{"grade": q.grade, "share": q.share} for q in rule.quotas],
            "rest": rule.rest,
        },
        "groups": [
            {"code": g.code, "name": g.name, "order": g.order, "units": g.units} for g in groups
        ],
        "results_hash": cycle.results_hash,
    }


class CycleDetailView(APIView):
    @extend_schema(parameters=[CYCLE_CODE], responses=s.CycleDetailSerializer)
    def get(self, request: Request, code: str) -> Response:
        """A cycle and its scheme: formula, precision, caps, multipliers, grade rule, groups."""
        cycle = get_cycle_for(request.user, code)
        return Response(s.CycleDetailSerializer(cycle_detail_data(cycle)).data)


@extend_schema(parameters=[CYCLE_CODE])
class UnitListView(generics.ListAPIView[Participation]):
    """The units assessed in a cycle, with their ranking group."""

    serializer_class = s.ParticipationSerializer

    def get_queryset(self) -> QuerySet[Participation]:
        cycle = get_cycle_for(self.request.user, self.kwargs["code"])
        return cycle_selectors.participations(cycle=cycle)


def nest(rows: list[Indicator]) -> list[Indicator]:
    """The top-level rows, each row given ``tree_children`` in the rows' order."""
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)
    for row in rows:
        row.tree_children = children.get(row.pk, [])  # type: ignore[attr-defined]
    return children.get(None, [])


class IndicatorTreeView(APIView):
    @extend_schema(
        parameters=[
            CYCLE_CODE,
            OpenApiParameter(
                "tree", str, enum=[t.value for t in Tree], required=True, description="Which tree"
            ),
            OpenApiParameter(
                "unit", str, description="Unit code; required for the performance tree"
            ),
        ],
        responses=s.IndicatorTreeSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        """An indicator tree, nested. The common self-construction tree is open to everyone
        who may view the cycle; a unit's performance tree to those who may see its result."""
        cycle = get_cycle_for(request.user, code)
        tree = request.query_params.get("tree", "")
        unit_code = request.query_params.get("unit", "")
        if tree == Tree.SELF_CONSTRUCTION:
            unit = None
            rows = list(tree_indicators(cycle=cycle, tree=tree))
        elif tree == Tree.PERFORMANCE:
            if not unit_code:
                raise ValidationError({"unit": _("业绩指标须指定单位代码")})
            unit = get_participation_for(request.user, cycle, unit_code).unit
            rows = list(tree_indicators(cycle=cycle, tree=tree, unit_id=unit.pk))
        else:
            raise ValidationError(
                {"tree": _("须为 %(choices)s 之一") % {"choices": ", ".join(Tree.values)}}
            )
        data = {"tree": tree, "unit": unit.code if unit else None, "indicators": nest(rows)}
        return Response(s.IndicatorTreeSerializer(data).data)


@extend_schema(
    parameters=[
        CYCLE_CODE,
        OpenApiParameter("group", str, description="Only this ranking group (its code)"),
    ]
)
class ResultListView(generics.ListAPIView[Result]):
    """Stored results by group and rank. Scores are strings at the cycle's precision. The
    office, viewers and reviewers see every unit; a unit's people see only their own."""

    serializer_class = s.ResultSerializer

    def get_queryset(self) -> QuerySet[Result]:
        self.cycle = get_cycle_for(self.request.user, self.kwargs["code"])
        unit_ids = result_unit_ids_for(self.request.user, self.cycle)
        qs = cycle_results(cycle=self.cycle, group_code=self.request.query_params.get("group"))
        return qs if unit_ids is None else qs.filter(unit_id__in=unit_ids)

    def get_serializer_context(self) -> dict[str, Any]:
        # get_queryset() has run and set self.cycle, except while the schema is generated.
        cycle: Cycle | None = getattr(self, "cycle", None)
        precision = cycle.precision if cycle is not None else 2
        return {**super().get_serializer_context(), "precision": precision}


class ResultDetailView(APIView):
    @extend_schema(parameters=[CYCLE_CODE, UNIT_CODE], responses=s.ResultDetailSerializer)
    def get(self, request: Request, code: str, unit_code: str) -> Response:
        """One unit's stored result and the worked explanation of its score. Reviewers appear
        as "评估组成员 N" unless the reader may see their names."""
        cycle = get_cycle_for(request.user, code)
        result = get_result_for(request.user, cycle, unit_code)
        explained = explain_unit(cycle=cycle, unit_id=result.unit_id)
        explanation = explained.explanation if explained is not None else None
        if explanation is not None and not can_view_reviewer_names(request.user, cycle):
            explanation = without_reviewer_names(explanation)
        result.explanation = explanation  # type: ignore[attr-defined]
        context = {"precision": cycle.precision}
        return Response(s.ResultDetailSerializer(result, context=context).data)


class RecomputeView(APIView):
    @extend_schema(
        parameters=[CYCLE_CODE],
        request=None,
        responses={
            200: s.RecomputeSummarySerializer,
            400: OpenApiResponse(description="The cycle cannot be recomputed (reason given)"),
            403: OpenApiResponse(description="Only the office may recompute"),
            404: OpenApiResponse(description="No such cycle, or not visible to the user"),
        },
    )
    def post(self, request: Request, code: str) -> Response:
        """Recompute every unit's result of the cycle (the office only)."""
        cycle = get_managed_cycle_for(request.user, code)
        try:
            summary = recompute_cycle(cycle=cycle, by=request.user)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc
        data = {
            "units": summary.units,
            "provisional": summary.provisional,
            "results_hash": summary.results_hash,
            "computed_at": cycle.computed_at,
        }
        return Response(s.RecomputeSummarySerializer(data).data)
