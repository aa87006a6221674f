"""The phases of a cycle and the moves allowed between them.

准备 → 任务分解 → 执行 → 评估 → 公示 → 定档 → 归档, with a step back allowed from 公示 to 评估
(re-checks after appeals) and from 定档 to 公示 (the office reopens a finalized cycle, with a
reason).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, Phase

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    Phase.PREPARATION: frozenset({Phase.DECOMPOSITION}),
    Phase.DECOMPOSITION: frozenset({Phase.PREPARATION, Phase.EXECUTION}),
    Phase.EXECUTION: frozenset({Phase.DECOMPOSITION, Phase.ASSESSMENT}),
    Phase.ASSESSMENT: frozenset({Phase.EXECUTION, Phase.PUBLICITY}),
    Phase.PUBLICITY: frozenset({Phase.ASSESSMENT, Phase.FINALIZED}),
    Phase.FINALIZED: frozenset({Phase.PUBLICITY, Phase.ARCHIVED}),
    Phase.ARCHIVED: frozenset(),
}
#: Moves that undo a lock and therefore need a written reason.
REOPENING = frozenset({(Phase.FINALIZED, Phase.PUBLICITY)})


def check_move(current: str, target: str, reason: str = "") -> None:
    if target == current:
        return
    if target not in ALLOWED_MOVES.get(current, frozenset()):
        raise ValidationError(
            _("不能从“%(from)s”阶段转到“%(to)s”阶段")
            % {"from": Phase(current).label, "to": Phase(target).label},
            code="invalid_move",
        )
    if (current, target) in REOPENING and not reason.strip():
        raise ValidationError(_("重新打开已定档的年度必须填写原因"), code="reason_required")


def change_phase(*, cycle: Cycle, to: str, by: Any, reason: str = "") -> Cycle:
    """Move ``cycle`` to phase ``to``.

    Side effects: locks the cycle row, checks the move against ALLOWED_MOVES, saves the phase
    and writes an audit entry with the old and new phase and the reason.
    """
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        check_move(locked.phase, to, reason)
        old = locked.phase
        locked.phase = to
        locked.save(update_fields=["phase"])
        record_audit(
            by=by,
            action="change_phase",
            obj=locked,
            cycle_code=locked.code,
            old={"phase": old},
            new={"phase": to},
            reason=reason,
        )
    cycle.phase = to
    return cycle
