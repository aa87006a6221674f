from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdjustmentsConfig(AppConfig):
    name = "jixiao.adjustments"
    label = "adjustments"
    verbose_name = _("加减分")
