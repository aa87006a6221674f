"""Score card lines link to their change history for those who may read it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import Role
from jixiao.core.testing import make_user
from jixiao.reports.tests.data import build_cycle

pytestmark = pytest.mark.django_db


def _card(username: str, role: Role, **membership: object) -> tuple[str, str]:
    built = build_cycle()
    unit = built.units[0]
    user = make_user(username, role, **membership)  # type: ignore[arg-type]
    client = Client()
    client.force_login(user)
    page = client.get(reverse("unit_card", args=[built.cycle.code, unit.code])).content.decode()
    history = reverse("evaluations:line_history", args=[built.cycle.code, unit.code])
    return page, history


def test_office_card_links_each_leaf_to_its_history() -> None:
    page, history = _card("office", Role.OFFICE_ADMIN)
    assert f"{history}?line=performance%3A" in page
    assert f"{history}?line=self_construction%3A" in page


def test_viewer_card_has_no_history_links_they_could_not_open() -> None:
    page, history = _card("viewer", Role.VIEWER)
    assert "?line=" not in page and history not in page
