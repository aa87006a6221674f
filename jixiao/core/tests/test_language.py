from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_pages_are_chinese_whatever_the_browser_asks_until_english_is_chosen() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = client.get(reverse("login"))
    assert page["Content-Language"] == "zh-hans"
    assert "用户名" in page.content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login"))
    assert page["Content-Language"] == "en"
    assert "Username" in page.content.decode()

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "用户名" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese() -> None:
    client = Client()
    client.cookies["django_language"] = "xx"
    assert client.get(reverse("login"))["Content-Language"] == "zh-hans"
