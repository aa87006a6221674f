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
