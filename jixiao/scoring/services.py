"""Recompute: inputs → engine → one ``Result`` per unit, written in bulk with input hashes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, RankingGroup
from jixiao.scoring import canonical
from jixiao.scoring.engine import evaluate_unit, rank_and_grade
from jixiao.scoring.formula import FormulaError, compile_formula
from jixiao.scoring.models import Result
from jixiao.scoring.selectors import load_inputs
from jixiao.scoring.types import UnitInputs, UnitResult


@dataclass(frozen=True)
class RecomputeSummary:
    units: int
    provisional: int
    results_hash: str


def explain_unit(*, cycle: Cycle, unit_id: int) -> UnitResult | None:
    """The engine's full explanation for one unit, from its current inputs."""
    loaded = load_inputs(cycle=cycle, unit_ids=[unit_id])
    if not loaded:
        return None
    scheme = cycle.scheme()
    return evaluate_unit(loaded[0][1], scheme, compile_formula(scheme.formula), explain=True)


def evaluate_inputs(
    *, cycle: Cycle, loaded: list[tuple[int, UnitInputs]]
) -> tuple[list[UnitResult], dict[str, str], str]:
    """Run the engine over loaded inputs: ranked results, per-unit input hashes, cycle hash."""
    scheme = cycle.scheme()
    try:
        formula = compile_formula(scheme.formula)
    except FormulaError as exc:
        from jixiao.cycles.models import format_formula_error

        raise ValidationError({"formula": format_formula_error(exc)}) from exc
    scheme_hash = canonical.sha256(canonical.scheme_text(scheme))
    hashes: dict[str, str] = {}
    evaluated: list[UnitResult] = []
    for _unit_id, inputs in loaded:
        hashes[inputs.unit] = canonical.sha256(canonical.unit_inputs_text(inputs))
        try:
            evaluated.append(evaluate_unit(inputs, scheme, formula, explain=False))
        except FormulaError as exc:
            raise ValidationError(
                _("单位 %(unit)s 的综合得分无法计算: %(reason)s")
                % {"unit": inputs.unit, "reason": exc.reason}
            ) from exc
    ranked = rank_and_grade(evaluated, scheme)
    lines = [f"scheme|{scheme_hash}"] + [
        f"{r.unit}|{hashes[r.unit]}|{r.composite}|{r.rank}|{r.grade}|{int(r.provisional)}"
        for r in sorted(ranked, key=lambda r: r.unit)
    ]
    return ranked, hashes, canonical.sha256("\n".join(lines))


def recompute_cycle(*, cycle: Cycle, by: Any = None, reason: str = "") -> RecomputeSummary:
    """Recompute every participating unit's result of ``cycle``.

    Side effects: replaces the cycle's ``Result`` rows in one transaction (bulk insert), stores
    the cycle's results hash and time, and writes one audit entry. Refuses a finalized cycle.
    """
    if cycle.is_locked:
        raise ValidationError(_("已定档或归档的考评年度不能重新计算"))
    loaded = load_inputs(cycle=cycle)
    ranked, hashes, results_hash = evaluate_inputs(cycle=cycle, loaded=loaded)
    unit_ids = {inputs.unit: unit_id for unit_id, inputs in loaded}
    groups = dict(RankingGroup.objects.filter(cycle=cycle).values_list("code", "id"))
    now = timezone.now()
    rows = [
        Result(
            cycle_id=cycle.pk,
            unit_id=unit_ids[r.unit],
            group_id=groups[r.group],
            performance=r.components["performance"],
            self_construction=r.components["self_construction"],
            indicator=r.components["indicator"],
            city_incentive=r.components["city_incentive"],
            public=r.components["public"],
            bonus=r.components["bonus"],
            deduction=r.components["deduction"],
            composite=r.composite,
            rank=r.rank or 0,
            grade=r.grade or "",
            provisional=r.provisional,
            missing=list(r.missing),
            leaf_scores={k: str(v) for k, v in r.leaf_scores.items()},
            inputs_hash=hashes[r.unit],
            computed_at=now,
        )
        for r in ranked
    ]
    with transaction.atomic():
        old_hash = (
            Cycle.objects.select_for_update()
            .values_list("results_hash", flat=True)
            .get(pk=cycle.pk)
        )
        Result.objects.filter(cycle=cycle).delete()
        Result.objects.bulk_create(rows, batch_size=1000)
        Cycle.objects.filter(pk=cycle.pk).update(results_hash=results_hash, computed_at=now)
        record_audit(
            by=by,
            action="recompute",
            obj=cycle,
            cycle_code=cycle.code,
            old={"results_hash": old_hash},
            new={"results_hash": results_hash, "units": len(rows)},
            reason=reason,
        )
    cycle.results_hash, cycle.computed_at = results_hash, now
    return RecomputeSummary(
        units=len(rows),
        provisional=sum(1 for r in rows if r.provisional),
        results_hash=results_hash,
    )


def composite_from_components(components: dict[str, Decimal], cycle: Cycle) -> Decimal:
    """The cycle's formula applied to stored components, rounded as the engine rounds."""
    from jixiao.scoring.rounding import quantize

    formula = compile_formula(cycle.formula)
    return quantize(formula.evaluate(components), cycle.precision)
