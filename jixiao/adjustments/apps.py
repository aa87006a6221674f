from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdjustmentsConfig(AppConfig):
    name = "jixiao.adjustments"
    label = "adjustments"
    verbose_name = _("加减分")

    def ready(self) -> None:
        # Copying a cycle carries the standards tables over; cycles does not import this app.
        from jixiao.cycles.services import register_copy_step

        register_copy_step(_copy_standards_step)


def _copy_standards_step(ctx: Any) -> None:
    from jixiao.adjustments.models import BonusStandard, DeductionStandard
    from jixiao.adjustments.services import copy_standards

    if BonusStandard.objects.filter(cycle=ctx.source).exists() or (
        DeductionStandard.objects.filter(cycle=ctx.source).exists()
    ):
        ctx.counts["standards"] = copy_standards(source=ctx.source, target=ctx.target, by=ctx.by)
