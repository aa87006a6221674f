"""Reads of public evaluation shared by the pages, the API and the score engine."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from jixiao.cycles.models import Cycle, Participation
from jixiao.surveys.models import (
    Invitation,
    PublicScore,
    Respondent,
    RespondentList,
    Response,
    Sample,
    Survey,
)


def public_scores(*, cycle: Cycle, unit_ids: list[int] | None = None) -> dict[int, Decimal]:
    qs = PublicScore.objects.filter(cycle=cycle)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return dict(qs.values_list("unit_id", "score"))


def public_score_of(*, cycle: Cycle, unit_id: int) -> PublicScore | None:
    return PublicScore.objects.filter(cycle=cycle, unit_id=unit_id).first()


def survey_of(*, cycle: Cycle) -> Survey | None:
    return Survey.objects.filter(cycle=cycle).prefetch_related("questions").first()


def respondents(*, cycle: Cycle, unit_id: int | None = None) -> QuerySet[Respondent]:
    qs = Respondent.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code", "id")
    return qs if unit_id is None else qs.filter(unit_id=unit_id)


def invitations(
    *, cycle: Cycle, unit_id: int | None = None, pending_only: bool = False
) -> QuerySet[Invitation]:
    """Active invitations with their respondent and whether they have been answered."""
    qs = (
        Invitation.objects.filter(cycle=cycle, active=True)
        .select_related("respondent", "unit")
        .annotate(answered=Exists(Response.objects.filter(invitation=OuterRef("pk"))))
        .order_by("unit__code", "id")
    )
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if pending_only:
        qs = qs.filter(answered=False)
    return qs


def active_sample(*, cycle: Cycle, unit_id: int) -> Sample | None:
    return Sample.objects.filter(cycle=cycle, unit_id=unit_id, active=True).first()


def responses(*, cycle: Cycle, flagged_only: bool = False) -> QuerySet[Response]:
    qs = (
        Response.objects.filter(cycle=cycle)
        .select_related("unit", "entered_by")
        .order_by("-submitted_at", "-id")
    )
    return qs.exclude(flags=[]) if flagged_only else qs


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    code: str
    name: str
    respondents: int
    reported: bool
    invited: int
    responses: int
    flagged: int
    score: PublicScore | None


def unit_progress(*, cycle: Cycle, unit_ids: set[int] | None = None) -> list[UnitProgress]:
    """One row per participating unit: list size and status, invitations, responses, score
    (five queries whatever the number of units)."""
    parts = Participation.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code")
    if unit_ids is not None:
        parts = parts.filter(unit_id__in=unit_ids)
    people = dict(
        Respondent.objects.filter(cycle=cycle)
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    reported = set(
        RespondentList.objects.filter(cycle=cycle, status="reported").values_list(
            "unit_id", flat=True
        )
    )
    invited = dict(
        Invitation.objects.filter(cycle=cycle, active=True)
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    answered = {
        unit_id: (n, flagged)
        for unit_id, n, flagged in Response.objects.filter(cycle=cycle, valid=True)
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("id"), flagged=Count("id", filter=~Q(flags=[])))
        .values_list("unit_id", "n", "flagged")
    }
    scores = {s.unit_id: s for s in PublicScore.objects.filter(cycle=cycle)}
    return [
        UnitProgress(
            unit_id=p.unit_id,
            code=p.unit.code,
            name=p.unit.name,
            respondents=people.get(p.unit_id, 0),
            reported=p.unit_id in reported,
            invited=invited.get(p.unit_id, 0),
            responses=answered.get(p.unit_id, (0, 0))[0],
            flagged=answered.get(p.unit_id, (0, 0))[1],
            score=scores.get(p.unit_id),
        )
        for p in parts
    ]
