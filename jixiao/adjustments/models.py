"""Adjustments outside the indicator trees: bonuses, inspection deductions, city incentive."""

from __future__ import annotations

import uuid
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


# Standards tables (扣分标准, 正向激励标准) -----------------------------------------------------
#
# A cycle's caps per category (and whether a category stacks) stay in Cycle.bonus_categories,
# its total cap in Cycle.bonus_total_cap and its multipliers in Cycle.multiplier_*: the engine's
# Scheme is built from those. The tables below hold what the engine does not need: the points
# an item is worth and the deduction standard's items.


class BonusStandard(models.Model):
    """Points per item of one positive-incentive category in a cycle. A cycle "has" a category
    when it has a standard for it; claims in other categories are refused."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    category = models.PositiveSmallIntegerField(
        _("类别"),
        choices=BonusCategory.choices,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    description = models.CharField(_("情形"), max_length=300, blank=True)
    points = models.DecimalField(_("每项分值"), **NONNEG)  # type: ignore[arg-type]

    class Meta:
        verbose_name = _("正向激励标准")
        verbose_name_plural = _("正向激励标准")
        ordering = ["cycle", "category"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "category"], name="bonus_standard_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.points}"

    @property
    def label(self) -> str:
        return self.description or str(BonusCategory(self.category).label)


class DeductionStandard(models.Model):
    """One item of the deduction standard (扣分标准, 附件4): points per occurrence."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("编号"), max_length=32)
    description = models.CharField(_("扣分情形"), max_length=300)
    points = models.DecimalField(_("每次扣分"), **NONNEG)  # type: ignore[arg-type]

    class Meta:
        verbose_name = _("扣分标准")
        verbose_name_plural = _("扣分标准")
        ordering = ["cycle", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="deduction_standard_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class AdjustmentRules(models.Model):
    """Per-cycle settings of this app that the Cycle model does not carry."""

    cycle = models.OneToOneField(
        "cycles.Cycle", on_delete=models.CASCADE, related_name="adjustment_rules"
    )
    answer_days = models.PositiveSmallIntegerField(
        _("答复期限(天)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("单位收到察访核验问题后可答复或申辩的天数"),
    )

    class Meta:
        verbose_name = _("加减分规则")
        verbose_name_plural = _("加减分规则")

    def __str__(self) -> str:
        return str(self.cycle_id)


# Bonus claims (正向激励申报) -----------------------------------------------------------------


class ClaimState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待单位负责人审核")
    ENDORSED = "endorsed", _("待效能办审核")
    APPROVED = "approved", _("已核准")
    ADJUSTED = "adjusted", _("已调整核准")
    REJECTED = "rejected", _("不予核准")


#: States in which a claim's points count (the BonusItem row exists).
COUNTED_CLAIM_STATES = frozenset({ClaimState.APPROVED, ClaimState.ADJUSTED})


def _evidence_path(instance: ClaimEvidence, filename: str) -> str:
    # The stored name never reuses the uploaded one: it could carry path tricks or personal data.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"adjustments/claims/{instance.claim_id}/{uuid.uuid4().hex}.{suffix}"


def _photo_path(instance: FindingPhoto, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"adjustments/findings/{instance.finding_id}/{uuid.uuid4().hex}.{suffix}"


class BonusClaim(models.Model):
    """A unit's claim for a positive-incentive bonus, from draft to the office's decision.

    The office's approval writes the engine-facing ``BonusItem`` (``item``); a rejection
    removes it. The points a claim asks for are the standard's points when it is made.
    """

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.PositiveSmallIntegerField(_("类别"), choices=BonusCategory.choices)
    title = models.CharField(_("事项"), max_length=300)
    authority = models.CharField(_("发文机关"), max_length=200)
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发文日期"))
    claimed_points = models.DecimalField(_("申报分值"), **NONNEG)  # type: ignore[arg-type]
    approved_points = models.DecimalField(
        _("核定分值"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=ClaimState.choices, default=ClaimState.DRAFT
    )
    decision_reason = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    item = models.OneToOneField(
        BonusItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="claim"
    )

    class Meta:
        verbose_name = _("正向激励申报")
        verbose_name_plural = _("正向激励申报")
        indexes = [models.Index(fields=["cycle", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.title}"


class StoredUpload(models.Model):
    """What every stored upload of this app records besides the file itself."""

    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ClaimEvidence(StoredUpload):
    claim = models.ForeignKey(BonusClaim, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=_evidence_path, max_length=200)

    class Meta(StoredUpload.Meta):
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")


# Inspections and findings (明察暗访, 察访核验) -----------------------------------------------


class InspectionKind(models.TextChoices):
    OPEN = "open", _("明察")
    UNANNOUNCED = "unannounced", _("暗访")


class Inspection(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("察访日期"))
    place = models.CharField(_("地点"), max_length=200)
    kind = models.CharField(
        _("方式"), max_length=12, choices=InspectionKind.choices, default=InspectionKind.OPEN
    )
    level = models.CharField(
        _("发现层级"), max_length=10, choices=Level.choices, default=Level.DISTRICT
    )
    inspectors = models.CharField(_("察访人员"), max_length=300)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("察访核验")
        verbose_name_plural = _("察访核验")
        indexes = [models.Index(fields=["cycle", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"


class FindingState(models.TextChoices):
    RECORDED = "recorded", _("待单位答复")
    ANSWERED = "answered", _("单位已答复")
    CONTESTED = "contested", _("单位申辩")
    CONFIRMED = "confirmed", _("已确认扣分")
    WITHDRAWN = "withdrawn", _("已撤销")


class Finding(models.Model):
    """One problem found in an inspection, citing an item of the deduction standard.

    Confirming it writes the engine-facing ``DeductionItem`` (``item``), unless it is linked
    (``same_as``) to a confirmed finding of the same occurrence made at a higher level: an
    occurrence is deducted once, at the higher multiplier.
    """

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    standard = models.ForeignKey(
        DeductionStandard,
        verbose_name=_("扣分标准条目"),
        # RESTRICT, not PROTECT: deleting the whole cycle deletes both sides.
        on_delete=models.RESTRICT,
        related_name="findings",
    )
    count = models.PositiveIntegerField(_("次数"), default=1, validators=[MinValueValidator(1)])
    description = models.CharField(_("问题描述"), max_length=300)
    state = models.CharField(
        _("状态"), max_length=12, choices=FindingState.choices, default=FindingState.RECORDED
    )
    answer_due = models.DateField(_("答复截止日期"))
    response = models.TextField(_("单位答复"), blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    decision_reason = models.CharField(_("处理意见"), max_length=500, blank=True)
    same_as = models.ForeignKey(
        "self",
        verbose_name=_("同一问题(上级发现)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    item = models.OneToOneField(
        DeductionItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="finding"
    )

    class Meta:
        verbose_name = _("察访核验问题")
        verbose_name_plural = _("察访核验问题")
        indexes = [models.Index(fields=["cycle", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.description}"


class FindingPhoto(StoredUpload):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to=_photo_path, max_length=200)

    class Meta(StoredUpload.Meta):
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
