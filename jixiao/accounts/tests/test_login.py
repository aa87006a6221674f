from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.core.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_pages_require_login() -> None:
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_with_the_right_password() -> None:
    make_user("alice")
    response = Client().post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_repeated_failures_lock_the_account_even_with_the_right_password() -> None:
    make_user("alice")
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2(settings: Any) -> None:
    from jixiao import settings as project_settings

    # The suite swaps in a fast hasher; put the project's own list back for this test.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_user("alice")
    assert user.password.startswith("argon2")
