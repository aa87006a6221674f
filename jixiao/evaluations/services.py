"""Writes of the assessment workflow: self-evaluations and evidence, reviews and returns,
collection values, extensions, assignments, appeals and rulings.

Every function takes the acting user as ``by``, runs in one transaction, locks the rows it
changes, refuses a locked cycle and writes an audit entry with old and new values. Saves of
something two people may edit at once carry the version the editor started from and are
refused, naming the other's change, when it is stale (optimistic locking).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jixiao.accounts.models import Unit
from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, Phase
from jixiao.evaluations import selectors
from jixiao.evaluations.files import check_evidence
from jixiao.evaluations.models import (
    Appeal,
    AppealState,
    AssessmentCalendar,
    CollectionValue,
    DeadlineExtension,
    Evidence,
    LineKind,
    Outcome,
    PackageState,
    Part,
    ReviewerAssignment,
    ReviewReturn,
    ReviewScore,
    SelfEvaluation,
    SelfEvaluationPackage,
)
from jixiao.evaluations.workflow import move_appeal, move_package
from jixiao.indicators.models import Indicator, Method


class StaleVersion(ValidationError):
    """Someone else saved the same thing since the editor loaded it."""


def check_writable(cycle: Cycle) -> None:
    if cycle.is_locked:
        raise ValidationError(_("考评年度已定档，不能修改"), code="locked")


def check_precision(value: Decimal | None, cycle: Cycle, label: str) -> None:
    """Refuse a number with more decimal places than the cycle keeps (never round it)."""
    if value is None:
        return
    if not value.is_finite():
        raise ValidationError(_("%(field)s 不是数字") % {"field": label}, code="invalid")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > cycle.precision:
        raise ValidationError(
            _("%(field)s 最多保留 %(places)s 位小数：%(value)s")
            % {"field": label, "places": cycle.precision, "value": value},
            code="precision",
        )
    if value < 0:
        raise ValidationError(_("%(field)s 不能为负数") % {"field": label}, code="negative")


def _stale(what: str, who: Any, at: datetime | None, values: str) -> StaleVersion:
    return StaleVersion(
        _(
            "%(what)s 已被 %(who)s 于 %(at)s 修改为：%(values)s。"
            "您的修改未保存，请在最新内容基础上重新填写。"
        )
        % {
            "what": what,
            "who": who or _("他人"),
            "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S") if at else "",
            "values": values,
        },
        code="stale",
    )


def version_token(at: datetime | None) -> str:
    """The optimistic-locking token of a row versioned by its ``updated_at``."""
    return at.isoformat() if at is not None else ""


# Calendar and extensions -------------------------------------------------------------------


def update_calendar(
    *, cycle: Cycle, values: Mapping[str, Any], version: int, by: Any
) -> AssessmentCalendar:
    check_writable(cycle)
    with transaction.atomic():
        calendar, _created = AssessmentCalendar.objects.select_for_update().get_or_create(
            cycle=cycle
        )
        if calendar.version != version:
            raise _stale(_("评估安排"), None, None, _("版本 %(v)s") % {"v": calendar.version})
        old = {key: getattr(calendar, key) for key in values}
        for key, value in values.items():
            setattr(calendar, key, value)
        calendar.version += 1
        calendar.full_clean()
        calendar.save()
        record_audit(
            by=by,
            action="update_calendar",
            obj=calendar,
            cycle_code=cycle.code,
            old=old,
            new=dict(values),
        )
    return calendar


def grant_extension(
    *, cycle: Cycle, unit: Unit, until: datetime, reason: str, by: Any
) -> DeadlineExtension:
    """Reopen a unit's self-evaluation after the deadline until ``until``."""
    check_writable(cycle)
    if not reason.strip():
        raise ValidationError({"reason": _("延期必须填写原因")})
    if until <= timezone.now():
        raise ValidationError({"until": _("延期时间必须晚于现在")})
    with transaction.atomic():
        extension = DeadlineExtension.objects.create(
            cycle=cycle, unit=unit, until=until, reason=reason.strip(), granted_by=by
        )
        record_audit(
            by=by,
            action="grant_extension",
            obj=extension,
            cycle_code=cycle.code,
            object_repr=f"{unit.code} {unit.name}",
            new={"unit": unit.code, "until": until.isoformat()},
            reason=reason,
        )
    return extension


def check_self_evaluation_open(cycle: Cycle, unit: Unit) -> None:
    """Self-evaluations are written in the assessment phase, before the deadline or within an
    extension the office granted."""
    check_writable(cycle)
    if cycle.phase != Phase.ASSESSMENT:
        raise ValidationError(_("只有在“评估”阶段才能填报自评"), code="phase")
    if not selectors.self_evaluation_window_open(cycle=cycle, unit=unit):
        raise ValidationError(_("自评提交已截止，需效能办批准延期后才能继续填报"), code="deadline")


# Self-evaluation ---------------------------------------------------------------------------


def _package(cycle: Cycle, unit: Unit) -> SelfEvaluationPackage:
    package, _created = SelfEvaluationPackage.objects.get_or_create(cycle=cycle, unit=unit)
    return package


def _editable(package: SelfEvaluationPackage, item: SelfEvaluation | None) -> None:
    if package.state == PackageState.DRAFT:
        return
    if package.state == PackageState.RETURNED and item is not None and item.returned:
        return
    raise ValidationError(_("自评材料已提交，只有被退回补充的指标可以修改"), code="submitted")


def save_self_evaluation(
    *,
    cycle: Cycle,
    unit: Unit,
    indicator: Indicator,
    achievement: str,
    claimed_score: Decimal | None,
    version: int,
    by: Any,
) -> SelfEvaluation:
    """Save what the unit did against a leaf's target and the score it claims.

    ``version`` is the item's version the editor loaded (0 for a new item)."""
    check_self_evaluation_open(cycle, unit)
    if indicator.cycle_id != cycle.pk or indicator.unit_id != unit.pk:
        raise ValidationError(_("该指标不属于本单位"), code="foreign")
    check_precision(claimed_score, cycle, str(_("自评得分")))
    if claimed_score is not None and claimed_score > indicator.points:
        raise ValidationError(
            {
                "claimed_score": _("自评得分 %(score)s 超过分值 %(points)s")
                % {"score": claimed_score, "points": indicator.points}
            }
        )
    with transaction.atomic():
        package = SelfEvaluationPackage.objects.select_for_update().get(pk=_package(cycle, unit).pk)
        item = (
            SelfEvaluation.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(cycle=cycle, unit=unit, indicator=indicator)
            .first()
        )
        _editable(package, item)
        current = item.version if item is not None else 0
        if current != version:
            assert item is not None
            raise _stale(
                _("指标 %(code)s 的自评") % {"code": indicator.code},
                item.updated_by,
                item.updated_at,
                f"{item.claimed_score} · {item.achievement[:60]}",
            )
        old = (
            {"achievement": item.achievement, "claimed_score": item.claimed_score}
            if item is not None
            else None
        )
        if item is None:
            item = SelfEvaluation(package=package, cycle=cycle, unit=unit, indicator=indicator)
        item.achievement = achievement.strip()
        item.claimed_score = claimed_score
        item.updated_by = by
        item.version = current + 1
        item.save()
        record_audit(
            by=by,
            action="save_self_evaluation",
            obj=item,
            cycle_code=cycle.code,
            old=old,
            new={"achievement": item.achievement, "claimed_score": claimed_score},
        )
    return item


def add_evidence(
    *,
    upload: UploadedFile[Any],
    by: Any,
    self_evaluation: SelfEvaluation | None = None,
    appeal: Appeal | None = None,
) -> Evidence:
    """Store an evidence file for a self-evaluation (or an appeal) after checking its content."""
    checked = check_evidence(upload)
    if self_evaluation is not None:
        cycle, unit = self_evaluation.cycle, self_evaluation.unit
        check_self_evaluation_open(cycle, unit)
        _editable(self_evaluation.package, self_evaluation)
    elif appeal is not None:
        cycle, unit = appeal.cycle, appeal.unit
        check_writable(cycle)
        if appeal.state != AppealState.SUBMITTED:
            raise ValidationError(_("申诉已进入复核，不能再补充材料"))
    else:
        raise ValueError("evidence belongs to a self-evaluation or an appeal")
    with transaction.atomic():
        evidence = Evidence(
            cycle=cycle,
            unit=unit,
            self_evaluation=self_evaluation,
            appeal=appeal,
            name=(upload.name or "file")[:200],
            kind=checked.kind,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )
        evidence.file.save(upload.name or "file", upload, save=False)
        evidence.save()
        record_audit(
            by=by,
            action="add_evidence",
            obj=evidence,
            cycle_code=cycle.code,
            new={
                "name": evidence.name,
                "kind": checked.kind,
                "size": checked.size,
                "sha256": checked.sha256,
                "self_evaluation": self_evaluation.pk if self_evaluation else None,
                "appeal": appeal.pk if appeal else None,
            },
        )
    return evidence


def remove_evidence(*, evidence: Evidence, by: Any) -> None:
    item = evidence.self_evaluation
    if item is None:
        raise ValidationError(_("申诉材料不能删除"))
    check_self_evaluation_open(evidence.cycle, evidence.unit)
    _editable(item.package, item)
    with transaction.atomic():
        record_audit(
            by=by,
            action="remove_evidence",
            obj=evidence,
            cycle_code=evidence.cycle.code,
            old={"name": evidence.name, "sha256": evidence.sha256},
        )
        # The file stays in storage: the audit entry names its digest, and an office may need
        # to show what was once submitted.
        evidence.delete()


def submit_self_evaluation(
    *, package: SelfEvaluationPackage, version: int, by: Any
) -> SelfEvaluationPackage:
    """The leader approves the whole package and sends it to the joint evaluation group."""
    cycle, unit = package.cycle, package.unit
    check_self_evaluation_open(cycle, unit)
    if package.version != version:
        raise _stale(
            _("自评材料"), package.submitted_by, package.submitted_at, package.get_state_display()
        )
    missing = selectors.unfilled_self_evaluation_leaves(cycle=cycle, unit=unit)
    if missing:
        raise ValidationError(
            _("以下指标尚未填写完成情况或自评得分：%(codes)s")
            % {"codes": "、".join(leaf.code for leaf in missing)},
            code="incomplete",
        )
    return move_package(package=package, to=PackageState.SUBMITTED, by=by)


# Reviewer assignments ----------------------------------------------------------------------


def assign_reviewers(
    *,
    cycle: Cycle,
    units: Sequence[Unit],
    reviewers: Sequence[Any],
    by: Any,
    indicator: Indicator | None = None,
) -> int:
    """Assign every reviewer to every unit (to one leaf when ``indicator`` is given); returns
    how many assignments are new."""
    check_writable(cycle)
    if indicator is not None and (
        indicator.cycle_id != cycle.pk or indicator.unit_id not in {u.pk for u in units}
    ):
        raise ValidationError(_("指定的指标不属于所选单位"))
    with transaction.atomic():
        existing = set(
            ReviewerAssignment.objects.filter(
                cycle=cycle, unit__in=units, reviewer__in=reviewers, indicator=indicator
            ).values_list("unit_id", "reviewer_id")
        )
        rows = [
            ReviewerAssignment(cycle=cycle, unit=unit, reviewer=reviewer, indicator=indicator)
            for unit in units
            for reviewer in reviewers
            if (unit.pk, reviewer.pk) not in existing
        ]
        ReviewerAssignment.objects.bulk_create(rows)
        if rows:
            record_audit(
                by=by,
                action="assign_reviewers",
                object_type="evaluations.reviewerassignment",
                cycle_code=cycle.code,
                object_repr=_("%(n)s 项评估分工") % {"n": len(rows)},
                new=[
                    {
                        "unit": r.unit.code,
                        "reviewer": r.reviewer.username,
                        "indicator": indicator.code if indicator else None,
                    }
                    for r in rows
                ],
            )
    return len(rows)


def unassign_reviewer(*, assignment: ReviewerAssignment, by: Any) -> None:
    check_writable(assignment.cycle)
    with transaction.atomic():
        record_audit(
            by=by,
            action="unassign_reviewer",
            obj=assignment,
            cycle_code=assignment.cycle.code,
            old={
                "unit": assignment.unit.code,
                "reviewer": assignment.reviewer.username,
                "indicator": assignment.indicator.code if assignment.indicator else None,
            },
        )
        assignment.delete()


# Reviews -----------------------------------------------------------------------------------


def parts_of(indicator: Indicator) -> list[tuple[str, Decimal]]:
    """The parts a reviewer scores on this leaf, with each part's points."""
    if indicator.method == Method.COMPLETION_PROGRESS:
        return [
            (Part.COMPLETION, indicator.completion_points or Decimal(0)),
            (Part.PROGRESS, indicator.progress_points or Decimal(0)),
        ]
    return [(Part.TOTAL, indicator.points)]


def save_review(
    *,
    item: SelfEvaluation,
    scores: Mapping[str, Decimal],
    comment: str,
    versions: Mapping[str, str],
    by: Any,
) -> list[ReviewScore]:
    """A reviewer's score of a self-evaluated leaf (both parts for completion plus progress).

    ``versions`` holds, per part, the token of the score the reviewer loaded ("" for none)."""
    cycle, unit, indicator = item.cycle, item.unit, item.indicator
    check_writable(cycle)
    if cycle.phase != Phase.ASSESSMENT:
        raise ValidationError(_("只有在“评估”阶段才能评分"), code="phase")
    if not selectors.is_assigned(reviewer=by, cycle=cycle, unit=unit, indicator=indicator):
        raise ValidationError(_("您未被分配评估该单位的该指标"), code="not_assigned")
    if item.package.state == PackageState.DRAFT or item.returned:
        raise ValidationError(_("该自评尚未提交或已退回补充，暂不能评分"), code="not_submitted")
    parts = parts_of(indicator)
    errors: dict[str, list[str]] = {}
    for part, points in parts:
        value = scores.get(part)
        label = str(Part(part).label)
        if value is None:
            errors.setdefault(part, []).append(_("请填写%(part)s得分") % {"part": label})
            continue
        try:
            check_precision(value, cycle, label)
        except ValidationError as exc:
            errors.setdefault(part, []).extend(exc.messages)
            continue
        if value > points:
            errors.setdefault(part, []).append(
                _("%(part)s得分 %(score)s 超过分值 %(points)s")
                % {"part": label, "score": value, "points": points}
            )
    if errors:
        raise ValidationError(errors)
    saved: list[ReviewScore] = []
    with transaction.atomic():
        rows = {
            r.part: r
            for r in ReviewScore.objects.select_for_update().filter(
                cycle=cycle, unit=unit, indicator=indicator, reviewer=by
            )
        }
        for part, _points in parts:
            row = rows.get(part)
            if version_token(row.updated_at if row else None) != versions.get(part, ""):
                raise _stale(
                    _("%(code)s 的评分") % {"code": indicator.code},
                    by,
                    row.updated_at if row else None,
                    str(row.score) if row else "",
                )
        for part, _points in parts:
            row = rows.get(part)
            old = {"score": row.score, "comment": row.comment} if row else None
            if row is None:
                row = ReviewScore(
                    cycle=cycle, unit=unit, indicator=indicator, reviewer=by, part=part
                )
            row.score = scores[part]
            row.comment = comment.strip()
            row.save()
            record_audit(
                by=by,
                action="save_review",
                obj=row,
                cycle_code=cycle.code,
                object_repr=f"{unit.code} {indicator.code} {Part(part).label}",
                old=old,
                new={"score": row.score, "comment": row.comment},
            )
            saved.append(row)
    return saved


def return_for_evidence(*, item: SelfEvaluation, reason: str, by: Any) -> ReviewReturn:
    """A reviewer sends a self-evaluated leaf back to its unit for more evidence (退回补充)."""
    cycle = item.cycle
    check_writable(cycle)
    if cycle.phase != Phase.ASSESSMENT:
        raise ValidationError(_("只有在“评估”阶段才能退回"), code="phase")
    if not reason.strip():
        raise ValidationError({"reason": _("退回必须填写原因")})
    if not selectors.is_assigned(
        reviewer=by, cycle=cycle, unit=item.unit, indicator=item.indicator
    ):
        raise ValidationError(_("您未被分配评估该单位的该指标"), code="not_assigned")
    with transaction.atomic():
        locked = SelfEvaluation.objects.select_for_update().get(pk=item.pk)
        if locked.returned:
            raise ValidationError(_("该指标已被退回补充，等待单位重新提交"))
        package = locked.package
        if package.state == PackageState.DRAFT:
            raise ValidationError(_("该自评尚未提交"))
        locked.returned = True
        locked.return_reason = reason.strip()
        locked.version += 1
        locked.save(update_fields=["returned", "return_reason", "version", "updated_at"])
        returned = ReviewReturn.objects.create(
            cycle=cycle, self_evaluation=locked, reviewer=by, reason=reason.strip()
        )
        if package.state == PackageState.SUBMITTED:
            move_package(package=package, to=PackageState.RETURNED, by=by, reason=reason)
        record_audit(
            by=by,
            action="return_for_evidence",
            obj=locked,
            cycle_code=cycle.code,
            old={"returned": False},
            new={"returned": True},
            reason=reason,
        )
    item.returned, item.return_reason = True, reason.strip()
    return returned


# Collection values -------------------------------------------------------------------------


@dataclass
class CollectionEntry:
    """One cell of a collection grid: what was entered for a unit × leaf."""

    unit: Unit
    indicator: Indicator
    score: Decimal | None = None
    finding_count: int | None = None
    actual: Decimal | None = None
    target: Decimal | None = None
    token: str | None = None  # None: do not check (an upload confirmed as a whole)
    where: str = ""  # how to name the cell in a message (a row of a sheet)
    extra: dict[str, Any] = field(default_factory=dict)


COLLECTION_FIELDS = ("score", "finding_count", "actual", "target")
_FIELD_LABELS = {
    "score": _lazy("得分"),
    "finding_count": _lazy("发现问题数"),
    "actual": _lazy("实际完成值"),
    "target": _lazy("目标值"),
}


def fields_for(method: str) -> tuple[str, ...]:
    """Which values a leaf's method needs from its collection unit."""
    return _FIELDS.get(method, ())


_FIELDS: dict[str, tuple[str, ...]] = {
    Method.DIRECT: ("score",),
    Method.DEDUCTION: ("finding_count",),
    Method.RATIO: ("actual", "target"),
}


def validate_collection_entry(entry: CollectionEntry, cycle: Cycle) -> list[str]:
    """What is wrong with one entry, as messages naming the cell; empty when it is fine."""
    indicator = entry.indicator
    where = entry.where or f"{entry.unit.code} {indicator.code}"
    problems: list[str] = []
    for name in fields_for(indicator.method):
        value = getattr(entry, name)
        if value is None:
            continue
        if isinstance(value, Decimal):
            try:
                check_precision(value, cycle, str(_FIELD_LABELS[name]))
            except ValidationError as exc:
                problems.extend(f"{where}: {m}" for m in exc.messages)
                continue
        elif value < 0:
            problems.append(f"{where}: " + _("发现问题数不能为负数"))
    if entry.score is not None and entry.score > indicator.points:
        problems.append(
            f"{where}: "
            + _("得分 %(score)s 超过分值 %(points)s")
            % {"score": entry.score, "points": indicator.points}
        )
    if entry.target is not None and entry.target <= 0:
        problems.append(f"{where}: " + _("目标值必须大于 0"))
    return problems


def save_collection_values(
    *,
    cycle: Cycle,
    collection_unit: Unit,
    entries: Sequence[CollectionEntry],
    by: Any,
    reason: str = "",
) -> int:
    """Save a collection unit's values for some cells of its grid, all or nothing; returns how
    many cells changed. A cell whose token is stale refuses the whole save."""
    check_writable(cycle)
    if cycle.phase not in (Phase.ASSESSMENT,):
        raise ValidationError(_("只有在“评估”阶段才能录入采集数据"), code="phase")
    problems: list[str] = []
    for entry in entries:
        if (
            entry.indicator.cycle_id != cycle.pk
            or entry.indicator.collection_unit_id != collection_unit.pk
        ):
            problems.append(_("指标 %(code)s 不由本单位采集") % {"code": entry.indicator.code})
            continue
        problems.extend(validate_collection_entry(entry, cycle))
    if problems:
        raise ValidationError(problems)
    changed = 0
    with transaction.atomic():
        current = {
            (v.unit_id, v.indicator_id): v
            for v in CollectionValue.objects.select_for_update().filter(
                cycle=cycle,
                indicator_id__in={e.indicator.pk for e in entries},
                unit_id__in={e.unit.pk for e in entries},
            )
        }
        for entry in entries:
            row = current.get((entry.unit.pk, entry.indicator.pk))
            if (
                entry.token is not None
                and version_token(row.updated_at if row else None) != entry.token
            ):
                assert row is not None
                raise _stale(
                    f"{entry.unit.name} {entry.indicator.code}",
                    None,
                    row.updated_at,
                    ", ".join(f"{getattr(row, f)}" for f in fields_for(entry.indicator.method)),
                )
        for entry in entries:
            row = current.get((entry.unit.pk, entry.indicator.pk))
            wanted = {f: getattr(entry, f) for f in fields_for(entry.indicator.method)}
            old = {f: getattr(row, f) for f in wanted} if row is not None else None
            if old == wanted or (row is None and all(v is None for v in wanted.values())):
                continue
            if row is None:
                row = CollectionValue(cycle=cycle, unit=entry.unit, indicator=entry.indicator)
            for name, value in wanted.items():
                setattr(row, name, value)
            row.save()
            changed += 1
            record_audit(
                by=by,
                action="save_collection_value",
                obj=row,
                cycle_code=cycle.code,
                object_repr=f"{entry.unit.code} {entry.indicator.code}",
                old=old,
                new=wanted,
                reason=reason,
            )
    return changed


# Appeals -----------------------------------------------------------------------------------


def lodge_appeal(
    *,
    cycle: Cycle,
    unit: Unit,
    line_key: str,
    reason: str,
    by: Any,
    uploads: Sequence[UploadedFile[Any]] = (),
) -> Appeal:
    """A unit appeals one line of its preliminary score card, within the appeal window."""
    check_writable(cycle)
    if cycle.phase != Phase.PUBLICITY:
        raise ValidationError(_("只有在“公示”阶段才能申诉"), code="phase")
    if not selectors.appeal_window_open(cycle=cycle):
        raise ValidationError(_("申诉期已结束，不能再提交申诉"), code="deadline")
    if not reason.strip():
        raise ValidationError({"reason": _("请填写申诉理由")})
    lines = {line.key: line for line in selectors.appealable_lines(cycle=cycle, unit=unit)}
    line = lines.get(line_key)
    if line is None:
        raise ValidationError({"line_key": _("没有这一得分项：%(key)s") % {"key": line_key}})
    for upload in uploads:
        check_evidence(upload)
    with transaction.atomic():
        if (
            Appeal.objects.filter(cycle=cycle, unit=unit, line_key=line_key)
            .exclude(state=AppealState.RULED)
            .exists()
        ):
            raise ValidationError(_("该得分项已有未裁定的申诉"))
        appeal = Appeal.objects.create(
            cycle=cycle,
            unit=unit,
            line_kind=line.kind,
            line_key=line.key,
            line_label=line.label[:300],
            line_value=line.value,
            reason=reason.strip(),
            created_by=by,
        )
        record_audit(
            by=by,
            action="lodge_appeal",
            obj=appeal,
            cycle_code=cycle.code,
            new={"line": line.key, "value": line.value},
            reason=reason,
        )
        for upload in uploads:
            add_evidence(upload=upload, appeal=appeal, by=by)
    return appeal


def assign_recheck(*, appeal: Appeal, checker: Any, version: int, by: Any) -> Appeal:
    check_writable(appeal.cycle)
    if appeal.version != version:
        raise _stale(_("申诉"), None, None, appeal.get_state_display())
    return move_appeal(
        appeal=appeal, to=AppealState.RECHECKING, by=by, changes={"checker": checker}
    )


def rule_appeal(
    *,
    appeal: Appeal,
    outcome: str,
    ruling: str,
    version: int,
    by: Any,
    review_scores: Mapping[int, Decimal] | None = None,
    collection: Mapping[str, Any] | None = None,
) -> Appeal:
    """The re-check's ruling on an appeal.

    When the ruling changes a leaf, the new reviewers' scores (review id → score) or the new
    collection values are saved as corrections (audited, with the ruling as reason) and the
    cycle is recomputed, so the composite follows. A bonus or deduction line is corrected in
    its own app; the ruling records the outcome and the new value the office gives.
    """
    cycle = appeal.cycle
    check_writable(cycle)
    if appeal.version != version:
        raise _stale(_("申诉"), appeal.checker, appeal.ruled_at, appeal.get_state_display())
    if by != appeal.checker and not _is_office(by, cycle):
        raise ValidationError(_("只有指定的复核人或效能办可以裁定"))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择复核结论")})
    if not ruling.strip():
        raise ValidationError({"ruling": _("请填写复核意见")})
    from jixiao.scoring.services import recompute_cycle

    with transaction.atomic():
        if outcome == Outcome.CHANGED and appeal.line_kind == LineKind.LEAF:
            changed = _correct_leaf(appeal, review_scores or {}, collection or {}, ruling, by)
            if not changed:
                raise ValidationError(_("结论为“予以更正”时须修改该指标的得分"))
        recompute_cycle(
            cycle=cycle, by=by, reason=_("申诉复核：%(line)s") % {"line": appeal.line_key}
        )
        lines = {
            line.key: line for line in selectors.appealable_lines(cycle=cycle, unit=appeal.unit)
        }
        new_value = lines[appeal.line_key].value if appeal.line_key in lines else appeal.line_value
        return move_appeal(
            appeal=appeal,
            to=AppealState.RULED,
            by=by,
            reason=ruling,
            changes={
                "outcome": outcome,
                "ruling": ruling.strip(),
                "new_value": new_value,
                "ruled_at": timezone.now(),
            },
        )


def _is_office(user: Any, cycle: Cycle) -> bool:
    from jixiao.accounts.permissions import can_manage_evaluations

    return can_manage_evaluations(user, cycle)


def _correct_leaf(
    appeal: Appeal,
    review_scores: Mapping[int, Decimal],
    collection: Mapping[str, Any],
    ruling: str,
    by: Any,
) -> int:
    """Save the corrected inputs of an appealed leaf; returns how many inputs changed."""
    cycle = appeal.cycle
    leaf = selectors.leaf_for_line(cycle=cycle, unit=appeal.unit, line_key=appeal.line_key)
    if leaf is None:
        raise ValidationError(_("找不到该指标"))
    changed = 0
    parts = dict(parts_of(leaf))
    reviews = {
        r.pk: r
        for r in ReviewScore.objects.select_for_update().filter(
            cycle=cycle, unit=appeal.unit, indicator=leaf, pk__in=list(review_scores)
        )
    }
    for review_id, score in review_scores.items():
        review = reviews.get(review_id)
        if review is None:
            raise ValidationError(_("评分 %(id)s 不属于该指标") % {"id": review_id})
        check_precision(score, cycle, str(_("得分")))
        if score > parts.get(review.part, leaf.points):
            raise ValidationError(
                _("得分 %(score)s 超过分值 %(points)s")
                % {"score": score, "points": parts.get(review.part, leaf.points)}
            )
        if score == review.score:
            continue
        old = review.score
        review.score = score
        review.save(update_fields=["score", "updated_at"])
        record_audit(
            by=by,
            action="correct_review",
            obj=review,
            cycle_code=cycle.code,
            object_repr=f"{appeal.unit.code} {leaf.code} {Part(review.part).label}",
            old={"score": old},
            new={"score": score},
            reason=ruling,
        )
        changed += 1
    if collection and leaf.collection_unit_id is not None:
        entry = CollectionEntry(unit=appeal.unit, indicator=leaf, **collection)
        problems = validate_collection_entry(entry, cycle)
        if problems:
            raise ValidationError(problems)
        row = (
            CollectionValue.objects.select_for_update()
            .filter(cycle=cycle, unit=appeal.unit, indicator=leaf)
            .first()
        )
        wanted = {f: getattr(entry, f) for f in fields_for(leaf.method)}
        old_values = {f: getattr(row, f) for f in wanted} if row else None
        if old_values != wanted:
            if row is None:
                row = CollectionValue(cycle=cycle, unit=appeal.unit, indicator=leaf)
            for name, value in wanted.items():
                setattr(row, name, value)
            row.save()
            record_audit(
                by=by,
                action="correct_collection_value",
                obj=row,
                cycle_code=cycle.code,
                object_repr=f"{appeal.unit.code} {leaf.code}",
                old=old_values,
                new=wanted,
                reason=ruling,
            )
            changed += 1
    return changed


def extension_covers(extensions: Sequence[DeadlineExtension], now: datetime) -> bool:
    return any(e.until >= now for e in extensions)
