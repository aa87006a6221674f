"""Copying the demo year: every app's per-cycle tables come along, scores do not."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jixiao.adjustments.models import BonusItem, BonusStandard, DeductionStandard
from jixiao.cycles.models import Cycle, Participation, Phase
from jixiao.evaluations.models import ReviewScore
from jixiao.indicators.models import Indicator
from jixiao.scoring.models import Result
from jixiao.surveys.models import Question, Survey

pytestmark = pytest.mark.django_db


def test_copy_cycle_carries_trees_standards_and_survey_but_no_scores() -> None:
    call_command("seed_demo", stdout=StringIO())
    source = Cycle.objects.get(code="2020")
    out = StringIO()
    call_command("copy_cycle", "2020", "2021", "--name", "2021年度绩效管理考评", stdout=out)
    target = Cycle.objects.get(code="2021")
    assert "2021: copied from 2020" in out.getvalue()
    assert target.phase == Phase.PREPARATION and target.formula == source.formula
    assert Participation.objects.filter(cycle=target).count() == 19
    assert (
        Indicator.objects.filter(cycle=target).count()
        == Indicator.objects.filter(cycle=source).count()
    )
    for model in (BonusStandard, DeductionStandard):
        assert (
            model.objects.filter(cycle=target).count() == model.objects.filter(cycle=source).count()
        )
    if Survey.objects.filter(cycle=source).exists():
        assert (
            Question.objects.filter(survey__cycle=target).count()
            == Question.objects.filter(survey__cycle=source).count()
        )
    for scored in (ReviewScore, BonusItem, Result):
        assert not scored.objects.filter(cycle=target).exists()


def test_copy_cycle_refuses_an_existing_code_and_changes_nothing() -> None:
    call_command("seed_demo", stdout=StringIO())
    before = Cycle.objects.count()
    with pytest.raises(CommandError, match="2020"):
        call_command("copy_cycle", "2020", "2020", stdout=StringIO())
    with pytest.raises(CommandError, match="SOURCE"):
        call_command("copy_cycle", "1999", "2031", stdout=StringIO())
    assert Cycle.objects.count() == before
