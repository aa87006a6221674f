"""The pages: masking and audited export, permissions, the public page, query counts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.accounts.models import Role
from jixiao.core.models import AuditEntry
from jixiao.core.testing import make_user
from jixiao.surveys import services
from jixiao.surveys.models import Response
from jixiao.surveys.tests.builders import open_survey, reported_unit_with_sample, setup_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    cycle, (u1, u2) = setup_cycle()
    survey = open_survey(cycle)
    tokens1 = reported_unit_with_sample(cycle, u1, n=3, sample=2)
    tokens2 = reported_unit_with_sample(cycle, u2, n=3, sample=2)
    answers = {q.pk: 1 for q in survey.questions.all()}
    services.submit_response(token=tokens2[0], answers=answers, seconds_taken=60)
    return {
        "cycle": cycle,
        "u1": u1,
        "u2": u2,
        "survey": survey,
        "tokens1": tokens1,
        "tokens2": tokens2,
        "office": make_user("office", Role.OFFICE_ADMIN),
        "operator": make_user("op1", Role.UNIT_OPERATOR, unit=u1),
        "outsider": make_user("outsider", Role.COLLECTOR, unit=u2),
    }


def test_a_unit_sees_its_own_respondents_masked(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["operator"])
    page = client.get(reverse("survey_unit", args=["2020", "U1"]))
    assert page.status_code == 200
    text = page.content.decode()
    phone = f"139{world['u1'].pk * 1000:08d}"
    assert f"{phone[:3]}****{phone[-4:]}" in text and phone not in text


def test_a_unit_never_sees_another_units_list_or_any_response(
    client: Any, world: dict[str, Any]
) -> None:
    client.force_login(world["operator"])
    for name in ("survey_unit", "survey_invitations", "survey_export"):
        assert client.get(reverse(name, args=["2020", "U2"])).status_code == 404
    assert client.get(reverse("survey_responses", args=["2020"])).status_code == 403
    assert client.get(reverse("survey_export_all", args=["2020"])).status_code == 403
    assert (
        client.post(reverse("survey_sample", args=["2020", "U1"]), {"size": 1}).status_code == 403
    )
    assert client.get(reverse("survey_overview", args=["2020"])).url.endswith("/units/U1/")


def test_a_collector_of_another_unit_cannot_open_the_survey(
    client: Any, world: dict[str, Any]
) -> None:
    client.force_login(world["outsider"])
    assert client.get(reverse("survey_overview", args=["2020"])).status_code == 403
    assert client.get(reverse("survey_unit", args=["2020", "U1"])).status_code == 404


def test_exports_are_audited_and_full_phones_only_for_the_office(
    client: Any, world: dict[str, Any]
) -> None:
    client.force_login(world["operator"])
    masked = load_workbook(
        io.BytesIO(client.get(reverse("survey_export", args=["2020", "U1"])).content)
    )
    assert all(
        "****" in str(row[3]) for row in masked.worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    client.force_login(world["office"])
    full = load_workbook(
        io.BytesIO(client.get(reverse("survey_export_all", args=["2020"])).content)
    )
    rows = list(full.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 6 and all(str(r[3]).isdigit() for r in rows)
    audits = list(
        AuditEntry.objects.filter(action="export_respondents")
        .order_by("id")
        .values_list("actor__username", "new")
    )
    assert audits == [
        ("op1", {"rows": 3, "full_phones": False}),
        ("office", {"rows": 6, "full_phones": True}),
    ]


def test_the_public_page_needs_no_login_and_refuses_a_second_submission(
    client: Any, world: dict[str, Any]
) -> None:
    token = world["tokens1"][0]
    url = reverse("survey_public", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "site-header" not in page.content.decode()
    data = {f"q{q.pk}": "2" for q in world["survey"].questions.all()}
    data["started"] = page.context["form"].initial["started"]
    assert client.post(url, data).url == reverse("survey_thanks")
    again = client.get(url)
    assert again.status_code == 409 and "已经提交" in again.content.decode()
    assert client.post(url, data).status_code == 409
    assert Response.objects.filter(invitation__token=token).count() == 1


def test_a_made_up_token_gets_a_polite_page_revealing_nothing(
    client: Any, world: dict[str, Any]
) -> None:
    page = client.get(reverse("survey_public", args=["made-up-token-0123456789"]))
    assert page.status_code == 404
    text = page.content.decode()
    assert "链接无效" in text and "单位1" not in text and "单位2" not in text


def test_a_flood_from_one_address_is_throttled(
    client: Any, world: dict[str, Any], settings: Any
) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.JIXIAO_SURVEY_RATE_LIMIT = 2
    url = reverse("survey_public", args=[world["tokens1"][1]])
    for _ in range(2):
        assert client.post(url, {}).status_code == 200  # unanswered: the form again
    assert client.post(url, {}).status_code == 429
    assert not Response.objects.filter(invitation__token=world["tokens1"][1]).exists()
    cache.clear()


def test_the_public_page_uses_csrf(world: dict[str, Any]) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = reverse("survey_public", args=[world["tokens1"][0]])
    data = {f"q{q.pk}": "1" for q in world["survey"].questions.all()}
    assert strict.post(url, data).status_code == 403


def test_phone_entry_records_an_audited_response(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["office"])
    token = world["tokens1"][1]
    page = client.post(
        reverse("survey_phone", args=["2020"]),
        {"token": f"http://x/s/{token}/", "answers": "1 2 3 1"},
    )
    assert page.status_code == 302
    response = Response.objects.get(invitation__token=token)
    assert (response.channel, response.points_cents) == ("phone", 28000)
    assert AuditEntry.objects.filter(action="enter_phone_response", actor=world["office"]).exists()
    wrong = client.post(
        reverse("survey_phone", args=["2020"]), {"token": token, "answers": "1"}, follow=True
    )
    assert "已经提交" in wrong.content.decode()


# Query counts: the same page with 1 and 3 rows runs the same number of queries.


@pytest.mark.parametrize("units", [1, 3])
def test_overview_queries(units: int, client: Any, django_assert_num_queries: Any) -> None:
    cycle, _made = setup_cycle(units=units)
    client.force_login(make_user("office", Role.OFFICE_ADMIN))
    # session, user, cycle, memberships, respondents counted per unit, reported lists,
    # invitations counted per unit, responses counted per unit, public scores, participations
    # with units, the survey, the header's cycle switcher.
    with django_assert_num_queries(12):
        page = client.get(reverse("survey_overview", args=[cycle.code]))
    assert len(page.context["rows"]) == units


@pytest.mark.parametrize("n", [1, 3])
def test_unit_page_queries(n: int, client: Any, django_assert_num_queries: Any) -> None:
    cycle, (u1,) = setup_cycle(units=1)
    reported_unit_with_sample(cycle, u1, n=n, sample=1)
    client.force_login(make_user("office", Role.OFFICE_ADMIN))
    # session, user, cycle, memberships, participation with unit, the list (get_or_create:
    # one read), respondents with unit, active sample, public score, the header's switcher.
    with django_assert_num_queries(10):
        page = client.get(reverse("survey_unit", args=[cycle.code, "U1"]))
    assert len(page.context["people"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_invitations_queries(n: int, client: Any, django_assert_num_queries: Any) -> None:
    cycle, (u1,) = setup_cycle(units=1)
    reported_unit_with_sample(cycle, u1, n=3, sample=n)
    client.force_login(make_user("office", Role.OFFICE_ADMIN))
    # session, user, cycle, memberships, participation with unit, invitations with respondent,
    # unit and answered flag, the header's switcher.
    with django_assert_num_queries(7):
        page = client.get(reverse("survey_invitations", args=[cycle.code, "U1"]))
    assert len(page.context["rows"]) == n


@pytest.mark.parametrize("n", [1, 3])
def test_responses_queries(n: int, client: Any, django_assert_num_queries: Any) -> None:
    cycle, (u1,) = setup_cycle(units=1)
    survey = open_survey(cycle)
    for token in reported_unit_with_sample(cycle, u1, n=3, sample=n):
        services.submit_response(token=token, answers={q.pk: 1 for q in survey.questions.all()})
    client.force_login(make_user("office", Role.OFFICE_ADMIN))
    # session, user, cycle, memberships, responses with unit and entering user, the switcher.
    with django_assert_num_queries(6):
        page = client.get(reverse("survey_responses", args=[cycle.code]))
    assert len(page.context["rows"]) == n
