from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.settings import spectacular_settings
from rest_framework.authtoken.models import Token

from jixiao.accounts.models import User
from jixiao.api.tests.conftest import World

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    schema = yaml.safe_load(out.read_text())
    assert sorted(schema["paths"]) == [
        "/api/v1/cycles/",
        "/api/v1/cycles/{code}/",
        "/api/v1/cycles/{code}/adjustments/standards/",
        "/api/v1/cycles/{code}/appeals/",
        "/api/v1/cycles/{code}/city-incentives/",
        "/api/v1/cycles/{code}/city-incentives/{unit_code}/",
        "/api/v1/cycles/{code}/claims/",
        "/api/v1/cycles/{code}/claims/{id}/",
        "/api/v1/cycles/{code}/claims/{id}/evidence/",
        "/api/v1/cycles/{code}/claims/{id}/evidence/{evidence_id}/",
        "/api/v1/cycles/{code}/claims/{id}/transition/",
        "/api/v1/cycles/{code}/collection-values/",
        "/api/v1/cycles/{code}/exports/adjustments.xlsx",
        "/api/v1/cycles/{code}/exports/cards.pdf",
        "/api/v1/cycles/{code}/exports/notice.pdf",
        "/api/v1/cycles/{code}/exports/ranking.xlsx",
        "/api/v1/cycles/{code}/exports/score-sheet.xlsx",
        "/api/v1/cycles/{code}/findings/",
        "/api/v1/cycles/{code}/findings/{id}/",
        "/api/v1/cycles/{code}/findings/{id}/link/",
        "/api/v1/cycles/{code}/findings/{id}/photos/",
        "/api/v1/cycles/{code}/findings/{id}/transition/",
        "/api/v1/cycles/{code}/indicators/",
        "/api/v1/cycles/{code}/inspections/",
        "/api/v1/cycles/{code}/inspections/{id}/",
        "/api/v1/cycles/{code}/inspections/{id}/findings/",
        "/api/v1/cycles/{code}/recompute/",
        "/api/v1/cycles/{code}/results/",
        "/api/v1/cycles/{code}/results/{unit_code}/",
        "/api/v1/cycles/{code}/reviews/",
        "/api/v1/cycles/{code}/reviews/{unit_code}/{leaf_code}/",
        "/api/v1/cycles/{code}/scorecards/{unit_code}/",
        "/api/v1/cycles/{code}/scorecards/{unit_code}/card.pdf",
        "/api/v1/cycles/{code}/survey/invitations/",
        "/api/v1/cycles/{code}/survey/respondents/",
        "/api/v1/cycles/{code}/survey/responses/",
        "/api/v1/cycles/{code}/survey/scores/",
        "/api/v1/cycles/{code}/tasks/",
        "/api/v1/cycles/{code}/tasks/{id}/",
        "/api/v1/cycles/{code}/tasks/{id}/milestones/",
        "/api/v1/cycles/{code}/tasks/{id}/progress/",
        "/api/v1/cycles/{code}/tasks/{id}/state/",
        "/api/v1/cycles/{code}/trees/{owner}/",
        "/api/v1/cycles/{code}/trees/{owner}/nodes/",
        "/api/v1/cycles/{code}/trees/{owner}/nodes/{id}/",
        "/api/v1/cycles/{code}/trees/{owner}/transition/",
        "/api/v1/cycles/{code}/units/",
        "/api/v1/cycles/{code}/units/{unit_code}/appeals/",
        "/api/v1/cycles/{code}/units/{unit_code}/self-evaluations/",
        "/api/v1/cycles/{code}/units/{unit_code}/self-evaluations/{leaf_code}/",
        "/api/v1/cycles/{code}/verification/",
        "/api/v1/survey/responses/",
    ]


def test_schema_types_scores_as_decimal_strings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schemas = yaml.safe_load(out.read_text())["components"]["schemas"]

    assert schemas["Result"]["properties"]["composite"] == {
        "type": "string",
        "format": "decimal",
        "example": "899.80",
        "readOnly": True,
    }
    assert schemas["Components"]["required"] == [
        "bonus",
        "city_incentive",
        "deduction",
        "indicator",
        "performance",
        "public",
        "self_construction",
    ]


def test_schema_needs_a_login(client: Client, world: World) -> None:
    response = client.get("/api/v1/schema/")

    assert response.status_code in (401, 403)


def test_schema_is_served_to_a_signed_in_user(client: Client, world: World) -> None:
    client.force_login(User.objects.create_user("someone"))

    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "jixiao API"


def test_docs_page_needs_a_login(client: Client, world: World) -> None:
    response = client.get("/api/v1/docs/")

    assert response.status_code in (401, 403)


@pytest.fixture
def sidecar(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs configuration the project runs with: assets from drf-spectacular-sidecar.

    drf-spectacular reads SPECTACULAR_SETTINGS once, so the keys are patched on its settings
    object as well as in Django's settings.
    """
    keys = {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }
    settings.SPECTACULAR_SETTINGS = {**settings.SPECTACULAR_SETTINGS, **keys}
    for key, value in keys.items():
        monkeypatch.setattr(spectacular_settings, key, value)
    if "drf_spectacular_sidecar" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "drf_spectacular_sidecar"]


def test_docs_page_loads_its_assets_locally(client: Client, world: World, sidecar: Any) -> None:
    client.force_login(User.objects.create_user("someone"))

    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn." not in body
    assets = [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
    ]
    for asset in assets:
        assert asset in body
        served = client.get(asset)
        served.close()
        assert served.status_code == 200, asset
    assert "/api/v1/schema/" in body


def test_token_authenticates_an_api_call(client: Client, world: World, viewer: User) -> None:
    token = Token.objects.create(user=viewer)

    response = client.get("/api/v1/cycles/T1/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json()["code"] == "T1"


def test_a_wrong_token_is_refused(client: Client, world: World, viewer: User) -> None:
    Token.objects.create(user=viewer)

    response = client.get("/api/v1/cycles/T1/", HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert response.status_code in (401, 403)
    assert "code" not in response.json()


def test_a_token_posts_without_a_csrf_token(
    client: Client, world: World, office_admin: User
) -> None:
    token = Token.objects.create(user=office_admin)

    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/cycles/T1/recompute/", HTTP_AUTHORIZATION=f"Token {token.key}"
    )

    assert response.status_code == 200


def test_a_session_post_needs_a_csrf_token(world: World, office_admin: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_admin)

    response = client.post("/api/v1/cycles/T1/recompute/")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
