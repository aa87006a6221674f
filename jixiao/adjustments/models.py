"""Adjustments outside the indicator trees: bonuses, inspection deductions, city incentive."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.scoring.types import Level as EngineLevel

NONNEG = {"max_digits": 8, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Level(models.TextChoices):
    DISTRICT = EngineLevel.DISTRICT.value, _("区级")
    CITY = EngineLevel.CITY.value, _("市级")
    PROVINCE = EngineLevel.PROVINCE.value, _("省级")


class BonusCategory(models.IntegerChoices):
    NATIONAL_COMMENDATION = 1, _("中央、国务院表彰或国家部委、省委省政府通报表扬/推广经验")
    LEADER_ENDORSEMENT = 2, _("党和国家领导人、中央机关和国家部委主要负责人批示肯定")
    NATIONAL_SPEECH = 3, _("全国性会议典型发言")
    NATIONAL_TOP5 = 4, _("全国排名前5位或评为优秀")
    PROVINCIAL_INNOVATION = 5, _("机制创新成果参加省级评选获前三名")
    DISTRICT_PRAISE = 6, _("区主要领导书面批示肯定、重点项目名次靠前、工作创新获公认")


class BonusItem(models.Model):
    """A positive-incentive item (正向激励) of a unit, with its approved points."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.PositiveSmallIntegerField(
        _("类别"),
        choices=BonusCategory.choices,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    title = models.CharField(_("事项"), max_length=300)
    points = models.DecimalField(_("核定分值"), **NONNEG)  # type: ignore[arg-type]
    approved = models.BooleanField(_("已核准"), default=False)

    class Meta:
        verbose_name = _("正向激励加分")
        verbose_name_plural = _("正向激励加分")
        indexes = [models.Index(fields=["cycle", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.title}"


class DeductionItem(models.Model):
    """An inspection finding (察访核验) deducted from a unit: points × count × level multiplier."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    standard_code = models.CharField(_("扣分标准条目"), max_length=32)
    description = models.CharField(_("问题描述"), max_length=300)
    count = models.PositiveIntegerField(_("次数"), default=1)
    points = models.DecimalField(_("每次扣分"), **NONNEG)  # type: ignore[arg-type]
    level = models.CharField(
        _("发现层级"), max_length=10, choices=Level.choices, default=Level.DISTRICT
    )
    found_on = models.DateField(_("发现日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("察访核验扣分")
        verbose_name_plural = _("察访核验扣分")
        indexes = [models.Index(fields=["cycle", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.standard_code} × {self.count}"


class CityIncentive(models.Model):
    """Points the city's evaluation of the district passes on to a unit (市对区绩效考评激励得分)."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    points = models.DecimalField(_("激励得分"), **NONNEG)  # type: ignore[arg-type]
    source = models.CharField(_("来源(市考评项目)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("市对区激励得分")
        verbose_name_plural = _("市对区激励得分")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="city_incentive_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.points}"
