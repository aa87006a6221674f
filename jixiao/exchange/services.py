"""The cycle archive: a whole cycle as one JSON document, exported and imported.

The layout is described in ``docs/exchange-format.md``; the schema is in ``schema.py`` and the
checks in ``validation.py``. Export reads each table once for the cycle; import checks the
whole document first and then writes everything in one transaction with bulk inserts.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jixiao.accounts.models import Membership, Unit, User
from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem
from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, GradeMode, Participation, Phase, RankingGroup
from jixiao.evaluations.models import CollectionValue, ReviewScore
from jixiao.exchange.schema import FORMAT, VERSION
from jixiao.exchange.validation import ArchiveError, ArchiveProblem, Checked, check_document
from jixiao.indicators.models import Aggregation, Indicator, Tree
from jixiao.scoring.models import Result
from jixiao.surveys.models import PublicScore

__all__ = [
    "ArchiveError",
    "ArchiveProblem",
    "ImportSummary",
    "check_archive",
    "export_cycle",
    "import_cycle",
    "write_archive",
]

BATCH = 1000
_CENT = Decimal("0.01")


# Export ------------------------------------------------------------------------------------


def _num(value: Decimal | int | None) -> str | None:
    """A column value as a decimal string with the column's two places ("12.50").

    SQLite hands back ``Decimal("20")`` where PostgreSQL hands back ``Decimal("20.00")``;
    fixing the places makes both exports identical.
    """
    if value is None:
        return None
    return format(Decimal(value).quantize(_CENT), "f")


def _result_num(value: Decimal, precision: int) -> str:
    """A result value (stored with four places) with the cycle's places, or more if needed."""
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    places = max(precision, -exponent if isinstance(exponent, int) else 0)
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


def _sorted_json(value: Any) -> Any:
    """JSON with object keys sorted: PostgreSQL's jsonb reorders keys, SQLite keeps them."""
    if isinstance(value, dict):
        return {str(k): _sorted_json(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted_json(v) for v in value]
    return value


def _cycle_section(cycle: Cycle) -> dict[str, Any]:
    return {
        "code": cycle.code,
        "name": cycle.name,
        "phase": cycle.phase,
        "scale": _num(cycle.scale),
        "formula": cycle.formula,
        "precision": cycle.precision,
        "performance_total": _num(cycle.performance_total),
        "self_construction_total": _num(cycle.self_construction_total),
        "grade_mode": cycle.grade_mode,
        "grade_rules": _sorted_json(cycle.grade_rules),
        "bonus_categories": _sorted_json(cycle.bonus_categories),
        "bonus_total_cap": _num(cycle.bonus_total_cap),
        "multipliers": {
            "district": _num(cycle.multiplier_district),
            "city": _num(cycle.multiplier_city),
            "province": _num(cycle.multiplier_province),
        },
    }


_INDICATOR_FIELDS = (
    "id",
    "parent_id",
    "tree",
    "unit_id",
    "code",
    "name",
    "points",
    "method",
    "aggregation",
    "points_per_finding",
    "completion_points",
    "progress_points",
    "source",
    "source_detail",
    "target",
    "rule",
    "collection_unit_id",
    "responsible_office",
    "responsible_person",
    "deadline",
)


def _trees(
    rows: list[dict[str, Any]], unit_code: dict[int, str]
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Flat indicator rows (ordered by order, id) → the common tree and each unit's tree."""
    children_of: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        children_of[row["parent_id"]].append(row)

    def node(row: dict[str, Any]) -> dict[str, Any]:
        deadline = row["deadline"]
        collection_unit = row["collection_unit_id"]
        return {
            "code": row["code"],
            "name": row["name"],
            "points": _num(row["points"]),
            "method": row["method"] or None,
            "aggregation": row["aggregation"],
            "points_per_finding": _num(row["points_per_finding"]),
            "completion_points": _num(row["completion_points"]),
            "progress_points": _num(row["progress_points"]),
            "source": row["source"] or None,
            "source_detail": row["source_detail"],
            "target": row["target"],
            "rule": row["rule"],
            "collection_unit": unit_code[collection_unit] if collection_unit else None,
            "responsible_office": row["responsible_office"],
            "responsible_person": row["responsible_person"],
            "deadline": deadline.isoformat() if deadline else None,
            "children": [node(child) for child in children_of.get(row["id"], ())],
        }

    common: list[dict[str, Any]] = []
    performance: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in children_of.get(None, ()):
        if row["tree"] == Tree.SELF_CONSTRUCTION:
            common.append(node(row))
        else:
            performance[unit_code[row["unit_id"]]].append(node(row))
    return common, {code: performance[code] for code in sorted(performance)}


def export_cycle(*, cycle: Cycle) -> dict[str, Any]:
    """The whole cycle as a JSON-ready dict (format ``jixiao-cycle-archive``, version 1).

    Reads each table once (plus one query per level of unit ancestry), whatever the number of
    units and indicators. Lists are in a fixed order, so two exports of the same data differ
    only in ``exported_at``, on SQLite and PostgreSQL alike.
    """
    groups = list(
        RankingGroup.objects.filter(cycle=cycle)
        .order_by()
        .values_list("id", "code", "name", "order")
    )
    group_code = {gid: code for gid, code, _name, _order in groups}
    participation = dict(
        Participation.objects.filter(cycle=cycle).values_list("unit_id", "group_id")
    )
    indicator_rows = list(
        Indicator.objects.filter(cycle=cycle).order_by("order", "id").values(*_INDICATOR_FIELDS)
    )
    reviews = list(
        ReviewScore.objects.filter(cycle=cycle).values_list(
            "unit_id",
            "indicator__tree",
            "indicator__code",
            "reviewer_id",
            "part",
            "score",
            "comment",
        )
    )
    collection = list(
        CollectionValue.objects.filter(cycle=cycle).values_list(
            "unit_id",
            "indicator__tree",
            "indicator__code",
            "score",
            "finding_count",
            "actual",
            "target",
            "note",
        )
    )
    city = list(
        CityIncentive.objects.filter(cycle=cycle).values_list("unit_id", "points", "source")
    )
    public = list(
        PublicScore.objects.filter(cycle=cycle).values_list(
            "unit_id", "score", "responses", "source"
        )
    )
    bonuses = list(
        BonusItem.objects.filter(cycle=cycle).values_list(
            "unit_id", "category", "title", "points", "approved"
        )
    )
    deductions = list(
        DeductionItem.objects.filter(cycle=cycle).values_list(
            "unit_id", "standard_code", "description", "count", "points", "level", "found_on"
        )
    )
    results = list(
        Result.objects.filter(cycle=cycle)
        .order_by()
        .values_list(
            "unit_id",
            "group__code",
            "group__order",
            "performance",
            "self_construction",
            "indicator",
            "city_incentive",
            "public",
            "bonus",
            "deduction",
            "composite",
            "rank",
            "grade",
            "provisional",
            "inputs_hash",
        )
    )

    unit_ids: set[int] = set(participation)
    unit_ids.update(r["unit_id"] for r in indicator_rows if r["unit_id"])
    unit_ids.update(r["collection_unit_id"] for r in indicator_rows if r["collection_unit_id"])
    for rows in (reviews, collection, city, public, bonuses, deductions, results):
        unit_ids.update(row[0] for row in rows)
    # Roles held for this cycle, and standing roles that concern it (no unit, or a unit above).
    memberships = list(
        Membership.objects.filter(
            Q(cycle=cycle)
            | Q(cycle__isnull=True, unit__isnull=True)
            | Q(cycle__isnull=True, unit_id__in=unit_ids)
        ).values_list("user_id", "role", "unit_id", "cycle_id")
    )
    unit_ids.update(m[2] for m in memberships if m[2])
    user_ids = {m[0] for m in memberships} | {r[3] for r in reviews}

    units: dict[int, tuple[str, str, str, int | None, bool]] = {}
    wanted = set(unit_ids)
    while wanted:  # one query per level of ancestry: parents must travel with their units
        for uid, code, name, short, parent, active in (
            Unit.objects.filter(id__in=wanted).order_by()
        ).values_list("id", "code", "name", "short_name", "parent_id", "active"):
            units[uid] = (code, name, short, parent, active)
        wanted = {u[3] for u in units.values() if u[3] and u[3] not in units}
    unit_code = {uid: u[0] for uid, u in units.items()}

    users = {
        uid: (username, display, email)
        for uid, username, display, email in User.objects.filter(id__in=user_ids).values_list(
            "id", "username", "display_name", "email"
        )
    }
    roles: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for user_id, role, unit_id, cycle_id in memberships:
        roles[user_id].append(
            {
                "role": role,
                "unit": unit_code[unit_id] if unit_id else None,
                "cycle_scoped": cycle_id is not None,
            }
        )
    common, performance = _trees(indicator_rows, unit_code)

    def ordered(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        # Sort on every exported value: identical rows are interchangeable.
        return sorted(rows, key=lambda r: json.dumps(list(r.values()), ensure_ascii=False))

    precision = cycle.precision
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "cycle": _cycle_section(cycle),
        "groups": [
            {"code": code, "name": name, "order": order}
            for _id, code, name, order in sorted(groups, key=lambda g: (g[3], g[1]))
        ],
        "units": [
            {
                "code": code,
                "name": name,
                "short_name": short,
                "parent": unit_code[parent] if parent else None,
                "active": active,
                "group": group_code[participation[uid]] if uid in participation else None,
            }
            for uid, (code, name, short, parent, active) in sorted(
                units.items(), key=lambda item: item[1][0]
            )
        ],
        "users": [
            {
                "username": username,
                "display_name": display,
                "email": email,
                "roles": sorted(
                    roles.get(uid, []),
                    key=lambda r: (r["role"], r["unit"] or "", r["cycle_scoped"]),
                ),
            }
            for uid, (username, display, email) in sorted(users.items(), key=lambda u: u[1][0])
        ],
        "indicators": {"self_construction": common, "performance": performance},
        "inputs": {
            "reviews": ordered(
                {
                    "unit": unit_code[unit_id],
                    "tree": tree,
                    "indicator": code,
                    "reviewer": users[reviewer][0],
                    "part": part,
                    "score": _num(score),
                    "comment": comment,
                }
                for unit_id, tree, code, reviewer, part, score, comment in reviews
            ),
            "collection": ordered(
                {
                    "unit": unit_code[unit_id],
                    "tree": tree,
                    "indicator": code,
                    "score": _num(score),
                    "finding_count": count,
                    "actual": _num(actual),
                    "target": _num(target),
                    "note": note,
                }
                for unit_id, tree, code, score, count, actual, target, note in collection
            ),
            "city_incentives": ordered(
                {"unit": unit_code[unit_id], "points": _num(points), "source": source}
                for unit_id, points, source in city
            ),
            "public_scores": ordered(
                {
                    "unit": unit_code[unit_id],
                    "score": _num(score),
                    "responses": responses,
                    "source": source,
                }
                for unit_id, score, responses, source in public
            ),
            "bonuses": ordered(
                {
                    "unit": unit_code[unit_id],
                    "category": category,
                    "title": title,
                    "points": _num(points),
                    "approved": approved,
                }
                for unit_id, category, title, points, approved in bonuses
            ),
            "deductions": ordered(
                {
                    "unit": unit_code[unit_id],
                    "standard_code": code,
                    "description": description,
                    "count": count,
                    "points": _num(points),
                    "level": level,
                    "found_on": found_on.isoformat() if found_on else None,
                }
                for unit_id, code, description, count, points, level, found_on in deductions
            ),
        },
        "results": {
            "results_hash": cycle.results_hash or None,
            "units": [
                {
                    "unit": unit_code[row[0]],
                    "group": row[1],
                    **{
                        name: _result_num(value, precision)
                        for name, value in zip(
                            (
                                "performance",
                                "self_construction",
                                "indicator",
                                "city_incentive",
                                "public",
                                "bonus",
                                "deduction",
                                "composite",
                            ),
                            row[3:11],
                            strict=True,
                        )
                    },
                    "rank": row[11],
                    "grade": row[12],
                    "provisional": row[13],
                    "inputs_hash": row[14],
                }
                for row in sorted(results, key=lambda r: (r[2], r[1], r[11], unit_code[r[0]]))
            ],
        },
    }
    return document


def write_archive(*, cycle: Cycle, stream: IO[str] | IO[bytes]) -> None:
    """Write the cycle's archive to ``stream`` as UTF-8 JSON (text or binary stream)."""
    document = export_cycle(cycle=cycle)
    encoder = json.JSONEncoder(ensure_ascii=False, indent=1)
    binary = isinstance(stream, io.RawIOBase | io.BufferedIOBase) or (
        "b" in getattr(stream, "mode", "")
    )
    for chunk in encoder.iterencode(document):
        stream.write(chunk.encode("utf-8") if binary else chunk)  # type: ignore[arg-type]
    stream.write(b"\n" if binary else "\n")  # type: ignore[arg-type]


# Import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    cycle: Cycle
    replaced: bool
    counts: dict[str, int]  # rows written, by kind
    units_reused: int
    users_reused: int
    notes: tuple[str, ...] = field(default=())  # e.g. an existing unit kept its own name
    archive_results_hash: str | None = None  # the hash the archive claims; recompute to compare


def check_archive(
    *, document: dict[str, Any] | bytes | str, replace: bool = False
) -> list[ArchiveProblem]:
    """Every problem an import of ``document`` would refuse; an empty list means it would run."""
    return check_document(document, replace=replace)[2]


def import_cycle(
    *, document: dict[str, Any] | bytes | str, by: Any, replace: bool = False
) -> ImportSummary:
    """Create a cycle, with everything in it, from an archive.

    Side effects: checks the whole document first and raises :class:`ArchiveError` with every
    problem (and its JSON path) without writing anything. Otherwise, in one transaction:
    deletes the existing cycle of the same code when ``replace`` is set, creates the cycle,
    its groups, participations, trees and inputs, creates the units and users it does not
    find (new users get an unusable password; existing ones are reused as they are), creates
    the memberships, and records one audit entry. Results are not written: run recompute.
    """
    doc, checked, problems = check_document(document, replace=replace)
    if problems:
        raise ArchiveError(problems)
    with transaction.atomic():
        return _write(doc, checked, by=by)


def _d(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(value)


def _d_or(value: Any, default: Any) -> Decimal:
    number = _d(value)
    return default if number is None else number


def _write(doc: dict[str, Any], checked: Checked, *, by: Any) -> ImportSummary:
    counts: dict[str, int] = {}
    c = doc["cycle"]
    old_hash = None
    replaced = False
    existing = checked.existing_cycle
    if existing is not None:
        existing = Cycle.objects.select_for_update().get(pk=existing.pk)
        old_hash = existing.results_hash
        existing.delete()
        replaced = True

    field_default = {
        f: Cycle._meta.get_field(f).get_default()  # type: ignore[union-attr]
        for f in (
            "phase",
            "scale",
            "grade_mode",
            "grade_rules",
            "bonus_categories",
            "multiplier_district",
            "multiplier_city",
            "multiplier_province",
        )
    }
    multipliers = c.get("multipliers") or {}
    cycle = Cycle(
        code=c["code"],
        name=c["name"],
        phase=c.get("phase", Phase.PREPARATION),
        scale=_d_or(c.get("scale"), field_default["scale"]),
        formula=c["formula"],
        precision=c["precision"],
        performance_total=Decimal(c["performance_total"]),
        self_construction_total=Decimal(c["self_construction_total"]),
        grade_mode=c.get("grade_mode", GradeMode.BANDS),
        grade_rules=c.get("grade_rules", field_default["grade_rules"]),
        bonus_categories=c.get("bonus_categories", field_default["bonus_categories"]),
        bonus_total_cap=_d(c.get("bonus_total_cap")),
        multiplier_district=_d_or(
            multipliers.get("district"), field_default["multiplier_district"]
        ),
        multiplier_city=_d_or(multipliers.get("city"), field_default["multiplier_city"]),
        multiplier_province=_d_or(
            multipliers.get("province"), field_default["multiplier_province"]
        ),
    )
    try:
        cycle.full_clean()
    except ValidationError as exc:  # the checks should have caught it; never write half
        raise ArchiveError(
            ArchiveProblem(f"$.cycle.{name}" if name != "__all__" else "$.cycle", message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ) from exc
    cycle.save()

    groups = RankingGroup.objects.bulk_create(
        [
            RankingGroup(cycle=cycle, code=g["code"], name=g["name"], order=g.get("order", 0))
            for g in doc["groups"]
        ]
    )
    group_by_code = {g.code: g for g in groups}
    counts["groups"] = len(groups)

    # Units: reuse by code, create the others, then link the new ones to their parents.
    unit_docs = doc["units"]
    units = {u.code: u for u in Unit.objects.filter(code__in=[u["code"] for u in unit_docs])}
    units_reused = len(units)
    new_units = [
        Unit(
            code=u["code"],
            name=u["name"],
            short_name=u.get("short_name", ""),
            active=u.get("active", True),
        )
        for u in unit_docs
        if u["code"] not in units
    ]
    Unit.objects.bulk_create(new_units, batch_size=BATCH)
    units.update((u.code, u) for u in new_units)
    parent_of = {u["code"]: u.get("parent") for u in unit_docs}
    linked = []
    for unit in new_units:
        parent = parent_of.get(unit.code)
        if parent:
            unit.parent = units[parent]
            linked.append(unit)
    Unit.objects.bulk_update(linked, ["parent"], batch_size=BATCH)
    counts["units_created"] = len(new_units)

    participations = Participation.objects.bulk_create(
        [
            Participation(cycle=cycle, unit=units[u["code"]], group=group_by_code[u["group"]])
            for u in unit_docs
            if u.get("group")
        ],
        batch_size=BATCH,
    )
    counts["participations"] = len(participations)

    user_docs = doc["users"]
    users = {
        u.username: u for u in User.objects.filter(username__in=[u["username"] for u in user_docs])
    }
    users_reused = len(users)
    unusable = make_password(None)
    new_users = [
        User(
            username=u["username"],
            display_name=u.get("display_name", ""),
            email=u.get("email", ""),
            password=unusable,
        )
        for u in user_docs
        if u["username"] not in users
    ]
    User.objects.bulk_create(new_users, batch_size=BATCH)
    users.update((u.username, u) for u in new_users)
    counts["users_created"] = len(new_users)

    # Standing (not cycle-scoped) roles may exist already: add only the missing ones.
    standing: set[tuple[int, str, int | None]] = set(
        Membership.objects.filter(
            cycle__isnull=True, user__in=[users[u["username"]] for u in user_docs]
        ).values_list("user_id", "role", "unit_id")
    )
    memberships = []
    for u in user_docs:
        user = users[u["username"]]
        for r in u.get("roles", []):
            held_for = units[r["unit"]] if r.get("unit") else None
            if r.get("cycle_scoped", True):
                memberships.append(
                    Membership(user=user, role=r["role"], unit=held_for, cycle=cycle)
                )
            elif (user.pk, r["role"], held_for.pk if held_for else None) not in standing:
                memberships.append(Membership(user=user, role=r["role"], unit=held_for, cycle=None))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    counts["memberships"] = len(memberships)

    indicators = _create_indicators(doc["indicators"], cycle=cycle, units=units)
    counts["indicators"] = len(indicators)

    def leaf(row: dict[str, Any]) -> Indicator:
        owner = row["unit"] if row["tree"] == Tree.PERFORMANCE else None
        return indicators[(row["tree"], owner, row["indicator"])]

    inputs = doc.get("inputs", {})
    counts["reviews"] = len(
        ReviewScore.objects.bulk_create(
            (
                ReviewScore(
                    cycle=cycle,
                    unit=units[r["unit"]],
                    indicator=leaf(r),
                    reviewer=users[r["reviewer"]],
                    part=r.get("part", "total"),
                    score=Decimal(r["score"]),
                    comment=r.get("comment", ""),
                )
                for r in inputs.get("reviews", [])
            ),
            batch_size=BATCH,
        )
    )
    counts["collection"] = len(
        CollectionValue.objects.bulk_create(
            (
                CollectionValue(
                    cycle=cycle,
                    unit=units[r["unit"]],
                    indicator=leaf(r),
                    score=_d(r.get("score")),
                    finding_count=r.get("finding_count"),
                    actual=_d(r.get("actual")),
                    target=_d(r.get("target")),
                    note=r.get("note", ""),
                )
                for r in inputs.get("collection", [])
            ),
            batch_size=BATCH,
        )
    )
    counts["city_incentives"] = len(
        CityIncentive.objects.bulk_create(
            (
                CityIncentive(
                    cycle=cycle,
                    unit=units[r["unit"]],
                    points=Decimal(r["points"]),
                    source=r.get("source", ""),
                )
                for r in inputs.get("city_incentives", [])
            ),
            batch_size=BATCH,
        )
    )
    counts["public_scores"] = len(
        PublicScore.objects.bulk_create(
            (
                PublicScore(
                    cycle=cycle,
                    unit=units[r["unit"]],
                    score=Decimal(r["score"]),
                    responses=r.get("responses"),
                    source=r.get("source", ""),
                )
                for r in inputs.get("public_scores", [])
            ),
            batch_size=BATCH,
        )
    )
    counts["bonuses"] = len(
        BonusItem.objects.bulk_create(
            (
                BonusItem(
                    cycle=cycle,
                    unit=units[r["unit"]],
                    category=r["category"],
                    title=r["title"],
                    points=Decimal(r["points"]),
                    approved=r.get("approved", False),
                )
                for r in inputs.get("bonuses", [])
            ),
            batch_size=BATCH,
        )
    )
    counts["deductions"] = len(
        DeductionItem.objects.bulk_create(
            (
                DeductionItem(
                    cycle=cycle,
                    unit=units[r["unit"]],
                    standard_code=r["standard_code"],
                    description=r.get("description", ""),
                    count=r.get("count", 1),
                    points=Decimal(r["points"]),
                    level=r.get("level", "district"),
                    found_on=r.get("found_on"),
                )
                for r in inputs.get("deductions", [])
            ),
            batch_size=BATCH,
        )
    )

    results = doc.get("results") or {}
    archive_hash = results.get("results_hash") if isinstance(results, dict) else None
    record_audit(
        by=by,
        action="import_cycle",
        obj=cycle,
        cycle_code=cycle.code,
        old={"results_hash": old_hash} if replaced else None,
        new={
            "counts": counts,
            "units_reused": units_reused,
            "users_reused": users_reused,
            "exported_at": doc.get("exported_at"),
            "archive_results_hash": archive_hash,
        },
        reason="replaced from an archive" if replaced else "imported from an archive",
    )
    return ImportSummary(
        cycle=cycle,
        replaced=replaced,
        counts=counts,
        units_reused=units_reused,
        users_reused=users_reused,
        notes=tuple(checked.notes),
        archive_results_hash=archive_hash,
    )


# (node, tree, owning unit code or None, parent row, position among siblings)
_Pending = tuple[dict[str, Any], str, str | None, Indicator | None, int]


def _create_indicators(
    section: dict[str, Any], *, cycle: Cycle, units: dict[str, Unit]
) -> dict[tuple[str, str | None, str], Indicator]:
    """Insert every tree level by level (one bulk insert per depth, parents first).

    ``order`` is the position among siblings, which keeps the archive's order on the next
    export whatever the original numbering was.
    """
    level: list[_Pending] = []
    for i, node in enumerate(section.get("self_construction", [])):
        level.append((node, Tree.SELF_CONSTRUCTION, None, None, i))
    for unit_code, nodes in section.get("performance", {}).items():
        for i, node in enumerate(nodes):
            level.append((node, Tree.PERFORMANCE, unit_code, None, i))
    created: dict[tuple[str, str | None, str], Indicator] = {}
    while level:
        rows = [
            Indicator(
                cycle=cycle,
                tree=tree,
                unit=units[owner] if owner else None,
                parent=parent,
                code=node["code"],
                name=node["name"],
                order=order,
                points=Decimal(node["points"]),
                method=node.get("method") or "",
                aggregation=node.get("aggregation") or Aggregation.MEAN,
                points_per_finding=_d(node.get("points_per_finding")),
                completion_points=_d(node.get("completion_points")),
                progress_points=_d(node.get("progress_points")),
                source=node.get("source") or "",
                source_detail=node.get("source_detail", ""),
                target=node.get("target", ""),
                rule=node.get("rule", ""),
                collection_unit=units[node["collection_unit"]]
                if node.get("collection_unit")
                else None,
                responsible_office=node.get("responsible_office", ""),
                responsible_person=node.get("responsible_person", ""),
                deadline=node.get("deadline"),
            )
            for node, tree, owner, parent, order in level
        ]
        Indicator.objects.bulk_create(rows, batch_size=BATCH)
        next_level: list[_Pending] = []
        for row, (node, tree, owner, _parent, _order) in zip(rows, level, strict=True):
            created[(tree, owner, node["code"])] = row
            for i, child in enumerate(node.get("children", [])):
                next_level.append((child, tree, owner, row, i))
        level = next_level
    return created
