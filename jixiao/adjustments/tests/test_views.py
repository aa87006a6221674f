"""The pages: who may see and do what, bad input refused with a message, exports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jixiao.adjustments.models import (
    BonusClaim,
    CityIncentive,
    ClaimState,
    DeductionStandard,
    Finding,
    FindingState,
    Inspection,
)
from jixiao.adjustments.tests.data import (
    PDF,
    Cast,
    endorsed_claim,
    finding,
    inspection,
    xlsx_bytes,
)
from jixiao.core.models import AuditEntry
from jixiao.cycles.models import Phase

pytestmark = pytest.mark.django_db
D = Decimal


def url(cast: Cast, name: str, *args: Any) -> str:
    return reverse(f"adjustments:{name}", args=[cast.cycle.code, *args])


def as_(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


# Claims ---------------------------------------------------------------------------------------


def test_operator_claims_with_evidence_and_the_leader_and_office_approve(
    cast: Cast, client: Client
) -> None:
    as_(client, cast.operator)
    response = client.post(
        url(cast, "claim_new"),
        {
            "category": "4",
            "title": "全国示范单位",
            "authority": "退役军人事务部",
            "document_no": "退役军人部函〔2020〕8号",
            "issued_on": "2020-08-01",
            "evidence": SimpleUploadedFile("证明.pdf", PDF),
        },
    )
    claim = BonusClaim.objects.get()
    assert response.status_code == 302
    assert claim.claimed_points == D(5) and claim.evidence.count() == 1
    client.post(url(cast, "claim", claim.pk), {"action": "submit"})
    as_(client, cast.leader)
    client.post(url(cast, "claim", claim.pk), {"action": "endorse"})
    as_(client, cast.office)
    client.post(url(cast, "claim", claim.pk), {"action": "decide", "decision": "approved"})
    claim.refresh_from_db()
    assert (claim.state, claim.approved_points) == (ClaimState.APPROVED, D(5))
    assert claim.item is not None and claim.item.points == D(5)


def test_claim_in_a_category_the_cycle_lacks_is_refused_naming_the_field(
    cast: Cast, client: Client
) -> None:
    from jixiao.adjustments.models import BonusStandard

    BonusStandard.objects.filter(cycle=cast.cycle, category=3).delete()
    as_(client, cast.operator)
    response = client.post(
        url(cast, "claim_new"),
        {
            "category": "3",
            "title": "典型发言",
            "authority": "国务院",
            "issued_on": "2020-08-01",
        },
    )
    assert response.status_code == 200
    assert "本年度没有第 3 类正向激励" in str(response.context["form"].errors["category"])
    assert not BonusClaim.objects.exists()


def test_points_above_the_standard_without_a_reason_are_refused(cast: Cast, client: Client) -> None:
    claim = endorsed_claim(cast, 4)
    as_(client, cast.office)
    response = client.post(
        url(cast, "claim", claim.pk), {"action": "decide", "decision": "adjusted", "points": "8"}
    )
    assert response.status_code == 200
    assert "高于标准分值" in str(response.context["decision_form"].errors["reason"])
    claim.refresh_from_db()
    assert claim.state == ClaimState.ENDORSED and claim.item is None


def test_evidence_of_the_wrong_type_is_refused(cast: Cast, client: Client) -> None:
    as_(client, cast.operator)
    response = client.post(
        url(cast, "claim_new"),
        {
            "category": "4",
            "title": "示范",
            "authority": "部委",
            "issued_on": "2020-08-01",
            "evidence": SimpleUploadedFile("run.exe", b"MZ\x90\x00"),
        },
    )
    assert response.status_code == 200
    assert "只能上传" in str(response.context["form"].errors["evidence"])
    assert not BonusClaim.objects.exists()


def test_a_unit_sees_only_its_own_claims(cast: Cast, client: Client) -> None:
    own = endorsed_claim(cast, 4, title="本单位的")
    other = endorsed_claim(cast, 6, title="别人的", unit=cast.other)
    as_(client, cast.operator)
    response = client.get(url(cast, "claims"))
    assert [c.pk for c in response.context["claims"]] == [own.pk]
    assert client.get(url(cast, "claim", other.pk)).status_code == 404
    evidence = other.evidence.get()
    assert client.get(url(cast, "evidence", other.pk, evidence.pk)).status_code == 404
    mine = own.evidence.get()
    response = client.get(url(cast, "evidence", own.pk, mine.pk))
    assert response.status_code == 200 and response.getvalue() == PDF
    response.close()


def test_only_the_office_decides_a_claim(cast: Cast, client: Client) -> None:
    claim = endorsed_claim(cast, 4)
    for user in (cast.operator, cast.leader):
        as_(client, user)
        response = client.post(
            url(cast, "claim", claim.pk), {"action": "decide", "decision": "approved"}
        )
        assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.state == ClaimState.ENDORSED


def test_nothing_changes_in_a_locked_cycle(cast: Cast, client: Client) -> None:
    claim = endorsed_claim(cast, 4)
    cast.cycle.phase = Phase.FINALIZED
    cast.cycle.save()
    as_(client, cast.office)
    response = client.post(
        url(cast, "claim", claim.pk), {"action": "decide", "decision": "approved"}, follow=True
    )
    assert "已定档" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == ClaimState.ENDORSED


# Findings -------------------------------------------------------------------------------------


def test_only_inspectors_and_the_office_record_findings(cast: Cast, client: Client) -> None:
    visit = inspection(cast)
    data = {
        "unit": cast.unit.pk,
        "standard": DeductionStandard.objects.get(cycle=cast.cycle, code="K1").pk,
        "count": 1,
        "description": "脱岗",
    }
    for user in (cast.operator, cast.leader, cast.viewer, cast.reviewer):
        as_(client, user)
        assert client.post(url(cast, "inspection", visit.pk), data).status_code in (403, 404)
        assert client.post(url(cast, "inspection_new"), {}).status_code == 403
    assert not Finding.objects.exists()
    as_(client, cast.inspector)
    assert client.post(url(cast, "inspection", visit.pk), data).status_code == 302
    as_(client, cast.office)
    assert client.post(url(cast, "inspection", visit.pk), data).status_code == 302
    assert Finding.objects.count() == 2


def test_finding_without_standard_or_with_negative_count_is_refused(
    cast: Cast, client: Client
) -> None:
    visit = inspection(cast)
    as_(client, cast.inspector)
    base = {"unit": cast.unit.pk, "count": 1, "description": "脱岗"}
    response = client.post(url(cast, "inspection", visit.pk), base)
    assert "扣分标准条目" in str(response.context["form"].errors["standard"])
    standard = DeductionStandard.objects.get(cycle=cast.cycle, code="K1").pk
    response = client.post(
        url(cast, "inspection", visit.pk), {**base, "standard": standard, "count": -2}
    )
    assert "正整数" in str(response.context["form"].errors["count"])
    assert not Finding.objects.exists()


def test_unit_answers_within_the_window_and_not_after(cast: Cast, client: Client) -> None:
    from django.core.exceptions import ValidationError

    from jixiao.adjustments.services import answer_finding

    f = finding(cast)  # recorded 2020-05-14, 7 days to answer
    with pytest.raises(ValidationError) as exc:
        answer_finding(
            finding=f, contest=True, text="不属实", by=cast.operator, today=date(2020, 5, 22)
        )
    assert "response" in exc.value.message_dict
    f.refresh_from_db()
    assert f.state == FindingState.RECORDED
    answer_finding(
        finding=f, contest=True, text="不属实", by=cast.operator, today=date(2020, 5, 21)
    )
    f.refresh_from_db()
    assert f.state == FindingState.CONTESTED


def test_a_unit_sees_only_its_own_findings(cast: Cast, client: Client) -> None:
    own = finding(cast)
    other = finding(cast, unit=cast.other)
    as_(client, cast.operator)
    response = client.get(url(cast, "findings"))
    assert [f.pk for f in response.context["findings"]] == [own.pk]
    assert client.get(url(cast, "finding", other.pk)).status_code == 404
    assert client.get(url(cast, "inspections")).status_code == 403
    as_(client, cast.outsider)
    assert client.get(url(cast, "findings")).status_code == 404


def test_another_unit_cannot_answer_a_finding(cast: Cast, client: Client) -> None:
    f = finding(cast)
    as_(client, cast.other_operator)
    response = client.post(
        url(cast, "finding", f.pk), {"action": "answer", "kind": "contest", "response": "x"}
    )
    assert response.status_code == 404
    f.refresh_from_db()
    assert f.state == FindingState.RECORDED


# City incentive ----------------------------------------------------------------------------------


def test_city_incentive_import_previews_then_saves_all(cast: Cast, client: Client) -> None:
    as_(client, cast.office)
    data = xlsx_bytes(
        [
            ["单位代码", "单位名称", "激励得分", "来源"],
            [cast.unit.code, "单位0", 3, "市考评项目甲"],
            [cast.other.code, "单位1", "2.5", "市考评项目乙"],
        ]
    )
    response = client.post(
        url(cast, "city_incentives"),
        {"action": "preview", "file": SimpleUploadedFile("激励.xlsx", data)},
    )
    assert response.status_code == 200
    assert len(response.context["preview"]["rows"]) == 2
    assert not CityIncentive.objects.exists()
    token = response.context["preview"]["token"]
    client.post(url(cast, "city_incentives"), {"action": "confirm", "token": token})
    assert dict(CityIncentive.objects.values_list("unit__code", "points")) == {
        cast.unit.code: D(3),
        cast.other.code: D("2.5"),
    }
    assert AuditEntry.objects.filter(action="set_city_incentive").count() == 2


def test_city_incentive_import_with_errors_changes_nothing(cast: Cast, client: Client) -> None:
    as_(client, cast.office)
    data = xlsx_bytes(
        [
            ["单位代码", "单位名称", "激励得分", "来源"],
            [cast.unit.code, "单位0", 3, "ok"],
            ["NOPE", "?", 1, ""],
            [cast.other.code, "单位1", "1.234", ""],
            [None, "单位1", -1, ""],
        ]
    )
    response = client.post(
        url(cast, "city_incentives"),
        {"action": "preview", "file": SimpleUploadedFile("激励.xlsx", data)},
    )
    problems = [(p.line, p.column) for p in response.context["problems"]]
    assert problems == [(3, "单位代码"), (4, "激励得分"), (5, "单位代码")]
    assert response.context["preview"] is None
    assert not CityIncentive.objects.exists()


def test_only_the_office_enters_city_incentives(cast: Cast, client: Client) -> None:
    for user in (cast.operator, cast.inspector, cast.viewer):
        as_(client, user)
        response = client.post(
            url(cast, "city_incentives"), {"action": "save", "unit": cast.unit.pk, "points": "3"}
        )
        assert response.status_code in (403, 404)
    assert not CityIncentive.objects.exists()


# Standards and exports -----------------------------------------------------------------------


def test_standards_are_editable_before_the_assessment_only(cast: Cast, client: Client) -> None:
    as_(client, cast.office)
    data = {
        "action": "add_deduction",
        "code": "K9",
        "description": "新条目",
        "points": "2",
    }
    assert client.post(url(cast, "standards"), data).status_code == 403
    cast.cycle.phase = Phase.EXECUTION
    cast.cycle.save()
    assert client.post(url(cast, "standards"), data).status_code == 302
    assert DeductionStandard.objects.filter(cycle=cast.cycle, code="K9").exists()


def test_saving_bonus_standards_updates_the_scheme(cast: Cast, client: Client) -> None:
    cast.cycle.phase = Phase.EXECUTION
    cast.cycle.save()
    as_(client, cast.office)
    response = client.get(url(cast, "standards"))
    form = response.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    data.update(action="save", category_2_stack="", category_2_cap="7", total_cap="25")
    data = {k: ("on" if v is True else v) for k, v in data.items()}
    data.pop("category_2_stack")
    response = client.post(url(cast, "standards"), data)
    assert response.status_code == 302, response.context["form"].errors
    cast.cycle.refresh_from_db()
    scheme = cast.cycle.scheme()
    assert scheme.bonus_categories[2].cap == D(7) and scheme.bonus_categories[2].stack is False
    assert scheme.bonus_total_cap == D(25)


@pytest.mark.parametrize(
    "name", ["summary", "claims", "findings", "inspections", "city_incentives"]
)
def test_every_list_exports_to_excel(cast: Cast, client: Client, name: str) -> None:
    endorsed_claim(cast, 4)
    finding(cast)
    as_(client, cast.office)
    response = client.get(url(cast, name) + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    assert sheet.max_row >= 2


def test_pages_render_for_the_office(cast: Cast, client: Client) -> None:
    claim = endorsed_claim(cast, 4)
    f = finding(cast)
    as_(client, cast.office)
    for page in (
        url(cast, "summary"),
        url(cast, "standards"),
        url(cast, "claims"),
        url(cast, "claim", claim.pk),
        url(cast, "inspections"),
        url(cast, "inspection_new"),
        url(cast, "inspection", Inspection.objects.get().pk),
        url(cast, "findings"),
        url(cast, "finding", f.pk),
        url(cast, "city_incentives"),
    ):
        assert client.get(page).status_code == 200, page
