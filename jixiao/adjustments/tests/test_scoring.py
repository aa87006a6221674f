"""Approved claims and confirmed findings reach the engine with caps and multipliers applied."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jixiao.adjustments import selectors
from jixiao.adjustments.models import BonusItem, DeductionItem, FindingState, Level
from jixiao.adjustments.services import decide_finding, link_findings, unlink_finding
from jixiao.adjustments.tests.data import Cast, approved_claim, finding
from jixiao.scoring.services import explain_unit

pytestmark = pytest.mark.django_db

D = Decimal
AFTER = date(2020, 6, 30)  # after every answer window of the findings below


def components(cast: Cast) -> dict[str, Decimal]:
    result = explain_unit(cycle=cast.cycle, unit_id=cast.unit.pk)
    assert result is not None
    return result.components


def test_category_cap_limits_stacked_items(cast: Cast) -> None:
    # category 6: 2 points per item, cap 6 → four items count 6, not 8
    for i in range(4):
        approved_claim(cast, 6, title=f"批示{i}")
    assert components(cast)["bonus"] == D(6)


def test_highest_only_category_counts_the_best_item(cast: Cast) -> None:
    cast.cycle.bonus_categories["2"] = {"cap": "10", "stack": False}
    cast.cycle.save()
    approved_claim(cast, 2, title="批示甲")  # 5
    approved_claim(cast, 2, points="3", title="批示乙")
    assert components(cast)["bonus"] == D(5)


def test_total_cap_limits_the_sum_of_categories(cast: Cast) -> None:
    cast.cycle.bonus_total_cap = D(12)
    cast.cycle.save()
    approved_claim(cast, 1)  # 10
    approved_claim(cast, 4)  # 5
    assert components(cast)["bonus"] == D(12)
    [totals] = selectors.unit_totals(cycle=cast.cycle, unit_ids=[cast.unit.pk])
    assert (totals.approved, totals.counted) == (D(15), D(12))


def test_rejected_claim_removes_its_bonus_item(cast: Cast) -> None:
    from jixiao.adjustments.services import decide_claim

    claim = approved_claim(cast, 4)
    assert components(cast)["bonus"] == D(5)
    decide_claim(claim=claim, decision="rejected", reason="材料不实", by=cast.office)
    assert components(cast)["bonus"] == D(0)
    assert not BonusItem.objects.exists()


def test_adjusted_claim_counts_its_adjusted_points_and_shows_the_claimed_ones(cast: Cast) -> None:
    approved_claim(cast, 1, points="7", title="经验推广")
    assert components(cast)["bonus"] == D(7)
    [(_unit, _category, title, points, approved)] = selectors.bonus_rows(cycle=cast.cycle)
    assert (points, approved) == (D(7), True)
    assert "经验推广" in title and "申报 10 分" in title


def test_city_and_province_findings_are_multiplied(cast: Cast) -> None:
    district = finding(cast, Level.DISTRICT, "K3", count=2)  # 1 × 2 × 1
    city = finding(cast, Level.CITY, "K4")  # 1.5 × 1 × 2
    province = finding(cast, Level.PROVINCE, "K5")  # 3 × 1 × 2
    for f in (district, city, province):
        decide_finding(finding=f, confirm=True, reason="", by=cast.office, today=AFTER)
    assert components(cast)["deduction"] == D(2) + D(3) + D(6)
    result = explain_unit(cycle=cast.cycle, unit_id=cast.unit.pk)
    assert result is not None and result.explanation is not None
    deduction = next(c for c in result.explanation["children"] if c["key"] == "deduction")
    lines = {c["key"]: c["value"] for c in deduction["children"]}
    assert lines == {"deduction_district": "2.00", "deduction_higher": "9.00"}


def test_unconfirmed_and_withdrawn_findings_are_not_deducted(cast: Cast) -> None:
    finding(cast, Level.CITY)
    withdrawn = finding(cast, Level.DISTRICT)
    decide_finding(finding=withdrawn, confirm=False, reason="核实有误", by=cast.office)
    assert components(cast)["deduction"] == D(0)
    assert not DeductionItem.objects.exists()


def test_linked_duplicate_is_deducted_once_at_the_higher_multiplier(cast: Cast) -> None:
    district = finding(cast, Level.DISTRICT, "K2")  # 2 × 1
    city = finding(cast, Level.CITY, "K2")  # 2 × 2
    for f in (district, city):
        decide_finding(finding=f, confirm=True, reason="", by=cast.office, today=AFTER)
    assert components(cast)["deduction"] == D(6)
    lower = link_findings(finding=city, other=district, by=cast.office, reason="同一投诉")
    assert lower.pk == district.pk
    assert components(cast)["deduction"] == D(4)
    assert DeductionItem.objects.get().level == Level.CITY


def test_linked_duplicate_counts_again_when_the_higher_finding_is_withdrawn(cast: Cast) -> None:
    district = finding(cast, Level.DISTRICT, "K2")
    city = finding(cast, Level.CITY, "K2")
    link_findings(finding=district, other=city, by=cast.office)
    for f in (district, city):
        decide_finding(finding=f, confirm=True, reason="", by=cast.office, today=AFTER)
    assert components(cast)["deduction"] == D(4)
    decide_finding(finding=city, confirm=False, reason="市级复核撤销", by=cast.office)
    assert components(cast)["deduction"] == D(2)
    city.refresh_from_db()
    assert city.state == FindingState.WITHDRAWN
    decide_finding(finding=city, confirm=True, reason="恢复", by=cast.office)
    unlink_finding(finding=district, by=cast.office, reason="并非同一问题")
    assert components(cast)["deduction"] == D(6)


def test_linking_two_findings_of_the_same_level_is_refused(cast: Cast) -> None:
    from django.core.exceptions import ValidationError

    a = finding(cast, Level.CITY)
    b = finding(cast, Level.CITY)
    with pytest.raises(ValidationError) as exc:
        link_findings(finding=a, other=b, by=cast.office)
    assert "other" in exc.value.message_dict
