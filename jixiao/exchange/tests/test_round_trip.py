from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from jixiao.accounts.models import Membership, Role, Unit, User
from jixiao.core.models import AuditEntry
from jixiao.cycles.models import Cycle
from jixiao.exchange.schema import SCHEMA
from jixiao.exchange.services import export_cycle, import_cycle, write_archive
from jixiao.exchange.tests.builders import build_rich_cycle
from jixiao.scoring.models import Result
from jixiao.scoring.services import recompute_cycle

pytestmark = pytest.mark.django_db


def _d(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def results_of(cycle: Cycle) -> list[tuple[Any, ...]]:
    """Every stored number of every result, comparable across databases."""
    rows = Result.objects.filter(cycle=cycle).select_related("unit", "group")
    return sorted(
        (
            r.unit.code,
            r.group.code,
            _d(r.performance),
            _d(r.self_construction),
            _d(r.indicator),
            _d(r.city_incentive),
            _d(r.public),
            _d(r.bonus),
            _d(r.deduction),
            _d(r.composite),
            r.rank,
            r.grade,
            r.provisional,
            tuple(r.missing),
            tuple(sorted((k, _d(Decimal(v))) for k, v in r.leaf_scores.items())),
            r.inputs_hash,
        )
        for r in rows
    )


def without_time(document: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in document.items() if k != "exported_at"}, ensure_ascii=False)


def wipe() -> None:
    """Delete every cycle, unit and user: the archive must carry all of it."""
    Cycle.objects.all().delete()
    Membership.objects.all().delete()
    Unit.objects.filter(parent__isnull=False).delete()
    Unit.objects.all().delete()
    User.objects.all().delete()


def test_round_trip_through_an_empty_database_gives_identical_results_and_hashes() -> None:
    cycle = build_rich_cycle()
    summary = recompute_cycle(cycle=cycle)
    before = results_of(cycle)
    assert summary.units == 5 and summary.provisional == 1
    document = export_cycle(cycle=cycle)
    text = json.dumps(document, ensure_ascii=False)

    wipe()
    assert not Result.objects.exists()
    imported = import_cycle(document=text.encode("utf-8"), by=None)
    again = recompute_cycle(cycle=imported.cycle)

    assert again.results_hash == summary.results_hash == document["results"]["results_hash"]
    assert results_of(imported.cycle) == before
    assert imported.units_reused == 0 and imported.users_reused == 0
    assert imported.counts["units_created"] == 7  # 5 assessed, the legal office, the district
    # A second export of the imported cycle is the same document.
    assert without_time(export_cycle(cycle=imported.cycle)) == without_time(document)


def test_imported_users_have_no_usable_password_and_keep_their_roles() -> None:
    cycle = build_rich_cycle()
    document = export_cycle(cycle=cycle)
    wipe()
    summary = import_cycle(document=document, by=None)

    reviewer = User.objects.get(username="2020-r3")
    assert not reviewer.has_usable_password()
    assert reviewer.email == "r3@example.org"
    roles: set[tuple[str, str, str | None, str | None]] = set(
        Membership.objects.values_list("user__username", "role", "unit__code", "cycle__code")
    )
    assert ("2020-r3", Role.REVIEWER, None, "2020") in roles
    assert ("2020-c1", Role.COLLECTOR, "2020-C01", "2020") in roles
    assert ("2020-admin", Role.OFFICE_ADMIN, None, None) in roles
    assert ("2020-op1", Role.UNIT_OPERATOR, "2020-U01", None) in roles
    assert Unit.objects.get(code="2020-U04").parent == Unit.objects.get(code="2020-X00")
    assert summary.cycle.groups.count() == 2
    assert not summary.cycle.participations.filter(unit__code="2020-C01").exists()


def test_existing_units_and_users_are_reused() -> None:
    cycle = build_rich_cycle()
    recompute_cycle(cycle=cycle)
    document = export_cycle(cycle=cycle)
    document["cycle"]["code"] = "2020-copy"
    document["units"][0]["name"] = "另一个名字"
    admin = User.objects.get(username="2020-admin")
    memberships = Membership.objects.count()

    summary = import_cycle(document=document, by=admin)

    assert summary.units_reused == 7 and summary.users_reused == 8
    assert summary.counts["units_created"] == 0 and summary.counts["users_created"] == 0
    assert Unit.objects.get(code=document["units"][0]["code"]).name != "另一个名字"
    assert any("另一个名字" in note for note in summary.notes)
    # Cycle roles are created for the copy; standing roles exist already and are not doubled.
    cycle_roles = Membership.objects.filter(cycle=cycle).count()
    assert Membership.objects.count() == memberships + cycle_roles
    copy = recompute_cycle(cycle=summary.cycle)
    assert [r[2:] for r in results_of(summary.cycle)] == [r[2:] for r in results_of(cycle)]
    assert copy.results_hash == cycle.results_hash
    entry = AuditEntry.objects.get(action="import_cycle")
    assert entry.actor == admin and entry.cycle_code == "2020-copy"
    assert entry.new is not None
    assert entry.new["counts"]["reviews"] == summary.counts["reviews"]


def test_two_exports_differ_only_in_their_time() -> None:
    cycle = build_rich_cycle()
    recompute_cycle(cycle=cycle)
    assert without_time(export_cycle(cycle=cycle)) == without_time(export_cycle(cycle=cycle))


def test_export_writes_decimal_strings_and_validates_against_the_schema() -> None:
    cycle = build_rich_cycle()
    recompute_cycle(cycle=cycle)
    document = export_cycle(cycle=cycle)

    Draft202012Validator.check_schema(SCHEMA)
    Draft202012Validator(SCHEMA).validate(document)
    assert document["cycle"]["performance_total"] == "200.00"
    assert document["indicators"]["self_construction"][0]["children"][1]["points_per_finding"] == (
        "7.50"
    )
    assert {r["code"] for r in document["units"] if r["group"] is None} == {
        "2020-C01",
        "2020-X00",
    }
    units = document["results"]["units"]
    assert [(u["unit"], u["rank"]) for u in units][:3] == sorted(
        ((u["unit"], u["rank"]) for u in units if u["group"] == "G1"), key=lambda x: x[1]
    )


def test_write_archive_writes_utf8_to_text_and_binary_streams() -> None:
    cycle = build_rich_cycle()
    binary = io.BytesIO()
    text = io.StringIO()
    write_archive(cycle=cycle, stream=binary)
    write_archive(cycle=cycle, stream=text)
    raw = binary.getvalue()
    assert "政府部门".encode() in raw  # not \\u escapes
    assert without_time(json.loads(raw)) == without_time(json.loads(text.getvalue()))


def test_export_runs_the_same_number_of_queries_for_more_units() -> None:
    small = build_rich_cycle("S", assessed=4)
    large = build_rich_cycle("L", assessed=9)
    with CaptureQueriesContext(connection) as few:
        export_cycle(cycle=small)
    with CaptureQueriesContext(connection) as many:
        export_cycle(cycle=large)
    # groups, participations, indicators, six input tables, results, memberships,
    # two levels of units (the assessed units, then their parent), users.
    assert len(few) == len(many) == 14, "\n".join(q["sql"] for q in many.captured_queries)
