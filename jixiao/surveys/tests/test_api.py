"""The API: masking, a unit's own rows only, the office's responses, the public submission."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from jixiao.accounts.models import Role
from jixiao.core.testing import make_user
from jixiao.surveys.tests.builders import open_survey, reported_unit_with_sample, setup_cycle

pytestmark = pytest.mark.django_db


def test_api_keeps_units_apart_and_submits_once() -> None:
    cycle, (u1, u2) = setup_cycle()
    survey = open_survey(cycle)
    tokens = reported_unit_with_sample(cycle, u1, n=3, sample=2)
    reported_unit_with_sample(cycle, u2, n=3, sample=2)
    api = APIClient()
    body: dict[str, Any] = {
        "token": tokens[0],
        "answers": {str(q.pk): 1 for q in survey.questions.all()},
    }
    assert api.post("/api/v1/survey/responses/", body, format="json").status_code == 201
    assert api.post("/api/v1/survey/responses/", body, format="json").status_code == 409
    forged = {**body, "token": "forged-token-0000000000"}
    assert api.post("/api/v1/survey/responses/", forged, format="json").status_code == 404
    bad = {"token": tokens[1], "answers": {str(q.pk): 9 for q in survey.questions.all()}}
    assert api.post("/api/v1/survey/responses/", bad, format="json").status_code == 400

    api.force_authenticate(make_user("op1", Role.UNIT_OPERATOR, unit=u1))
    rows = api.get("/api/v1/cycles/2020/survey/respondents/").json()
    assert {r["unit"] for r in rows} == {"U1"} and all("****" in r["phone"] for r in rows)
    assert api.get("/api/v1/cycles/2020/survey/respondents/?unit=U2").status_code == 404
    assert api.get("/api/v1/cycles/2020/survey/responses/").status_code == 403
    assert [s["unit"] for s in api.get("/api/v1/cycles/2020/survey/scores/").json()] == ["U1"]

    api.force_authenticate(make_user("office", Role.OFFICE_ADMIN))
    assert len(api.get("/api/v1/cycles/2020/survey/responses/").json()) == 1
    assert len(api.get("/api/v1/cycles/2020/survey/invitations/").json()) == 4
