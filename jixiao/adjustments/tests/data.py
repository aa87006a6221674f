"""A small cycle with the demo's illustrative standards, two units and the cast of personas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao.accounts.models import Role, Unit, User
from jixiao.adjustments.models import (
    AdjustmentRules,
    BonusClaim,
    BonusStandard,
    DeductionStandard,
    Finding,
    Inspection,
    Level,
)
from jixiao.adjustments.services import (
    create_claim,
    decide_claim,
    endorse_claim,
    record_finding,
    record_inspection,
    submit_claim,
)
from jixiao.core.testing import make_cycle, make_group, make_unit, make_user
from jixiao.cycles.models import Cycle, Phase

D = Decimal
PDF = b"%PDF-1.4\n% sample evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

#: (category, points per item, cap, stack) — DEMO-2020.md's illustrative table.
BONUS_STANDARDS = (
    (1, "10", "10", True),
    (2, "5", "10", True),
    (3, "4", "8", True),
    (4, "5", "10", True),
    (5, "3", "6", True),
    (6, "2", "6", True),
)
DEDUCTION_STANDARDS = (
    ("K1", "工作时间脱岗、串岗、做与工作无关的事", "1"),
    ("K2", "办事群众投诉经查属实", "2"),
    ("K3", "未在承诺时限内办结", "1"),
    ("K4", "服务态度生硬、推诿扯皮", "1.5"),
    ("K5", "上级交办督办事项逾期未落实", "3"),
)


@dataclass
class Cast:
    cycle: Cycle
    unit: Unit  # the operator's and the leader's unit
    other: Unit
    office: User
    operator: User
    leader: User
    other_operator: User
    inspector: User
    viewer: User
    reviewer: User
    outsider: User


def pdf(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def add_standards(cycle: Cycle, *, total_cap: str | None = "30") -> None:
    BonusStandard.objects.bulk_create(
        BonusStandard(cycle=cycle, category=c, points=D(p))
        for c, p, _cap, _stack in BONUS_STANDARDS
    )
    DeductionStandard.objects.bulk_create(
        DeductionStandard(cycle=cycle, code=code, description=text, points=D(p))
        for code, text, p in DEDUCTION_STANDARDS
    )
    cycle.bonus_categories = {
        str(c): {"cap": cap, "stack": stack} for c, _p, cap, stack in BONUS_STANDARDS
    }
    cycle.bonus_total_cap = None if total_cap is None else D(total_cap)
    cycle.save()
    AdjustmentRules.objects.create(cycle=cycle, answer_days=7)


def build(code: str = "T1", units: int = 2, phase: str = Phase.ASSESSMENT) -> Cast:
    cycle = make_cycle(code, phase=phase)
    group = make_group(cycle)
    made = [make_unit(f"{code}U{i}", f"单位{i}", cycle=cycle, group=group) for i in range(units)]
    add_standards(cycle)
    return Cast(
        cycle=cycle,
        unit=made[0],
        other=made[1],
        office=make_user(f"{code}office", Role.OFFICE_ADMIN),
        operator=make_user(f"{code}operator", Role.UNIT_OPERATOR, unit=made[0]),
        leader=make_user(f"{code}leader", Role.UNIT_LEADER, unit=made[0]),
        other_operator=make_user(f"{code}other", Role.UNIT_OPERATOR, unit=made[1]),
        inspector=make_user(f"{code}inspector", Role.INSPECTOR, cycle=cycle),
        viewer=make_user(f"{code}viewer", Role.VIEWER),
        reviewer=make_user(f"{code}reviewer", Role.REVIEWER, cycle=cycle),
        outsider=make_user(f"{code}outsider"),
    )


def endorsed_claim(
    cast: Cast, category: int, title: str = "表彰", unit: Unit | None = None
) -> BonusClaim:
    unit = unit or cast.unit
    if unit == cast.unit:
        operator = cast.operator
    elif unit == cast.other:
        operator = cast.other_operator
    else:
        operator = make_user(f"operator-{unit.code}", Role.UNIT_OPERATOR, unit=unit)
    claim = create_claim(
        cycle=cast.cycle,
        unit=unit,
        category=category,
        title=title,
        authority="省人民政府",
        document_no="闽政〔2020〕1号",
        issued_on=date(2020, 6, 1),
        by=operator,
        evidence=[pdf()],
    )
    submit_claim(claim=claim, by=operator)
    if unit == cast.unit:
        return endorse_claim(claim=claim, by=cast.leader)
    leader = make_user(f"leader-{unit.code}-{claim.pk}", Role.UNIT_LEADER, unit=unit)
    return endorse_claim(claim=claim, by=leader)


def approved_claim(
    cast: Cast, category: int, points: str | None = None, **kw: object
) -> BonusClaim:
    claim = endorsed_claim(cast, category, **kw)  # type: ignore[arg-type]
    if points is None:
        return decide_claim(claim=claim, decision="approved", by=cast.office)
    return decide_claim(
        claim=claim, decision="adjusted", points=D(points), reason="按实际情况调整", by=cast.office
    )


def inspection(cast: Cast, level: str = Level.DISTRICT) -> Inspection:
    return record_inspection(
        cycle=cast.cycle,
        held_on=date(2020, 5, 14),
        place="政务服务大厅",
        kind="unannounced",
        level=level,
        inspectors="张三、李四",
        by=cast.inspector,
    )


def finding(
    cast: Cast,
    level: str = Level.DISTRICT,
    code: str = "K3",
    count: int = 1,
    unit: Unit | None = None,
) -> Finding:
    return record_finding(
        inspection=inspection(cast, level),
        unit=unit or cast.unit,
        standard=DeductionStandard.objects.get(cycle=cast.cycle, code=code),
        count=count,
        description="未在承诺时限内办结",
        by=cast.inspector,
        today=date(2020, 5, 14),
    )


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
