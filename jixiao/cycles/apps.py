from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CyclesConfig(AppConfig):
    name = "jixiao.cycles"
    label = "cycles"
    verbose_name = _("考评年度")
