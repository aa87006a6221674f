"""The what-if sandbox: the cycle's stored inputs through the pure engine with a changed scheme.

Nothing here writes: the scheme is read from an unsaved copy of the cycle, a unit's input is
changed on the in-memory ``UnitInputs``, and the results are compared with the stored ones.
Adopting a scheme is a separate service (``jixiao.reports.services.adopt_scheme``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from jixiao.cycles.models import Cycle, Participation, RankingGroup
from jixiao.scoring.engine import evaluate_cycle
from jixiao.scoring.models import Result
from jixiao.scoring.selectors import load_recompute_inputs

#: The cycle fields a what-if may change (and an adoption writes).
SCHEME_FIELDS = (
    "formula",
    "multiplier_district",
    "multiplier_city",
    "multiplier_province",
    "bonus_total_cap",
    "bonus_categories",
    "grade_mode",
    "grade_rules",
)


@dataclass(frozen=True)
class InputChange:
    """A unit's input changed in the sandbox only."""

    unit_code: str
    public: Decimal | None = None
    city_incentive: Decimal | None = None


def sandbox_cycle(cycle: Cycle, scheme: dict[str, Any]) -> Cycle:
    """An unsaved copy of ``cycle`` with the given scheme fields, checked as the admin checks
    a cycle (ValidationError naming the field)."""
    trial = copy.copy(cycle)
    for name in SCHEME_FIELDS:
        if name in scheme:
            setattr(trial, name, scheme[name])
    trial.clean()
    return trial


@dataclass(frozen=True)
class WhatIfRow:
    unit_code: str
    unit_name: str
    group: str
    current_composite: Decimal | None
    current_rank: int | None
    current_grade: str
    composite: Decimal
    rank: int
    grade: str

    @property
    def rank_changed(self) -> bool:
        return self.current_rank != self.rank

    @property
    def grade_changed(self) -> bool:
        return self.current_grade != self.grade

    @property
    def changed(self) -> bool:
        return self.rank_changed or self.grade_changed

    @property
    def rank_change(self) -> int:
        return (self.current_rank or 0) - self.rank if self.current_rank else 0

    @property
    def composite_change(self) -> Decimal | None:
        if self.current_composite is None:
            return None
        return self.composite - self.current_composite


@dataclass(frozen=True)
class WhatIfGroup:
    name: str
    rows: list[WhatIfRow]

    @property
    def changed(self) -> int:
        return sum(1 for r in self.rows if r.changed)


def run_whatif(
    *, cycle: Cycle, scheme: dict[str, Any], change: InputChange | None = None
) -> list[WhatIfGroup]:
    """New ranks and grades of every unit under ``scheme`` (and ``change``), beside the
    stored ones, per group in the new rank order.

    Queries: the recompute's input loader, the stored results with units, the groups.
    """
    trial = sandbox_cycle(cycle, scheme)
    loaded = load_recompute_inputs(cycle=cycle).units
    inputs = []
    for _unit_id, unit_inputs in loaded:
        if change is not None and unit_inputs.unit == change.unit_code:
            if change.public is not None:
                unit_inputs = replace(unit_inputs, public=change.public)
            if change.city_incentive is not None:
                unit_inputs = replace(unit_inputs, city_incentive=change.city_incentive)
        inputs.append(unit_inputs)
    if change is not None and not any(i.unit == change.unit_code for i in inputs):
        raise ValidationError({"unit": f"{change.unit_code}"})
    results = evaluate_cycle(inputs, trial.scheme())
    stored = {r.unit.code: r for r in Result.objects.filter(cycle=cycle).select_related("unit")}
    names = dict(Participation.objects.filter(cycle=cycle).values_list("unit__code", "unit__name"))
    groups = {
        g.code: g.name for g in RankingGroup.objects.filter(cycle=cycle).order_by("order", "code")
    }
    by_group: dict[str, list[WhatIfRow]] = {code: [] for code in groups}
    for r in results:
        old = stored.get(r.unit)
        by_group.setdefault(r.group, []).append(
            WhatIfRow(
                unit_code=r.unit,
                unit_name=names.get(r.unit, r.unit),
                group=groups.get(r.group, r.group),
                current_composite=old.composite if old else None,
                current_rank=old.rank if old else None,
                current_grade=old.grade if old else "",
                composite=r.composite,
                rank=r.rank or 0,
                grade=r.grade or "",
            )
        )
    return [
        WhatIfGroup(name=groups.get(code, code), rows=rows)
        for code, rows in by_group.items()
        if rows
    ]
