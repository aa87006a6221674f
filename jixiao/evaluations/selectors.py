"""Reads of score inputs, shaped for the engine's loader: plain tuples, one query each.

These run over every review of a cycle (hundreds of thousands of rows), so they are plain SQL
through the connection's cursor. Scores are ``numeric`` on PostgreSQL and come back as
``Decimal``; SQLite keeps them as integers and floats, which :func:`decimal_reader` turns back
into the exact two-decimal values that were stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from jixiao.cycles.models import Cycle
from jixiao.scoring.types import Part, ReviewStats

_PARTS = (Part.TOTAL, Part.COMPLETION, Part.PROGRESS)
_CHUNK = 5000


def decimal_reader() -> Callable[[Any], Decimal | None]:
    """A function turning a two-decimal column value of this database into a ``Decimal``."""
    if connection.vendor == "postgresql":
        return _same
    cache: dict[Any, Decimal] = {}

    def read(value: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        result = cache.get(value)
        if result is None:
            # Every score column has two decimal places; the float is the nearest binary value.
            result = cache[value] = Decimal(f"{value:.2f}")
        return result

    return read


def _same(value: Any) -> Any:
    return value


def _scope(column: str, unit_ids: Sequence[int] | None) -> tuple[str, list[int]]:
    if unit_ids is None:
        return "", []
    if not unit_ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(unit_ids))})", list(unit_ids)


def _rows(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(_CHUNK)
            if not chunk:
                return
            yield from chunk


def review_rows(
    *, cycle: Cycle, unit_ids: list[int] | None = None, aggregation: str | None = None
) -> Iterator[tuple[int, int, str, str, Decimal]]:
    """(unit id, indicator id, reviewer username, part, score) for every review of the cycle,
    or of the given units, or of the leaves aggregated by ``aggregation``."""
    clause, params = _scope("r.unit_id", unit_ids)
    join = ""
    if aggregation is not None:
        join = " JOIN indicators_indicator i ON i.id = r.indicator_id"
        clause += " AND i.aggregation = %s"
        params.append(aggregation)  # type: ignore[arg-type]
    read = decimal_reader()
    for unit_id, indicator_id, username, part, score in _rows(
        "SELECT r.unit_id, r.indicator_id, u.username, r.part, r.score"
        " FROM evaluations_reviewscore r JOIN accounts_user u ON u.id = r.reviewer_id" + join + ""
        " WHERE r.cycle_id = %s" + clause,
        [cycle.pk, *params],
    ):
        yield unit_id, indicator_id, username, part, read(score)  # type: ignore[misc]


def review_summaries(*, cycle: Cycle) -> Iterator[tuple[int, int, tuple[ReviewStats, ...], str]]:
    """Per unit × leaf with reviews: the count, sum, lowest and highest score of each part, and
    the canonical text of all its reviews (``jixiao.scoring.canonical.reviews_text``).

    The text is built in SQL from the same rows, so it names every reviewer and score without
    one Python object per review: ``username:part:score`` items, the score without trailing
    zeros (as ``canonical`` prints numbers, whatever the database's decimal type prints),
    sorted by code point. Within one part the items differ from their reviewer's name on, so
    ordering by ``username || ':'`` in PostgreSQL's "C" collation (code point order for UTF-8,
    as in Python) orders the items; a leaf judged in two parts merges its parts in Python.
    Numbering the users once and ordering each group by that integer is much cheaper than
    sorting the text of every group. SQLite before 3.44 cannot order inside ``group_concat``,
    so there every group is sorted in Python.
    """
    postgres = connection.vendor == "postgresql"
    if postgres:
        sql = (
            "WITH u AS (SELECT id, username || ':' AS name,"
            " row_number() OVER (ORDER BY username || ':' COLLATE \"C\") AS position"
            " FROM accounts_user)"
            " SELECT r.unit_id, r.indicator_id, r.part,"
            " COUNT(*), SUM(r.score), MIN(r.score), MAX(r.score),"
            " string_agg(u.name || r.part || ':' || trim_scale(r.score)::text, chr(31)"
            " ORDER BY u.position)"
            " FROM evaluations_reviewscore r JOIN u ON u.id = r.reviewer_id"
            " WHERE r.cycle_id = %s GROUP BY r.unit_id, r.indicator_id, r.part"
            " ORDER BY r.unit_id, r.indicator_id"
        )
    else:
        sql = (
            "SELECT r.unit_id, r.indicator_id, r.part,"
            # Sums in whole cents are exact; a sum of SQLite's floats need not be.
            " COUNT(*), SUM(CAST(round(r.score * 100) AS INTEGER)), MIN(r.score), MAX(r.score),"
            " group_concat(u.username || ':' || r.part || ':' ||"
            " rtrim(rtrim(printf('%%.2f', r.score), '0'), '.'), char(31))"
            " FROM evaluations_reviewscore r JOIN accounts_user u ON u.id = r.reviewer_id"
            " WHERE r.cycle_id = %s GROUP BY r.unit_id, r.indicator_id, r.part"
            " ORDER BY r.unit_id, r.indicator_id"
        )
    read = decimal_reader()
    cent = Decimal("0.01")
    parts = {part.value: part for part in _PARTS}
    # Rows come grouped by unit and leaf; a leaf's parts are collected until the next leaf.
    key: tuple[int, int] | None = None
    summaries: list[ReviewStats] = []
    texts: list[str] = []
    for unit_id, indicator_id, part, count, total, low, high, text in _rows(sql, [cycle.pk]):
        if (unit_id, indicator_id) != key:
            if key is not None:
                yield key[0], key[1], tuple(summaries), _joined(texts, postgres)
            key = (unit_id, indicator_id)
            summaries = []
            texts = []
        if postgres:
            summaries.append(ReviewStats(parts[part], count, total, low, high))
        else:
            summaries.append(
                ReviewStats(parts[part], count, Decimal(total) * cent, read(low), read(high))  # type: ignore[arg-type]
            )
        texts.append(text)
    if key is not None:
        yield key[0], key[1], tuple(summaries), _joined(texts, postgres)


def _joined(texts: list[str], ordered: bool) -> str:
    """One leaf's reviews text from the per-part texts (items separated by U+001F)."""
    if ordered and len(texts) == 1:
        return texts[0].replace("\x1f", ",")
    return ",".join(sorted([item for text in texts for item in text.split("\x1f")]))


def collection_rows(
    *, cycle: Cycle, unit_ids: list[int] | None = None
) -> Iterator[tuple[int, int, Decimal | None, int | None, Decimal | None, Decimal | None]]:
    """(unit id, indicator id, score, finding count, actual, target)."""
    clause, params = _scope("unit_id", unit_ids)
    read = decimal_reader()
    for unit_id, indicator_id, score, count, actual, target in _rows(
        "SELECT unit_id, indicator_id, score, finding_count, actual, target"
        " FROM evaluations_collectionvalue WHERE cycle_id = %s" + clause,
        [cycle.pk, *params],
    ):
        yield unit_id, indicator_id, read(score), count, read(actual), read(target)
