"""Publishing preliminary results (公示) and finalizing them (定档).

Both recompute the cycle, keep a snapshot of every unit's results (so that the published and
the final results can be compared line by line) and then move the phase through
``jixiao.cycles.workflow.change_phase``, which audits the move.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, Phase
from jixiao.cycles.workflow import change_phase, check_move
from jixiao.evaluations import selectors
from jixiao.evaluations.models import Appeal, AppealState, ResultSnapshot, SnapshotKind
from jixiao.scoring.models import Result
from jixiao.scoring.services import recompute_cycle

COMPONENTS = (
    "performance",
    "self_construction",
    "indicator",
    "city_incentive",
    "public",
    "bonus",
    "deduction",
    "composite",
)


def snapshot_rows(*, cycle: Cycle) -> dict[str, dict[str, Any]]:
    """Unit code → its stored result: components, composite, rank, grade and leaf scores."""
    rows: dict[str, dict[str, Any]] = {}
    for result in Result.objects.filter(cycle=cycle).select_related("unit").order_by("unit__code"):
        rows[result.unit.code] = {
            "name": result.unit.name,
            **{key: str(getattr(result, key)) for key in COMPONENTS},
            "rank": result.rank,
            "grade": result.grade,
            "provisional": result.provisional,
            "leaves": {k: str(v) for k, v in sorted(result.leaf_scores.items())},
        }
    return rows


def _snapshot(cycle: Cycle, kind: str, by: Any) -> ResultSnapshot:
    cycle.refresh_from_db(fields=["results_hash"])
    return ResultSnapshot.objects.create(
        cycle=cycle,
        kind=kind,
        results_hash=cycle.results_hash,
        rows=snapshot_rows(cycle=cycle),
        taken_by=by,
    )


def publish_results(*, cycle: Cycle, by: Any) -> ResultSnapshot:
    """Move the cycle from 评估 to 公示 with freshly computed results.

    Side effects: recomputes the cycle, stores the published snapshot, changes the phase
    (audited) and opens the appeal window (the calendar's appeal deadline)."""
    check_move(cycle.phase, Phase.PUBLICITY)
    if cycle.phase != Phase.ASSESSMENT:
        raise ValidationError(_("只有“评估”阶段的年度可以公示"))
    with transaction.atomic():
        recompute_cycle(cycle=cycle, by=by, reason=_("公示前计算"))
        snapshot = _snapshot(cycle, SnapshotKind.PUBLISHED, by)
        change_phase(cycle=cycle, to=Phase.PUBLICITY, by=by)
    return snapshot


def finalize_cycle(*, cycle: Cycle, by: Any) -> ResultSnapshot:
    """Finalize (定档) a cycle in 公示 whose appeal window has closed and whose appeals are all
    ruled.

    Side effects: recomputes the cycle, stores the final snapshot with the results hash,
    moves the phase to 定档 (the cycle is locked from then on) and audits the hash."""
    if cycle.phase != Phase.PUBLICITY:
        raise ValidationError(_("只有“公示”阶段的年度可以定档"))
    if (
        selectors.appeal_window_open(cycle=cycle)
        and selectors.calendar_for(cycle=cycle).appeal_deadline is not None
    ):
        raise ValidationError(_("申诉期尚未结束，不能定档"))
    open_appeals = Appeal.objects.filter(cycle=cycle).exclude(state=AppealState.RULED).count()
    if open_appeals:
        raise ValidationError(
            _("还有 %(n)s 件申诉未裁定，不能定档") % {"n": open_appeals}, code="open_appeals"
        )
    with transaction.atomic():
        recompute_cycle(cycle=cycle, by=by, reason=_("定档"))
        snapshot = _snapshot(cycle, SnapshotKind.FINAL, by)
        change_phase(cycle=cycle, to=Phase.FINALIZED, by=by)
        record_audit(
            by=by,
            action="finalize_cycle",
            obj=cycle,
            cycle_code=cycle.code,
            new={"results_hash": snapshot.results_hash},
        )
    return snapshot


def reopen_cycle(*, cycle: Cycle, by: Any, reason: str) -> Cycle:
    """The office reopens a finalized cycle (back to 公示); the reason is required and audited
    by ``change_phase``."""
    return change_phase(cycle=cycle, to=Phase.PUBLICITY, by=by, reason=reason)


def compare_snapshots(*, cycle: Cycle) -> tuple[ResultSnapshot | None, ResultSnapshot | None]:
    """The latest published and final snapshots of the cycle (either may be missing)."""
    published = ResultSnapshot.objects.filter(cycle=cycle, kind=SnapshotKind.PUBLISHED).first()
    final = ResultSnapshot.objects.filter(cycle=cycle, kind=SnapshotKind.FINAL).first()
    return published, final
