from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jixiao.accounts.models import Role
from jixiao.core.models import AuditEntry
from jixiao.core.testing import make_cycle, make_user
from jixiao.cycles.models import Cycle, Phase
from jixiao.cycles.workflow import change_phase

pytestmark = pytest.mark.django_db


def test_change_phase_moves_forward_and_audits() -> None:
    cycle = make_cycle()
    office = make_user("office", Role.OFFICE_ADMIN)
    change_phase(cycle=cycle, to=Phase.DECOMPOSITION, by=office)
    assert Cycle.objects.get(pk=cycle.pk).phase == Phase.DECOMPOSITION
    entry = AuditEntry.objects.get(action="change_phase")
    assert (entry.old, entry.new, entry.actor) == (
        {"phase": "preparation"},
        {"phase": "decomposition"},
        office,
    )


def test_change_phase_refuses_a_jump_and_changes_nothing() -> None:
    cycle = make_cycle()
    with pytest.raises(ValidationError, match="不能从"):
        change_phase(cycle=cycle, to=Phase.FINALIZED, by=None)
    assert Cycle.objects.get(pk=cycle.pk).phase == Phase.PREPARATION
    assert not AuditEntry.objects.exists()


def test_reopening_a_finalized_cycle_needs_a_reason() -> None:
    cycle = make_cycle(phase=Phase.FINALIZED)
    with pytest.raises(ValidationError, match="原因"):
        change_phase(cycle=cycle, to=Phase.PUBLICITY, by=None)
    change_phase(cycle=cycle, to=Phase.PUBLICITY, by=None, reason="复核结果调整")
    assert AuditEntry.objects.get(action="change_phase").reason == "复核结果调整"


def test_archived_is_final() -> None:
    cycle = make_cycle(phase=Phase.ARCHIVED)
    for phase in Phase.values:
        if phase != Phase.ARCHIVED:
            with pytest.raises(ValidationError):
                change_phase(cycle=cycle, to=phase, by=None, reason="x")
