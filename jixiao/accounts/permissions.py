"""Named permission predicates. Default deny: a predicate is True only for the roles it names.

Pages, the API and the admin all ask these functions; none of them reads memberships itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jixiao.accounts.models import Membership, Role

if TYPE_CHECKING:
    from jixiao.accounts.models import Unit
    from jixiao.cycles.models import Cycle


def _memberships(user: Any) -> list[Membership]:
    """The user's memberships, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_jixiao_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user))
        user._jixiao_memberships = cached
    return cached


def has_role(
    user: Any, role: Role, *, cycle: Cycle | None = None, unit: Unit | None = None
) -> bool:
    for m in _memberships(user):
        if m.role != role or not m.applies_to(cycle):
            continue
        if unit is not None and m.unit_id is not None and m.unit_id != unit.pk:
            continue
        return True
    return False


def is_office_admin(user: Any, cycle: Cycle | None = None) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return has_role(user, Role.OFFICE_ADMIN, cycle=cycle)


def unit_ids_of(user: Any, cycle: Cycle | None = None) -> set[int]:
    """Units the user works for as operator or leader."""
    return {
        m.unit_id
        for m in _memberships(user)
        if m.unit_id is not None
        and m.role in (Role.UNIT_OPERATOR, Role.UNIT_LEADER)
        and m.applies_to(cycle)
    }


def can_view_cycle(user: Any, cycle: Cycle) -> bool:
    """Anyone holding a role in (or for every) cycle may open it."""
    return is_office_admin(user, cycle) or any(m.applies_to(cycle) for m in _memberships(user))


def can_view_all_results(user: Any, cycle: Cycle) -> bool:
    """The whole ranking: the office, leaders (viewers) and reviewers of the cycle."""
    return is_office_admin(user, cycle) or any(
        has_role(user, role, cycle=cycle) for role in (Role.VIEWER, Role.REVIEWER)
    )


def can_view_unit_result(user: Any, cycle: Cycle, unit: Unit) -> bool:
    return can_view_all_results(user, cycle) or unit.pk in unit_ids_of(user, cycle)


def can_view_reviewer_names(user: Any, cycle: Cycle) -> bool:
    """Individual reviewers' scores next to their names: the office only."""
    return is_office_admin(user, cycle)


def can_manage_cycle(user: Any, cycle: Cycle | None = None) -> bool:
    """Change the scheme, recompute, import and export archives."""
    return is_office_admin(user, cycle)


# Bonuses, inspections and the city incentive (jixiao.adjustments) ---------------------------


def is_unit_operator(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """The unit's operator (经办人): drafts and submits its claims."""
    return _holds_for_unit(user, Role.UNIT_OPERATOR, cycle, unit)


def is_unit_leader(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """The unit's leader (负责人): approves its claims before they leave the unit."""
    return _holds_for_unit(user, Role.UNIT_LEADER, cycle, unit)


def _holds_for_unit(user: Any, role: Role, cycle: Cycle, unit: Unit) -> bool:
    # A unit role without a unit would otherwise act for every unit.
    return any(
        m.role == role and m.unit_id == unit.pk and m.applies_to(cycle) for m in _memberships(user)
    )


def can_view_unit_adjustments(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """A unit's claims and findings: the office and the unit's own people."""
    return is_office_admin(user, cycle) or unit.pk in unit_ids_of(user, cycle)


def can_claim_bonus(user: Any, cycle: Cycle, unit: Unit) -> bool:
    return is_unit_operator(user, cycle, unit)


def can_decide_claims(user: Any, cycle: Cycle) -> bool:
    """Approve, adjust or reject bonus claims; confirm, withdraw and link findings."""
    return is_office_admin(user, cycle)


def can_record_findings(user: Any, cycle: Cycle) -> bool:
    """Record inspections and their findings: inspectors and the office, nobody else."""
    return is_office_admin(user, cycle) or has_role(user, Role.INSPECTOR, cycle=cycle)


def can_view_all_findings(user: Any, cycle: Cycle) -> bool:
    return can_record_findings(user, cycle)


def can_answer_finding(user: Any, cycle: Cycle, unit: Unit) -> bool:
    return unit.pk in unit_ids_of(user, cycle)


def can_edit_adjustment_standards(user: Any, cycle: Cycle) -> bool:
    return is_office_admin(user, cycle)


def can_enter_city_incentives(user: Any, cycle: Cycle) -> bool:
    return is_office_admin(user, cycle)


# Assessment workflow (evaluations) --------------------------------------------------------


def is_unit_member(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """The unit's own people: its operator or leader."""
    return unit.pk in unit_ids_of(user, cycle)


def can_view_unit_evaluations(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """A unit's self-evaluations, evidence, preliminary results and appeals: the unit itself and
    the office. Reviewers see them only through their assignments (evaluations.permissions)."""
    return is_office_admin(user, cycle) or is_unit_member(user, cycle, unit)


def can_edit_self_evaluation(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """Fill in the unit's self-evaluation (the operator prepares, the leader may too)."""
    return not cycle.is_locked and is_unit_member(user, cycle, unit)


def can_approve_self_evaluation(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """Approve and submit the unit's package: its leader only."""
    return not cycle.is_locked and has_role(user, Role.UNIT_LEADER, cycle=cycle, unit=unit)


def is_reviewer(user: Any, cycle: Cycle) -> bool:
    return has_role(user, Role.REVIEWER, cycle=cycle)


def collection_unit_ids_of(user: Any, cycle: Cycle | None = None) -> set[int]:
    """Data-collection units the user scores for."""
    return {
        m.unit_id
        for m in _memberships(user)
        if m.unit_id is not None and m.role == Role.COLLECTOR and m.applies_to(cycle)
    }


def can_collect_for(user: Any, cycle: Cycle, collection_unit: Unit) -> bool:
    """Enter scores on the leaves the collection unit owns."""
    return collection_unit.pk in collection_unit_ids_of(user, cycle)


def can_manage_evaluations(user: Any, cycle: Cycle) -> bool:
    """Assign reviewers, grant extensions, watch progress, publish, assign re-checks, finalize."""
    return is_office_admin(user, cycle)


def can_appeal(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """Lodge an appeal for the unit: its operator or leader."""
    return not cycle.is_locked and is_unit_member(user, cycle, unit)


# Indicator trees and tasks ------------------------------------------------------------------
# ``unit`` None means the common self-construction tree (附件2), which the office keeps.


def can_view_tree(user: Any, cycle: Cycle, unit: Unit | None) -> bool:
    """The common tree: anyone with a role in the cycle. A unit's tree: those who may see the
    unit's result (the office, viewers, reviewers, the unit's own people)."""
    if unit is None:
        return can_view_cycle(user, cycle)
    return can_view_unit_result(user, cycle, unit)


def can_edit_tree(user: Any, cycle: Cycle, unit: Unit | None) -> bool:
    """Build and submit a tree: the unit's operator; the office for the common tree."""
    if unit is None:
        return is_office_admin(user, cycle)
    return has_role(user, Role.UNIT_OPERATOR, cycle=cycle, unit=unit) and unit.pk in unit_ids_of(
        user, cycle
    )


def can_approve_tree(user: Any, cycle: Cycle, unit: Unit | None) -> bool:
    """Approve or return a submitted tree: the unit's leader; the office for the common tree."""
    if unit is None:
        return is_office_admin(user, cycle)
    return has_role(user, Role.UNIT_LEADER, cycle=cycle, unit=unit) and unit.pk in unit_ids_of(
        user, cycle
    )


def can_lock_tree(user: Any, cycle: Cycle) -> bool:
    """Lock an approved tree, or return it with a reason: the office."""
    return is_office_admin(user, cycle)


def can_view_task_overview(user: Any, cycle: Cycle) -> bool:
    """Every unit's tasks and lights at once: the office and the leadership."""
    return is_office_admin(user, cycle) or has_role(user, Role.VIEWER, cycle=cycle)


def can_edit_tasks(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """Add and change a unit's tasks and milestones, report progress: the unit's operator."""
    return has_role(user, Role.UNIT_OPERATOR, cycle=cycle, unit=unit) and unit.pk in unit_ids_of(
        user, cycle
    )


# Public evaluation (公众评议) ------------------------------------------------------------------


def can_manage_survey(user: Any, cycle: Cycle) -> bool:
    """Define the questionnaire, draw samples, enter phone answers, import a firm's results,
    compute the public scores, review flagged responses: the office only."""
    return is_office_admin(user, cycle)


def can_view_respondents(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """A unit's list of respondents (phones masked) and its invitations: the office and the
    unit's own operator or leader."""
    return is_office_admin(user, cycle) or unit.pk in unit_ids_of(user, cycle)


def can_edit_respondents(user: Any, cycle: Cycle, unit: Unit) -> bool:
    """Enter, import and report (上报) a unit's list: the office and the unit's operator."""
    return is_office_admin(user, cycle) or has_role(
        user, Role.UNIT_OPERATOR, cycle=cycle, unit=unit
    )


def can_see_full_phones(user: Any, cycle: Cycle) -> bool:
    """Unmasked phone numbers, on screen and in exports: the office only (every export is
    audited)."""
    return is_office_admin(user, cycle)


def can_view_survey_responses(user: Any, cycle: Cycle) -> bool:
    """Individual responses (answers, comments, fraud signals): the office only. A unit sees
    its own score and who has not answered yet, never what anyone answered."""
    return is_office_admin(user, cycle)
