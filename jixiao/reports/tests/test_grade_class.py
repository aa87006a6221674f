"""Grades are the cycle's own (Chinese) words; their CSS classes must keep them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import Role
from jixiao.core.testing import make_user
from jixiao.reports.templatetags.reports_tags import grade_class
from jixiao.reports.tests.data import build_cycle
from jixiao.scoring.models import Result


def test_grade_class_keeps_chinese_grades() -> None:
    assert grade_class("优秀") == "grade-优秀"
    assert grade_class("较 差") == "grade-较-差"
    assert grade_class(None) == "grade-"


@pytest.mark.django_db
def test_ranking_and_card_mark_each_grade_with_its_class() -> None:
    built = build_cycle()
    office = make_user("office", Role.OFFICE_ADMIN)
    client = Client()
    client.force_login(office)
    grades = set(Result.objects.filter(cycle=built.cycle).values_list("grade", flat=True))
    page = client.get(reverse("ranking", args=[built.cycle.code])).content.decode()
    for grade in grades:
        assert f'class="grade grade-{grade}"' in page
    result = Result.objects.filter(cycle=built.cycle).select_related("unit").first()
    assert result is not None
    card = client.get(reverse("unit_card", args=[built.cycle.code, result.unit.code]))
    assert f'class="grade grade-{result.grade}"' in card.content.decode()
