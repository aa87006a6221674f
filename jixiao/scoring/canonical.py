"""Canonical, order-independent text of a unit's inputs and of a scheme, for hashing.

Two loads of the same data — in any row order, on SQLite or PostgreSQL, before or after an
archive round trip — give the same bytes and therefore the same SHA-256.

A leaf's reviews appear as ``reviewer:part:score`` items (score without trailing zeros), sorted
by code point and joined with commas. A recompute loads reviews summarised per part, not one by
one; its loader builds that same text in SQL (see ``jixiao.scoring.selectors``) and passes it
in ``review_texts``, so a finalized cycle's stored hashes stay valid and any one changed score
still changes the hash, which a count, sum, minimum and maximum alone would not guarantee.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal

from jixiao.scoring.types import LeafInput, Node, Scheme, UnitInputs

# A few hundred distinct values (points, scores) recur across thousands of units; equal
# numbers have equal text, so 20 and 20.00 may share an entry. Bounded, since it never clears.
_TEXTS: dict[Decimal | int, str] = {}
_TEXTS_LIMIT = 50_000


def _d(value: Decimal | int | None) -> str:
    if value is None:
        return "-"
    text = _TEXTS.get(value)
    if text is None:
        # normalize() drops trailing zeros, so 20 and 20.00 (SQLite vs PostgreSQL) agree.
        text = format(Decimal(value).normalize(), "f")
        if text in ("-0", ""):
            text = "0"
        if len(_TEXTS) < _TEXTS_LIMIT:
            _TEXTS[value] = text
    return text


def _node(node: Node, out: list[str], depth: int = 0) -> None:
    d = _d
    method = node.method
    out.append(
        f"{depth}|{node.code}|{d(node.points)}|{method.value if method else ''}|"
        f"{node.aggregation.value}|{d(node.points_per_finding)}|{d(node.completion_points)}|"
        f"{d(node.progress_points)}"
    )
    for child in node.children:
        _node(child, out, depth + 1)


def reviews_text(items: list[str]) -> str:
    """The reviews of one leaf, from their ``reviewer:part:score`` items in any order."""
    return ",".join(sorted(items))


def _leaves(
    prefix: str,
    leaves: dict[str, LeafInput],
    out: list[str],
    review_texts: Mapping[str, str] | None,
) -> None:
    d = _d
    for code in sorted(leaves):
        leaf = leaves[code]
        key = prefix + ":" + code
        if leaf.reviews or review_texts is None:
            reviews = reviews_text([f"{r.reviewer}:{r.part}:{d(r.score)}" for r in leaf.reviews])
        else:
            reviews = review_texts.get(key, "")
        if (
            leaf.score is None
            and leaf.count is None
            and leaf.actual is None
            and leaf.target is None
        ):
            # Judged leaves, most of them, have no collected value.
            out.append(key + "|-|-|-|-|" + reviews)
        else:
            out.append(
                f"{key}|{d(leaf.score)}|{d(leaf.count)}|{d(leaf.actual)}|{d(leaf.target)}|{reviews}"
            )


# The common tree is one object shared by every unit of a load: its text is made once.
_shared_tree: tuple[Node | None, str] = (None, "")


def _tree_text(tree: Node) -> str:
    global _shared_tree
    if _shared_tree[0] is tree:
        return _shared_tree[1]
    out: list[str] = []
    _node(tree, out)
    text = "\n".join(out)
    _shared_tree = (tree, text)
    return text


def unit_inputs_text(inputs: UnitInputs, review_texts: Mapping[str, str] | None = None) -> str:
    """The canonical text of one unit's inputs.

    ``review_texts`` ("P:1.1" / "S:2.3" → :func:`reviews_text`) stands for the reviews of the
    leaves whose ``reviews`` are empty because they were loaded as summaries.
    """
    out = [f"unit|{inputs.unit}|{inputs.group}", "tree|P"]
    if inputs.performance_tree is not None:
        _node(inputs.performance_tree, out)
    out.append("tree|S")
    if inputs.self_construction_tree is not None:
        out.append(_tree_text(inputs.self_construction_tree))
    _leaves("P", inputs.performance_leaves, out, review_texts)
    _leaves("S", inputs.self_construction_leaves, out, review_texts)
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
