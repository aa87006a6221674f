"""Reads of public-evaluation scores."""

from __future__ import annotations

from decimal import Decimal

from jixiao.cycles.models import Cycle
from jixiao.surveys.models import PublicScore


def public_scores(*, cycle: Cycle, unit_ids: list[int] | None = None) -> dict[int, Decimal]:
    qs = PublicScore.objects.filter(cycle=cycle)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return dict(qs.values_list("unit_id", "score"))
