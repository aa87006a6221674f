"""Verification of a cycle against its stored inputs, the publication view and public page."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jixiao.core.models import AuditEntry
from jixiao.cycles.models import Phase
from jixiao.evaluations.models import ReviewScore
from jixiao.reports.tests.conftest import Cast
from jixiao.reports.tests.data import Built
from jixiao.scoring.models import Result
from jixiao.scoring.services import verify_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalized(built: Built) -> Built:
    built.cycle.phase = Phase.FINALIZED
    built.cycle.save(update_fields=["phase"])
    return built


def tamper(built: Built) -> ReviewScore:
    """Change one stored review score behind the system's back (no service, no audit)."""
    review = ReviewScore.objects.filter(cycle=built.cycle, unit=built.units[1]).first()
    assert review is not None
    ReviewScore.objects.filter(pk=review.pk).update(score=review.score - Decimal("10"))
    return review


def test_verify_cycle_command_passes_an_untouched_finalized_cycle(finalized: Built) -> None:
    out = StringIO()
    call_command("verify_cycle", "2020", stdout=out)
    assert "一致" in out.getvalue()
    assert finalized.cycle.results_hash in out.getvalue()


def test_verify_cycle_command_reports_a_tampered_input_line_by_line(finalized: Built) -> None:
    tamper(finalized)
    out = StringIO()

    with pytest.raises(CommandError, match="处不一致"):
        call_command("verify_cycle", "2020", stdout=out)

    text = out.getvalue()
    unit = finalized.units[1].code
    assert "不一致 (年度) results_hash" in text
    assert f"不一致 {unit} inputs_hash" in text
    assert f"不一致 {unit} composite" in text
    # The other units' lines are not listed.
    assert finalized.units[0].code not in text


def test_verify_cycle_finds_a_changed_stored_result(finalized: Built) -> None:
    Result.objects.filter(unit=finalized.units[0]).update(grade="较差")
    report = verify_cycle(cycle=finalized.cycle)
    assert not report.ok
    assert [(d.unit, d.field, d.stored, d.recomputed) for d in report.differences] == [
        (finalized.units[0].code, "grade", "较差", "优秀")
    ]


def test_verify_cycle_writes_nothing(finalized: Built) -> None:
    tamper(finalized)
    before = list(Result.objects.values_list("composite", "inputs_hash"))
    verify_cycle(cycle=finalized.cycle)
    assert list(Result.objects.values_list("composite", "inputs_hash")) == before


def test_verification_page_lists_differences_for_the_office_and_leaders(
    finalized: Built, cast: Cast, client_as: Any
) -> None:
    tamper(finalized)
    url = reverse("verification", args=["2020"])
    for user in (cast.office, cast.viewer):
        response = client_as(user).post(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert "不一致" in body and "inputs_hash" in body
        assert finalized.units[1].code in body


@pytest.mark.parametrize(("who", "status"), [("operator", 403), ("outsider", 404)])
def test_verification_page_refuses_others(
    who: str, status: int, finalized: Built, cast: Cast, client_as: Any
) -> None:
    assert (
        client_as(getattr(cast, who)).post(reverse("verification", args=["2020"])).status_code
        == status
    )


def test_publication_view_is_for_finalized_cycles(built: Built, cast: Cast, client_as: Any) -> None:
    url = reverse("publication", args=["2020"])
    assert client_as(cast.viewer).get(url).status_code == 404
    built.cycle.phase = Phase.FINALIZED
    built.cycle.save(update_fields=["phase"])
    response = client_as(cast.viewer).get(url)
    assert response.status_code == 200
    assert built.units[0].name in response.content.decode()
    assert client_as(cast.operator).get(url).status_code == 403


def test_public_page_opens_only_when_the_office_enables_it(
    finalized: Built, cast: Cast, client_as: Any
) -> None:
    public = reverse("public_results", args=["2020"])
    assert client_as(None).get(public).status_code == 404

    # A leader may read the publication view but not open the public page.
    client_as(cast.viewer).post(reverse("publication_public", args=["2020"]), {"public": "on"})
    assert client_as(None).get(public).status_code == 404

    response = client_as(cast.office).post(
        reverse("publication_public", args=["2020"]), {"public": "on", "reason": "按规定公开"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="set_public_results")
    assert (entry.old, entry.new, entry.reason) == (
        {"public": False},
        {"public": True},
        "按规定公开",
    )

    page = client_as(None).get(public)
    body = page.content.decode()
    assert page.status_code == 200
    assert finalized.units[0].name in body
    for reviewer in finalized.reviewers:
        assert reviewer.username not in body and "评审员" not in body
    assert "效能办王主任" not in body


def test_public_page_closes_again_when_the_cycle_is_reopened(
    finalized: Built, cast: Cast, client_as: Any
) -> None:
    client_as(cast.office).post(reverse("publication_public", args=["2020"]), {"public": "on"})
    finalized.cycle.phase = Phase.PUBLICITY
    finalized.cycle.save(update_fields=["phase"])
    assert client_as(None).get(reverse("public_results", args=["2020"])).status_code == 404


@pytest.mark.parametrize("units", [1, 3])
def test_publication_and_public_page_queries(
    units: int, cast: Cast, client_as: Any, django_assert_num_queries: Any
) -> None:
    from jixiao.reports.tests.data import build_cycle

    built = build_cycle("2021", units_per_group=units, groups=(("G1", "政府部门"),))
    built.cycle.phase = Phase.FINALIZED
    built.cycle.save(update_fields=["phase"])
    client = client_as(cast.office)
    client.post(reverse("publication_public", args=["2021"]), {"public": "on"})
    # session, user, cycle, memberships, publication, groups with units counted, results
    # with units, the header's cycle switcher.
    with django_assert_num_queries(8):
        client.get(reverse("publication", args=["2021"]))
    client.logout()
    # cycle, publication, groups with units counted, results with units.
    with django_assert_num_queries(4):
        client.get(reverse("public_results", args=["2021"]))
