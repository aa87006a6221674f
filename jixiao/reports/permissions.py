"""Named predicates of the report pages, built on ``jixiao.accounts.permissions``.

Default deny: each is True only for the roles it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jixiao.accounts.permissions import (
    can_manage_cycle,
    can_view_all_results,
    can_view_unit_result,
)

if TYPE_CHECKING:
    from jixiao.accounts.models import Unit
    from jixiao.cycles.models import Cycle


def can_export_results(user: Any, cycle: Cycle) -> bool:
    """The score sheet, the ranking table and the results notice: whoever sees the ranking."""
    return can_view_all_results(user, cycle)


def can_export_unit_card(user: Any, cycle: Cycle, unit: Unit) -> bool:
    return can_view_unit_result(user, cycle, unit)


def can_export_all_cards(user: Any, cycle: Cycle) -> bool:
    """Every unit's score card in one PDF: the office, which hands them out."""
    return can_manage_cycle(user, cycle)


def can_export_adjustments(user: Any, cycle: Cycle) -> bool:
    """Every unit's bonus items and findings: the office only (a unit sees its own in the
    adjustments pages)."""
    return can_manage_cycle(user, cycle)


def can_run_whatif(user: Any, cycle: Cycle) -> bool:
    """Try scheme changes on the cycle's inputs: the office, which owns the scheme."""
    return can_manage_cycle(user, cycle)


def can_verify_cycle(user: Any, cycle: Cycle) -> bool:
    """Recompute a finalized cycle and compare with its stored hash: the office and leaders."""
    from jixiao.accounts.models import Role
    from jixiao.accounts.permissions import has_role

    return can_manage_cycle(user, cycle) or has_role(user, Role.VIEWER, cycle=cycle)


def can_view_publication(user: Any, cycle: Cycle) -> bool:
    """The publication view of finalized results: those who see the whole ranking."""
    return cycle.is_locked and can_view_all_results(user, cycle)


def can_publish(user: Any, cycle: Cycle) -> bool:
    """Open or close the public results page: the office, for a finalized cycle only."""
    return cycle.is_locked and can_manage_cycle(user, cycle)
