"""Shaping an engine explanation for a reader who may not see reviewers' names."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from django.utils.translation import gettext as _

from jixiao.scoring.types import Explanation


def _walk(entry: Explanation) -> Iterator[Explanation]:
    yield entry
    for child in entry.get("children") or ():
        yield from _walk(child)


def without_reviewer_names(explanation: Explanation) -> Explanation:
    """A copy of ``explanation`` with every reviewer's name replaced by "评估组成员 N".

    N numbers the distinct reviewers of this explanation in name order, so the same person
    keeps the same number on every indicator of the unit and from one request to the next.
    """
    result = copy.deepcopy(explanation)
    reviews = [
        item
        for entry in _walk(result)
        for item in entry.get("inputs") or ()
        if isinstance(item, dict) and "reviewer" in item
    ]
    numbers = {name: n for n, name in enumerate(sorted({str(r["reviewer"]) for r in reviews}), 1)}
    for item in reviews:
        item["reviewer"] = _("评估组成员 %(n)s") % {"n": numbers[str(item["reviewer"])]}
    return result
