"""Fetch-and-check helpers: one per aggregate, each asking the named predicates.

Every API view fetches through these, so a permission is checked where the object is loaded.
An object the user may not see is reported as missing (404), so its existence does not leak;
403 is kept for a visible object on which the user may not act.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, PermissionDenied

from jixiao.accounts.permissions import (
    can_manage_cycle,
    can_view_all_results,
    can_view_cycle,
    can_view_unit_result,
    unit_ids_of,
)
from jixiao.cycles.models import Cycle, Participation
from jixiao.scoring.models import Result


def get_cycle_for(user: Any, code: str) -> Cycle:
    """The cycle ``code`` if ``user`` may view it; NotFound otherwise."""
    cycle = Cycle.objects.filter(code=code).first()
    if cycle is None or not can_view_cycle(user, cycle):
        raise NotFound(_("没有找到考评年度 %(code)s") % {"code": code})
    return cycle


def get_managed_cycle_for(user: Any, code: str) -> Cycle:
    """The cycle ``code`` if ``user`` may manage it: NotFound if hidden, PermissionDenied if
    visible but not the user's to manage."""
    cycle = get_cycle_for(user, code)
    if not can_manage_cycle(user, cycle):
        raise PermissionDenied(_("只有效能办可以管理考评年度"))
    return cycle


def get_participation_for(user: Any, cycle: Cycle, unit_code: str) -> Participation:
    """A unit's participation in ``cycle`` if ``user`` may see that unit's own data (its
    result, its performance tree); NotFound otherwise, also for another unit's operator."""
    participation = (
        Participation.objects.filter(cycle=cycle, unit__code=unit_code)
        .select_related("unit", "group")
        .first()
    )
    if participation is None or not can_view_unit_result(user, cycle, participation.unit):
        raise NotFound(_("没有找到单位 %(code)s") % {"code": unit_code})
    return participation


def get_result_for(user: Any, cycle: Cycle, unit_code: str) -> Result:
    """The stored result of one unit if ``user`` may see it; NotFound otherwise."""
    result = (
        Result.objects.filter(cycle=cycle, unit__code=unit_code)
        .select_related("unit", "group")
        .first()
    )
    if result is None or not can_view_unit_result(user, cycle, result.unit):
        raise NotFound(_("没有找到单位 %(code)s 的结果") % {"code": unit_code})
    return result


def result_unit_ids_for(user: Any, cycle: Cycle) -> set[int] | None:
    """Which units' results ``user`` may list: None means every unit; a set limits the rows to
    the user's own units. PermissionDenied for someone with neither."""
    if can_view_all_results(user, cycle):
        return None
    own = unit_ids_of(user, cycle)
    if not own:
        raise PermissionDenied(_("无权查看考评结果"))
    return own
