"""The what-if sandbox: new ranks beside the current ones, nothing saved unless adopted."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from jixiao.core.models import AuditEntry
from jixiao.cycles.models import Cycle, Phase
from jixiao.reports.tests.conftest import Cast
from jixiao.reports.tests.data import Built, build_cycle
from jixiao.scoring.models import Result

pytestmark = pytest.mark.django_db


def form_data(cycle: Cycle, **changes: Any) -> dict[str, Any]:
    data = {
        "formula": cycle.formula,
        "multiplier_district": str(cycle.multiplier_district),
        "multiplier_city": str(cycle.multiplier_city),
        "multiplier_province": str(cycle.multiplier_province),
        "bonus_total_cap": "" if cycle.bonus_total_cap is None else str(cycle.bonus_total_cap),
        "grade_mode": cycle.grade_mode,
        "grade_rules": json.dumps(cycle.grade_rules, ensure_ascii=False),
        "unit": "",
        "public": "",
        "city_incentive": "",
        "reason": "",
    }
    data.update(changes)
    return data


def snapshot() -> list[tuple[Any, ...]]:
    return list(Result.objects.order_by("id").values_list("unit_id", "composite", "rank", "grade"))


def test_whatif_shows_new_ranks_beside_current_ones_and_saves_nothing(
    built: Built, cast: Cast, client_as: Any
) -> None:
    cycle = built.cycle
    before, hash_before, audits = snapshot(), cycle.results_hash, AuditEntry.objects.count()
    # A band at 905 puts the first unit of each group, and only it, above the line.
    rules = {"bands": [{"grade": "优秀", "min": "905"}], "rest": "良好"}
    response = client_as(cast.office).post(
        reverse("whatif", args=["2020"]),
        form_data(
            cycle,
            formula="indicator * 0.5 + public * 0.5 + bonus - deduction",
            grade_rules=json.dumps(rules),
        ),
    )

    assert response.status_code == 200
    groups = response.context["groups"]
    rows = {r.unit_code: r for g in groups for r in g.rows}
    first = rows[built.units[0].code]
    assert first.current_composite == Result.objects.get(unit=built.units[0]).composite
    assert first.composite != first.current_composite
    assert response.context["changed"] == sum(1 for r in rows.values() if r.changed)
    assert 'class="is-changed"' in response.content.decode()
    # Nothing saved: results, hash, scheme, audit log.
    cycle.refresh_from_db()
    assert snapshot() == before
    assert cycle.results_hash == hash_before
    assert cycle.formula == "(indicator + city_incentive) * 0.6 + public * 0.4 + bonus - deduction"
    assert AuditEntry.objects.count() == audits


def test_whatif_with_a_units_input_changed_moves_only_by_that_input(
    built: Built, cast: Cast, client_as: Any
) -> None:
    # The second unit of the first group gets a far better public score: it overtakes.
    response = client_as(cast.office).post(
        reverse("whatif", args=["2020"]),
        form_data(built.cycle, unit=built.units[1].code, public="1000"),
    )
    rows = {r.unit_code: r for g in response.context["groups"] for r in g.rows}
    assert (rows[built.units[1].code].current_rank, rows[built.units[1].code].rank) == (2, 1)
    assert (rows[built.units[0].code].current_rank, rows[built.units[0].code].rank) == (1, 2)
    assert not rows[built.units[2].code].changed
    assert Result.objects.get(unit=built.units[1]).rank == 2


def test_a_bad_formula_is_refused_naming_the_field(
    built: Built, cast: Cast, client_as: Any
) -> None:
    response = client_as(cast.office).post(
        reverse("whatif", args=["2020"]), form_data(built.cycle, formula="indicator * weight")
    )
    assert response.context["groups"] is None
    assert "weight" in str(response.context["form"].errors["formula"])


def test_adopting_writes_the_scheme_with_an_audit_entry_and_recomputes(
    built: Built, cast: Cast, client_as: Any
) -> None:
    formula = "(indicator + city_incentive) * 0.5 + public * 0.5 + bonus - deduction"
    response = client_as(cast.office).post(
        reverse("whatif", args=["2020"]),
        form_data(built.cycle, formula=formula, adopt="1", reason="领导小组会议决定调整权重"),
    )
    assert response.status_code == 302
    built.cycle.refresh_from_db()
    assert built.cycle.formula == formula
    entry = AuditEntry.objects.get(action="adopt_whatif")
    assert entry.old == {
        "formula": "(indicator + city_incentive) * 0.6 + public * 0.4 + bonus - deduction"
    }
    assert entry.new == {"formula": formula}
    assert entry.reason == "领导小组会议决定调整权重"
    assert entry.actor == cast.office
    first = Result.objects.get(unit=built.units[0])
    assert AuditEntry.objects.filter(action="recompute", reason="领导小组会议决定调整权重").exists()
    assert first.public * Decimal("0.5") < first.composite


def test_adoption_needs_a_reason_and_refuses_input_changes_and_locked_cycles(
    built: Built, cast: Cast, client_as: Any
) -> None:
    client = client_as(cast.office)
    url = reverse("whatif", args=["2020"])
    new = "indicator * 0.5 + public * 0.5"
    no_reason = client.post(url, form_data(built.cycle, formula=new, adopt="1"))
    assert "必须填写原因" in no_reason.content.decode()
    with_input = client.post(
        url,
        form_data(
            built.cycle, formula=new, adopt="1", reason="r", unit=built.units[0].code, public="1"
        ),
    )
    assert "不能采用" in with_input.content.decode()
    built.cycle.phase = Phase.FINALIZED
    built.cycle.save(update_fields=["phase"])
    locked = client.post(url, form_data(built.cycle, formula=new, adopt="1", reason="r"))
    assert "不能修改考评方案" in locked.content.decode()
    built.cycle.refresh_from_db()
    assert built.cycle.formula != new
    assert not AuditEntry.objects.filter(action="adopt_whatif").exists()


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("operator", 403), ("outsider", 404)])
def test_only_the_office_may_run_a_whatif(
    who: str, status: int, built: Built, cast: Cast, client_as: Any
) -> None:
    client = client_as(getattr(cast, who))
    assert client.get(reverse("whatif", args=["2020"])).status_code == status
    response = client.post(
        reverse("whatif", args=["2020"]),
        form_data(built.cycle, adopt="1", reason="x", formula="public"),
    )
    assert response.status_code == status
    built.cycle.refresh_from_db()
    assert built.cycle.formula != "public"


@pytest.mark.parametrize("units", [1, 3])
def test_whatif_queries(
    units: int, cast: Cast, client_as: Any, django_assert_num_queries: Any
) -> None:
    built = build_cycle("2021", units_per_group=units, groups=(("G1", "政府部门"),))
    client = client_as(cast.office)
    # session, user, cycle, memberships, the form's units, the recompute loader (participations,
    # indicators, collection values, review summaries, median reviews, bonuses, deductions,
    # city incentives, public scores), stored results with units, unit names, groups, the
    # header's cycle switcher.
    with django_assert_num_queries(18):
        response = client.post(reverse("whatif", args=["2021"]), form_data(built.cycle))
    assert response.context["changed"] == 0
