"""Canonical, order-independent text of a unit's inputs and of a scheme, for hashing.

Two loads of the same data — in any row order, on SQLite or PostgreSQL, before or after an
archive round trip — give the same bytes and therefore the same SHA-256.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from jixiao.scoring.types import LeafInput, Node, Scheme, UnitInputs


def _d(value: Decimal | int | None) -> str:
    if value is None:
        return "-"
    # normalize() drops trailing zeros, so 20 and 20.00 (SQLite vs PostgreSQL) agree.
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _node(node: Node, out: list[str], depth: int = 0) -> None:
    out.append(
        f"{depth}|{node.code}|{_d(node.points)}|{node.method or ''}|{node.aggregation}|"
        f"{_d(node.points_per_finding)}|{_d(node.completion_points)}|{_d(node.progress_points)}"
    )
    for child in node.children:
        _node(child, out, depth + 1)


def _leaves(prefix: str, leaves: dict[str, LeafInput], out: list[str]) -> None:
    for code in sorted(leaves):
        leaf = leaves[code]
        reviews = sorted(f"{r.reviewer}:{r.part}:{_d(r.score)}" for r in leaf.reviews)
        out.append(
            f"{prefix}:{code}|{_d(leaf.score)}|{_d(leaf.count)}|{_d(leaf.actual)}|"
            f"{_d(leaf.target)}|{','.join(reviews)}"
        )


def unit_inputs_text(inputs: UnitInputs) -> str:
    out = [f"unit|{inputs.unit}|{inputs.group}"]
    for label, tree in (("P", inputs.performance_tree), ("S", inputs.self_construction_tree)):
        out.append(f"tree|{label}")
        if tree is not None:
            _node(tree, out)
    _leaves("P", inputs.performance_leaves, out)
    _leaves("S", inputs.self_construction_leaves, out)
    out.append(f"city|{_d(inputs.city_incentive)}")
    out.append(f"public|{_d(inputs.public)}")
    out.extend(
        sorted(
            f"bonus|{b.category}|{b.title}|{_d(b.points)}|{int(b.approved)}" for b in inputs.bonuses
        )
    )
    out.extend(
        sorted(
            f"deduction|{d.code}|{d.description}|{d.count}|{_d(d.points)}|{d.level}"
            for d in inputs.deductions
        )
    )
    return "\n".join(out)


def scheme_text(scheme: Scheme) -> str:
    categories = ";".join(
        f"{k}:{_d(v.cap)}:{int(v.stack)}" for k, v in sorted(scheme.bonus_categories.items())
    )
    multipliers = ";".join(f"{k}:{_d(v)}" for k, v in sorted(scheme.multipliers.items()))
    rule = scheme.grade_rule
    grades = ";".join(
        [f"{b.grade}>={_d(b.minimum)}" for b in rule.bands]
        + [f"{q.grade}:{_d(q.share)}" for q in rule.quotas]
    )
    return "\n".join(
        [
            f"formula|{scheme.formula}",
            f"precision|{scheme.precision}",
            f"scale|{_d(scheme.scale)}",
            f"bonus|{categories}|{_d(scheme.bonus_total_cap)}",
            f"multipliers|{multipliers}",
            f"grades|{rule.mode}|{grades}|{rule.rest}",
        ]
    )


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
