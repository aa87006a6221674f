"""Turning the engine's explanation into what a score card shows.

The engine (``jixiao.scoring.engine``) has no Django in it, so its explanation speaks in
component keys and short English rule phrases. Here the keys become labels, the rule phrases
are translated, and reviewers' usernames are replaced by "评估组成员 N" for readers who may
not see who gave which score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jixiao.adjustments.models import BonusCategory
from jixiao.adjustments.models import Level as DeductionLevel
from jixiao.evaluations.models import Part

COMPONENT_LABELS: dict[str, Promise] = {
    "composite": _("绩效评估得分"),
    "indicator": _("指标考核得分"),
    "performance": _("业绩指标"),
    "self_construction": _("自身建设指标"),
    "city_incentive": _("市对区绩效考评激励得分"),
    "public": _("公众评议得分"),
    "bonus": _("正向激励得分"),
    "deduction": _("察访核验扣分"),
    "deduction_district": _("区级察访扣分"),
    "deduction_higher": _("市、省级察访扣分 (成倍)"),
}

#: The default grade names; a cycle may name its grades otherwise, and those stay as entered.
GRADE_LABELS: dict[str, Promise] = {
    "优秀": _("优秀"),
    "良好": _("良好"),
    "一般": _("一般"),
    "较差": _("较差"),
}


def component_label(key: str) -> str:
    label = COMPONENT_LABELS.get(key)
    return str(label) if label is not None else key


def grade_label(grade: str) -> str:
    label = GRADE_LABELS.get(grade)
    return str(label) if label is not None else grade


# Rule phrases ------------------------------------------------------------------------------

_NUM = r"[−\-]?[\d.]+"

# Applied in order, each to the whole text; longer phrases come before the phrases they
# contain ("no review yet" before "no review").
_PHRASES: list[tuple[str, Promise]] = [
    (
        rf"median of (?P<n>\d+) reviews \(mean of the middle two (?P<low>{_NUM}) and "
        rf"(?P<high>{_NUM})\)",
        _("%(n)s 个评分的中位数（中间两个 %(low)s 与 %(high)s 的平均）"),
    ),
    (
        rf"trimmed mean of (?P<n>\d+) reviews \(dropped highest (?P<high>{_NUM}) and lowest "
        rf"(?P<low>{_NUM})\)",
        _("%(n)s 个评分去掉最高分 %(high)s 和最低分 %(low)s 后的平均"),
    ),
    (
        r"mean of (?P<n>\d+) reviews \(fewer than 5, nothing dropped\)",
        _("%(n)s 个评分的平均（不足 5 个，不去掉最高最低分）"),
    ),
    (r"median of (?P<n>\d+) reviews", _("%(n)s 个评分的中位数")),
    (r"mean of (?P<n>\d+) reviews", _("%(n)s 个评分的平均")),
    (r"single review", _("仅一个评分")),
    (rf"highest single item (?P<v>{_NUM})", _("取单项最高分 %(v)s")),
    (r", rounded half up", _("，四舍五入")),
    (rf", capped at (?P<v>{_NUM}) \(category cap\)", _("，按类别上限 %(v)s 封顶")),
    (rf", capped at (?P<v>{_NUM}) \(total cap\)", _("，按总上限 %(v)s 封顶")),
    (rf", capped at (?P<v>{_NUM})", _("，以分值 %(v)s 封顶")),
    (r", not below 0", _("，最低为 0")),
    (rf",? ?limited to \[0, (?P<v>{_NUM})\]", _("，限定在 0 至 %(v)s 之间")),
    (r"no completion or progress review", _("尚无完成情况和进步情况评分")),
    (r"no completion review", _("尚无完成情况评分")),
    (r"no progress review", _("尚无进步情况评分")),
    (r"no review yet", _("尚无评分")),
    (r"no review", _("尚无评分")),
    (r"no score yet", _("尚无得分")),
    (r"no score", _("尚无得分")),
    (r"no indicator tree", _("尚无指标体系")),
    (r"no scoring method", _("未设置评估办法")),
    (r"no points per finding configured", _("未设置每起扣分")),
    (r"no count", _("尚无发现问题数")),
    (r"no actual value", _("尚无实际完成值")),
    (r"no target", _("尚无目标值")),
    (r"target must be above 0", _("目标值必须大于 0")),
    (r"no approved bonus", _("无核准的加分")),
    (r"public evaluation score", _("公众评议得分")),
    (r"entered score", _("录入得分")),
    (r"^none \(counts 0\)$", _("无（按 0 计）")),
    (r"^none$", _("无")),
    (r" ?\(counts 0\)", _("（按 0 计）")),
    (r"\bcompletion\b", _("完成情况")),
    (r"\bprogress\b", _("进步情况")),
]
_COMPILED: list[tuple[re.Pattern[str], Promise]] = [(re.compile(p), t) for p, t in _PHRASES]


def translate_rule(text: str) -> str:
    """The engine's rule text in the active language; arithmetic passes through unchanged."""
    for pattern, template in _COMPILED:
        text = pattern.sub(_replacer(template), text)
    return text


def _replacer(template: Promise) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        translated = str(template)
        groups = match.groupdict()
        return translated % groups if groups else translated

    return replace


_PURE_ARITHMETIC = re.compile(r"^[\d.\s+−×÷()\-*/,]+$")
_FUNCTIONS = re.compile(r"\b(?:min|max|round)\b")


def _with_result(rule: str, value: str) -> str:
    """Append "= value" to a rule that is only arithmetic, so the line adds up on its own."""
    bare = _FUNCTIONS.sub("", rule)
    if "=" not in rule and _PURE_ARITHMETIC.match(bare) and re.search(r"[+−×÷\-*/]", bare):
        return f"{rule} = {value}"
    return rule


# Missing inputs ----------------------------------------------------------------------------

_MISSING = re.compile(
    r"^(?P<tree>performance|self_construction|public)(?: (?P<code>\S+))?: (?P<why>.+)$"
)


def translate_missing(item: str, names: Mapping[str, str] | None = None) -> str:
    """One of the engine's missing-input notes ("performance 2.1: no review") for people.

    ``names`` maps explanation keys ("performance:2.1") to indicator names.
    """
    match = _MISSING.match(item)
    if match is None:
        return translate_rule(item)
    tree, code, why = match["tree"], match["code"], match["why"]
    where = component_label(tree)
    if code:
        name = (names or {}).get(f"{tree}:{code}", "")
        where = f"{where} {code} {name}".rstrip()
    return gettext("%(where)s：%(why)s") % {"where": where, "why": translate_rule(why)}


def node_names(explanation: Mapping[str, Any] | None) -> dict[str, str]:
    """Explanation key → label for every node of the tree (the indicator names)."""
    out: dict[str, str] = {}

    def walk(node: Mapping[str, Any]) -> None:
        out[str(node.get("key", ""))] = str(node.get("label", ""))
        for child in node.get("children") or ():
            walk(child)

    if explanation:
        walk(explanation)
    return out


# The tree ----------------------------------------------------------------------------------


def _node_label(node: Mapping[str, Any]) -> str:
    key = str(node.get("key", ""))
    if key in COMPONENT_LABELS:
        return component_label(key)
    if key.startswith("bonus:"):
        category = key.split(":", 1)[1]
        try:
            name = str(BonusCategory(int(category)).label)
        except ValueError:
            name = ""
        return (gettext("第 %(n)s 类") % {"n": category}) + (f" {name}" if name else "")
    code = node.get("code")
    label = str(node.get("label", key))
    return f"{code} {label}" if code and ":" in key else label


class ReviewerNames:
    """How reviewers appear on one card: by name for those entitled, else numbered per leaf."""

    def __init__(self, *, show: bool, names: Mapping[str, str] | None = None) -> None:
        self.show = show
        self.names = dict(names or {})

    def label(self, username: str, position: int) -> str:
        if not self.show:
            return gettext("评估组成员 %(n)s") % {"n": position}
        name = self.names.get(username)
        return f"{name} ({username})" if name and name != username else username


def _part_label(part: str) -> str:
    try:
        return str(Part(part).label) if part and part != Part.TOTAL else ""
    except ValueError:
        return part


def _level_label(level: str) -> str:
    try:
        return str(DeductionLevel(level).label)
    except ValueError:
        return level


def _inputs(raw: Iterable[Mapping[str, Any]], reviewers: ReviewerNames) -> list[dict[str, str]]:
    """The inputs of one node as rows of (label, value, note)."""
    rows: list[dict[str, str]] = []
    positions: dict[str, int] = {}
    for item in raw:
        kind = item.get("kind")
        if kind == "review":
            username = str(item.get("reviewer", ""))
            position = positions.setdefault(username, len(positions) + 1)
            rows.append(
                {
                    "label": reviewers.label(username, position),
                    "value": str(item.get("score", "")),
                    "note": _part_label(str(item.get("part", ""))),
                }
            )
        elif kind == "count":
            per = item.get("per_finding")
            rows.append(
                {
                    "label": gettext("发现问题数"),
                    "value": str(item.get("count", "")),
                    "note": gettext("每起扣 %(p)s 分") % {"p": per} if per is not None else "",
                }
            )
        elif kind == "ratio":
            rows.append(
                {"label": gettext("实际完成值"), "value": _or_dash(item.get("actual")), "note": ""}
            )
            rows.append(
                {"label": gettext("目标值"), "value": _or_dash(item.get("target")), "note": ""}
            )
        elif kind == "score":
            rows.append(
                {"label": gettext("录入得分"), "value": str(item.get("score", "")), "note": ""}
            )
        elif kind == "bonus":
            rows.append(
                {
                    "label": str(item.get("title", "")),
                    "value": str(item.get("points", "")),
                    "note": gettext("第 %(n)s 类") % {"n": item.get("category", "")},
                }
            )
        elif kind == "deduction":
            description = str(item.get("description", ""))
            code = str(item.get("code", ""))
            rows.append(
                {
                    "label": f"{code} {description}".strip(),
                    "value": str(item.get("amount", "")),
                    "note": gettext("%(level)s：%(rule)s")
                    % {
                        "level": _level_label(str(item.get("level", ""))),
                        "rule": item.get("rule", ""),
                    },
                }
            )
        else:
            rows.append({"label": str(kind or ""), "value": "", "note": ""})
    return rows


def _or_dash(value: Any) -> str:
    return "—" if value is None else str(value)


def present(
    explanation: Mapping[str, Any], *, reviewers: ReviewerNames, formula_labels: str = ""
) -> dict[str, Any]:
    """A copy of the explanation tree ready for the template.

    Each node has ``id`` (an HTML id), ``label``, ``value``, ``rule`` (translated, with the
    result appended to pure arithmetic), ``inputs`` as rows and ``children``. The root also
    carries ``formula``: the cycle's formula written with the components' names.
    """

    def walk(node: Mapping[str, Any]) -> dict[str, Any]:
        key = str(node.get("key", ""))
        value = str(node.get("value", ""))
        return {
            "key": key,
            "id": "explain-" + re.sub(r"[^\w-]", "-", key),
            "label": _node_label(node),
            "value": value,
            "points": node.get("points"),
            "rule": _with_result(translate_rule(str(node.get("rule", ""))), value),
            "inputs": _inputs(node.get("inputs") or (), reviewers),
            "children": [walk(child) for child in node.get("children") or ()],
            "missing": bool(node.get("missing")),
            # Leaves, bonus categories and deduction lines are what entries change.
            "history": bool(node.get("method")) or key.startswith(("bonus:", "deduction_")),
        }

    root = walk(explanation)
    root["formula"] = formula_labels
    return root


# Last year beside each line ----------------------------------------------------------------

#: Explanation keys that are stored as columns of a result.
_RESULT_COLUMNS = frozenset(
    {
        "composite",
        "indicator",
        "performance",
        "self_construction",
        "city_incentive",
        "public",
        "bonus",
        "deduction",
    }
)


def add_previous(
    tree: dict[str, Any], previous: Any, *, precision: int, signed: Callable[[Any, int], str]
) -> None:
    """Put last year's value (``previous``, a stored result) and the change beside each node
    of a presented explanation: components from the result's columns, leaves from its leaf
    scores (matched by tree and code), an indicator area as the sum of its leaves when every
    one of them has a value last year. Nodes without a counterpart get nothing."""
    from decimal import Decimal, InvalidOperation

    from jixiao.scoring.rounding import quantize

    if previous is None:
        return
    leaf_scores: Mapping[str, Any] = previous.leaf_scores or {}

    def walk(node: dict[str, Any]) -> Decimal | None:
        key = str(node.get("key", ""))
        below = [walk(child) for child in node.get("children") or ()]
        before: Decimal | None = None
        if key in _RESULT_COLUMNS:
            before = getattr(previous, key)
        elif key in leaf_scores:
            before = Decimal(str(leaf_scores[key]))
        elif ":" in key and below and all(value is not None for value in below):
            before = sum((value for value in below if value is not None), Decimal(0))
        if before is not None:
            node["previous"] = format(quantize(before, precision), "f")
            try:
                node["change"] = signed(Decimal(str(node.get("value"))) - before, precision)
            except InvalidOperation:
                node["change"] = ""
        return before

    walk(tree)
