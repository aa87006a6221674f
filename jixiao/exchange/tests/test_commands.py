from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from jixiao.cycles.models import Cycle, Phase
from jixiao.exchange.schema import schema_json
from jixiao.exchange.services import import_cycle
from jixiao.exchange.tests.builders import build_rich_cycle
from jixiao.scoring.models import Result
from jixiao.scoring.services import recompute_cycle

pytestmark = pytest.mark.django_db


def test_export_then_import_with_recompute_restores_the_results(tmp_path: Path) -> None:
    cycle = build_rich_cycle()
    summary = recompute_cycle(cycle=cycle)
    archive = tmp_path / "2020.json"
    err = io.StringIO()
    call_command("export_cycle", "2020", "-o", str(archive), stderr=err)
    assert "archive written" in err.getvalue()
    assert json.loads(archive.read_text(encoding="utf-8"))["cycle"]["code"] == "2020"
    assert list(tmp_path.iterdir()) == [archive]  # no temporary file left behind

    cycle.delete()
    out = io.StringIO()
    call_command("import_cycle", str(archive), "--recompute", stdout=out)
    text = out.getvalue()
    assert "2020: imported" in text
    assert f"recomputed, hash {summary.results_hash}" in text
    assert "results hash matches the archive" in text
    assert Result.objects.filter(cycle__code="2020").count() == 5

    call_command("import_cycle", str(archive), "--replace", stdout=io.StringIO())
    assert Cycle.objects.filter(code="2020").count() == 1


def test_export_to_standard_output() -> None:
    build_rich_cycle()
    out = io.StringIO()
    call_command("export_cycle", "2020", "-o", "-", stdout=out)
    assert json.loads(out.getvalue())["format"] == "jixiao-cycle-archive"


def test_export_of_an_unknown_cycle_fails() -> None:
    with pytest.raises(CommandError, match="no cycle with code 'nope'"):
        call_command("export_cycle", "nope", stdout=io.StringIO())


def test_import_prints_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    cycle = build_rich_cycle()
    out = io.StringIO()
    call_command("export_cycle", "2020", stdout=out)
    document = json.loads(out.getvalue())
    document["inputs"]["reviews"][0]["score"] = "abc"
    document["inputs"]["bonuses"][0]["unit"] = "NOPE"
    archive = tmp_path / "bad.json"
    archive.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    cycle.delete()

    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_cycle", str(archive), stderr=err, stdout=io.StringIO())
    assert err.getvalue().splitlines() == [
        '$.inputs.reviews[0].score: "abc" is not a number',
        '$.inputs.bonuses[0].unit: unit "NOPE" is not in $.units',
    ]
    assert not Cycle.objects.filter(code="2020").exists()

    with pytest.raises(CommandError):
        call_command("import_cycle", str(archive), "--check", stderr=io.StringIO())


def test_import_of_a_finalized_cycle_restores_exactly_its_results(tmp_path: Path) -> None:
    cycle = build_rich_cycle()
    summary = recompute_cycle(cycle=cycle)
    before = sorted(Result.objects.values_list("unit__code", "composite", "rank", "grade"))
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.FINALIZED)
    archive = tmp_path / "final.json"
    call_command("export_cycle", "2020", "-o", str(archive), stderr=io.StringIO())
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.ASSESSMENT)
    cycle.delete()

    out = io.StringIO()
    call_command("import_cycle", str(archive), "--recompute", stdout=out)
    assert "results restored" in out.getvalue()
    restored = Cycle.objects.get(code="2020")
    assert restored.phase == Phase.FINALIZED and restored.results_hash == summary.results_hash
    after = sorted(Result.objects.values_list("unit__code", "composite", "rank", "grade"))
    assert after == before


def test_a_finalized_cycle_is_not_restored_to_other_results() -> None:
    cycle = build_rich_cycle()
    recompute_cycle(cycle=cycle)
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.FINALIZED)
    cycle.refresh_from_db()
    with pytest.raises(ValidationError, match="不一致"):
        recompute_cycle(cycle=cycle, restore_hash="0" * 64)
    with pytest.raises(ValidationError):
        recompute_cycle(cycle=cycle)


def test_import_of_a_missing_file_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_cycle", str(tmp_path / "none.json"))


def test_help_describes_the_commands() -> None:
    from jixiao.exchange.management.commands import export_cycle, import_cycle

    assert "JSON archive" in export_cycle.Command.help
    assert "JSON path" in import_cycle.Command.help


def test_documented_schema_file_matches_the_code() -> None:
    path = Path(settings.BASE_DIR) / "docs" / "exchange-format.schema.json"
    assert path.read_text(encoding="utf-8") == schema_json(), (
        "regenerate: python -c 'from pathlib import Path; from jixiao.exchange.schema import "
        'write_schema_file; write_schema_file(Path("docs/exchange-format.schema.json"))\''
    )


def test_the_documented_example_is_a_sound_archive() -> None:
    text = (Path(settings.BASE_DIR) / "docs" / "exchange-format.md").read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    summary = import_cycle(document=example, by=None)
    assert recompute_cycle(cycle=summary.cycle).provisional == 0
