"""Indicator trees: the common self-construction tree and every unit's performance tree."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixiao.scoring.types import Aggregation as EngineAggregation
from jixiao.scoring.types import Method as EngineMethod


class Tree(models.TextChoices):
    PERFORMANCE = "performance", _("业绩指标")
    SELF_CONSTRUCTION = "self_construction", _("自身建设指标")


class Method(models.TextChoices):
    JUDGEMENT = EngineMethod.JUDGEMENT.value, _("评估组评分")
    RATIO = EngineMethod.RATIO.value, _("完成率")
    DEDUCTION = EngineMethod.DEDUCTION.value, _("满分倒扣")
    COMPLETION_PROGRESS = EngineMethod.COMPLETION_PROGRESS.value, _("完成情况+进步情况")
    DIRECT = EngineMethod.DIRECT.value, _("采集单位直接评分")


class Aggregation(models.TextChoices):
    MEAN = EngineAggregation.MEAN.value, _("平均分")
    MEDIAN = EngineAggregation.MEDIAN.value, _("中位数")
    TRIMMED_MEAN = EngineAggregation.TRIMMED_MEAN.value, _("去掉最高最低分后平均")


class Source(models.TextChoices):
    """The three sources of a performance indicator (指标来源)."""

    DECISION = "decision", _("区委区政府重大决策部署")
    KEY_WORK = "key_work", _("全区年度重点工作")
    OWN_PLAN = "own_plan", _("单位年度工作要点和职能职责")


POINTS = {"max_digits": 8, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Indicator(models.Model):
    """One node of a tree. ``unit`` is blank for the common self-construction tree."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="indicators")
    tree = models.CharField(_("指标类别"), max_length=20, choices=Tree.choices)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("序号"), max_length=32)
    name = models.CharField(_("指标名称"), max_length=300)
    order = models.PositiveIntegerField(_("排序"), default=0)
    points = models.DecimalField(_("分值"), **POINTS)  # type: ignore[arg-type]
    method = models.CharField(_("评估办法"), max_length=24, choices=Method.choices, blank=True)
    aggregation = models.CharField(
        _("汇总方式"), max_length=16, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    points_per_finding = models.DecimalField(
        _("每起扣分"),
        null=True,
        blank=True,
        **POINTS,  # type: ignore[arg-type]
    )
    completion_points = models.DecimalField(
        _("完成情况分值"),
        null=True,
        blank=True,
        **POINTS,  # type: ignore[arg-type]
    )
    progress_points = models.DecimalField(
        _("进步情况分值"),
        null=True,
        blank=True,
        **POINTS,  # type: ignore[arg-type]
    )
    source = models.CharField(_("指标来源"), max_length=16, choices=Source.choices, blank=True)
    source_detail = models.CharField(_("来源说明"), max_length=200, blank=True)
    target = models.TextField(_("目标任务"), blank=True)
    rule = models.TextField(_("评估办法说明"), blank=True)
    collection_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("数据采集责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collected_indicators",
    )
    responsible_office = models.CharField(_("责任科室"), max_length=100, blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=100, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["cycle", "tree", "unit", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "tree", "unit", "code"],
                name="indicator_code_unique_in_unit_tree",
                condition=Q(unit__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["cycle", "tree", "code"],
                name="indicator_code_unique_in_common_tree",
                condition=Q(unit__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(tree="self_construction", unit__isnull=True)
                | Q(tree="performance", unit__isnull=False),
                name="indicator_tree_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.tree == Tree.PERFORMANCE and self.unit_id is None:
            errors["unit"] = str(_("业绩指标必须属于一个单位"))
        if self.tree == Tree.SELF_CONSTRUCTION and self.unit_id is not None:
            errors["unit"] = str(_("自身建设指标为各单位共用,不属于单个单位"))
        if self.parent_id is not None:
            parent = self.parent
            if parent is not None and (parent.tree != self.tree or parent.unit_id != self.unit_id):
                errors["parent"] = str(_("上级指标必须在同一棵指标树中"))
        if self.method == Method.DEDUCTION and self.points_per_finding is None:
            errors["points_per_finding"] = str(_("满分倒扣的指标须填写每起扣分"))
        if self.method == Method.COMPLETION_PROGRESS:
            c, p = self.completion_points, self.progress_points
            if c is None or p is None or c + p != self.points:
                errors["completion_points"] = str(
                    _("完成情况分值与进步情况分值之和须等于指标分值 %(points)s")
                    % {"points": self.points}
                )
        if errors:
            raise ValidationError(errors)


class TreeState(models.TextChoices):
    """Where a tree stands in its approval (see ``indicators.workflow``)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("单位负责人已审核")
    LOCKED = "locked", _("效能办已锁定")
    RETURNED = "returned", _("已退回")


#: States in which the tree's nodes may be changed.
EDITABLE_STATES = frozenset({TreeState.DRAFT, TreeState.RETURNED})


class TreeStatus(models.Model):
    """The approval state of one tree: a unit's performance tree or the common tree.

    Created on first use, so a tree that nobody has touched is a draft.
    """

    cycle = models.ForeignKey(
        "cycles.Cycle", on_delete=models.CASCADE, related_name="tree_statuses"
    )
    tree = models.CharField(_("指标类别"), max_length=20, choices=Tree.choices)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tree_statuses",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=TreeState.choices, default=TreeState.DRAFT
    )
    reason = models.TextField(_("退回原因"), blank=True)
    changed_at = models.DateTimeField(_("变更时间"), auto_now=True)
    changed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("变更人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("指标体系状态")
        verbose_name_plural = _("指标体系状态")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "tree", "unit"],
                name="tree_status_unique_unit",
                condition=Q(unit__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["cycle", "tree"],
                name="tree_status_unique_common",
                condition=Q(unit__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        owner = str(self.unit) if self.unit_id else str(_("共用"))
        return f"{Tree(self.tree).label} · {owner} · {self.get_state_display()}"

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES
