"""The approval of an indicator tree and the moves allowed between its states.

草稿 → 已提交 (the operator; the tree must add up) → 已审核 (the unit leader) → 已锁定 (the
office). The leader may return a submitted tree and the office an approved or locked one,
each with a reason; a returned tree is edited and submitted again. The common tree follows
the same moves, all of them made by the office.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.accounts.permissions import can_approve_tree, can_edit_tree, can_lock_tree
from jixiao.core.services import record_audit
from jixiao.indicators.models import TreeState, TreeStatus

#: (from, to) → who may make the move.
Predicate = Callable[[Any, TreeStatus], bool]


def _editor(user: Any, status: TreeStatus) -> bool:
    return can_edit_tree(user, status.cycle, status.unit)


def _approver(user: Any, status: TreeStatus) -> bool:
    return can_approve_tree(user, status.cycle, status.unit)


def _office(user: Any, status: TreeStatus) -> bool:
    return can_lock_tree(user, status.cycle)


ALLOWED_MOVES: dict[tuple[str, str], Predicate] = {
    (TreeState.DRAFT, TreeState.SUBMITTED): _editor,
    (TreeState.RETURNED, TreeState.SUBMITTED): _editor,
    (TreeState.SUBMITTED, TreeState.APPROVED): _approver,
    (TreeState.SUBMITTED, TreeState.RETURNED): _approver,
    (TreeState.APPROVED, TreeState.LOCKED): _office,
    (TreeState.APPROVED, TreeState.RETURNED): _office,
    (TreeState.LOCKED, TreeState.RETURNED): _office,
}
#: Moves that send a tree back and therefore need a written reason.
RETURNING = frozenset({TreeState.RETURNED})

#: The verb of each target state, for buttons and the audit log.
ACTIONS: dict[str, str] = {
    TreeState.SUBMITTED: "submit_tree",
    TreeState.APPROVED: "approve_tree",
    TreeState.LOCKED: "lock_tree",
    TreeState.RETURNED: "return_tree",
}


def allowed_targets(user: Any, status: TreeStatus) -> list[str]:
    """The states ``user`` may move ``status`` to now, in the table's order."""
    return [
        to for (frm, to), may in ALLOWED_MOVES.items() if frm == status.state and may(user, status)
    ]


def check_move(user: Any, status: TreeStatus, to: str, reason: str) -> None:
    move = (status.state, to)
    if move not in ALLOWED_MOVES:
        raise ValidationError(
            _("指标体系不能从“%(from)s”转为“%(to)s”")
            % {"from": TreeState(status.state).label, "to": TreeState(to).label},
            code="invalid_move",
        )
    if not ALLOWED_MOVES[move](user, status):
        raise PermissionDenied(_("无权进行此操作"))
    if to in RETURNING and not reason.strip():
        raise ValidationError(_("退回时必须填写原因"), code="reason_required")


def change_tree_state(*, status: TreeStatus, to: str, by: Any, reason: str = "") -> TreeStatus:
    """Move a tree to state ``to``.

    Side effects: locks the status row, checks the move against ALLOWED_MOVES and the actor's
    right to make it, refuses a submission of a tree that does not add up (naming each node
    that is off and by how much), refuses any move in a finalized cycle, saves the state and
    the reason, and writes an audit entry with the old and new state and the reason.
    """
    from jixiao.indicators.services import tree_problems

    with transaction.atomic():
        locked = (
            TreeStatus.objects.select_for_update(of=("self",))
            .select_related("cycle", "unit")
            .get(pk=status.pk)
        )
        if locked.cycle.is_locked:
            raise ValidationError(_("该考评年度已定档，指标体系不能再变更"), code="cycle_locked")
        check_move(by, locked, to, reason)
        if to == TreeState.SUBMITTED:
            problems = tree_problems(cycle=locked.cycle, tree=locked.tree, unit=locked.unit)
            if problems:
                raise ValidationError([str(p) for p in problems], code="tree_unsound")
        old = locked.state
        locked.state = to
        locked.reason = reason.strip() if to in RETURNING else ""
        locked.changed_by = by if getattr(by, "pk", None) else None
        locked.save(update_fields=["state", "reason", "changed_by", "changed_at"])
        record_audit(
            by=by,
            action=ACTIONS[to],
            obj=locked,
            cycle_code=locked.cycle.code,
            old={"state": old},
            new={"state": to},
            reason=reason,
        )
    status.state, status.reason = locked.state, locked.reason
    return status
