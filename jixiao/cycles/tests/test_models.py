from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from jixiao.accounts.models import Membership, Role
from jixiao.core.testing import make_cycle, make_group, make_simple_trees, make_unit, make_user
from jixiao.cycles.models import Cycle, Participation

pytestmark = pytest.mark.django_db


def test_deleting_a_cycle_takes_its_groups_participations_and_trees_but_keeps_units() -> None:
    cycle = make_cycle()
    unit = make_unit("U1", cycle=cycle, group=make_group(cycle))
    make_simple_trees(cycle, unit)
    cycle.delete()
    assert not Cycle.objects.exists() and not Participation.objects.exists()
    unit.refresh_from_db()


def test_a_role_without_unit_or_cycle_is_held_once() -> None:
    user = make_user("viewer", Role.VIEWER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.VIEWER)
    assert Membership.objects.count() == 1
