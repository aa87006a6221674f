"""People, the units they belong to, and the roles they hold."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from jixiao.cycles.models import Cycle


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Unit(models.Model):
    """A unit of the district: an assessed unit (被考核单位) and/or a data-collection unit.

    Whether and in which ranking group a unit is assessed is a property of each cycle
    (``cycles.Participation``), since groups can change from one year to the next.
    """

    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("效能办管理员")
    UNIT_OPERATOR = "unit_operator", _("单位经办人")
    UNIT_LEADER = "unit_leader", _("单位负责人")
    REVIEWER = "reviewer", _("联合评估组成员")
    COLLECTOR = "collector", _("数据采集单位人员")
    INSPECTOR = "inspector", _("督查员")
    VIEWER = "viewer", _("领导查阅")


#: Roles that are held for one unit (the unit field is required for them).
UNIT_ROLES = frozenset({Role.UNIT_OPERATOR, Role.UNIT_LEADER, Role.COLLECTOR})


class Membership(models.Model):
    """A role held by a user, for one unit and/or one cycle (blank cycle: every cycle)."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    cycle = models.ForeignKey(
        "cycles.Cycle",
        verbose_name=_("考评年度"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            # Coalesce: a blank unit or cycle counts as one value, on SQLite as on PostgreSQL.
            models.UniqueConstraint(
                "user",
                "role",
                Coalesce("unit", Value(0)),
                Coalesce("cycle", Value(0)),
                name="membership_unique",
            )
        ]

    def __str__(self) -> str:
        where = " · ".join(str(x) for x in (self.unit, self.cycle) if x is not None)
        return f"{self.user} — {self.get_role_display()}" + (f" ({where})" if where else "")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role in UNIT_ROLES and self.unit_id is None:
            raise ValidationError({"unit": _("该角色必须指定单位。")})

    def applies_to(self, cycle: Cycle | None) -> bool:
        return self.cycle_id is None or (cycle is not None and self.cycle_id == cycle.pk)
