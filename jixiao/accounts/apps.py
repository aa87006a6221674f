from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jixiao.accounts"
    label = "accounts"
    verbose_name = _("组织与账号")
