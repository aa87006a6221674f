"""Reads of cycles shared by pages, the API, the engine's input loader and the archive."""

from __future__ import annotations

from django.db.models import QuerySet

from jixiao.cycles.models import Cycle, Participation, RankingGroup


def participations(*, cycle: Cycle, unit_ids: list[int] | None = None) -> QuerySet[Participation]:
    qs = Participation.objects.filter(cycle=cycle).select_related("unit", "group")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs.order_by("group__order", "unit__code")


def groups(*, cycle: Cycle) -> QuerySet[RankingGroup]:
    return RankingGroup.objects.filter(cycle=cycle).order_by("order", "code")


def visible_cycles(*, user: object) -> list[Cycle]:
    from jixiao.accounts.permissions import can_view_cycle

    return [c for c in Cycle.objects.order_by("-code") if can_view_cycle(user, c)]
