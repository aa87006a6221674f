"""The yearly cycle (考评年度) and its scheme: formula, precision, caps, multipliers, grades."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jixiao.scoring.types import (
    DEFAULT_FORMULA,
    BonusCategoryRule,
    GradeBand,
    GradeQuota,
    GradeRule,
    Level,
    Scheme,
)


class Phase(models.TextChoices):
    PREPARATION = "preparation", _("准备")
    DECOMPOSITION = "decomposition", _("任务分解")
    EXECUTION = "execution", _("执行")
    ASSESSMENT = "assessment", _("评估")
    PUBLICITY = "publicity", _("公示")
    FINALIZED = "finalized", _("定档")
    ARCHIVED = "archived", _("归档")


class GradeMode(models.TextChoices):
    BANDS = "bands", _("按分数段")
    QUOTAS = "quotas", _("按组内比例")


def default_grade_rules() -> dict[str, Any]:
    return {
        "bands": [
            {"grade": "优秀", "min": "900"},
            {"grade": "良好", "min": "800"},
            {"grade": "一般", "min": "700"},
        ],
        "quotas": [{"grade": "优秀", "share": "0.3"}, {"grade": "良好", "share": "0.5"}],
        "rest": "较差",
    }


def default_bonus_categories() -> dict[str, Any]:
    return {str(c): {"cap": None, "stack": True} for c in range(1, 7)}


def _decimal(value: Any, path: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(path)s: “%(value)s” 不是数字") % {"path": path, "value": value}
        ) from None
    if not result.is_finite():
        raise ValidationError(_("%(path)s: “%(value)s” 不是数字") % {"path": path, "value": value})
    return result


#: Scale, totals, caps and multipliers are never negative.
NONNEG = [MinValueValidator(Decimal(0))]


class Cycle(models.Model):
    code = models.CharField(_("年度代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    phase = models.CharField(
        _("阶段"), max_length=20, choices=Phase.choices, default=Phase.PREPARATION
    )
    scale = models.DecimalField(_("分制"), max_digits=8, decimal_places=2, default=Decimal("1000"))
    formula = models.TextField(
        _("综合得分公式"),
        default=DEFAULT_FORMULA,
        help_text=_(
            "可用名称: indicator, performance, self_construction, city_incentive, public, "
            "bonus, deduction; 运算 + - * / 和 min、max、round。"
        ),
    )
    precision = models.PositiveSmallIntegerField(_("小数位数"), default=2)
    performance_total = models.DecimalField(
        _("业绩指标总分"), max_digits=8, decimal_places=2, default=Decimal("200"), validators=NONNEG
    )
    self_construction_total = models.DecimalField(
        _("自身建设指标总分"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("800"),
        validators=NONNEG,
    )
    grade_mode = models.CharField(
        _("等次规则"), max_length=10, choices=GradeMode.choices, default=GradeMode.BANDS
    )
    grade_rules = models.JSONField(_("等次参数"), default=default_grade_rules, blank=True)
    bonus_categories = models.JSONField(
        _("正向激励类别上限"),
        default=default_bonus_categories,
        blank=True,
        help_text=_('每类: {"cap": 上限或 null, "stack": 是否累加}'),
    )
    bonus_total_cap = models.DecimalField(
        _("正向激励总上限"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NONNEG,
    )
    multiplier_district = models.DecimalField(
        _("区级扣分倍数"), max_digits=5, decimal_places=2, default=Decimal("1"), validators=NONNEG
    )
    multiplier_city = models.DecimalField(
        _("市级扣分倍数"), max_digits=5, decimal_places=2, default=Decimal("2"), validators=NONNEG
    )
    multiplier_province = models.DecimalField(
        _("省级扣分倍数"), max_digits=5, decimal_places=2, default=Decimal("2"), validators=NONNEG
    )
    results_hash = models.CharField(_("结果哈希"), max_length=64, blank=True, editable=False)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("考评年度")
        verbose_name_plural = _("考评年度")
        ordering = ["-code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        return self.phase in (Phase.FINALIZED, Phase.ARCHIVED)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        from jixiao.scoring.formula import FormulaError, validate_formula

        try:
            validate_formula(self.formula)
        except FormulaError as exc:
            errors.setdefault("formula", []).append(format_formula_error(exc))
        if self.precision > 6:
            errors.setdefault("precision", []).append(str(_("小数位数不能超过 6")))
        try:
            self.scheme()
        except ValidationError as exc:
            errors.setdefault("grade_rules", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    def scheme(self) -> Scheme:
        """The engine's view of this cycle's rules. Raises ValidationError on a bad rule."""
        rules = self.grade_rules or {}
        if not isinstance(rules, dict):
            raise ValidationError(_("等次参数必须是 JSON 对象"))
        rest = str(rules.get("rest") or "较差")
        if self.grade_mode == GradeMode.BANDS:
            bands = tuple(
                GradeBand(str(b["grade"]), _decimal(b["min"], f"grade_rules.bands[{i}].min"))
                for i, b in enumerate(_list(rules.get("bands"), "grade_rules.bands", "min"))
            )
            grade_rule = GradeRule(mode="bands", bands=bands, rest=rest)
        else:
            quotas = tuple(
                GradeQuota(str(q["grade"]), _decimal(q["share"], f"grade_rules.quotas[{i}].share"))
                for i, q in enumerate(_list(rules.get("quotas"), "grade_rules.quotas", "share"))
            )
            if sum((q.share for q in quotas), Decimal(0)) > 1:
                raise ValidationError(_("grade_rules.quotas: 比例之和不能超过 1"))
            grade_rule = GradeRule(mode="quotas", quotas=quotas, rest=rest)
        categories: dict[int, BonusCategoryRule] = {}
        raw_categories = self.bonus_categories or {}
        if not isinstance(raw_categories, dict):
            raise ValidationError(_("bonus_categories 必须是 JSON 对象"))
        for key, rule in raw_categories.items():
            path = f"bonus_categories.{key}"
            try:
                category = int(key)
            except ValueError:
                raise ValidationError(_("%(path)s: 类别必须是数字") % {"path": path}) from None
            if not isinstance(rule, dict):
                raise ValidationError(_("%(path)s: 必须是 JSON 对象") % {"path": path})
            cap = rule.get("cap")
            cap_value = None if cap in (None, "") else _decimal(cap, f"{path}.cap")
            if cap_value is not None and cap_value < 0:
                raise ValidationError(_("%(path)s.cap: 上限不能为负数") % {"path": path})
            categories[category] = BonusCategoryRule(
                cap=cap_value,
                stack=bool(rule.get("stack", True)),
            )
        return Scheme(
            formula=self.formula,
            precision=self.precision,
            scale=self.scale,
            bonus_categories=categories,
            bonus_total_cap=self.bonus_total_cap,
            multipliers={
                Level.DISTRICT: self.multiplier_district,
                Level.CITY: self.multiplier_city,
                Level.PROVINCE: self.multiplier_province,
            },
            grade_rule=grade_rule,
        )


def _list(value: Any, path: str, key: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValidationError(
            _("%(path)s: 必须是列表,每项含 grade 和 %(key)s") % {"path": path, "key": key}
        )
    for i, item in enumerate(value):
        if not isinstance(item, dict) or "grade" not in item or key not in item:
            raise ValidationError(
                _("%(path)s[%(i)s]: 必须含 grade 和 %(key)s") % {"path": path, "i": i, "key": key}
            )
    return value


# The engine explains a refused formula in English (it has no Django); these patterns give the
# office the same reason in its own language. An unknown wording passes through unchanged.
_FORMULA_REASONS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"^unknown name '(?P<name>[^']*)' \(allowed: (?P<allowed>.*)\)$"),
        _("未知名称“%(name)s”(可用名称:%(allowed)s)"),
    ),
    (
        re.compile(r"^unknown function '(?P<name>[^']*)'.*$"),
        _("未知函数“%(name)s”(只能使用 min、max、round)"),
    ),
    (re.compile(r"^syntax error: (?P<detail>.*)$"), _("语法错误(%(detail)s)")),
    (re.compile(r"^division by zero(?P<detail>.*)$"), _("除数为零%(detail)s")),
    (re.compile(r"^the formula is empty$"), _("公式为空")),
    (
        re.compile(r"^operator '(?P<op>[^']*)' not allowed.*$"),
        _("不允许使用运算符“%(op)s”(只能使用 + - * /)"),
    ),
    (
        re.compile(r"^only numbers are allowed, not (?P<what>.*)$"),
        _("只能使用数字,不能使用 %(what)s"),
    ),
    (
        re.compile(r"^(?P<name>min|max)\(\) needs at least 2 arguments$"),
        _("%(name)s() 至少需要 2 个参数"),
    ),
    (re.compile(r"^(?P<what>.*) not allowed$"), _("不允许使用 %(what)s")),
]


def translate_formula_reason(reason: str) -> str:
    for pattern, template in _FORMULA_REASONS:
        match = pattern.match(reason)
        if match:
            return str(template) % match.groupdict()
    return reason


def format_formula_error(exc: Exception) -> str:
    position = getattr(exc, "position", None)
    reason = translate_formula_reason(getattr(exc, "reason", str(exc)))
    if position is None:
        return str(_("公式错误：%(reason)s") % {"reason": reason})
    return str(
        _("公式第 %(pos)s 个字符处有错误：%(reason)s") % {"pos": position + 1, "reason": reason}
    )


class RankingGroup(models.Model):
    """A ranking group (考评组别) of one cycle; ranks are taken within a group."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("组别代码"), max_length=32)
    name = models.CharField(_("组别名称"), max_length=100)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考评组别")
        verbose_name_plural = _("考评组别")
        ordering = ["cycle", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="group_code_unique_in_cycle")
        ]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """A unit assessed in a cycle, in one ranking group."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participations")
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    group = models.ForeignKey(
        RankingGroup,
        verbose_name=_("组别"),
        on_delete=models.CASCADE,
        related_name="participations",
    )

    class Meta:
        verbose_name = _("参评单位")
        verbose_name_plural = _("参评单位")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="participation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.group})"

    def clean(self) -> None:
        if self.group_id and self.cycle_id and self.group.cycle_id != self.cycle_id:
            raise ValidationError({"group": _("组别不属于该考评年度")})
