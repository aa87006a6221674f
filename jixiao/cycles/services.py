"""Writes to cycles that are more than a phase change: starting a new year from last year's.

``copy_cycle`` copies what belongs to the cycle itself (the scheme, the ranking groups and
the participations) and then runs every step registered in ``COPY_STEPS``. Each app that keeps
per-cycle tables registers its own step from its ``AppConfig.ready`` (the indicators app
copies the trees; an app with standards tables adds its own), so this module imports none
of them and the import direction stays ``cycles ← others``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, Participation, Phase, RankingGroup


@dataclass
class CopyContext:
    """What one copy step gets: both cycles, the group map and a place to report counts."""

    source: Cycle
    target: Cycle
    by: Any
    groups: dict[int, RankingGroup] = field(default_factory=dict)  # old group id → new group
    counts: dict[str, int] = field(default_factory=dict)


#: Steps run, in order, inside the copy's transaction. Each is ``step(ctx) -> None``.
COPY_STEPS: list[Callable[[CopyContext], None]] = []

#: The scheme's fields: everything a cycle carries except its identity, phase and results.
SCHEME_FIELDS = (
    "scale",
    "formula",
    "precision",
    "performance_total",
    "self_construction_total",
    "grade_mode",
    "grade_rules",
    "bonus_categories",
    "bonus_total_cap",
    "multiplier_district",
    "multiplier_city",
    "multiplier_province",
)


def register_copy_step(step: Callable[[CopyContext], None]) -> Callable[[CopyContext], None]:
    if step not in COPY_STEPS:
        COPY_STEPS.append(step)
    return step


def copy_cycle(*, source: Cycle, code: str, name: str, by: Any) -> Cycle:
    """Start cycle ``code`` from ``source``: scheme, groups, participations and whatever the
    registered steps copy (indicator trees, as drafts). Scores, results, tasks and the audit
    trail stay with the old year. The new cycle starts in preparation.

    Side effects: creates the cycle and its rows in one transaction, and an audit entry
    naming the source and what was copied.
    """
    code = code.strip()
    if not code:
        raise ValidationError({"code": _("须填写年度代码")})
    with transaction.atomic():
        if Cycle.objects.filter(code=code).exists():
            raise ValidationError({"code": _("年度代码“%(code)s”已存在") % {"code": code}})
        target = Cycle(code=code, name=name.strip() or code, phase=Phase.PREPARATION)
        for name_ in SCHEME_FIELDS:
            setattr(target, name_, getattr(source, name_))
        target.full_clean()
        target.save()
        ctx = CopyContext(source=source, target=target, by=by)
        for group in RankingGroup.objects.filter(cycle=source).order_by("order", "code"):
            ctx.groups[group.pk] = RankingGroup.objects.create(
                cycle=target, code=group.code, name=group.name, order=group.order
            )
        participations = [
            Participation(cycle=target, unit_id=p.unit_id, group=ctx.groups[p.group_id])
            for p in Participation.objects.filter(cycle=source)
        ]
        Participation.objects.bulk_create(participations)
        ctx.counts = {"groups": len(ctx.groups), "participations": len(participations)}
        for step in COPY_STEPS:
            step(ctx)
        record_audit(
            by=by,
            action="copy_cycle",
            obj=target,
            cycle_code=target.code,
            old={"source": source.code},
            new=ctx.counts,
        )
    return target
