"""Recompute: inputs → engine → one ``Result`` per unit, written in bulk with input hashes."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from hashlib import sha256
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, RankingGroup
from jixiao.scoring import canonical
from jixiao.scoring.engine import evaluate_unit, rank_and_grade
from jixiao.scoring.formula import FormulaError, compile_formula
from jixiao.scoring.models import Result
from jixiao.scoring.selectors import load_inputs, load_recompute_inputs
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
    *,
    cycle: Cycle,
    loaded: list[tuple[int, UnitInputs]],
    review_texts: Mapping[int, Mapping[str, str]] | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[list[UnitResult], dict[str, str], str]:
    """Run the engine over loaded inputs: ranked results, per-unit input hashes, cycle hash.

    ``review_texts`` comes with inputs loaded by ``load_recompute_inputs`` (unit id → leaf →
    reviews text); the hashes are the same either way.
    """
    scheme = cycle.scheme()
    try:
        formula = compile_formula(scheme.formula)
    except FormulaError as exc:
        from jixiao.cycles.models import format_formula_error

        raise ValidationError({"formula": format_formula_error(exc)}) from exc
    started = time.perf_counter()
    evaluated: list[UnitResult] = []
    for _unit_id, inputs in loaded:
        try:
            evaluated.append(evaluate_unit(inputs, scheme, formula, explain=False))
        except FormulaError as exc:
            raise ValidationError(
                _("单位 %(unit)s 的综合得分无法计算: %(reason)s")
                % {"unit": inputs.unit, "reason": exc.reason}
            ) from exc
    ranked = rank_and_grade(evaluated, scheme)
    hashed = time.perf_counter()
    hashes = input_hashes(loaded, review_texts)
    scheme_hash = canonical.sha256(canonical.scheme_text(scheme))
    lines = [f"scheme|{scheme_hash}"] + [
        f"{r.unit}|{hashes[r.unit]}|{r.composite}|{r.rank}|{r.grade}|{int(r.provisional)}"
        for r in sorted(ranked, key=lambda r: r.unit)
    ]
    results_hash = canonical.sha256("\n".join(lines))
    if timings is not None:
        timings.update(engine=hashed - started, hash=time.perf_counter() - hashed)
    return ranked, hashes, results_hash


def input_hashes(
    loaded: list[tuple[int, UnitInputs]],
    review_texts: Mapping[int, Mapping[str, str]] | None = None,
) -> dict[str, str]:
    """Unit code → SHA-256 of the canonical text of the unit's inputs."""
    texts = review_texts or {}
    text_of = canonical.unit_inputs_text
    return {
        inputs.unit: sha256(text_of(inputs, texts.get(unit_id)).encode()).hexdigest()
        for unit_id, inputs in loaded
    }


def recompute_cycle(
    *,
    cycle: Cycle,
    by: Any = None,
    reason: str = "",
    timings: dict[str, float] | None = None,
    restore_hash: str = "",
) -> RecomputeSummary:
    """Recompute every participating unit's result of ``cycle``.

    Side effects: replaces the cycle's ``Result`` rows in one transaction (bulk insert), stores
    the cycle's results hash and time, and writes one audit entry. Refuses a finalized cycle,
    except to restore its results: with ``restore_hash`` (the hash an archive of the finalized
    cycle carries) the results are written only when they hash to exactly that value, so a
    locked cycle brought into a new instance gets its results back and nothing can change them.
    ``timings``, when given, receives the seconds spent loading, in the engine, hashing and
    writing (the benchmark reports them).
    """
    if cycle.is_locked and not restore_hash:
        raise ValidationError(_("已定档或归档的考评年度不能重新计算"))
    with _collector_paused():
        return _recompute(cycle, by, reason, timings, restore_hash)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the duration.

    A recompute builds several hundred thousand small objects that live until it returns;
    each collection would walk all of them again, which measured as a third of the time.
    Reference counting still frees everything that is not in a cycle.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _recompute(
    cycle: Cycle, by: Any, reason: str, timings: dict[str, float] | None, restore_hash: str
) -> RecomputeSummary:
    started = time.perf_counter()
    loaded = load_recompute_inputs(cycle=cycle)
    loaded_at = time.perf_counter()
    ranked, hashes, results_hash = evaluate_inputs(
        cycle=cycle, loaded=loaded.units, review_texts=loaded.review_texts, timings=timings
    )
    if restore_hash and results_hash != restore_hash:
        raise ValidationError(
            _("结果哈希 %(actual)s 与应恢复的 %(expected)s 不一致,结果未写入")
            % {"actual": results_hash, "expected": restore_hash}
        )
    written_from = time.perf_counter()
    unit_ids = {inputs.unit: unit_id for unit_id, inputs in loaded.units}
    groups = dict(RankingGroup.objects.filter(cycle=cycle).values_list("code", "id"))
    now = timezone.now()
    with transaction.atomic():
        old_hash = (
            Cycle.objects.select_for_update()
            .values_list("results_hash", flat=True)
            .get(pk=cycle.pk)
        )
        _write_results(cycle, ranked, hashes, unit_ids, groups, now)
        Cycle.objects.filter(pk=cycle.pk).update(results_hash=results_hash, computed_at=now)
        record_audit(
            by=by,
            action="restore_results" if restore_hash else "recompute",
            obj=cycle,
            cycle_code=cycle.code,
            old={"results_hash": old_hash},
            new={"results_hash": results_hash, "units": len(ranked)},
            reason=reason,
        )
    cycle.results_hash, cycle.computed_at = results_hash, now
    if timings is not None:
        timings.update(load=loaded_at - started, write=time.perf_counter() - written_from)
    return RecomputeSummary(
        units=len(ranked),
        provisional=sum(1 for r in ranked if r.provisional),
        results_hash=results_hash,
    )


_RESULT_COLUMNS = (
    "cycle_id",
    "unit_id",
    "group_id",
    "performance",
    "self_construction",
    "indicator",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
    "composite",
    "rank",
    "grade",
    "provisional",
    "missing",
    "leaf_scores",
    "inputs_hash",
    "computed_at",
)
_COMPONENTS = (
    "performance",
    "self_construction",
    "indicator",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
)


def _write_results(
    cycle: Cycle,
    ranked: list[UnitResult],
    hashes: dict[str, str],
    unit_ids: dict[str, int],
    groups: dict[str, int],
    now: datetime,
) -> None:
    """Replace the cycle's results: one DELETE, then COPY (PostgreSQL) or a batched INSERT.

    Thousands of ``Result`` instances through ``bulk_create`` cost more than the engine; the
    rows are the same, written with the columns' own representations.
    """
    table = Result._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in _RESULT_COLUMNS)
    dumps = json.dumps
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Results are derived data: should the server crash in the instant after the
            # commit, the cycle reverts as a whole to its previous results and hash (the
            # transaction stays atomic), and a recompute makes them again. Not waiting for the
            # WAL flush saves a disk round trip on every recompute.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(f"DELETE FROM {quote(table)} WHERE cycle_id = %s", [cycle.pk])
            # COPY's text format, written directly: one string instead of a call per row.
            head = f"{cycle.pk}\t"
            tail = f"\t{now.isoformat()}\n"
            lines = [
                head
                + "\t".join(
                    [
                        str(unit_ids[r.unit]),
                        str(groups[r.group]),
                        *[str(r.components[name]) for name in _COMPONENTS],
                        str(r.composite),
                        str(r.rank or 0),
                        _copy_text(r.grade or ""),
                        "t" if r.provisional else "f",
                        _copy_text(dumps(list(r.missing))),
                        _copy_text(dumps({k: str(v) for k, v in r.leaf_scores.items()})),
                        hashes[r.unit],
                    ]
                )
                + tail
                for r in ranked
            ]
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                copy.write("".join(lines))
            return
        stamp = connection.ops.adapt_datetimefield_value(now)
        rows = [
            (
                cycle.pk,
                unit_ids[r.unit],
                groups[r.group],
                # SQLite's adapter for Decimal is str(); the text keeps the exact value.
                *[str(r.components[name]) for name in _COMPONENTS],
                str(r.composite),
                r.rank or 0,
                r.grade or "",
                r.provisional,
                dumps(list(r.missing)),
                dumps({k: str(v) for k, v in r.leaf_scores.items()}),
                hashes[r.unit],
                stamp,
            )
            for r in ranked
        ]
        cursor.execute(f"DELETE FROM {quote(table)} WHERE cycle_id = %s", [cycle.pk])
        marks = ", ".join(["%s"] * len(_RESULT_COLUMNS))
        cursor.executemany(f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})", rows)


def _copy_text(value: str) -> str:
    """``value`` escaped for COPY's text format (backslash, tab, newline, carriage return)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def composite_from_components(components: dict[str, Decimal], cycle: Cycle) -> Decimal:
    """The cycle's formula applied to stored components, rounded as the engine rounds."""
    from jixiao.scoring.rounding import quantize

    formula = compile_formula(cycle.formula)
    return quantize(formula.evaluate(components), cycle.precision)


# Verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One line where the stored results and a recompute from the stored inputs disagree."""

    unit: str  # unit code; "" for the cycle as a whole
    field: str  # results_hash, inputs_hash, composite, rank, grade, provisional, a component,
    # or "result" for a unit with a result on one side only
    stored: str
    recomputed: str


@dataclass(frozen=True)
class VerificationReport:
    cycle_code: str
    units: int
    stored_hash: str
    recomputed_hash: str
    differences: tuple[Difference, ...]
    checked_at: datetime

    @property
    def ok(self) -> bool:
        return (
            bool(self.stored_hash)
            and self.stored_hash == self.recomputed_hash
            and (not self.differences)
        )


def verify_cycle(*, cycle: Cycle) -> VerificationReport:
    """Recompute ``cycle`` from its stored inputs, in memory, and compare with what is stored:
    the cycle's results hash, and each unit's inputs hash, components, composite, rank, grade
    and provisional mark. Writes nothing.

    A finalized cycle's inputs must not change; any line listed here means that an input or a
    result was changed after the results were computed (or that the rules of the engine did).
    """
    with _collector_paused():
        loaded = load_recompute_inputs(cycle=cycle)
        ranked, hashes, results_hash = evaluate_inputs(
            cycle=cycle, loaded=loaded.units, review_texts=loaded.review_texts
        )
    stored = {r.unit.code: r for r in Result.objects.filter(cycle=cycle).select_related("unit")}
    differences: list[Difference] = []
    if cycle.results_hash != results_hash:
        differences.append(Difference("", "results_hash", cycle.results_hash, results_hash))
    fresh = {r.unit: r for r in ranked}
    for code in sorted(set(stored) | set(fresh)):
        old, new = stored.get(code), fresh.get(code)
        if old is None or new is None:
            differences.append(
                Difference(code, "result", "—" if old is None else "✓", "—" if new is None else "✓")
            )
            continue
        pairs: list[tuple[str, object, object]] = [
            ("inputs_hash", old.inputs_hash, hashes[code]),
            *((name, getattr(old, name), new.components[name]) for name in _COMPONENTS),
            ("composite", old.composite, new.composite),
            ("rank", old.rank, new.rank),
            ("grade", old.grade, new.grade or ""),
            ("provisional", old.provisional, new.provisional),
        ]
        for name, was, now in pairs:
            # Decimals compare by value: the stored 899.8000 is the computed 899.80.
            if was != now:
                differences.append(Difference(code, name, _text(was), _text(now)))
    return VerificationReport(
        cycle_code=cycle.code,
        units=len(ranked),
        stored_hash=cycle.results_hash,
        recomputed_hash=results_hash,
        differences=tuple(differences),
        checked_at=timezone.now(),
    )


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return str(value)
