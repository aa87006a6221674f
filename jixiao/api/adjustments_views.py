"""Read endpoints of bonuses, inspections and the city incentive under /api/v1/.

They fetch through the same predicates as the pages: a unit's people see only their own
claims and findings; inspections are for inspectors and the office; the city incentive table
for the office and those who see every result.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jixiao.accounts.permissions import (
    can_view_all_findings,
    can_view_all_results,
    is_office_admin,
    unit_ids_of,
)
from jixiao.adjustments import selectors
from jixiao.adjustments.models import BonusClaim, CityIncentive, Finding, Inspection
from jixiao.adjustments.services import answer_days_of
from jixiao.api import adjustments_serializers as s
from jixiao.api.access import get_cycle_for
from jixiao.cycles.models import Cycle


def _own_or_all(user: Any, cycle: Cycle) -> set[int] | None:
    if is_office_admin(user, cycle):
        return None
    own = unit_ids_of(user, cycle)
    if not own:
        raise PermissionDenied(_("无权查看加减分"))
    return own


class StandardsView(APIView):
    @extend_schema(responses=s.StandardsSerializer)
    def get(self, request: Request, code: str) -> Response:
        """The cycle's bonus standards with caps, the deduction standard and multipliers."""
        cycle = get_cycle_for(request.user, code)
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
        data = {
            "bonus": bonus,
            "bonus_total_cap": scheme.bonus_total_cap,
            "deduction": selectors.deduction_standards(cycle=cycle),
            "multipliers": {str(k): v for k, v in scheme.multipliers.items()},
            "answer_days": answer_days_of(cycle),
        }
        return Response(s.StandardsSerializer(data).data)


class ClaimListView(generics.ListAPIView[BonusClaim]):
    """Bonus claims: every unit's for the office, a unit's own for its people."""

    serializer_class = s.ClaimSerializer

    def get_queryset(self) -> QuerySet[BonusClaim]:
        cycle = get_cycle_for(self.request.user, self.kwargs["code"])
        return selectors.claims(cycle=cycle, unit_ids=_own_or_all(self.request.user, cycle))


class InspectionListView(generics.ListAPIView[Inspection]):
    """Inspections: inspectors and the office only."""

    serializer_class = s.InspectionSerializer

    def get_queryset(self) -> QuerySet[Inspection]:
        cycle = get_cycle_for(self.request.user, self.kwargs["code"])
        if not can_view_all_findings(self.request.user, cycle):
            raise PermissionDenied(_("只有督查员和效能办可以查看察访记录"))
        return selectors.inspections(cycle=cycle)


class FindingListView(generics.ListAPIView[Finding]):
    """Findings: all for inspectors and the office, a unit's own for its people."""

    serializer_class = s.FindingSerializer

    def get_queryset(self) -> QuerySet[Finding]:
        user = self.request.user
        cycle = get_cycle_for(user, self.kwargs["code"])
        unit_ids = None if can_view_all_findings(user, cycle) else _own_or_all(user, cycle)
        return selectors.findings(cycle=cycle, unit_ids=unit_ids)


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
