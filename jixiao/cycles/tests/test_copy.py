from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jixiao.accounts.models import Role
from jixiao.core.models import AuditEntry
from jixiao.core.testing import make_cycle, make_group, make_simple_trees, make_unit, make_user
from jixiao.cycles.models import Participation, Phase, RankingGroup
from jixiao.cycles.services import copy_cycle
from jixiao.indicators.models import Indicator, TreeStatus
from jixiao.scoring.models import Result

pytestmark = pytest.mark.django_db


def test_copy_carries_scheme_groups_participations_and_trees_but_not_scores() -> None:
    office = make_user("office", Role.OFFICE_ADMIN)
    old = make_cycle("2020", formula="indicator * 0.7 + public * 0.3", phase=Phase.FINALIZED)
    group = make_group(old, "G1", "政府部门")
    unit = make_unit("U1", cycle=old, group=group)
    perf_leaf, _self_leaf = make_simple_trees(old, unit)
    Indicator.objects.filter(pk=perf_leaf.pk).update(deadline=date(2020, 6, 30))

    new = copy_cycle(source=old, code="2021", name="2021年度", by=office)

    assert (new.phase, new.formula) == (Phase.PREPARATION, "indicator * 0.7 + public * 0.3")
    assert list(RankingGroup.objects.filter(cycle=new).values_list("code", "name")) == [
        ("G1", "政府部门")
    ]
    assert Participation.objects.get(cycle=new).unit == unit
    copied = {
        (i.tree, i.code, i.parent.code if i.parent else None, i.points, i.deadline)
        for i in Indicator.objects.filter(cycle=new).select_related("parent")
    }
    assert ("performance", "1.1", "1", Decimal(200), date(2021, 6, 30)) in copied
    assert len(copied) == Indicator.objects.filter(cycle=old).count() == 4
    assert not Result.objects.filter(cycle=new).exists()
    assert not TreeStatus.objects.filter(cycle=new).exists()  # trees start as drafts
    assert AuditEntry.objects.filter(action="copy_cycle", cycle_code="2021").exists()


def test_copy_refuses_an_existing_code() -> None:
    old = make_cycle("2020")
    with pytest.raises(ValidationError):
        copy_cycle(source=old, code="2020", name="x", by=None)
