"""The states of bonus claims and inspection findings, and the moves allowed between them.

Claim:   草稿 → 待单位负责人审核 → 待效能办审核 → 已核准 / 已调整核准 / 不予核准
         (the leader may send a claim back to draft; the office may correct its decision,
         with a reason).
Finding: 待单位答复 → 单位已答复 / 单位申辩 → 已确认扣分 / 已撤销
         (the unit answers before the deadline; the office may correct its decision, with a
         reason).

Each move names who may make it; ``move_claim`` and ``move_finding`` are the only writers of
the ``state`` fields.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.accounts.permissions import (
    can_answer_finding,
    can_decide_claims,
    is_unit_leader,
    is_unit_operator,
)
from jixiao.adjustments.models import (
    COUNTED_CLAIM_STATES,
    BonusClaim,
    BonusItem,
    BonusStandard,
    ClaimState,
    DeductionItem,
    Finding,
    FindingState,
)
from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle


class Actor(StrEnum):
    OPERATOR = "operator"
    LEADER = "leader"
    UNIT = "unit"  # operator or leader of the unit
    OFFICE = "office"


C = ClaimState
#: (from, to) → who may make the move.
CLAIM_MOVES: dict[tuple[str, str], Actor] = {
    (C.DRAFT, C.SUBMITTED): Actor.OPERATOR,
    (C.SUBMITTED, C.DRAFT): Actor.LEADER,
    (C.SUBMITTED, C.ENDORSED): Actor.LEADER,
    (C.ENDORSED, C.APPROVED): Actor.OFFICE,
    (C.ENDORSED, C.ADJUSTED): Actor.OFFICE,
    (C.ENDORSED, C.REJECTED): Actor.OFFICE,
    # corrections of a decision
    (C.APPROVED, C.ADJUSTED): Actor.OFFICE,
    (C.APPROVED, C.REJECTED): Actor.OFFICE,
    (C.ADJUSTED, C.APPROVED): Actor.OFFICE,
    (C.ADJUSTED, C.ADJUSTED): Actor.OFFICE,
    (C.ADJUSTED, C.REJECTED): Actor.OFFICE,
    (C.REJECTED, C.APPROVED): Actor.OFFICE,
    (C.REJECTED, C.ADJUSTED): Actor.OFFICE,
}
#: Office decisions after the first one change a settled score: they need a reason.
CLAIM_DECIDED = frozenset({C.APPROVED, C.ADJUSTED, C.REJECTED})

F = FindingState
FINDING_MOVES: dict[tuple[str, str], Actor] = {
    (F.RECORDED, F.ANSWERED): Actor.UNIT,
    (F.RECORDED, F.CONTESTED): Actor.UNIT,
    (F.RECORDED, F.CONFIRMED): Actor.OFFICE,  # only once the answer window has closed
    (F.RECORDED, F.WITHDRAWN): Actor.OFFICE,
    (F.ANSWERED, F.CONFIRMED): Actor.OFFICE,
    (F.ANSWERED, F.WITHDRAWN): Actor.OFFICE,
    (F.CONTESTED, F.CONFIRMED): Actor.OFFICE,
    (F.CONTESTED, F.WITHDRAWN): Actor.OFFICE,
    (F.CONFIRMED, F.WITHDRAWN): Actor.OFFICE,
    (F.WITHDRAWN, F.CONFIRMED): Actor.OFFICE,
}


def check_unlocked(cycle: Cycle) -> None:
    if cycle.is_locked:
        raise ValidationError(
            _("%(cycle)s 已定档，不能修改。") % {"cycle": cycle.name}, code="locked"
        )


def _allowed(actor: Actor, user: Any, cycle: Cycle, claim_or_finding: Any) -> bool:
    unit = claim_or_finding.unit
    if actor == Actor.OPERATOR:
        return is_unit_operator(user, cycle, unit)
    if actor == Actor.LEADER:
        return is_unit_leader(user, cycle, unit)
    if actor == Actor.UNIT:
        return can_answer_finding(user, cycle, unit)
    return can_decide_claims(user, cycle)


def _refuse_move(label_from: Any, label_to: Any) -> ValidationError:
    return ValidationError(
        _("不能从“%(from)s”转为“%(to)s”。") % {"from": label_from, "to": label_to},
        code="invalid_move",
    )


def standard_points(claim: BonusClaim) -> Decimal:
    standard = BonusStandard.objects.filter(
        cycle_id=claim.cycle_id, category=claim.category
    ).first()
    if standard is None:
        raise ValidationError(
            {"category": _("本年度没有第 %(n)s 类正向激励。") % {"n": claim.category}}
        )
    return standard.points


def move_claim(
    *,
    claim: BonusClaim,
    to: str,
    by: Any,
    reason: str = "",
    points: Decimal | None = None,
) -> BonusClaim:
    """Move ``claim`` to state ``to``.

    Side effects: locks the claim row, refuses a locked cycle, a move not in CLAIM_MOVES or a
    user not entitled to it; for an office decision sets the approved points (the standard's
    for 核准, ``points`` with a reason for 调整) and writes, updates or deletes the claim's
    ``BonusItem`` (what the engine counts); saves and writes an audit entry with the old and
    new state and points and the reason.
    """
    reason = reason.strip()
    with transaction.atomic():
        locked = (
            BonusClaim.objects.select_for_update(of=("self",))
            .select_related("cycle", "unit")
            .get(pk=claim.pk)
        )
        cycle = locked.cycle
        check_unlocked(cycle)
        actor = CLAIM_MOVES.get((locked.state, to))
        if actor is None:
            raise _refuse_move(ClaimState(locked.state).label, ClaimState(to).label)
        if not _allowed(actor, by, cycle, locked):
            raise ValidationError(_("您无权进行此操作。"), code="forbidden")
        old = {"state": locked.state, "approved_points": locked.approved_points}
        if to == C.APPROVED:
            locked.approved_points = standard_points(locked)
        elif to == C.ADJUSTED:
            if points is None:
                raise ValidationError({"points": _("调整核准必须填写核定分值。")})
            if points < 0:
                raise ValidationError({"points": _("核定分值不能为负数。")})
            if points.as_tuple().exponent < -cycle.precision:  # type: ignore[operator]
                raise ValidationError(
                    {"points": _("核定分值最多 %(n)s 位小数。") % {"n": cycle.precision}}
                )
            if not reason:
                standard = standard_points(locked)
                if points > standard:
                    raise ValidationError(
                        {
                            "reason": _(
                                "核定分值 %(points)s 高于标准分值 %(standard)s，必须填写原因。"
                            )
                            % {"points": points, "standard": standard}
                        }
                    )
                raise ValidationError({"reason": _("调整分值必须填写原因。")})
            locked.approved_points = points
        elif to == C.REJECTED:
            if not reason:
                raise ValidationError({"reason": _("不予核准必须填写原因。")})
            locked.approved_points = None
        if locked.state in CLAIM_DECIDED and not reason:
            raise ValidationError({"reason": _("更改已作出的审核结论必须填写原因。")})
        if to == C.DRAFT and not reason:
            raise ValidationError({"reason": _("退回必须填写原因。")})
        if to in CLAIM_DECIDED or to == C.DRAFT:
            locked.decision_reason = reason
        locked.state = to
        _sync_bonus_item(locked)
        locked.save()
        record_audit(
            by=by,
            action=f"claim_{to}",
            obj=locked,
            cycle_code=cycle.code,
            old=old,
            new={"state": to, "approved_points": locked.approved_points},
            reason=reason,
        )
    claim.refresh_from_db()
    return claim


def _sync_bonus_item(claim: BonusClaim) -> None:
    """Write the engine-facing row of a decided claim, or remove it."""
    if claim.state in COUNTED_CLAIM_STATES:
        assert claim.approved_points is not None
        item = claim.item or BonusItem(cycle_id=claim.cycle_id, unit_id=claim.unit_id)
        item.category = claim.category
        item.title = bonus_title(claim)
        item.points = claim.approved_points
        item.approved = True
        item.save()
        claim.item = item
    elif claim.item is not None:
        item = claim.item
        claim.item = None
        claim.save(update_fields=["item"])
        item.delete()


def bonus_title(claim: BonusClaim) -> str:
    """What the score card lists for a counted claim: the title, its document number and the
    points claimed (the approved points are the row's value, the counted ones its category's)."""
    document = f"{claim.document_no}；" if claim.document_no else ""
    title = _("%(title)s（%(document)s申报 %(claimed)s 分）") % {
        "title": claim.title,
        "document": document,
        "claimed": _plain(claim.claimed_points),
    }
    return title[:300]


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def move_finding(
    *, finding: Finding, to: str, by: Any, reason: str = "", today: date | None = None
) -> Finding:
    """Move ``finding`` to state ``to``.

    Side effects: locks the finding row, refuses a locked cycle, a move not in FINDING_MOVES,
    a user not entitled to it, a unit's answer after the deadline and an office confirmation
    of an unanswered finding before the deadline; stores the unit's answer (``reason``) or the
    office's reason; writes or removes the ``DeductionItem`` of this finding and of findings
    linked to it; saves and writes an audit entry with the old and new state and the reason.
    """
    reason = reason.strip()
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("cycle", "unit")
            .get(pk=finding.pk)
        )
        cycle = locked.cycle
        check_unlocked(cycle)
        actor = FINDING_MOVES.get((locked.state, to))
        if actor is None:
            raise _refuse_move(FindingState(locked.state).label, FindingState(to).label)
        if not _allowed(actor, by, cycle, locked):
            raise ValidationError(_("您无权进行此操作。"), code="forbidden")
        old = {"state": locked.state}
        if actor == Actor.UNIT:
            if today > locked.answer_due:
                raise ValidationError(
                    {
                        "response": _("已超过答复期限（%(due)s），不能再答复或申辩。")
                        % {"due": locked.answer_due.isoformat()}
                    }
                )
            if not reason:
                raise ValidationError({"response": _("请填写答复或申辩内容。")})
            locked.response = reason
            locked.responded_at = timezone.now()
        else:
            if locked.state == F.RECORDED and to == F.CONFIRMED and today <= locked.answer_due:
                raise ValidationError(
                    _("单位的答复期限（%(due)s）未到，暂不能确认。")
                    % {"due": locked.answer_due.isoformat()}
                )
            needs_reason = to == F.WITHDRAWN or locked.state in (F.CONFIRMED, F.WITHDRAWN)
            if needs_reason and not reason:
                raise ValidationError({"reason": _("撤销或更改处理结论必须填写原因。")})
            locked.decision_reason = reason
        locked.state = to
        locked.save()
        sync_deductions(locked)
        record_audit(
            by=by,
            action=f"finding_{to}",
            obj=locked,
            cycle_code=cycle.code,
            old=old,
            new={"state": to},
            reason=reason,
        )
    finding.refresh_from_db()
    return finding


def _counts(finding: Finding) -> bool:
    """A confirmed finding counts unless the same occurrence, found at a higher level, is
    confirmed too (that one is deducted instead)."""
    if finding.state != F.CONFIRMED:
        return False
    higher = finding.same_as
    return higher is None or higher.state != F.CONFIRMED


def sync_deductions(finding: Finding) -> None:
    """Bring the DeductionItem rows of ``finding`` and of every finding linked to it in line
    with their states and links. Runs inside the caller's transaction."""
    group = {finding.pk: finding}
    if finding.same_as_id is not None:
        higher = Finding.objects.select_related("same_as").get(pk=finding.same_as_id)
        group[higher.pk] = higher
    for linked in Finding.objects.filter(same_as_id__in=list(group)).select_related("same_as"):
        group.setdefault(linked.pk, linked)
    for member in group.values():
        member.refresh_from_db(fields=["state", "same_as", "item"])
        _sync_one(member)


def _sync_one(finding: Finding) -> None:
    if _counts(finding):
        inspection = finding.inspection
        standard = finding.standard
        item = finding.item or DeductionItem(cycle_id=finding.cycle_id, unit_id=finding.unit_id)
        item.standard_code = standard.code
        item.description = finding.description[:300]
        item.count = finding.count
        item.points = standard.points
        item.level = inspection.level
        item.found_on = inspection.held_on
        item.save()
        if finding.item_id != item.pk:
            finding.item = item
            finding.save(update_fields=["item"])
    elif finding.item_id is not None:
        item_id = finding.item_id
        finding.item = None
        finding.save(update_fields=["item"])
        DeductionItem.objects.filter(pk=item_id).delete()
