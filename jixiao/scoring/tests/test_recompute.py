"""The recompute service and the results/recompute commands, against a real database."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from jixiao.accounts.models import Role
from jixiao.adjustments.models import BonusItem, CityIncentive, DeductionItem, Level
from jixiao.core.models import AuditEntry
from jixiao.core.testing import make_cycle, make_group, make_simple_trees, make_unit, make_user
from jixiao.cycles.models import Cycle, Phase
from jixiao.evaluations.models import CollectionValue
from jixiao.scoring.models import Result
from jixiao.scoring.services import recompute_cycle
from jixiao.surveys.models import PublicScore

pytestmark = pytest.mark.django_db


def _unit_with_scores(
    cycle: Cycle, group: object, code: str, perf: str, selfc: str, public: str
) -> None:
    unit = make_unit(code, cycle=cycle, group=group)  # type: ignore[arg-type]
    perf_leaf, self_leaf = make_simple_trees(cycle, unit)
    CollectionValue.objects.create(cycle=cycle, unit=unit, indicator=perf_leaf, score=Decimal(perf))
    CollectionValue.objects.create(
        cycle=cycle, unit=unit, indicator=self_leaf, score=Decimal(selfc)
    )
    PublicScore.objects.create(cycle=cycle, unit=unit, score=Decimal(public))


@pytest.fixture
def cycle() -> Cycle:
    cycle = make_cycle("T1", bonus_total_cap=Decimal("10"))
    group = make_group(cycle)
    other = make_group(cycle, "G2", "镇街", order=1)
    _unit_with_scores(cycle, group, "U1", "182.5", "723", "880.25")
    _unit_with_scores(cycle, group, "U2", "190", "700", "900")
    _unit_with_scores(cycle, group, "U3", "190", "700", "900")
    _unit_with_scores(cycle, other, "U4", "100", "600", "700")
    u1 = cycle.participations.get(unit__code="U1").unit
    CityIncentive.objects.create(cycle=cycle, unit=u1, points=Decimal(4), source="市考评")
    BonusItem.objects.create(
        cycle=cycle, unit=u1, category=1, title="通报表扬", points=Decimal(6), approved=True
    )
    DeductionItem.objects.create(
        cycle=cycle,
        unit=u1,
        standard_code="K1",
        description="脱岗",
        count=1,
        points=Decimal(1),
        level=Level.DISTRICT,
    )
    DeductionItem.objects.create(
        cycle=cycle,
        unit=u1,
        standard_code="K4",
        description="态度",
        count=1,
        points=Decimal("1.5"),
        level=Level.CITY,
    )
    return cycle


def test_recompute_gives_the_guides_worked_example(cycle: Cycle) -> None:
    recompute_cycle(cycle=cycle)
    r = Result.objects.get(cycle=cycle, unit__code="U1")
    assert (r.performance, r.self_construction, r.indicator) == (
        Decimal("182.5"),
        Decimal("723"),
        Decimal("905.5"),
    )
    assert (r.city_incentive, r.public, r.bonus, r.deduction) == (
        Decimal(4),
        Decimal("880.25"),
        Decimal(6),
        Decimal(4),
    )
    assert r.composite == Decimal("899.80")
    assert r.grade == "良好" and not r.provisional


def test_recompute_ranks_within_groups_with_shared_ranks(cycle: Cycle) -> None:
    recompute_cycle(cycle=cycle)
    ranks = {
        r.unit.code: (r.group.code, r.rank) for r in Result.objects.select_related("unit", "group")
    }
    # U2 and U3 tie at 890 × 0.6 + 900 × 0.4 = 894, below U1 (899.80): ranks 1, 2, 2.
    assert ranks == {"U1": ("G1", 1), "U2": ("G1", 2), "U3": ("G1", 2), "U4": ("G2", 1)}


def test_recompute_is_idempotent_and_hash_stable(cycle: Cycle) -> None:
    first = recompute_cycle(cycle=cycle)
    hashes = dict(Result.objects.values_list("unit__code", "inputs_hash"))
    second = recompute_cycle(cycle=cycle)
    assert first.results_hash == second.results_hash
    assert dict(Result.objects.values_list("unit__code", "inputs_hash")) == hashes
    assert Result.objects.count() == 4


def test_changing_an_input_changes_only_that_units_hash(cycle: Cycle) -> None:
    recompute_cycle(cycle=cycle)
    before = dict(Result.objects.values_list("unit__code", "inputs_hash"))
    PublicScore.objects.filter(unit__code="U4").update(score=Decimal("701"))
    recompute_cycle(cycle=cycle)
    after = dict(Result.objects.values_list("unit__code", "inputs_hash"))
    assert {k for k in before if before[k] != after[k]} == {"U4"}


def test_missing_public_score_makes_result_provisional(cycle: Cycle) -> None:
    PublicScore.objects.filter(unit__code="U2").delete()
    recompute_cycle(cycle=cycle)
    r = Result.objects.get(unit__code="U2")
    assert r.provisional and r.public == 0
    assert any("public" in m for m in r.missing)


def test_changing_weights_to_70_30_changes_the_ranking(cycle: Cycle) -> None:
    recompute_cycle(cycle=cycle)
    cycle.formula = "(indicator + city_incentive) * 0.7 + public * 0.3 + bonus - deduction"
    cycle.full_clean()
    cycle.save()
    recompute_cycle(cycle=cycle)
    r = Result.objects.get(unit__code="U1")
    # (905.5 + 4) × 0.7 + 880.25 × 0.3 + 6 − 4 = 636.65 + 264.075 + 2 = 902.725 → 902.73
    assert r.composite == Decimal("902.73")
    assert r.grade == "优秀"


@pytest.mark.parametrize(
    ("formula", "fragment"),
    [
        ("indicator * 0.6 + publik * 0.4", "第 19 个字符"),
        ("(indicator + city_incentive * 0.6", "公式"),
        ("indicator / 0", "公式"),
        ("__import__('os').system('true')", "公式"),
    ],
)
def test_a_bad_formula_is_refused_when_saved_with_its_position(
    cycle: Cycle, formula: str, fragment: str
) -> None:
    cycle.formula = formula
    with pytest.raises(ValidationError) as excinfo:
        cycle.full_clean()
    messages = excinfo.value.message_dict["formula"]
    assert any(fragment in m for m in messages), messages


def test_recompute_refuses_a_finalized_cycle(cycle: Cycle) -> None:
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.FINALIZED)
    cycle.refresh_from_db()
    with pytest.raises(ValidationError):
        recompute_cycle(cycle=cycle)
    assert not Result.objects.exists()


def test_recompute_writes_an_audit_entry(cycle: Cycle) -> None:
    office = make_user("office", Role.OFFICE_ADMIN)
    recompute_cycle(cycle=cycle, by=office, reason="试算")
    entry = AuditEntry.objects.get(action="recompute")
    assert entry.actor == office and entry.reason == "试算"
    assert entry.new is not None and entry.new["units"] == 4


def test_results_json_composite_is_the_formula_of_its_components(cycle: Cycle) -> None:
    recompute_cycle(cycle=cycle)
    out = StringIO()
    call_command("results", "--cycle", "T1", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["unit"] for r in rows] == ["U1", "U2", "U3", "U4"]
    for row in rows:
        c = {k: Decimal(v) for k, v in row["components"].items()}
        expected = (
            (c["indicator"] + c["city_incentive"]) * Decimal("0.6")
            + c["public"] * Decimal("0.4")
            + c["bonus"]
            - c["deduction"]
        )
        assert Decimal(row["composite"]) == expected.quantize(Decimal("0.01"), "ROUND_HALF_UP")
        assert set(row) == {
            "unit",
            "name",
            "group",
            "composite",
            "rank",
            "grade",
            "provisional",
            "components",
        }
    assert rows[0]["composite"] == "899.80"


def test_results_table_and_csv_formats(cycle: Cycle) -> None:
    call_command("recompute", "--cycle", "T1", stdout=StringIO())
    table, csv_out = StringIO(), StringIO()
    call_command("results", "--cycle", "T1", stdout=table)
    call_command("results", "--cycle", "T1", "--format", "csv", stdout=csv_out)
    assert "899.80" in table.getvalue() and "[G2]" in table.getvalue()
    lines = csv_out.getvalue().strip().splitlines()
    assert lines[0].startswith("group,rank,unit") and len(lines) == 5


def test_commands_name_an_unknown_cycle() -> None:
    with pytest.raises(CommandError, match="--cycle"):
        call_command("recompute", "--cycle", "nope")
    with pytest.raises(CommandError, match="--cycle"):
        call_command("results", "--cycle", "nope")
