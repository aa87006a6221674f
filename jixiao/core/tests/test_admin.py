"""The admin is the office's: others are kept out, bad schemes refused, changes audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jixiao.accounts.models import Role, Unit
from jixiao.core.models import AuditEntry
from jixiao.core.testing import make_cycle, make_unit, make_user
from jixiao.cycles.models import Cycle

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    from jixiao.accounts.models import User

    client = Client()
    # force_login: django-axes' backend needs a request, which Client.login() does not pass.
    client.force_login(User.objects.get(username=username))
    return client


def _cycle_form(cycle: Cycle, **changes: str) -> dict[str, str]:
    data = {
        "code": cycle.code,
        "name": cycle.name,
        "phase": cycle.phase,
        "phase_reason": "",
        "formula": cycle.formula,
        "scale": "1000",
        "precision": "2",
        "performance_total": "200",
        "self_construction_total": "800",
        "grade_mode": cycle.grade_mode,
        "grade_rules": '{"bands": [{"grade": "优秀", "min": "900"}], "rest": "较差"}',
        "bonus_categories": "{}",
        "bonus_total_cap": "30",
        "multiplier_district": "1",
        "multiplier_city": "2",
        "multiplier_province": "2",
        "groups-TOTAL_FORMS": "0",
        "groups-INITIAL_FORMS": "0",
        "groups-MIN_NUM_FORMS": "0",
        "groups-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_only_the_office_enters_the_admin() -> None:
    make_user("office", Role.OFFICE_ADMIN)
    unit = make_unit("U1")
    make_user("operator", Role.UNIT_OPERATOR, unit=unit)
    make_user("viewer", Role.VIEWER)
    assert _client("office").get(reverse("admin:index")).status_code == 200
    for username in ("operator", "viewer"):
        response = _client(username).get(reverse("admin:cycles_cycle_changelist"))
        assert response.status_code == 302 and "login" in response["Location"]


def test_admin_changes_the_formula_and_audits_it() -> None:
    cycle = make_cycle()
    make_user("office", Role.OFFICE_ADMIN)
    url = reverse("admin:cycles_cycle_change", args=[cycle.pk])
    new = "(indicator + city_incentive) * 0.7 + public * 0.3 + bonus - deduction"
    response = _client("office").post(url, _cycle_form(cycle, formula=new))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Cycle.objects.get(pk=cycle.pk).formula == new
    entry = AuditEntry.objects.get(action="admin_change")
    assert entry.new is not None and entry.old is not None
    assert entry.new["formula"] == new and entry.old["formula"] != new


def test_admin_refuses_a_bad_formula_with_its_position_and_keeps_the_old_one() -> None:
    cycle = make_cycle()
    old = cycle.formula
    make_user("office", Role.OFFICE_ADMIN)
    url = reverse("admin:cycles_cycle_change", args=[cycle.pk])
    response = _client("office").post(url, _cycle_form(cycle, formula="indicator * 0.6 + foo"))
    assert response.status_code == 200
    assert "公式第 19 个字符处有错误" in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).formula == old
    assert not AuditEntry.objects.exists()


def test_admin_refuses_a_phase_jump() -> None:
    cycle = make_cycle()
    make_user("office", Role.OFFICE_ADMIN)
    url = reverse("admin:cycles_cycle_change", args=[cycle.pk])
    response = _client("office").post(url, _cycle_form(cycle, phase="finalized"))
    assert response.status_code == 200
    assert "不能从" in response.content.decode()
    assert Cycle.objects.get(pk=cycle.pk).phase == "preparation"


def test_admin_refuses_a_non_numeric_cap_naming_the_field() -> None:
    cycle = make_cycle()
    make_user("office", Role.OFFICE_ADMIN)
    url = reverse("admin:cycles_cycle_change", args=[cycle.pk])
    response = _client("office").post(
        url, _cycle_form(cycle, bonus_categories='{"1": {"cap": "ten"}}')
    )
    assert response.status_code == 200
    assert "bonus_categories.1.cap" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("grade_rules", '{"bands": [{"grade": "优秀"}]}', "grade_rules.bands[0]"),
        ("grade_rules", '{"bands": "900"}', "grade_rules.bands"),
        ("grade_rules", "[1, 2]", "等次参数"),
        ("bonus_categories", '{"x": {"cap": 1}}', "bonus_categories.x"),
        ("bonus_categories", '{"1": {"cap": "-1"}}', "bonus_categories.1.cap"),
        ("multiplier_city", "-2", "multiplier_city"),
        ("formula", "", "formula"),
    ],
)
def test_admin_refuses_a_malformed_scheme_naming_the_field(
    field: str, value: str, fragment: str
) -> None:
    cycle = make_cycle()
    before = Cycle.objects.values().get(pk=cycle.pk)
    make_user("office", Role.OFFICE_ADMIN)
    url = reverse("admin:cycles_cycle_change", args=[cycle.pk])
    response = _client("office").post(url, _cycle_form(cycle, **{field: value}))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors, "the change was accepted"
    text = " ".join(f"{k} {' '.join(v)}" for k, v in form.errors.items())
    assert fragment in text, text
    assert Cycle.objects.values().get(pk=cycle.pk) == before


def _review_form(
    indicator_id: int, unit_id: int, reviewer_id: int, cycle_id: int, score: str
) -> dict[str, str]:
    return {
        "cycle": str(cycle_id), "unit": str(unit_id), "indicator": str(indicator_id),
        "reviewer": str(reviewer_id), "part": "total", "score": score, "comment": "",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("score", "fragment"),
    [("250", "超过分值"), ("-1", "score"), ("abc", "score"), ("12.345", "score")],
)
def test_admin_refuses_a_bad_review_score_naming_the_field(score: str, fragment: str) -> None:
    from jixiao.core.testing import make_group, make_simple_trees
    from jixiao.evaluations.models import ReviewScore

    cycle = make_cycle()
    unit = make_unit("U1", cycle=cycle, group=make_group(cycle))
    perf_leaf, _ = make_simple_trees(cycle, unit)
    reviewer = make_user("reviewer", Role.REVIEWER)
    make_user("office", Role.OFFICE_ADMIN)
    url = reverse("admin:evaluations_reviewscore_add")
    data = _review_form(perf_leaf.pk, unit.pk, reviewer.pk, cycle.pk, score)
    response = _client("office").post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    text = " ".join(f"{k} {' '.join(v)}" for k, v in errors.items())
    assert "score" in errors and fragment in text, text
    assert not ReviewScore.objects.exists()


def test_admin_refuses_a_duplicate_unit_code() -> None:
    make_unit("U1")
    make_user("office", Role.OFFICE_ADMIN)
    response = _client("office").post(
        reverse("admin:accounts_unit_add"),
        {"code": "U1", "name": "另一个单位", "short_name": "", "active": "on"},
    )
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert Unit.objects.filter(code="U1").count() == 1
