"""Report endpoints: score cards with last year, exports read back, verification."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from jixiao.accounts.models import Role
from jixiao.core.testing import make_user
from jixiao.cycles.models import Phase
from jixiao.evaluations.models import ReviewScore
from jixiao.reports.tests.data import Built, build_cycle
from jixiao.scoring.models import Result

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(settings: Any) -> Built:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    built = build_cycle("2020")
    build_cycle("2019", units=built.units, reverse=True)
    return built


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def as_user(client: Client, role: Role | None, **extra: Any) -> Client:
    client.force_login(make_user(f"u-{role or 'none'}", role, **extra))
    return client


def test_score_card_has_last_year_and_hides_reviewer_names_from_a_unit(
    client: Client, built: Built
) -> None:
    client = as_user(client, Role.UNIT_OPERATOR, unit=built.units[0])
    data = client.get(f"/api/v1/cycles/2020/scorecards/{built.units[0].code}/").json()

    before = Result.objects.get(cycle__code="2019", unit=built.units[0])
    assert data["previous"]["cycle"] == "2019"
    assert data["previous"]["rank"] == before.rank
    assert data["previous"]["components"]["public"] == f"{before.public:.2f}"
    assert (data["rank"], data["group_size"]) == (1, 2)
    text = str(data["explanation"])
    assert "评估组成员 1" in text and "reviewer1" not in text
    other = client.get(f"/api/v1/cycles/2020/scorecards/{built.units[1].code}/")
    assert other.status_code == 404


def test_score_sheet_export_reads_back_in_rank_order(client: Client, built: Built) -> None:
    response = as_user(client, Role.VIEWER).get("/api/v1/cycles/2020/exports/score-sheet.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(content(response)))
    sheet = book["政府部门"]
    assert [c.value for c in sheet[1]][:3] == ["名次", "单位代码", "单位名称"]
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == ["第1局", "第2局"]


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.VIEWER, "exports/notice.pdf", 200),
        (Role.VIEWER, "exports/cards.pdf", 403),
        (Role.VIEWER, "exports/adjustments.xlsx", 403),
        (Role.INSPECTOR, "exports/ranking.xlsx", 403),
        (None, "exports/ranking.xlsx", 404),
        (Role.OFFICE_ADMIN, "exports/cards.pdf", 200),
    ],
)
def test_exports_are_refused_to_those_who_may_not_have_them(
    client: Client, built: Built, role: Role | None, path: str, status: int
) -> None:
    response = as_user(client, role).get(f"/api/v1/cycles/2020/{path}")
    assert response.status_code == status
    if status == 200:
        assert content(response).startswith(b"%PDF")


def test_verification_reports_a_tampered_input(client: Client, built: Built) -> None:
    built.cycle.phase = Phase.FINALIZED
    built.cycle.save(update_fields=["phase"])
    client = as_user(client, Role.OFFICE_ADMIN)
    assert client.post("/api/v1/cycles/2020/verification/").json()["ok"] is True

    review = ReviewScore.objects.filter(cycle=built.cycle, unit=built.units[0]).first()
    assert review is not None
    ReviewScore.objects.filter(pk=review.pk).update(score=review.score + Decimal("1"))
    data = client.post("/api/v1/cycles/2020/verification/").json()

    assert data["ok"] is False
    assert {(d["unit"], d["field"]) for d in data["differences"]} >= {
        ("", "results_hash"),
        (built.units[0].code, "inputs_hash"),
    }


def test_verification_is_refused_to_a_unit(client: Client, built: Built) -> None:
    client = as_user(client, Role.UNIT_LEADER, unit=built.units[0])
    assert client.post("/api/v1/cycles/2020/verification/").status_code == 403
