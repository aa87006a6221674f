"""States of a unit's self-evaluation package and of an appeal, and the moves between them.

Package: 填报中 → 已提交 (the leader approves and submits) → 退回补充 (a reviewer returns an item
for more evidence) → 已提交 (the leader resubmits). Appeal: 已提交 → 复核中 (the office assigns a
re-check) → 已裁定 (the re-check rules).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.evaluations.models import (
    Appeal,
    AppealState,
    PackageState,
    ReviewReturn,
    SelfEvaluation,
    SelfEvaluationPackage,
)

PACKAGE_MOVES: dict[str, frozenset[str]] = {
    PackageState.DRAFT: frozenset({PackageState.SUBMITTED}),
    PackageState.SUBMITTED: frozenset({PackageState.RETURNED}),
    PackageState.RETURNED: frozenset({PackageState.SUBMITTED}),
}

APPEAL_MOVES: dict[str, frozenset[str]] = {
    AppealState.SUBMITTED: frozenset({AppealState.RECHECKING}),
    AppealState.RECHECKING: frozenset({AppealState.RULED}),
    AppealState.RULED: frozenset(),
}


def move_package(
    *, package: SelfEvaluationPackage, to: str, by: Any, reason: str = ""
) -> SelfEvaluationPackage:
    """Move a unit's self-evaluation package to state ``to``.

    Side effects: locks the package row, checks the move against PACKAGE_MOVES, saves the
    state and bumps its version; on submission records who and when, clears the returned
    marks of its items and closes their open returns; writes an audit entry (old and new
    state, reason). The caller checks permission and the deadline.
    """
    with transaction.atomic():
        locked = SelfEvaluationPackage.objects.select_for_update().get(pk=package.pk)
        if to not in PACKAGE_MOVES.get(locked.state, frozenset()):
            raise ValidationError(
                _("自评材料不能从“%(from)s”转为“%(to)s”")
                % {"from": PackageState(locked.state).label, "to": PackageState(to).label},
                code="invalid_move",
            )
        old = locked.state
        locked.state = to
        locked.version += 1
        fields = ["state", "version"]
        if to == PackageState.SUBMITTED:
            now = timezone.now()
            locked.submitted_at = now
            locked.submitted_by = by
            fields += ["submitted_at", "submitted_by"]
            returned = list(
                SelfEvaluation.objects.filter(package=locked, returned=True).values_list(
                    "pk", flat=True
                )
            )
            if returned:
                SelfEvaluation.objects.filter(pk__in=returned).update(returned=False)
                ReviewReturn.objects.filter(
                    self_evaluation_id__in=returned, resolved_at__isnull=True
                ).update(resolved_at=now)
        locked.save(update_fields=fields)
        record_audit(
            by=by,
            action="self_evaluation_state",
            obj=locked,
            cycle_code=locked.cycle.code,
            old={"state": old},
            new={"state": to},
            reason=reason,
        )
    package.state, package.version = locked.state, locked.version
    package.submitted_at, package.submitted_by = locked.submitted_at, locked.submitted_by
    return package


def move_appeal(
    *, appeal: Appeal, to: str, by: Any, changes: dict[str, Any], reason: str = ""
) -> Appeal:
    """Move an appeal to state ``to``, saving ``changes`` (field → value) with it.

    Side effects: locks the appeal row, checks the move against APPEAL_MOVES, saves the state
    and the changed fields and bumps the version, and writes an audit entry with the old and
    new values of everything saved. The caller checks permission and the appeal window.
    """
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=appeal.pk)
        )
        if to not in APPEAL_MOVES.get(locked.state, frozenset()):
            raise ValidationError(
                _("申诉不能从“%(from)s”转为“%(to)s”")
                % {"from": AppealState(locked.state).label, "to": AppealState(to).label},
                code="invalid_move",
            )
        old: dict[str, Any] = {"state": locked.state}
        new: dict[str, Any] = {"state": to}
        for field, value in changes.items():
            old[field] = getattr(locked, field)
            setattr(locked, field, value)
            new[field] = value
        locked.state = to
        locked.version += 1
        locked.save()
        record_audit(
            by=by,
            action="appeal_state",
            obj=locked,
            cycle_code=locked.cycle.code,
            old=old,
            new=new,
            reason=reason,
        )
    return locked
