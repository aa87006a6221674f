"""Reads of score inputs, shaped for the engine's loader: plain tuples, one query each."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from jixiao.cycles.models import Cycle
from jixiao.evaluations.models import CollectionValue, ReviewScore


def review_rows(
    *, cycle: Cycle, unit_ids: list[int] | None = None
) -> Iterator[tuple[int, int, str, str, Decimal]]:
    """(unit id, indicator id, reviewer username, part, score) for every review of the cycle."""
    qs: Any = ReviewScore.objects.filter(cycle=cycle)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs.values_list(
        "unit_id", "indicator_id", "reviewer__username", "part", "score"
    ).iterator(chunk_size=5000)


def collection_rows(
    *, cycle: Cycle, unit_ids: list[int] | None = None
) -> Iterator[tuple[int, int, Decimal | None, int | None, Decimal | None, Decimal | None]]:
    """(unit id, indicator id, score, finding count, actual, target)."""
    qs: Any = CollectionValue.objects.filter(cycle=cycle)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs.values_list(
        "unit_id", "indicator_id", "score", "finding_count", "actual", "target"
    ).iterator(chunk_size=5000)
