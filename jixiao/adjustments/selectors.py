"""Reads of bonuses, deductions and city incentives for the engine and the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem
from jixiao.cycles.models import Cycle


def _scoped(qs: Any, unit_ids: list[int] | None) -> Any:
    return qs if unit_ids is None else qs.filter(unit_id__in=unit_ids)


def bonus_rows(
    *, cycle: Cycle, unit_ids: list[int] | None = None
) -> list[tuple[int, int, str, Decimal, bool]]:
    """(unit id, category, title, points, approved)."""
    qs = _scoped(BonusItem.objects.filter(cycle=cycle), unit_ids)
    return list(qs.order_by("id").values_list("unit_id", "category", "title", "points", "approved"))


def deduction_rows(
    *, cycle: Cycle, unit_ids: list[int] | None = None
) -> list[tuple[int, str, str, int, Decimal, str]]:
    """(unit id, standard code, description, count, points per occurrence, level)."""
    qs = _scoped(DeductionItem.objects.filter(cycle=cycle), unit_ids)
    return list(
        qs.order_by("id").values_list(
            "unit_id", "standard_code", "description", "count", "points", "level"
        )
    )


def city_incentives(*, cycle: Cycle, unit_ids: list[int] | None = None) -> dict[int, Decimal]:
    qs = _scoped(CityIncentive.objects.filter(cycle=cycle), unit_ids)
    return dict(qs.values_list("unit_id", "points"))
