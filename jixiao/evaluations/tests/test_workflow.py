"""The workflow through its services: self-evaluation, review, collection, appeal, finalize."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jixiao.core.models import AuditEntry
from jixiao.cycles.models import Phase
from jixiao.evaluations import finalize, services
from jixiao.evaluations.files import MAX_EVIDENCE_BYTES
from jixiao.evaluations.models import (
    AssessmentCalendar,
    CollectionValue,
    Outcome,
    PackageState,
    ReviewScore,
)
from jixiao.evaluations.services import CollectionEntry
from jixiao.evaluations.tests.builders import World
from jixiao.scoring.models import Result

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fill(world: World, unit_index: int = 0) -> None:
    unit = world.units[unit_index]
    for leaf in (world.judged[unit.code], world.progress_leaf[unit.code]):
        services.save_self_evaluation(
            cycle=world.cycle,
            unit=unit,
            indicator=leaf,
            achievement="完成",
            claimed_score=Decimal("90"),
            version=0,
            by=world.operator,
        )


def submit(world: World) -> None:
    from jixiao.evaluations.selectors import package_for

    package = package_for(cycle=world.cycle, unit=world.units[0])
    services.submit_self_evaluation(package=package, version=package.version, by=world.leader)


def item_of(world: World, leaf_code: str = "1.1"):  # type: ignore[no-untyped-def]
    from jixiao.evaluations.models import SelfEvaluation

    return SelfEvaluation.objects.select_related("package", "cycle", "unit", "indicator").get(
        unit=world.units[0], indicator__code=leaf_code
    )


def test_self_evaluation_refuses_a_claim_above_the_points(world: World) -> None:
    with pytest.raises(ValidationError, match="超过分值"):
        services.save_self_evaluation(
            cycle=world.cycle,
            unit=world.units[0],
            indicator=world.judged[world.units[0].code],
            achievement="x",
            claimed_score=Decimal("100.01"),
            version=0,
            by=world.operator,
        )
    assert not AuditEntry.objects.filter(action="save_self_evaluation").exists()


def test_self_evaluation_refuses_three_decimals(world: World) -> None:
    with pytest.raises(ValidationError, match="最多保留 2 位小数"):
        services.save_self_evaluation(
            cycle=world.cycle,
            unit=world.units[0],
            indicator=world.judged[world.units[0].code],
            achievement="x",
            claimed_score=Decimal("9.125"),
            version=0,
            by=world.operator,
        )


def test_a_stale_version_is_refused_naming_the_other_change(world: World) -> None:
    leaf = world.judged[world.units[0].code]
    services.save_self_evaluation(
        cycle=world.cycle,
        unit=world.units[0],
        indicator=leaf,
        achievement="第一稿",
        claimed_score=Decimal(80),
        version=0,
        by=world.operator,
    )
    with pytest.raises(ValidationError) as caught:
        services.save_self_evaluation(
            cycle=world.cycle,
            unit=world.units[0],
            indicator=leaf,
            achievement="另一稿",
            claimed_score=Decimal(70),
            version=0,
            by=world.leader,
        )
    assert "经办人" in caught.value.messages[0] and "第一稿" in caught.value.messages[0]
    assert item_of(world).achievement == "第一稿"


def test_submission_after_the_deadline_needs_an_extension(world: World) -> None:
    fill(world)
    AssessmentCalendar.objects.create(
        cycle=world.cycle, self_evaluation_deadline=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="已截止"):
        submit(world)
    services.grant_extension(
        cycle=world.cycle,
        unit=world.units[0],
        until=timezone.now() + timedelta(days=1),
        reason="系统故障",
        by=world.office,
    )
    submit(world)
    assert item_of(world).package.state == PackageState.SUBMITTED


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100, "不是允许的类型"),
        ("a.exe", PDF, "不是允许的类型"),
        ("picture.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "不是允许的类型"),
    ],
)
def test_evidence_is_checked_by_content(
    world: World, name: str, content: bytes, message: str
) -> None:
    fill(world)
    with pytest.raises(ValidationError, match=message):
        services.add_evidence(
            upload=SimpleUploadedFile(name, content),
            self_evaluation=item_of(world),
            by=world.operator,
        )
    assert not item_of(world).evidence.exists()


def test_evidence_over_the_limit_is_refused(world: World) -> None:
    fill(world)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (MAX_EVIDENCE_BYTES + 1 - len(PDF)))
    with pytest.raises(ValidationError, match="超过上限"):
        services.add_evidence(upload=big, self_evaluation=item_of(world), by=world.operator)


def test_office_documents_are_recognised(world: World) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
    fill(world)
    item = item_of(world)
    docx = services.add_evidence(
        upload=SimpleUploadedFile("报告.docx", buffer.getvalue()),
        self_evaluation=item,
        by=world.operator,
    )
    wps = services.add_evidence(
        upload=SimpleUploadedFile("总结.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50),
        self_evaluation=item,
        by=world.operator,
    )
    assert (docx.kind, wps.kind) == ("docx", "ole")
    with pytest.raises(ValidationError):
        services.add_evidence(
            upload=SimpleUploadedFile("报告.xlsx", buffer.getvalue()),
            self_evaluation=item,
            by=world.operator,
        )


def test_reviews_return_and_aggregate(world: World) -> None:
    unit = world.units[0]
    services.assign_reviewers(
        cycle=world.cycle,
        units=[unit],
        reviewers=[world.reviewer, world.reviewer2],
        by=world.office,
    )
    fill(world)
    submit(world)
    item = item_of(world)
    services.return_for_evidence(item=item, reason="缺少项目清单", by=world.reviewer)
    assert item_of(world).package.state == PackageState.RETURNED
    with pytest.raises(ValidationError, match="退回补充"):
        services.save_review(
            item=item_of(world),
            scores={"total": Decimal(80)},
            comment="",
            versions={},
            by=world.reviewer2,
        )
    services.save_self_evaluation(
        cycle=world.cycle,
        unit=unit,
        indicator=item.indicator,
        achievement="补充了清单",
        claimed_score=Decimal(90),
        version=item_of(world).version,
        by=world.operator,
    )
    submit(world)
    services.save_review(
        item=item_of(world),
        scores={"total": Decimal(80)},
        comment="好",
        versions={},
        by=world.reviewer,
    )
    services.save_review(
        item=item_of(world),
        scores={"total": Decimal("85.5")},
        comment="",
        versions={},
        by=world.reviewer2,
    )
    with pytest.raises(ValidationError, match="未被分配"):
        services.save_review(
            item=item_of(world),
            scores={"total": Decimal(1)},
            comment="",
            versions={},
            by=world.idle_reviewer,
        )
    # A second save from a stale form (the reviewer's first token was "") is refused.
    with pytest.raises(ValidationError, match="已被"):
        services.save_review(
            item=item_of(world),
            scores={"total": Decimal(70)},
            comment="",
            versions={"total": ""},
            by=world.reviewer,
        )
    cp = item_of(world, "1.2")
    with pytest.raises(ValidationError) as caught:
        services.save_review(
            item=cp,
            scores={"completion": Decimal(61), "progress": Decimal(1)},
            comment="",
            versions={},
            by=world.reviewer,
        )
    assert "超过分值 60" in str(caught.value)
    services.save_review(
        item=cp,
        scores={"completion": Decimal(50), "progress": Decimal(30)},
        comment="",
        versions={},
        by=world.reviewer,
    )
    assert ReviewScore.objects.filter(unit=unit).count() == 4


def test_collection_rejects_unknown_and_foreign_leaves(world: World) -> None:
    entry = CollectionEntry(
        unit=world.units[0], indicator=world.judged[world.units[0].code], score=Decimal(1)
    )
    with pytest.raises(ValidationError, match="不由本单位采集"):
        services.save_collection_values(
            cycle=world.cycle, collection_unit=world.legal, entries=[entry], by=world.collector
        )
    good = CollectionEntry(
        unit=world.units[0], indicator=world.direct, score=Decimal("380.5"), token=""
    )
    assert (
        services.save_collection_values(
            cycle=world.cycle, collection_unit=world.legal, entries=[good], by=world.collector
        )
        == 1
    )
    stale = CollectionEntry(unit=world.units[0], indicator=world.direct, score=Decimal(1), token="")
    with pytest.raises(ValidationError, match=r"380\.5"):
        services.save_collection_values(
            cycle=world.cycle, collection_unit=world.legal, entries=[stale], by=world.collector
        )


def test_publish_appeal_ruling_and_finalize(world: World) -> None:
    unit = world.units[0]
    services.assign_reviewers(
        cycle=world.cycle, units=[unit], reviewers=[world.reviewer], by=world.office
    )
    fill(world)
    submit(world)
    services.save_review(
        item=item_of(world),
        scores={"total": Decimal(60)},
        comment="",
        versions={},
        by=world.reviewer,
    )
    finalize.publish_results(cycle=world.cycle, by=world.office)
    before = Result.objects.get(unit=unit).composite
    appeal = services.lodge_appeal(
        cycle=world.cycle,
        unit=unit,
        line_key="performance:1.1",
        reason="项目已全部完成",
        by=world.operator,
    )
    assert appeal.line_value == "60.00"
    with pytest.raises(ValidationError, match="未裁定"):
        finalize.finalize_cycle(cycle=world.cycle, by=world.office)
    appeal = services.assign_recheck(
        appeal=appeal, checker=world.reviewer2, version=appeal.version, by=world.office
    )
    review = ReviewScore.objects.get(unit=unit, indicator__code="1.1")
    services.rule_appeal(
        appeal=appeal,
        outcome=Outcome.CHANGED,
        ruling="核实后更正",
        review_scores={review.pk: Decimal(70)},
        version=appeal.version,
        by=world.reviewer2,
    )
    after = Result.objects.get(unit=unit).composite
    # 10 more points of indicator score, weighted 0.6.
    assert after - before == Decimal("6")
    snapshot = finalize.finalize_cycle(cycle=world.cycle, by=world.office)
    world.cycle.refresh_from_db()
    assert (
        world.cycle.phase == Phase.FINALIZED and snapshot.results_hash == world.cycle.results_hash
    )
    with pytest.raises(ValidationError, match="定档"):
        services.save_collection_values(
            cycle=world.cycle,
            collection_unit=world.legal,
            entries=[CollectionEntry(unit=unit, indicator=world.direct, score=Decimal(1))],
            by=world.collector,
        )
    with pytest.raises(ValidationError, match="原因"):
        finalize.reopen_cycle(cycle=world.cycle, by=world.office, reason=" ")
    actions = set(
        AuditEntry.objects.filter(cycle_code=world.cycle.code).values_list("action", flat=True)
    )
    assert {
        "save_self_evaluation",
        "self_evaluation_state",
        "save_review",
        "lodge_appeal",
        "appeal_state",
        "correct_review",
        "change_phase",
        "finalize_cycle",
    } <= actions
    assert not CollectionValue.objects.exists()


def test_appeal_after_the_window_is_refused(world: World) -> None:
    finalize.publish_results(cycle=world.cycle, by=world.office)
    AssessmentCalendar.objects.create(
        cycle=world.cycle, appeal_deadline=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="申诉期已结束"):
        services.lodge_appeal(
            cycle=world.cycle,
            unit=world.units[0],
            line_key="performance:1.1",
            reason="x",
            by=world.operator,
        )
