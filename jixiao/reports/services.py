"""The writes of the report pages: opening the public results page, adopting a what-if."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle
from jixiao.reports.models import Publication


def set_public_results(*, cycle: Cycle, public: bool, by: Any, reason: str = "") -> Publication:
    """Open (or close) the public page of a finalized cycle's results.

    Side effects: creates or updates the cycle's ``Publication`` row and writes an audit entry
    with the old and new setting. Refuses a cycle that is not finalized.
    """
    if not cycle.is_locked:
        raise ValidationError(_("只有已定档的考评年度才能向社会公开结果"))
    with transaction.atomic():
        publication, _created = Publication.objects.select_for_update().get_or_create(cycle=cycle)
        old = publication.public
        publication.public = public
        publication.changed_by = by
        publication.changed_at = timezone.now()
        publication.save()
        record_audit(
            by=by,
            action="set_public_results",
            obj=cycle,
            cycle_code=cycle.code,
            old={"public": old},
            new={"public": public},
            reason=reason,
        )
    return publication


def adopt_scheme(*, cycle: Cycle, scheme: dict[str, Any], by: Any, reason: str) -> Cycle:
    """Adopt a scheme tried in the what-if sandbox: write the changed cycle fields, then
    recompute the cycle's results.

    Side effects: locks the cycle row, checks the new scheme as the admin does, saves the
    changed fields, writes one audit entry with their old and new values and the reason, and
    recomputes (which writes its own audit entry). Refuses a finalized or archived cycle and an
    adoption without a reason.
    """
    from jixiao.reports.whatif import SCHEME_FIELDS, sandbox_cycle
    from jixiao.scoring.services import recompute_cycle

    if not reason.strip():
        raise ValidationError({"reason": _("采用新方案必须填写原因")})
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.is_locked:
            raise ValidationError(_("已定档或归档的考评年度不能修改考评方案"))
        trial = sandbox_cycle(locked, scheme)
        changed = [name for name in SCHEME_FIELDS if getattr(trial, name) != getattr(locked, name)]
        if not changed:
            raise ValidationError(_("方案没有变化"))
        old = {name: _plain(getattr(locked, name)) for name in changed}
        new = {name: _plain(getattr(trial, name)) for name in changed}
        for name in changed:
            setattr(locked, name, getattr(trial, name))
        locked.save(update_fields=changed)
        record_audit(
            by=by,
            action="adopt_whatif",
            obj=locked,
            cycle_code=locked.code,
            old=old,
            new=new,
            reason=reason,
        )
        # In the same transaction: a scheme that cannot score every unit is not adopted.
        recompute_cycle(cycle=locked, by=by, reason=reason)
    return locked


def _plain(value: Any) -> Any:
    from decimal import Decimal

    return str(value) if isinstance(value, Decimal) else value
