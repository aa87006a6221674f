"""Done and reopened: the states of tasks and milestones and the moves between them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.tasks.models import Milestone, Task, TaskState

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    TaskState.OPEN: frozenset({TaskState.DONE}),
    TaskState.DONE: frozenset({TaskState.OPEN}),
}


def change_state(*, obj: Task | Milestone, to: str, by: Any, today: date) -> Task | Milestone:
    """Mark a task or milestone done (on ``today``) or reopen it.

    Side effects: locks the row, checks the move against ALLOWED_MOVES, sets ``done_on``,
    saves and writes an audit entry with the old and new state.
    """
    task = obj if isinstance(obj, Task) else obj.task
    if task.cycle.is_locked:
        raise ValidationError(_("该考评年度已定档，任务不能再变更"))
    model = type(obj)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        if to not in ALLOWED_MOVES.get(locked.state, frozenset()):
            raise ValidationError(
                _("不能从“%(from)s”转为“%(to)s”")
                % {"from": TaskState(locked.state).label, "to": TaskState(to).label}
            )
        old = locked.state
        locked.state = to
        locked.done_on = today if to == TaskState.DONE else None
        locked.save(update_fields=["state", "done_on"])
        record_audit(
            by=by,
            action=f"{model._meta.model_name}_{to}",
            obj=locked,
            cycle_code=task.cycle.code,
            old={"state": old},
            new={"state": to, "done_on": locked.done_on},
        )
    obj.state, obj.done_on = locked.state, locked.done_on
    return obj
