"""Rules of public evaluation without the database: phones, options, the score's arithmetic.

The score of one response is the mean of its answers' points × 10 (0–1000 when the best
option is worth 100); a unit's score is the mean over its valid responses, rounded half up to
the cycle's precision by ``scoring.rounding.quantize``, the one rounding helper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jixiao.scoring.rounding import quantize

#: Mainland mobile numbers: the only ones a survey link can be sent to by SMS.
MOBILE = re.compile(r"^1[3-9]\d{9}$")
#: Landlines with an area code (0592-1234567 → 05921234567): kept, but never sampled.
LANDLINE = re.compile(r"^0\d{9,11}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")

#: 95 % two-sided normal quantile; with a few dozen responses per unit the normal
#: approximation of the mean is what the office's statisticians use.
Z95 = Decimal("1.96")
_CTX = Context(prec=40)
SCORE_MAX = Decimal(1000)


def normalise_phone(raw: Any) -> str:
    """Digits of a phone number, without +86 / 0086, separators or a trailing “.0” that a
    spreadsheet adds to a number cell. Raises ValidationError for anything else."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = _SEPARATORS.sub("", str(raw).strip())
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if not text:
        return ""
    if MOBILE.match(text) or LANDLINE.match(text):
        return text
    raise ValidationError(_("电话号码“%(phone)s”格式不正确") % {"phone": str(raw).strip()})


def is_mobile(phone: str) -> bool:
    return bool(MOBILE.match(phone))


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits of a mobile; a landline keeps its
    area code and last two digits."""
    if not phone:
        return ""
    if len(phone) >= 11 and is_mobile(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    return f"{phone[:4]}{'*' * max(len(phone) - 6, 1)}{phone[-2:]}"


def check_options(options: Any) -> list[tuple[str, Decimal]]:
    """The options as (label, points); ValidationError naming the option that is wrong."""
    if not isinstance(options, list) or len(options) < 2:
        raise ValidationError(_("选项至少要有两个"))
    result: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    for i, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            raise ValidationError(_("第 %(i)s 个选项格式不正确") % {"i": i})
        label = str(option.get("label", "")).strip()
        if not label:
            raise ValidationError(_("第 %(i)s 个选项没有名称") % {"i": i})
        if label in seen:
            raise ValidationError(_("选项“%(label)s”重复") % {"label": label})
        seen.add(label)
        try:
            points = Decimal(str(option.get("points", "")))
        except InvalidOperation:
            points = Decimal("NaN")
        if not points.is_finite() or points < 0 or points > 100 or points != round(points, 2):
            raise ValidationError(
                _("选项“%(label)s”的分值须为 0–100 之间、最多两位小数的数") % {"label": label}
            )
        result.append((label, points))
    return result


def parse_options(text: str) -> list[dict[str, str]]:
    """“满意=100；基本满意=80；不满意=0” (one per line or separated by ；/;) → options."""
    options: list[dict[str, str]] = []
    for i, part in enumerate(re.split(r"[\n;；]+", text.strip()), start=1):
        part = part.strip()
        if not part:
            continue
        label, sep, points = part.replace("＝", "=").rpartition("=")
        if not sep:
            raise ValidationError(
                _("第 %(i)s 个选项应写成“名称=分值”：%(part)s") % {"i": i, "part": part}
            )
        options.append({"label": label.strip(), "points": points.strip()})
    check_options(options)
    return options


def format_options(options: Any) -> str:
    return "\n".join(f"{o['label']}={o['points']}" for o in options or [])


@dataclass(frozen=True)
class Group:
    """Responses of one unit that have the same number of answers, summed by the database."""

    answers: int
    count: int
    sum_cents: int
    sum_sq_cents: int


@dataclass(frozen=True)
class UnitScore:
    score: Decimal
    count: int
    ci_low: Decimal | None
    ci_high: Decimal | None


def unit_score(groups: list[Group], precision: int) -> UnitScore | None:
    """The unit's score and 95 % confidence interval from per-group sums (None: no response).

    A response with n answers worth c cents in total scores s = c / (10 n). The mean is exact
    (a fraction) and rounded once; the interval is mean ± 1.96 · sd / √N with the sample
    standard deviation, clipped to 0–1000; one response has no interval.
    """
    count = sum(g.count for g in groups)
    if count == 0:
        return None
    total = sum((Fraction(g.sum_cents, 10 * g.answers) for g in groups), Fraction(0))
    squares = sum((Fraction(g.sum_sq_cents, 100 * g.answers**2) for g in groups), Fraction(0))
    mean = total / count
    score = quantize(_decimal(mean), precision)
    if count < 2:
        return UnitScore(score=score, count=count, ci_low=None, ci_high=None)
    variance = max((squares - count * mean * mean) / (count - 1), Fraction(0))
    half = Z95 * _decimal(variance / count).sqrt(_CTX)
    exact = _decimal(mean)
    low = max(exact - half, Decimal(0))
    high = min(exact + half, SCORE_MAX)
    return UnitScore(
        score=score,
        count=count,
        ci_low=quantize(low, precision),
        ci_high=quantize(high, precision),
    )


def _decimal(value: Fraction) -> Decimal:
    return _CTX.divide(Decimal(value.numerator), Decimal(value.denominator))
