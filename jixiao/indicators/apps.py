from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "jixiao.indicators"
    label = "indicators"
    verbose_name = _("指标体系")

    def ready(self) -> None:
        # Copying a cycle carries the trees over; cycles does not import this app.
        from jixiao.cycles.services import register_copy_step
        from jixiao.indicators.services import copy_trees

        register_copy_step(copy_trees)
