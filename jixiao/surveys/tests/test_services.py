"""Respondents, sampling, tokens, responses and the score, through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from threading import Barrier, Thread
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from jixiao.core.models import AuditEntry
from jixiao.surveys import services
from jixiao.surveys.models import Invitation, PublicScore, Respondent, Response, Sample, Survey
from jixiao.surveys.rules import Group, mask_phone, normalise_phone, unit_score
from jixiao.surveys.selectors import public_scores
from jixiao.surveys.tests.builders import (
    HEADER,
    open_survey,
    people,
    reported_unit_with_sample,
    setup_cycle,
    workbook,
)

pytestmark = pytest.mark.django_db


def test_phones_are_normalised_and_masked() -> None:
    assert normalise_phone("+86 138-0013-8000") == "13800138000"
    assert normalise_phone(13800138000.0) == "13800138000"
    assert normalise_phone("0592-1234567") == "05921234567"
    assert mask_phone("13812345678") == "138****5678"
    with pytest.raises(ValidationError):
        normalise_phone("1381234")


def test_import_merges_duplicates_within_a_unit_and_reports_them_across_units() -> None:
    cycle, (u1, _u2) = setup_cycle()
    rows = [*people(3, unit_code="U1"), ["U1", "重复的人", "139 0000 0001", "企业", "", "", "否"]]
    rows += [["U2", "另一单位", "13900000002", "群众", "", "", "是"]]
    summary = services.import_respondents(
        cycle=cycle, unit=None, stream=workbook(HEADER, rows), by=None
    )
    assert (summary.rows, summary.created, summary.merged) == (5, 4, 1)
    merged = Respondent.objects.get(unit=u1, phone="13900000001")
    assert (merged.name, merged.consent) == ("重复的人", False)
    assert summary.cross_unit == [("139****0002", ["单位1", "单位2"])]


def test_a_bad_workbook_changes_nothing_and_names_the_rows() -> None:
    cycle, _units = setup_cycle()
    rows = [*people(2, unit_code="U1"), ["U1", "坏电话", "12345", "群众", "", "", "是"]]
    rows += [["", "没有单位", "13900000009", "群众", "", "", "是"]]
    with pytest.raises(ValidationError) as exc:
        services.import_respondents(cycle=cycle, unit=None, stream=workbook(HEADER, rows), by=None)
    assert exc.value.messages == [
        "第 4 行:电话号码“12345”格式不正确",
        "第 5 行:没有填写单位代码",
    ]
    assert not Respondent.objects.exists()


def test_a_dry_run_previews_without_writing() -> None:
    cycle, (u1, _u2) = setup_cycle()
    summary = services.import_respondents(
        cycle=cycle, unit=u1, stream=workbook(HEADER, people(4)), by=None, dry_run=True
    )
    assert summary.created == 4 and len(summary.preview) == 4
    assert summary.preview[0]["phone"] == "139****0000"
    assert not Respondent.objects.exists()
    assert not AuditEntry.objects.filter(action="import_respondents").exists()


def test_sampling_is_stratified_reproducible_and_skips_no_consent() -> None:
    cycle, (u1, _u2) = setup_cycle()
    rows = [
        *people(40),
        ["", "不同意", "13700000000", "群众", "", "", "否"],
        ["", "无电话", "", "群众", "", "", "是"],
    ]
    services.import_respondents(cycle=cycle, unit=u1, stream=workbook(HEADER, rows), by=None)
    from jixiao.surveys.models import ListStatus
    from jixiao.surveys.workflow import change_list_status

    change_list_status(
        respondent_list=services.respondent_list_for(cycle=cycle, unit=u1),
        to=ListStatus.REPORTED,
        by=None,
    )
    first = services.draw_sample(cycle=cycle, unit=u1, share=Decimal("0.25"), seed="abc", by=None)
    chosen = set(Invitation.objects.filter(sample=first).values_list("respondent_id", flat=True))
    assert (first.drawn, first.eligible) == (10, 40)
    names = set(Respondent.objects.filter(pk__in=chosen).values_list("name", flat=True))
    assert "不同意" not in names and "无电话" not in names
    with pytest.raises(ValidationError, match="原因"):
        services.draw_sample(cycle=cycle, unit=u1, share=Decimal("0.25"), seed="abc", by=None)
    again = services.draw_sample(
        cycle=cycle, unit=u1, share=Decimal("0.25"), seed="abc", reason="核对", by=None
    )
    assert (
        set(Invitation.objects.filter(sample=again).values_list("respondent_id", flat=True))
        == chosen
    )
    assert not Invitation.objects.filter(sample=first, active=True).exists()
    assert AuditEntry.objects.filter(action="redraw_sample", reason="核对").count() == 1
    assert Sample.objects.filter(cycle=cycle, unit=u1, active=True).count() == 1


def test_a_draft_list_cannot_be_sampled() -> None:
    cycle, (u1, _u2) = setup_cycle()
    services.import_respondents(cycle=cycle, unit=u1, stream=workbook(HEADER, people(5)), by=None)
    with pytest.raises(ValidationError, match="尚未上报"):
        services.draw_sample(cycle=cycle, unit=u1, size=2, by=None)


def _answers(survey: Survey, *options: int) -> dict[int, Any]:
    return {q.pk: o for q, o in zip(survey.questions.all(), options, strict=True)}


def test_tokens_made_up_reused_and_expired_are_refused() -> None:
    cycle, (u1, _u2) = setup_cycle()
    survey = open_survey(cycle)
    tokens = reported_unit_with_sample(cycle, u1)
    answers = _answers(survey, 1, 1, 2, 1)
    with pytest.raises(services.SurveyUnavailable) as exc:
        services.submit_response(token="x" * 32, answers=answers)
    assert exc.value.code == "invalid"
    services.submit_response(token=tokens[0], answers=answers, seconds_taken=60)
    with pytest.raises(services.SurveyUnavailable) as exc:
        services.submit_response(token=tokens[0], answers=answers)
    assert exc.value.code == "used"
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(services.SurveyUnavailable) as exc:
        services.submit_response(token=tokens[1], answers=answers)
    assert exc.value.code == "closed"
    assert Response.objects.count() == 1


def test_an_option_the_question_does_not_have_is_refused() -> None:
    cycle, (u1, _u2) = setup_cycle()
    survey = open_survey(cycle)
    tokens = reported_unit_with_sample(cycle, u1)
    with pytest.raises(ValidationError, match="没有选项“4”"):
        services.submit_response(token=tokens[0], answers=_answers(survey, 1, 4, 1, 1))
    assert not Response.objects.exists()


def test_fast_answers_and_one_address_are_flagged_not_dropped() -> None:
    cycle, (u1, _u2) = setup_cycle()
    survey = open_survey(cycle)
    tokens = reported_unit_with_sample(cycle, u1)
    answers = _answers(survey, 1, 1, 1, 1)
    for token in tokens[:3]:
        services.submit_response(token=token, answers=answers, seconds_taken=30, address="10.0.0.1")
    fast = services.submit_response(
        token=tokens[3], answers=answers, seconds_taken=2, address="10.0.0.2"
    )
    flags = list(Response.objects.order_by("id").values_list("flags", flat=True))
    assert flags == [[], [], ["same_address"], ["fast"]]
    assert fast.valid and len(fast.client_hash) == 64 and "10.0.0.2" not in fast.client_hash


def test_score_count_rate_and_interval_by_hand() -> None:
    cycle, (u1, _u2) = setup_cycle()
    survey = open_survey(cycle)
    Survey.objects.filter(pk=survey.pk).update(min_responses=5)
    tokens = reported_unit_with_sample(cycle, u1, n=10, sample=5)
    # Response scores: (100+100+80+100)/4×10 = 950, (80×4)/4×10 = 800, (0+80+100+100)/4×10 = 700.
    for token, options in zip(tokens, [(1, 1, 2, 1), (2, 2, 2, 2), (3, 2, 1, 1)], strict=False):
        services.submit_response(token=token, answers=_answers(survey, *options), seconds_taken=60)
    summary = services.compute_public_scores(cycle=cycle, by=None)
    assert summary.units == 1
    score = PublicScore.objects.get(cycle=cycle, unit=u1)
    # mean 816.666… → 816.67; sd = √(((950−816.67)²+(800−816.67)²+(700−816.67)²)/2) = 125.83;
    # half width 1.96 × 125.83 / √3 = 142.39.
    assert (score.score, score.responses, score.invited, score.answered) == (
        Decimal("816.67"),
        3,
        5,
        3,
    )
    assert score.rate == Decimal("0.6000")
    assert (score.ci_low, score.ci_high) == (Decimal("674.28"), Decimal("959.06"))
    assert score.low_count
    assert public_scores(cycle=cycle) == {u1.pk: Decimal("816.67")}
    assert AuditEntry.objects.filter(action="compute_public_scores").count() == 1


def test_unit_score_rounds_once_half_up() -> None:
    # Two responses of one answer each: 80.05 and 80.00 points → 800.5 and 800.0 → 800.25.
    result = unit_score([Group(1, 2, 8005 + 8000, 8005**2 + 8000**2)], 1)
    assert result is not None and result.score == Decimal("800.3")


def test_recompute_reads_the_computed_score() -> None:
    from jixiao.scoring.models import Result
    from jixiao.scoring.services import recompute_cycle

    cycle, (u1,) = setup_cycle(units=1)
    survey = open_survey(cycle)
    token = reported_unit_with_sample(cycle, u1, n=3, sample=1)[0]
    services.submit_response(token=token, answers=_answers(survey, 1, 1, 1, 2), seconds_taken=60)
    services.compute_public_scores(cycle=cycle, by=None)
    from jixiao.core.testing import make_simple_trees

    make_simple_trees(cycle, u1)
    recompute_cycle(cycle=cycle, by=None)
    assert Result.objects.get(cycle=cycle, unit=u1).public == Decimal("950.00")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_of_one_token_count_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections need PostgreSQL")
    cycle, (u1, _u2) = setup_cycle()
    survey = open_survey(cycle)
    token = reported_unit_with_sample(cycle, u1)[0]
    answers = _answers(survey, 1, 1, 1, 1)
    barrier = Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        barrier.wait()
        try:
            services.submit_response(token=token, answers=answers, seconds_taken=60)
            outcomes.append("ok")
        except services.SurveyUnavailable as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "used"]
    assert Response.objects.count() == 1
