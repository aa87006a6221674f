"""The status of a unit's respondent list: 填报中 → 已上报, and back when the office returns it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.surveys.models import ListStatus, RespondentList

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    ListStatus.DRAFT: frozenset({ListStatus.REPORTED}),
    ListStatus.REPORTED: frozenset({ListStatus.DRAFT}),
}
#: Moves that need a written reason: the office sends a reported list back to the unit.
NEEDS_REASON = frozenset({(ListStatus.REPORTED, ListStatus.DRAFT)})


def change_list_status(
    *, respondent_list: RespondentList, to: str, by: Any, reason: str = ""
) -> RespondentList:
    """Move a unit's respondent list to status ``to``.

    Side effects: locks the list row, checks the move against ALLOWED_MOVES (and that a
    return has a reason), saves the status and the report time, and writes an audit entry
    with the old and new status and the reason.
    """
    with transaction.atomic():
        locked = RespondentList.objects.select_for_update().get(pk=respondent_list.pk)
        old = locked.status
        if to not in ALLOWED_MOVES.get(old, frozenset()):
            raise ValidationError(
                _("名单不能从“%(from)s”转为“%(to)s”")
                % {"from": ListStatus(old).label, "to": ListStatus(to).label},
                code="invalid_move",
            )
        if (old, to) in NEEDS_REASON and not reason.strip():
            raise ValidationError(_("退回名单必须填写原因"), code="reason_required")
        locked.status = to
        locked.reported_at = timezone.now() if to == ListStatus.REPORTED else None
        locked.save(update_fields=["status", "reported_at"])
        record_audit(
            by=by,
            action="change_respondent_list_status",
            obj=locked,
            cycle_code=locked.cycle.code,
            old={"status": old},
            new={"status": to},
            reason=reason,
        )
    respondent_list.status = locked.status
    respondent_list.reported_at = locked.reported_at
    return respondent_list
