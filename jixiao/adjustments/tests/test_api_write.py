"""Writes of the adjustments endpoints of /api/v1/: what each does to the database, who may do
it, and that a refused request changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from jixiao.adjustments.models import (
    AdjustmentRules,
    BonusClaim,
    BonusItem,
    BonusStandard,
    CityIncentive,
    ClaimEvidence,
    ClaimState,
    DeductionItem,
    DeductionStandard,
    Finding,
    FindingPhoto,
    FindingState,
    Inspection,
    Level,
)
from jixiao.adjustments.services import create_claim, decide_finding
from jixiao.adjustments.tests.data import (
    PDF,
    Cast,
    endorsed_claim,
    finding,
    inspection,
    pdf,
    png,
)
from jixiao.cycles.models import Phase

pytestmark = pytest.mark.django_db

D = Decimal


def url(cast: Cast, name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=[cast.cycle.code, *args])


def post(client: Client, user: Any, path: str, data: dict[str, Any]) -> Any:
    client.force_login(user)
    return client.post(path, data, content_type="application/json")


def draft(cast: Cast, *, evidence: bool = True) -> BonusClaim:
    return create_claim(
        cycle=cast.cycle,
        unit=cast.unit,
        category=4,
        title="全国排名前5",
        authority="国家部委",
        document_no="",
        issued_on=date(2020, 6, 1),
        by=cast.operator,
        evidence=[pdf()] if evidence else [],
    )


def lock(cast: Cast) -> None:
    cast.cycle.phase = Phase.FINALIZED
    cast.cycle.save()


CLAIM = {
    "category": 2,
    "title": "领导批示肯定",
    "authority": "省委办公厅",
    "document_no": "闽委办〔2020〕3号",
    "issued_on": "2020-07-01",
}


# Claims --------------------------------------------------------------------------------------


def test_an_operator_claims_with_evidence_in_one_multipart_request(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.operator)
    response = client.post(
        url(cast, "claims"), {**CLAIM, "unit": cast.unit.code, "evidence": [pdf(), pdf("二.pdf")]}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft"
    assert body["claimed_points"] == "5.00"
    assert [e["name"] for e in body["evidence"]] == ["证明.pdf", "二.pdf"]
    claim = BonusClaim.objects.get(pk=body["id"])
    assert (claim.unit, claim.category, claim.created_by) == (cast.unit, 2, cast.operator)
    assert claim.evidence.count() == 2


def test_a_claim_goes_from_draft_to_the_office_decision(cast: Cast, client: Client) -> None:
    response = post(client, cast.operator, url(cast, "claims"), {**CLAIM, "unit": cast.unit.code})
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]

    response = post(client, cast.operator, url(cast, "claim_transition", pk), {"to": "submitted"})
    assert response.status_code == 400
    assert "evidence" in response.json()

    client.force_login(cast.operator)
    response = client.post(url(cast, "claim_evidence", pk), {"evidence": pdf()})
    assert response.status_code == 201, response.json()
    assert ClaimEvidence.objects.get(pk=response.json()["id"]).claim_id == pk

    response = client.patch(
        url(cast, "claim", pk), {"category": 4, "title": "改过的"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    claim = BonusClaim.objects.get(pk=pk)
    assert (claim.category, claim.title, claim.claimed_points) == (4, "改过的", D("5"))

    assert (
        post(client, cast.operator, url(cast, "claim_transition", pk), {"to": "submitted"}).json()[
            "state"
        ]
        == "submitted"
    )
    response = post(
        client, cast.leader, url(cast, "claim_transition", pk), {"to": "draft", "reason": "补材料"}
    )
    assert response.json()["state"] == "draft"
    assert response.json()["decision_reason"] == "补材料"
    post(client, cast.operator, url(cast, "claim_transition", pk), {"to": "submitted"})
    assert (
        post(client, cast.leader, url(cast, "claim_transition", pk), {"to": "endorsed"}).json()[
            "state"
        ]
        == "endorsed"
    )

    response = post(
        client,
        cast.office,
        url(cast, "claim_transition", pk),
        {"to": "adjusted", "points": "3.5", "reason": "部分认可"},
    )

    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    assert claim.state == ClaimState.ADJUSTED
    assert claim.approved_points == D("3.5")
    assert claim.item is not None and claim.item.points == D("3.5")


def test_the_office_approves_at_the_standard_and_rejects_with_a_reason(
    cast: Cast, client: Client
) -> None:
    approved = endorsed_claim(cast, 1)
    rejected = endorsed_claim(cast, 3)

    ok = post(client, cast.office, url(cast, "claim_transition", approved.pk), {"to": "approved"})
    no_reason = post(
        client, cast.office, url(cast, "claim_transition", rejected.pk), {"to": "rejected"}
    )
    no = post(
        client,
        cast.office,
        url(cast, "claim_transition", rejected.pk),
        {"to": "rejected", "reason": "不符合条件"},
    )

    assert ok.json()["approved_points"] == "10.00"
    assert BonusItem.objects.get(claim=approved).points == 10
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert no.json()["state"] == "rejected"
    assert BonusClaim.objects.get(pk=rejected.pk).item_id is None


def test_another_units_operator_cannot_claim_or_touch_the_units_claims(
    cast: Cast, client: Client
) -> None:
    claim = draft(cast)

    create = post(
        client, cast.other_operator, url(cast, "claims"), {**CLAIM, "unit": cast.unit.code}
    )
    submit = post(
        client, cast.other_operator, url(cast, "claim_transition", claim.pk), {"to": "submitted"}
    )
    edit = client.patch(
        url(cast, "claim", claim.pk), {"title": "改"}, content_type="application/json"
    )
    upload = client.post(url(cast, "claim_evidence", claim.pk), {"evidence": pdf()})

    assert [r.status_code for r in (create, submit, edit, upload)] == [404, 404, 404, 404]
    assert BonusClaim.objects.count() == 1
    claim.refresh_from_db()
    assert (claim.state, claim.title, claim.evidence.count()) == ("draft", "全国排名前5", 1)


def test_visible_but_not_theirs_to_do_is_forbidden(cast: Cast, client: Client) -> None:
    claim = draft(cast)

    office_claims = post(
        client, cast.office, url(cast, "claims"), {**CLAIM, "unit": cast.unit.code}
    )
    leader_submits = post(
        client, cast.leader, url(cast, "claim_transition", claim.pk), {"to": "submitted"}
    )
    endorsed = endorsed_claim(cast, 1)
    operator_decides = post(
        client, cast.operator, url(cast, "claim_transition", endorsed.pk), {"to": "approved"}
    )
    leader_decides = post(
        client, cast.leader, url(cast, "claim_transition", endorsed.pk), {"to": "approved"}
    )
    leader_edits = client.patch(
        url(cast, "claim", claim.pk), {"title": "改"}, content_type="application/json"
    )

    assert [
        r.status_code
        for r in (office_claims, leader_submits, operator_decides, leader_decides, leader_edits)
    ] == [403, 403, 403, 403, 403]
    assert BonusClaim.objects.count() == 2
    claim.refresh_from_db()
    endorsed.refresh_from_db()
    assert (claim.state, claim.title) == ("draft", "全国排名前5")
    assert (endorsed.state, endorsed.item_id) == ("endorsed", None)


def test_a_category_the_cycle_lacks_is_refused_naming_the_field(cast: Cast, client: Client) -> None:
    BonusStandard.objects.filter(cycle=cast.cycle, category=5).delete()
    claim = draft(cast)

    create = post(
        client, cast.operator, url(cast, "claims"), {**CLAIM, "category": 5, "unit": cast.unit.code}
    )
    edit = client.patch(
        url(cast, "claim", claim.pk), {"category": 5}, content_type="application/json"
    )

    assert create.status_code == 400 and "category" in create.json()
    assert edit.status_code == 400 and "category" in edit.json()
    assert BonusClaim.objects.count() == 1
    claim.refresh_from_db()
    assert claim.category == 4


def test_points_above_the_standard_need_a_reason(cast: Cast, client: Client) -> None:
    claim = endorsed_claim(cast, 4)

    response = post(
        client,
        cast.office,
        url(cast, "claim_transition", claim.pk),
        {"to": "adjusted", "points": "9"},
    )

    assert response.status_code == 400
    assert "高于标准分值" in response.json()["reason"][0]
    claim.refresh_from_db()
    assert (claim.state, claim.approved_points, claim.item_id) == ("endorsed", None, None)


def test_evidence_of_the_wrong_type_is_refused_as_on_the_page(cast: Cast, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    claim = draft(cast, evidence=False)
    client.force_login(cast.operator)

    exe = client.post(
        url(cast, "claim_evidence", claim.pk),
        {"evidence": SimpleUploadedFile("a.exe", b"MZ\x90\x00", "application/octet-stream")},
    )
    fake = client.post(
        url(cast, "claim_evidence", claim.pk),
        {"evidence": SimpleUploadedFile("a.pdf", b"not a pdf", "application/pdf")},
    )
    create = client.post(
        url(cast, "claims"),
        {
            **CLAIM,
            "unit": cast.unit.code,
            "evidence": [pdf(), SimpleUploadedFile("b.png", PDF, "image/png")],
        },
    )

    assert exe.status_code == fake.status_code == create.status_code == 400
    assert "evidence" in exe.json() and "evidence" in fake.json() and "evidence" in create.json()
    assert ClaimEvidence.objects.count() == 0
    assert BonusClaim.objects.count() == 1


def test_evidence_is_removed_from_a_draft_only(cast: Cast, client: Client) -> None:
    claim = draft(cast)
    evidence = claim.evidence.get()
    client.force_login(cast.operator)

    response = client.delete(url(cast, "claim_evidence_file", claim.pk, evidence.pk))

    assert response.status_code == 204
    assert not ClaimEvidence.objects.exists()
    submitted = endorsed_claim(cast, 1)
    kept = submitted.evidence.get()
    response = client.delete(url(cast, "claim_evidence_file", submitted.pk, kept.pk))
    assert response.status_code == 400
    assert ClaimEvidence.objects.filter(pk=kept.pk).exists()


def test_nothing_changes_in_a_locked_cycle(cast: Cast, client: Client) -> None:
    claim = endorsed_claim(cast, 4)
    lock(cast)

    decide = post(client, cast.office, url(cast, "claim_transition", claim.pk), {"to": "approved"})
    create = post(client, cast.operator, url(cast, "claims"), {**CLAIM, "unit": cast.unit.code})

    assert decide.status_code == create.status_code == 400
    assert "已定档" in decide.json()["detail"][0]
    assert BonusClaim.objects.count() == 1
    claim.refresh_from_db()
    assert claim.state == ClaimState.ENDORSED


def test_a_token_writes_without_csrf_and_a_session_needs_it(cast: Cast) -> None:
    token = Token.objects.create(user=cast.operator)
    strict = Client(enforce_csrf_checks=True)

    with_token = strict.post(
        url(cast, "claims"),
        {**CLAIM, "unit": cast.unit.code},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    strict.force_login(cast.operator)
    session = strict.post(
        url(cast, "claims"), {**CLAIM, "unit": cast.unit.code}, content_type="application/json"
    )

    assert with_token.status_code == 201
    assert session.status_code == 403
    assert "CSRF" in session.json()["detail"]
    assert BonusClaim.objects.count() == 1


# Inspections and findings ------------------------------------------------------------------


INSPECTION = {
    "held_on": "2020-05-14",
    "place": "政务服务大厅",
    "kind": "unannounced",
    "level": "city",
    "inspectors": "张三",
}


def test_an_inspector_records_an_inspection_with_its_findings(cast: Cast, client: Client) -> None:
    response = post(
        client,
        cast.inspector,
        url(cast, "inspections"),
        {
            **INSPECTION,
            "findings": [
                {"unit": cast.unit.code, "standard": "K1", "count": 2, "description": "脱岗"},
                {"unit": cast.other.code, "standard": "K3", "description": "超时"},
            ],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["finding_count"] == 2
    visit = Inspection.objects.get(pk=body["id"])
    assert (visit.level, visit.recorded_by) == (Level.CITY, cast.inspector)
    rows = Finding.objects.filter(inspection=visit).order_by("id")
    assert [(f.unit, f.standard.code, f.count, f.state) for f in rows] == [
        (cast.unit, "K1", 2, "recorded"),
        (cast.other, "K3", 1, "recorded"),
    ]
    assert rows[0].answer_due == timezone.localdate() + timedelta(days=7)


def test_a_finding_is_added_with_its_photo(cast: Cast, client: Client) -> None:
    visit = inspection(cast)
    client.force_login(cast.office)

    response = client.post(
        url(cast, "inspection_findings", visit.pk),
        {
            "unit": cast.unit.code,
            "standard": "K2",
            "count": 1,
            "description": "投诉",
            "photos": png(),
        },
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    more = client.post(url(cast, "finding_photos", pk), {"photo": png("二.png")})

    assert more.status_code == 201
    assert FindingPhoto.objects.filter(finding_id=pk).count() == 2
    assert Finding.objects.get(pk=pk).recorded_by == cast.office


def test_a_unit_cannot_record_findings(cast: Cast, client: Client) -> None:
    visit = inspection(cast)
    row = {"unit": cast.unit.code, "standard": "K1", "count": 1, "description": "脱岗"}

    create = post(
        client, cast.operator, url(cast, "inspections"), {**INSPECTION, "findings": [row]}
    )
    add = post(client, cast.leader, url(cast, "inspection_findings", visit.pk), row)
    photo_finding = finding(cast)
    client.force_login(cast.operator)
    photo = client.post(url(cast, "finding_photos", photo_finding.pk), {"photo": png()})

    # Inspections are hidden from units (404); creating one is visible but forbidden (403).
    assert [create.status_code, add.status_code, photo.status_code] == [403, 404, 403]
    assert Inspection.objects.count() == 2
    assert Finding.objects.count() == 1
    assert not FindingPhoto.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"standard": ""}, "standard"),
        ({"standard": "K9"}, "standard"),
        ({"count": -1}, "count"),
        ({"unit": "nope"}, "unit"),
    ],
)
def test_a_bad_finding_is_refused_naming_the_field(
    cast: Cast, client: Client, change: dict[str, Any], field: str
) -> None:
    visit = inspection(cast)
    row = {"unit": cast.unit.code, "standard": "K1", "count": 1, "description": "脱岗", **change}

    add = post(client, cast.inspector, url(cast, "inspection_findings", visit.pk), row)
    create = post(
        client,
        cast.inspector,
        url(cast, "inspections"),
        {
            **INSPECTION,
            "findings": [{**row, "standard": "K1", "count": 1, "unit": cast.unit.code}, row],
        },
    )

    assert add.status_code == 400 and field in add.json(), add.json()
    assert create.status_code == 400
    assert create.json()["findings"][0] == {}
    assert field in create.json()["findings"][1]
    assert Inspection.objects.count() == 1
    assert not Finding.objects.exists()


def test_the_unit_contests_and_the_office_withdraws(cast: Cast, client: Client) -> None:
    response = post(
        client,
        cast.inspector,
        url(cast, "inspections"),
        {
            **INSPECTION,
            "findings": [{"unit": cast.unit.code, "standard": "K2", "description": "x"}],
        },
    )
    pk = Finding.objects.get(inspection_id=response.json()["id"]).pk

    inspector_answers = post(
        client,
        cast.inspector,
        url(cast, "finding_transition", pk),
        {"to": "contested", "response": "x"},
    )
    other_unit = post(
        client,
        cast.other_operator,
        url(cast, "finding_transition", pk),
        {"to": "contested", "response": "x"},
    )
    contest = post(
        client,
        cast.leader,
        url(cast, "finding_transition", pk),
        {"to": "contested", "response": "当日系外出办事"},
    )
    inspector_decides = post(
        client,
        cast.inspector,
        url(cast, "finding_transition", pk),
        {"to": "withdrawn", "reason": "x"},
    )
    withdraw = post(
        client,
        cast.office,
        url(cast, "finding_transition", pk),
        {"to": "withdrawn", "reason": "申辩成立"},
    )

    assert [inspector_answers.status_code, other_unit.status_code] == [403, 404]
    assert contest.status_code == 200, contest.json()
    assert inspector_decides.status_code == 403
    assert withdraw.json()["state"] == "withdrawn"
    row = Finding.objects.get(pk=pk)
    assert (row.state, row.response, row.decision_reason, row.item_id) == (
        FindingState.WITHDRAWN,
        "当日系外出办事",
        "申辩成立",
        None,
    )


def test_the_office_confirms_an_answered_finding(cast: Cast, client: Client) -> None:
    response = post(
        client,
        cast.office,
        url(cast, "inspections"),
        {
            **INSPECTION,
            "findings": [
                {"unit": cast.unit.code, "standard": "K2", "count": 2, "description": "x"}
            ],
        },
    )
    pk = Finding.objects.get(inspection_id=response.json()["id"]).pk
    post(
        client,
        cast.operator,
        url(cast, "finding_transition", pk),
        {"to": "answered", "response": "已整改"},
    )

    response = post(client, cast.office, url(cast, "finding_transition", pk), {"to": "confirmed"})

    assert response.json()["counted"] is True
    item = DeductionItem.objects.get(finding__pk=pk)
    assert (item.standard_code, item.count, item.points, item.level) == ("K2", 2, D("2"), "city")


def test_a_contest_after_the_deadline_is_refused(cast: Cast, client: Client) -> None:
    late = finding(cast)  # answer due 2020-05-21

    response = post(
        client,
        cast.operator,
        url(cast, "finding_transition", late.pk),
        {"to": "contested", "response": "x"},
    )

    assert response.status_code == 400
    assert "答复期限" in response.json()["response"][0]
    late.refresh_from_db()
    assert (late.state, late.response) == ("recorded", "")


def test_the_office_links_and_unlinks_the_same_occurrence(cast: Cast, client: Client) -> None:
    district = finding(cast, level=Level.DISTRICT)
    city = finding(cast, level=Level.CITY)
    for f in (district, city):
        decide_finding(finding=f, confirm=True, reason="", by=cast.office, today=date(2020, 6, 1))

    forbidden = post(
        client, cast.inspector, url(cast, "finding_link", city.pk), {"other": district.pk}
    )
    linked = post(client, cast.office, url(cast, "finding_link", city.pk), {"other": district.pk})

    assert forbidden.status_code == 403
    assert linked.status_code == 200, linked.json()
    assert linked.json()["id"] == district.pk and linked.json()["counted"] is False
    district.refresh_from_db()
    assert (district.same_as_id, district.item_id) == (city.pk, None)

    client.force_login(cast.office)
    unlinked = client.delete(url(cast, "finding_link", district.pk))

    assert unlinked.json()["counted"] is True
    district.refresh_from_db()
    assert district.same_as_id is None and district.item_id is not None


def test_linking_two_findings_of_one_level_is_refused(cast: Cast, client: Client) -> None:
    a, b = finding(cast), finding(cast)

    response = post(client, cast.office, url(cast, "finding_link", a.pk), {"other": b.pk})
    missing = post(client, cast.office, url(cast, "finding_link", a.pk), {"other": 999999})

    assert response.status_code == missing.status_code == 400
    assert "other" in response.json() and "other" in missing.json()
    assert not Finding.objects.filter(same_as__isnull=False).exists()


def test_findings_are_refused_in_a_locked_cycle(cast: Cast, client: Client) -> None:
    visit = inspection(cast)
    lock(cast)

    create = post(client, cast.inspector, url(cast, "inspections"), INSPECTION)
    add = post(
        client,
        cast.inspector,
        url(cast, "inspection_findings", visit.pk),
        {"unit": cast.unit.code, "standard": "K1", "description": "x"},
    )

    assert create.status_code == add.status_code == 400
    assert Inspection.objects.count() == 1
    assert not Finding.objects.exists()


# Standards -----------------------------------------------------------------------------------

STANDARDS = {
    "bonus": [
        {"category": 1, "points": "8", "cap": "16", "stack": False},
        {"category": 2, "points": "4", "cap": None, "description": "批示肯定"},
    ],
    "bonus_total_cap": "20",
    "multipliers": {"district": "1", "city": "1.5", "province": "3"},
    "answer_days": 10,
    "deduction": [
        {"code": "K1", "description": "脱岗", "points": "1.5"},
        {"code": "K9", "description": "新条目", "points": "2"},
    ],
}


def test_the_office_replaces_the_standards_before_the_assessment(
    cast: Cast, client: Client
) -> None:
    cast.cycle.phase = Phase.EXECUTION
    cast.cycle.save()
    client.force_login(cast.office)

    response = client.put(
        url(cast, "adjustment_standards"), STANDARDS, content_type="application/json"
    )

    assert response.status_code == 200, response.json()
    assert [(b["category"], b["points"]) for b in response.json()["bonus"]] == [
        (1, "8.00"),
        (2, "4.00"),
    ]
    cast.cycle.refresh_from_db()
    assert dict(
        BonusStandard.objects.filter(cycle=cast.cycle).values_list("category", "points")
    ) == {
        1: D("8"),
        2: D("4"),
    }
    assert cast.cycle.bonus_categories["1"] == {"cap": "16", "stack": False}
    assert (cast.cycle.multiplier_city, cast.cycle.multiplier_province) == (D("1.5"), D("3"))
    assert cast.cycle.bonus_total_cap == D("20")
    assert AdjustmentRules.objects.get(cycle=cast.cycle).answer_days == 10
    assert dict(
        DeductionStandard.objects.filter(cycle=cast.cycle).values_list("code", "points")
    ) == {"K1": D("1.5"), "K9": D("2")}


def test_standards_are_refused_to_others_during_the_assessment_and_with_bad_values(
    cast: Cast, client: Client
) -> None:
    before = list(BonusStandard.objects.values_list("category", "points"))
    client.force_login(cast.operator)
    operator = client.put(
        url(cast, "adjustment_standards"), STANDARDS, content_type="application/json"
    )
    client.force_login(cast.office)
    assessment = client.put(
        url(cast, "adjustment_standards"), STANDARDS, content_type="application/json"
    )
    cast.cycle.phase = Phase.EXECUTION
    cast.cycle.save()
    bad = {
        **STANDARDS,
        "bonus": [{"category": 1, "points": "-1"}],
        "multipliers": {"district": "1", "city": "1.555", "province": "3"},
    }
    negative = client.put(url(cast, "adjustment_standards"), bad, content_type="application/json")
    cited = finding(cast, code="K3")
    cut = client.put(
        url(cast, "adjustment_standards"),
        {**STANDARDS, "deduction": [{"code": "K1", "description": "x", "points": "1"}]},
        content_type="application/json",
    )

    assert operator.status_code == 403
    assert assessment.status_code == 400 and "detail" in assessment.json()
    assert negative.status_code == 400
    assert "points" in negative.json()["bonus"][0]
    assert cut.status_code == 400 and "K3" in cut.json()["detail"][0]
    assert list(BonusStandard.objects.values_list("category", "points")) == before
    assert DeductionStandard.objects.filter(cycle=cast.cycle).count() == 5
    assert cited.standard.code == "K3"
    cast.cycle.refresh_from_db()
    assert cast.cycle.multiplier_city == D("2")


# City incentives -------------------------------------------------------------------------------


def test_the_office_sets_and_clears_a_units_city_incentive(cast: Cast, client: Client) -> None:
    client.force_login(cast.office)

    put = client.put(
        url(cast, "city_incentive", cast.unit.code),
        {"points": "2.5", "source": "营商环境"},
        content_type="application/json",
    )

    assert put.status_code == 200, put.json()
    assert put.json()["points"] == "2.50"
    entry = CityIncentive.objects.get(cycle=cast.cycle, unit=cast.unit)
    assert (entry.points, entry.source) == (D("2.5"), "营商环境")

    assert client.delete(url(cast, "city_incentive", cast.unit.code)).status_code == 204
    assert not CityIncentive.objects.exists()


def test_city_incentives_are_the_offices_and_checked(cast: Cast, client: Client) -> None:
    CityIncentive.objects.create(cycle=cast.cycle, unit=cast.unit, points=3, source="甲")
    body = {"points": "9", "source": "乙"}

    client.force_login(cast.operator)
    operator = client.put(
        url(cast, "city_incentive", cast.unit.code), body, content_type="application/json"
    )
    client.force_login(cast.office)
    negative = client.put(
        url(cast, "city_incentive", cast.unit.code),
        {"points": "-1"},
        content_type="application/json",
    )
    lock(cast)
    locked = client.delete(url(cast, "city_incentive", cast.unit.code))

    assert operator.status_code == 403
    assert negative.status_code == 400 and "points" in negative.json()
    assert locked.status_code == 400
    entry = CityIncentive.objects.get()
    assert (entry.points, entry.source) == (D("3"), "甲")
