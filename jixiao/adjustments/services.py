"""Writes of the adjustments app: standards, claims, evidence, inspections, findings and the
city incentive. Every function takes the acting user (``by``), runs in one transaction,
refuses a locked cycle and leaves an audit entry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.models import Unit
from jixiao.adjustments import workflow
from jixiao.adjustments.models import (
    AdjustmentRules,
    BonusCategory,
    BonusClaim,
    BonusStandard,
    CityIncentive,
    ClaimEvidence,
    ClaimState,
    DeductionStandard,
    Finding,
    FindingPhoto,
    FindingState,
    Inspection,
    Level,
)
from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, Participation, Phase
from jixiao.scoring.types import Level as EngineLevel

check_unlocked = workflow.check_unlocked

#: Phases in which the office may still change the standards: before the assessment starts.
STANDARDS_OPEN_PHASES = frozenset({Phase.PREPARATION, Phase.DECOMPOSITION, Phase.EXECUTION})

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG"
#: extension → the bytes such a file starts with; the content is checked, not only the name.
EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "jpg": (_JPEG,),
    "jpeg": (_JPEG,),
    "png": (_PNG,),
    "docx": (_ZIP,),
    "xlsx": (_ZIP,),
    "ofd": (_ZIP,),
    "doc": (_OLE,),
    "xls": (_OLE,),
}
PHOTO_TYPES: dict[str, tuple[bytes, ...]] = {"jpg": (_JPEG,), "jpeg": (_JPEG,), "png": (_PNG,)}


def _audit(by: Any, action: str, obj: Any, cycle: Cycle, **kwargs: Any) -> None:
    record_audit(by=by, action=action, obj=obj, cycle_code=cycle.code, **kwargs)


def _check_places(value: Decimal, cycle: Cycle, field: str) -> None:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -cycle.precision:
        raise ValidationError(
            {field: _("最多 %(n)s 位小数：%(value)s") % {"n": cycle.precision, "value": value}}
        )
    if value < 0:
        raise ValidationError({field: _("不能为负数：%(value)s") % {"value": value}})


# Standards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BonusStandardRow:
    category: int
    enabled: bool
    points: Decimal | None
    cap: Decimal | None
    stack: bool
    description: str = ""


def check_standards_open(cycle: Cycle) -> None:
    check_unlocked(cycle)
    if cycle.phase not in STANDARDS_OPEN_PHASES:
        raise ValidationError(
            _("评估阶段开始后不能再修改加减分标准（当前阶段：%(phase)s）。")
            % {"phase": cycle.get_phase_display()},
            code="standards_closed",
        )


def save_standards(
    *,
    cycle: Cycle,
    bonus: Sequence[BonusStandardRow],
    total_cap: Decimal | None,
    multipliers: dict[str, Decimal],
    answer_days: int,
    by: Any,
) -> None:
    """Replace the cycle's bonus standards, caps, multipliers and answer window.

    Caps and stacking go to ``Cycle.bonus_categories`` and the multipliers to
    ``Cycle.multiplier_*`` (what the engine reads); the points per item to ``BonusStandard``.
    """
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        check_standards_open(locked)
        for row in bonus:
            path = f"category_{row.category}"
            if row.enabled and row.points is None:
                raise ValidationError(
                    {f"{path}_points": _("第 %(n)s 类：请填写每项分值。") % {"n": row.category}}
                )
            if row.points is not None:
                _check_places(row.points, locked, f"{path}_points")
            if row.cap is not None:
                _check_places(row.cap, locked, f"{path}_cap")
        if total_cap is not None:
            _check_places(total_cap, locked, "total_cap")
        for level, value in multipliers.items():
            _check_places(value, locked, f"multiplier_{level}")
        old = _standards_snapshot(locked)
        categories: dict[str, Any] = dict(locked.bonus_categories or {})
        existing = {s.category: s for s in BonusStandard.objects.filter(cycle=locked)}
        for row in bonus:
            key = str(row.category)
            categories[key] = {
                "cap": None if row.cap is None else str(row.cap),
                "stack": row.stack,
            }
            standard = existing.get(row.category)
            if row.enabled:
                assert row.points is not None
                standard = standard or BonusStandard(cycle=locked, category=row.category)
                standard.points = row.points
                standard.description = row.description.strip()
                standard.full_clean()
                standard.save()
            elif standard is not None:
                standard.delete()
        locked.bonus_categories = categories
        locked.bonus_total_cap = total_cap
        locked.multiplier_district = multipliers[EngineLevel.DISTRICT]
        locked.multiplier_city = multipliers[EngineLevel.CITY]
        locked.multiplier_province = multipliers[EngineLevel.PROVINCE]
        locked.full_clean()
        locked.save()
        rules, _created = AdjustmentRules.objects.get_or_create(cycle=locked)
        rules.answer_days = answer_days
        rules.full_clean()
        rules.save()
        _audit(
            by,
            "save_adjustment_standards",
            locked,
            locked,
            old=old,
            new=_standards_snapshot(locked),
        )
    cycle.refresh_from_db()


def _standards_snapshot(cycle: Cycle) -> dict[str, Any]:
    return {
        "bonus_categories": cycle.bonus_categories,
        "bonus_total_cap": cycle.bonus_total_cap,
        "multipliers": [
            cycle.multiplier_district,
            cycle.multiplier_city,
            cycle.multiplier_province,
        ],
        "bonus_points": {
            str(c): str(p)
            for c, p in BonusStandard.objects.filter(cycle=cycle).values_list("category", "points")
        },
        "answer_days": answer_days_of(cycle),
    }


def answer_days_of(cycle: Cycle) -> int:
    rules = AdjustmentRules.objects.filter(cycle=cycle).first()
    if rules is None:
        return int(AdjustmentRules._meta.get_field("answer_days").get_default())
    return rules.answer_days


@dataclass(frozen=True)
class DeductionStandardRow:
    pk: int | None
    code: str
    description: str
    points: Decimal | None
    delete: bool = False


def save_deduction_standards(
    *, cycle: Cycle, rows: Iterable[DeductionStandardRow], by: Any
) -> None:
    """Add, change and delete items of the deduction standard. An item a finding cites cannot
    be deleted."""
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        check_standards_open(locked)
        existing = {s.pk: s for s in DeductionStandard.objects.filter(cycle=locked)}
        seen: set[str] = set()
        for i, row in enumerate(rows, start=1):
            standard = existing.get(row.pk) if row.pk is not None else None
            if row.pk is not None and standard is None:
                raise ValidationError(_("第 %(i)s 行：扣分标准条目不存在。") % {"i": i})
            if row.delete:
                if standard is not None:
                    old = {"code": standard.code, "points": standard.points}
                    try:
                        standard.delete()
                    except (ProtectedError, RestrictedError):
                        raise ValidationError(
                            _("第 %(i)s 行：条目 %(code)s 已被察访问题引用，不能删除。")
                            % {"i": i, "code": standard.code}
                        ) from None
                    _audit(by, "delete_deduction_standard", locked, locked, old=old)
                continue
            code = row.code.strip()
            if not code:
                raise ValidationError(_("第 %(i)s 行：请填写编号。") % {"i": i})
            if code in seen:
                raise ValidationError(
                    _("第 %(i)s 行：编号 %(code)s 重复。") % {"i": i, "code": code}
                )
            seen.add(code)
            if row.points is None:
                raise ValidationError(_("第 %(i)s 行：请填写每次扣分。") % {"i": i})
            _check_places(row.points, locked, "points")
            old_values = (
                {
                    "code": standard.code,
                    "description": standard.description,
                    "points": standard.points,
                }
                if standard is not None
                else None
            )
            standard = standard or DeductionStandard(cycle=locked)
            standard.code = code
            standard.description = row.description.strip()
            standard.points = row.points
            try:
                standard.full_clean(exclude=["cycle"], validate_unique=False)
            except ValidationError as exc:
                raise ValidationError(
                    _("第 %(i)s 行：%(errors)s") % {"i": i, "errors": " ".join(exc.messages)}
                ) from None
            standard.save()
            _audit(
                by,
                "save_deduction_standard",
                standard,
                locked,
                old=old_values,
                new={"code": code, "description": standard.description, "points": row.points},
            )
        # Codes must stay unique after all rows are applied (a rename may free a code).
        codes = list(DeductionStandard.objects.filter(cycle=locked).values_list("code", flat=True))
        if len(codes) != len(set(codes)):
            raise ValidationError(_("扣分标准编号重复。"))


def copy_standards(*, source: Cycle, target: Cycle, by: Any) -> int:
    """Copy the bonus and deduction standards, caps, multipliers and answer window of
    ``source`` into ``target`` (replacing target's). Returns the number of rows copied."""
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=target.pk)
        check_standards_open(locked)
        if source.pk == locked.pk:
            raise ValidationError({"source": _("不能从本年度复制。")})
        if Finding.objects.filter(cycle=locked).exists():
            raise ValidationError(_("本年度已有察访问题引用扣分标准，不能整体替换。"))
        BonusStandard.objects.filter(cycle=locked).delete()
        DeductionStandard.objects.filter(cycle=locked).delete()
        bonus = [
            BonusStandard(
                cycle=locked, category=s.category, description=s.description, points=s.points
            )
            for s in BonusStandard.objects.filter(cycle=source)
        ]
        deduction = [
            DeductionStandard(cycle=locked, code=s.code, description=s.description, points=s.points)
            for s in DeductionStandard.objects.filter(cycle=source)
        ]
        BonusStandard.objects.bulk_create(bonus)
        DeductionStandard.objects.bulk_create(deduction)
        locked.bonus_categories = source.bonus_categories
        locked.bonus_total_cap = source.bonus_total_cap
        locked.multiplier_district = source.multiplier_district
        locked.multiplier_city = source.multiplier_city
        locked.multiplier_province = source.multiplier_province
        locked.save()
        rules, _created = AdjustmentRules.objects.get_or_create(cycle=locked)
        rules.answer_days = answer_days_of(source)
        rules.save()
        _audit(
            by,
            "copy_adjustment_standards",
            locked,
            locked,
            new={"from": source.code, "bonus": len(bonus), "deduction": len(deduction)},
        )
    target.refresh_from_db()
    return len(bonus) + len(deduction)


# Uploads -------------------------------------------------------------------------------------


def check_upload(upload: UploadedFile[Any], types: dict[str, tuple[bytes, ...]], field: str) -> str:
    """The upload's extension if its name, size and first bytes are acceptable."""
    name = upload.name or ""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in types:
        raise ValidationError(
            {
                field: _("“%(name)s”：只能上传 %(types)s 文件。")
                % {"name": name, "types": "、".join(sorted(types))}
            }
        )
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({field: _("“%(name)s”：文件不能超过 10 MB。") % {"name": name}})
    if upload.size == 0:
        raise ValidationError({field: _("“%(name)s”：文件是空的。") % {"name": name}})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in types[suffix]):
        raise ValidationError({field: _("“%(name)s”：文件内容与扩展名不符。") % {"name": name}})
    return suffix


# Claims ----------------------------------------------------------------------------------------


def create_claim(
    *,
    cycle: Cycle,
    unit: Unit,
    category: int,
    title: str,
    authority: str,
    document_no: str,
    issued_on: date,
    by: Any,
    evidence: Sequence[UploadedFile[Any]] = (),
) -> BonusClaim:
    """A draft claim of ``unit`` with its evidence; the points claimed are the standard's."""
    with transaction.atomic():
        check_unlocked(cycle)
        standard = BonusStandard.objects.filter(cycle=cycle, category=category).first()
        if standard is None:
            raise ValidationError(
                {"category": _("本年度没有第 %(n)s 类正向激励。") % {"n": category}}
            )
        if not Participation.objects.filter(cycle=cycle, unit=unit).exists():
            raise ValidationError({"unit": _("该单位未参加本年度考评。")})
        for upload in evidence:
            check_upload(upload, EVIDENCE_TYPES, "evidence")
        claim = BonusClaim(
            cycle=cycle,
            unit=unit,
            category=category,
            title=title.strip(),
            authority=authority.strip(),
            document_no=document_no.strip(),
            issued_on=issued_on,
            claimed_points=standard.points,
            created_by=by,
        )
        claim.full_clean(exclude=["created_by", "item"])
        claim.save()
        for upload in evidence:
            _store_evidence(claim, upload, by)
        _audit(
            by,
            "create_claim",
            claim,
            cycle,
            new={"category": category, "title": claim.title, "claimed_points": standard.points},
        )
    return claim


def update_claim(
    *,
    claim: BonusClaim,
    category: int,
    title: str,
    authority: str,
    document_no: str,
    issued_on: date,
    by: Any,
) -> BonusClaim:
    """Change a draft claim; the points claimed follow the (possibly new) category's standard,
    as when the claim was made."""
    with transaction.atomic():
        locked = (
            BonusClaim.objects.select_for_update(of=("self",))
            .select_related("cycle")
            .get(pk=claim.pk)
        )
        check_unlocked(locked.cycle)
        if locked.state != ClaimState.DRAFT:
            raise ValidationError(_("只有草稿状态的申报可以修改。"), code="not_draft")
        standard = BonusStandard.objects.filter(cycle=locked.cycle, category=category).first()
        if standard is None:
            raise ValidationError(
                {"category": _("本年度没有第 %(n)s 类正向激励。") % {"n": category}}
            )
        old = {
            "category": locked.category,
            "title": locked.title,
            "claimed_points": locked.claimed_points,
        }
        locked.category = category
        locked.title = title.strip()
        locked.authority = authority.strip()
        locked.document_no = document_no.strip()
        locked.issued_on = issued_on
        locked.claimed_points = standard.points
        locked.full_clean(exclude=["created_by", "item"])
        locked.save()
        _audit(
            by,
            "update_claim",
            locked,
            locked.cycle,
            old=old,
            new={"category": category, "title": locked.title, "claimed_points": standard.points},
        )
    claim.refresh_from_db()
    return claim


def _store_evidence(claim: BonusClaim, upload: UploadedFile[Any], by: Any) -> ClaimEvidence:
    evidence = ClaimEvidence(claim=claim, name=(upload.name or "")[:200], size=upload.size or 0)
    evidence.uploaded_by = by
    evidence.file.save(upload.name or "file", upload, save=False)
    evidence.save()
    return evidence


def add_claim_evidence(*, claim: BonusClaim, upload: UploadedFile[Any], by: Any) -> ClaimEvidence:
    """Attach a file to a draft claim (the unit's operator)."""
    with transaction.atomic():
        locked = (
            BonusClaim.objects.select_for_update(of=("self",))
            .select_related("cycle")
            .get(pk=claim.pk)
        )
        check_unlocked(locked.cycle)
        if locked.state != ClaimState.DRAFT:
            raise ValidationError({"evidence": _("只有草稿状态的申报可以补充佐证材料。")})
        check_upload(upload, EVIDENCE_TYPES, "evidence")
        evidence = _store_evidence(locked, upload, by)
        _audit(by, "add_claim_evidence", locked, locked.cycle, new={"file": evidence.name})
    return evidence


def delete_claim_evidence(*, evidence: ClaimEvidence, by: Any) -> None:
    with transaction.atomic():
        claim = (
            BonusClaim.objects.select_for_update(of=("self",))
            .select_related("cycle")
            .get(pk=evidence.claim_id)
        )
        check_unlocked(claim.cycle)
        if claim.state != ClaimState.DRAFT:
            raise ValidationError(_("只有草稿状态的申报可以删除佐证材料。"))
        name = evidence.name
        evidence.file.delete(save=False)
        evidence.delete()
        _audit(by, "delete_claim_evidence", claim, claim.cycle, old={"file": name})


def submit_claim(*, claim: BonusClaim, by: Any) -> BonusClaim:
    if not claim.evidence.exists():
        raise ValidationError({"evidence": _("提交前请上传至少一份佐证材料。")})
    return workflow.move_claim(claim=claim, to=ClaimState.SUBMITTED, by=by)


def endorse_claim(*, claim: BonusClaim, by: Any) -> BonusClaim:
    return workflow.move_claim(claim=claim, to=ClaimState.ENDORSED, by=by)


def return_claim(*, claim: BonusClaim, reason: str, by: Any) -> BonusClaim:
    return workflow.move_claim(claim=claim, to=ClaimState.DRAFT, by=by, reason=reason)


def decide_claim(
    *,
    claim: BonusClaim,
    decision: str,
    by: Any,
    points: Decimal | None = None,
    reason: str = "",
) -> BonusClaim:
    """The office's decision: ``approved`` (the standard's points), ``adjusted`` (``points``
    with a reason) or ``rejected`` (with a reason)."""
    if decision not in (ClaimState.APPROVED, ClaimState.ADJUSTED, ClaimState.REJECTED):
        raise ValidationError({"decision": _("未知的审核结论：%(d)s") % {"d": decision}})
    return workflow.move_claim(claim=claim, to=decision, by=by, points=points, reason=reason)


# Inspections and findings ------------------------------------------------------------------


def record_inspection(
    *,
    cycle: Cycle,
    held_on: date,
    place: str,
    kind: str,
    level: str,
    inspectors: str,
    by: Any,
) -> Inspection:
    with transaction.atomic():
        check_unlocked(cycle)
        inspection = Inspection(
            cycle=cycle,
            held_on=held_on,
            place=place.strip(),
            kind=kind,
            level=level,
            inspectors=inspectors.strip(),
            recorded_by=by,
        )
        inspection.full_clean(exclude=["recorded_by"])
        inspection.save()
        _audit(
            by,
            "record_inspection",
            inspection,
            cycle,
            new={"held_on": held_on, "place": inspection.place, "kind": kind, "level": level},
        )
    return inspection


def record_finding(
    *,
    inspection: Inspection,
    unit: Unit | None,
    standard: DeductionStandard | None,
    count: int | None,
    description: str,
    by: Any,
    photos: Sequence[UploadedFile[Any]] = (),
    today: date | None = None,
) -> Finding:
    """A finding of ``inspection``; the unit may answer it within the cycle's answer window."""
    cycle = inspection.cycle
    with transaction.atomic():
        check_unlocked(cycle)
        if standard is None:
            raise ValidationError({"standard": _("请选择所依据的扣分标准条目。")})
        if standard.cycle_id != cycle.pk:
            raise ValidationError({"standard": _("扣分标准条目不属于本年度。")})
        if unit is None or not Participation.objects.filter(cycle=cycle, unit=unit).exists():
            raise ValidationError({"unit": _("请选择参加本年度考评的单位。")})
        if count is None or count < 1:
            raise ValidationError({"count": _("次数必须是正整数（当前：%(c)s）。") % {"c": count}})
        for upload in photos:
            check_upload(upload, PHOTO_TYPES, "photos")
        start = today or timezone.localdate()
        finding = Finding(
            inspection=inspection,
            cycle=cycle,
            unit=unit,
            standard=standard,
            count=count,
            description=description.strip(),
            answer_due=start + timedelta(days=answer_days_of(cycle)),
            recorded_by=by,
        )
        finding.full_clean(exclude=["recorded_by", "item", "same_as"])
        finding.save()
        for upload in photos:
            _store_photo(finding, upload, by)
        _audit(
            by,
            "record_finding",
            finding,
            cycle,
            new={"unit": unit.code, "standard": standard.code, "count": count},
        )
    return finding


def _store_photo(finding: Finding, upload: UploadedFile[Any], by: Any) -> FindingPhoto:
    photo = FindingPhoto(finding=finding, name=(upload.name or "")[:200], size=upload.size or 0)
    photo.uploaded_by = by
    photo.file.save(upload.name or "photo", upload, save=False)
    photo.save()
    return photo


def add_finding_photo(*, finding: Finding, upload: UploadedFile[Any], by: Any) -> FindingPhoto:
    with transaction.atomic():
        locked = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("cycle")
            .get(pk=finding.pk)
        )
        check_unlocked(locked.cycle)
        check_upload(upload, PHOTO_TYPES, "photos")
        photo = _store_photo(locked, upload, by)
        _audit(by, "add_finding_photo", locked, locked.cycle, new={"file": photo.name})
    return photo


def answer_finding(
    *, finding: Finding, contest: bool, text: str, by: Any, today: date | None = None
) -> Finding:
    """The unit accepts with an answer (答复) or contests (申辩), before the deadline."""
    to = FindingState.CONTESTED if contest else FindingState.ANSWERED
    return workflow.move_finding(finding=finding, to=to, by=by, reason=text, today=today)


def decide_finding(
    *, finding: Finding, confirm: bool, reason: str, by: Any, today: date | None = None
) -> Finding:
    to = FindingState.CONFIRMED if confirm else FindingState.WITHDRAWN
    return workflow.move_finding(finding=finding, to=to, by=by, reason=reason, today=today)


_LEVEL_RANK = {Level.DISTRICT: 0, Level.CITY: 1, Level.PROVINCE: 2}


def link_findings(*, finding: Finding, other: Finding, by: Any, reason: str = "") -> Finding:
    """Mark two findings as the same occurrence seen by two levels: the lower-level one points
    at the higher-level one and is not deducted while that one is confirmed. Returns the
    lower-level finding."""
    with transaction.atomic():
        pair = {
            f.pk: f
            for f in Finding.objects.select_for_update()
            .select_related("inspection", "cycle")
            .filter(pk__in=[finding.pk, other.pk])
        }
        if len(pair) != 2:
            raise ValidationError({"other": _("请选择另一条察访问题。")})
        a, b = pair[finding.pk], pair[other.pk]
        check_unlocked(a.cycle)
        if a.cycle_id != b.cycle_id or a.unit_id != b.unit_id:
            raise ValidationError({"other": _("只能关联同一单位、同一年度的察访问题。")})
        rank_a = _LEVEL_RANK[Level(a.inspection.level)]
        rank_b = _LEVEL_RANK[Level(b.inspection.level)]
        if rank_a == rank_b:
            raise ValidationError({"other": _("只能关联不同层级发现的同一问题。")})
        lower, higher = (a, b) if rank_a < rank_b else (b, a)
        if higher.same_as_id is not None or lower.duplicates.exists():
            raise ValidationError({"other": _("一条问题只能关联一次。")})
        if lower.same_as_id not in (None, higher.pk):
            raise ValidationError({"other": _("该问题已与另一条问题关联。")})
        old = {"same_as": lower.same_as_id}
        lower.same_as = higher
        lower.save(update_fields=["same_as"])
        workflow.sync_deductions(lower)
        _audit(
            by,
            "link_findings",
            lower,
            lower.cycle,
            old=old,
            new={"same_as": higher.pk},
            reason=reason,
        )
    return lower


def unlink_finding(*, finding: Finding, by: Any, reason: str = "") -> Finding:
    with transaction.atomic():
        locked = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("cycle")
            .get(pk=finding.pk)
        )
        check_unlocked(locked.cycle)
        old = {"same_as": locked.same_as_id}
        if locked.same_as_id is None:
            return locked
        higher_id = locked.same_as_id
        locked.same_as = None
        locked.save(update_fields=["same_as"])
        workflow.sync_deductions(locked)
        workflow.sync_deductions(Finding.objects.get(pk=higher_id))
        _audit(
            by,
            "unlink_finding",
            locked,
            locked.cycle,
            old=old,
            new={"same_as": None},
            reason=reason,
        )
    return locked


# City incentive --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CityIncentiveRow:
    unit: Unit
    points: Decimal | None  # None: remove the unit's entry
    source: str


def save_city_incentives(
    *, cycle: Cycle, rows: Sequence[CityIncentiveRow], by: Any, reason: str = ""
) -> int:
    """Set (or remove) the city incentive of each unit in ``rows``, all or nothing. Returns the
    number of units changed."""
    changed = 0
    with transaction.atomic():
        check_unlocked(cycle)
        participating = set(
            Participation.objects.filter(cycle=cycle).values_list("unit_id", flat=True)
        )
        current = {ci.unit_id: ci for ci in CityIncentive.objects.filter(cycle=cycle)}
        for row in rows:
            if row.unit.pk not in participating:
                raise ValidationError(
                    {"unit": _("%(unit)s 未参加本年度考评。") % {"unit": row.unit.name}}
                )
            if row.points is not None:
                _check_places(row.points, cycle, "points")
            existing = current.get(row.unit.pk)
            old = (
                {"points": existing.points, "source": existing.source}
                if existing is not None
                else None
            )
            if row.points is None:
                if existing is None:
                    continue
                existing.delete()
                new = None
            else:
                if (
                    existing is not None
                    and existing.points == row.points
                    and existing.source == row.source.strip()
                ):
                    continue
                entry = existing or CityIncentive(cycle=cycle, unit=row.unit)
                entry.points = row.points
                entry.source = row.source.strip()
                entry.full_clean(validate_constraints=False)
                entry.save()
                new = {"points": entry.points, "source": entry.source}
            changed += 1
            record_audit(
                by=by,
                action="set_city_incentive",
                object_type="adjustments.cityincentive",
                object_id=f"{cycle.code}:{row.unit.code}",
                object_repr=row.unit.name,
                cycle_code=cycle.code,
                old=old,
                new=new,
                reason=reason,
            )
    return changed


def bonus_category_label(category: int) -> str:
    return str(BonusCategory(category).label)
