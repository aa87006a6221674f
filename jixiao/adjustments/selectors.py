"""Reads of bonuses, deductions and city incentives for the engine and the pages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from jixiao.accounts.models import Unit
from jixiao.adjustments.models import (
    BonusClaim,
    BonusItem,
    BonusStandard,
    CityIncentive,
    ClaimState,
    DeductionItem,
    DeductionStandard,
    Finding,
    Inspection,
)
from jixiao.cycles.models import Cycle
from jixiao.scoring.engine import evaluate_unit
from jixiao.scoring.formula import compile_formula
from jixiao.scoring.types import Bonus, UnitInputs
from jixiao.scoring.types import Level as EngineLevel

_ZERO = Decimal(0)


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


# Pages and the API ---------------------------------------------------------------------------


def bonus_standards(*, cycle: Cycle) -> list[BonusStandard]:
    return list(BonusStandard.objects.filter(cycle=cycle).order_by("category"))


def deduction_standards(*, cycle: Cycle) -> list[DeductionStandard]:
    return list(DeductionStandard.objects.filter(cycle=cycle).order_by("code"))


@dataclass(frozen=True)
class ClaimFilters:
    unit_code: str = ""
    category: int | None = None
    state: str = ""


def claims(
    *, cycle: Cycle, unit_ids: Collection[int] | None, filters: ClaimFilters | None = None
) -> QuerySet[BonusClaim]:
    """Claims of the cycle (only of ``unit_ids`` unless None), with unit, newest first."""
    qs = BonusClaim.objects.filter(cycle=cycle).select_related("unit")
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    f = filters or ClaimFilters()
    if f.unit_code:
        qs = qs.filter(unit__code=f.unit_code)
    if f.category is not None:
        qs = qs.filter(category=f.category)
    if f.state:
        qs = qs.filter(state=f.state)
    return qs.order_by("unit__code", "-created_at", "-id")


def inspections(*, cycle: Cycle) -> QuerySet[Inspection]:
    """Inspections, newest first, with the number of findings of each."""
    return (
        Inspection.objects.filter(cycle=cycle)
        .annotate(finding_count=Count("findings"))
        .order_by("-held_on", "-id")
    )


@dataclass(frozen=True)
class FindingFilters:
    unit_code: str = ""
    state: str = ""
    level: str = ""


def findings(
    *, cycle: Cycle, unit_ids: Collection[int] | None, filters: FindingFilters | None = None
) -> QuerySet[Finding]:
    qs = Finding.objects.filter(cycle=cycle).select_related(
        "unit", "standard", "inspection", "same_as__inspection"
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    f = filters or FindingFilters()
    if f.unit_code:
        qs = qs.filter(unit__code=f.unit_code)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.level:
        qs = qs.filter(inspection__level=f.level)
    return qs.order_by("unit__code", "-inspection__held_on", "-id")


def participating_units(*, cycle: Cycle, unit_ids: Collection[int] | None = None) -> list[Unit]:
    qs = Unit.objects.filter(participations__cycle=cycle)
    if unit_ids is not None:
        qs = qs.filter(pk__in=list(unit_ids))
    return list(qs.order_by("code"))


@dataclass
class UnitTotals:
    """A unit's adjustments at a glance: what it claimed, what the office approved, what the
    engine counts after the caps, and its deductions with the multipliers applied."""

    unit: Unit
    claims: int = 0
    claimed: Decimal = _ZERO
    approved: Decimal = _ZERO
    counted: Decimal = _ZERO
    findings: int = 0
    deduction_district: Decimal = _ZERO
    deduction_higher: Decimal = _ZERO
    city_incentive: Decimal | None = None

    @property
    def deduction(self) -> Decimal:
        return self.deduction_district + self.deduction_higher


def unit_totals(*, cycle: Cycle, unit_ids: Collection[int] | None) -> list[UnitTotals]:
    """Per participating unit (or only ``unit_ids``): one query each for units, claims,
    findings, bonus items, deduction items and city incentives; the counted bonus comes from
    the engine, so it matches the score card."""
    ids = None if unit_ids is None else list(unit_ids)
    units = participating_units(cycle=cycle, unit_ids=ids)
    totals = {u.pk: UnitTotals(unit=u) for u in units}
    scoped_ids = list(totals)
    for unit_id, claimed, count in (
        BonusClaim.objects.filter(cycle=cycle, unit_id__in=scoped_ids)
        .exclude(state=ClaimState.DRAFT)
        .values("unit_id")
        .annotate(total=Sum("claimed_points"), n=Count("id"))
        .values_list("unit_id", "total", "n")
    ):
        totals[unit_id].claimed = claimed or _ZERO
        totals[unit_id].claims = count
    for unit_id, count in (
        Finding.objects.filter(cycle=cycle, unit_id__in=scoped_ids)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    ):
        totals[unit_id].findings = count
    scheme = cycle.scheme()
    bonuses: dict[int, list[Bonus]] = defaultdict(list)
    for unit_id, category, title, points, approved in bonus_rows(cycle=cycle, unit_ids=scoped_ids):
        bonuses[unit_id].append(Bonus(category, title, points, approved))
        if approved:
            totals[unit_id].approved += points
    formula = compile_formula("bonus")
    for unit_id, items in bonuses.items():
        inputs = UnitInputs("", "", None, None, bonuses=tuple(items))
        totals[unit_id].counted = evaluate_unit(inputs, scheme, formula, explain=False).components[
            "bonus"
        ]
    for unit_id, _code, _description, count, points, level in deduction_rows(
        cycle=cycle, unit_ids=scoped_ids
    ):
        amount = points * count * scheme.multipliers.get(EngineLevel(level), Decimal(1))
        if level == EngineLevel.DISTRICT:
            totals[unit_id].deduction_district += amount
        else:
            totals[unit_id].deduction_higher += amount
    for unit_id, points in city_incentives(cycle=cycle, unit_ids=scoped_ids).items():
        totals[unit_id].city_incentive = points
    return list(totals.values())


def city_incentive_table(*, cycle: Cycle) -> list[tuple[Unit, CityIncentive | None]]:
    """Every participating unit with its city incentive entry (None when not entered)."""
    entries = {ci.unit_id: ci for ci in CityIncentive.objects.filter(cycle=cycle)}
    return [(u, entries.get(u.pk)) for u in participating_units(cycle=cycle)]
