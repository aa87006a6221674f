"""Fetch-and-check helpers of the assessment pages and API: one per aggregate.

An object the user may not see answers 404 (its existence does not leak); a visible object
the user may not act on answers 403. Predicates that need only memberships live in
``jixiao.accounts.permissions``; the ones here also read assignments.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import (
    can_manage_evaluations,
    can_view_cycle,
    can_view_unit_evaluations,
)
from jixiao.cycles.models import Cycle, Participation
from jixiao.evaluations import selectors
from jixiao.evaluations.models import Appeal, Evidence, SelfEvaluation
from jixiao.indicators.models import Indicator, Tree


def get_cycle(user: Any, code: str) -> Cycle:
    cycle = Cycle.objects.filter(code=code).first()
    if cycle is None or not can_view_cycle(user, cycle):
        raise Http404
    return cycle


def require_office(user: Any, cycle: Cycle) -> None:
    if not can_manage_evaluations(user, cycle):
        raise PermissionDenied


def get_unit(user: Any, cycle: Cycle, unit_code: str) -> Unit:
    """An assessed unit whose own evaluations ``user`` may see (the unit or the office)."""
    participation = (
        Participation.objects.filter(cycle=cycle, unit__code=unit_code)
        .select_related("unit")
        .first()
    )
    if participation is None or not can_view_unit_evaluations(user, cycle, participation.unit):
        raise Http404
    return participation.unit


def get_review_leaf(user: Any, cycle: Cycle, unit_code: str, leaf_id: int) -> Indicator:
    """A judged performance leaf the reviewer is assigned to."""
    leaf = (
        selectors.leaves(cycle=cycle)
        .filter(pk=leaf_id, tree=Tree.PERFORMANCE, unit__code=unit_code)
        .select_related("unit")
        .first()
    )
    if leaf is None or leaf.unit is None:
        raise Http404
    if not selectors.is_assigned(reviewer=user, cycle=cycle, unit=leaf.unit, indicator=leaf):
        raise Http404
    return leaf


def can_view_evidence(user: Any, evidence: Evidence) -> bool:
    cycle = evidence.cycle
    if can_view_unit_evaluations(user, cycle, evidence.unit):
        return True
    item: SelfEvaluation | None = evidence.self_evaluation
    if item is not None:
        return selectors.is_assigned(
            reviewer=user, cycle=cycle, unit=evidence.unit, indicator=item.indicator
        )
    appeal: Appeal | None = evidence.appeal
    return appeal is not None and appeal.checker_id is not None and appeal.checker_id == user.pk


def get_evidence(user: Any, cycle: Cycle, pk: int) -> Evidence:
    evidence = (
        Evidence.objects.filter(cycle=cycle, pk=pk)
        .select_related("cycle", "unit", "self_evaluation__indicator", "appeal")
        .first()
    )
    if evidence is None or not can_view_evidence(user, evidence):
        raise Http404
    return evidence


def can_view_appeal(user: Any, appeal: Appeal) -> bool:
    return can_view_unit_evaluations(user, appeal.cycle, appeal.unit) or (
        appeal.checker_id is not None and appeal.checker_id == getattr(user, "pk", None)
    )


def get_appeal(user: Any, cycle: Cycle, pk: int) -> Appeal:
    appeal = (
        Appeal.objects.filter(cycle=cycle, pk=pk)
        .select_related("cycle", "unit", "checker", "created_by")
        .first()
    )
    if appeal is None or not can_view_appeal(user, appeal):
        raise Http404
    return appeal
