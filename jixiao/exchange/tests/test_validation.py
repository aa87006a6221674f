from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.apps import apps

from jixiao.cycles.models import Cycle, Phase
from jixiao.exchange.services import (
    ArchiveError,
    ArchiveProblem,
    check_archive,
    export_cycle,
    import_cycle,
)
from jixiao.exchange.tests.builders import build_rich_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def document() -> dict[str, Any]:
    """A sound archive of cycle 2020, with the cycle itself removed from the database."""
    cycle = build_rich_cycle()
    doc = export_cycle(cycle=cycle)
    cycle.delete()
    return doc


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "cycles", "indicators", "evaluations", "adjustments", "surveys", "core"}
    }


def problems_of(document: Any, **kwargs: Any) -> dict[str, str]:
    before = row_counts()
    with pytest.raises(ArchiveError) as info:
        import_cycle(document=document, by=None, **kwargs)
    assert row_counts() == before, "a refused import must not write anything"
    return {p.path: p.message for p in info.value.errors}


def test_a_sound_archive_has_no_problems(document: dict[str, Any]) -> None:
    assert check_archive(document=document) == []


def test_truncated_json_is_reported_with_line_and_column(document: dict[str, Any]) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=1)
    truncated = text[: len(text) // 2].encode("utf-8")
    problems = problems_of(truncated)
    assert list(problems) == ["$"]
    lines = truncated.decode("utf-8").count("\n") + 1
    assert f"line {lines}, column" in problems["$"]
    assert "truncated" in problems["$"]


def test_malformed_json_points_at_the_error() -> None:
    problems = problems_of(b'{"format": "jixiao-cycle-archive",\n  "version": 1,,\n}')
    assert problems["$"].startswith("not valid JSON at line 2, column 16")
    assert "truncated" not in problems["$"]


def test_bytes_that_are_not_utf8_or_empty_are_refused() -> None:
    assert "not UTF-8" in problems_of(b'{"format": "\xff"}')["$"]
    assert problems_of(b"  \n")["$"] == "the file is empty"
    assert "NaN" in problems_of('{"version": NaN}')["$"]


def test_wrong_version_or_format_is_refused_before_anything_else(
    document: dict[str, Any],
) -> None:
    document["version"] = 2
    document["units"] = "broken"
    assert problems_of(document) == {
        "$.version": "unsupported version 2; this program reads version 1"
    }
    document["format"] = "something-else"
    assert list(problems_of(document)) == ["$.format"]
    assert list(problems_of([1, 2])) == ["$"]


def test_every_problem_is_reported_at_once_with_its_path(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    reviews = doc["inputs"]["reviews"]
    reviews[12]["score"] = "abc"
    reviews[3]["score"] = "1.234"
    reviews[4]["reviewer"] = "nobody"
    reviews[5]["score"] = 12.5
    first_a1 = next(i for i, r in enumerate(reviews) if r["indicator"] == "A.1")
    reviews[first_a1]["score"] = "250"
    u01 = doc["indicators"]["performance"]["2020-U01"]
    u01[1]["children"][0]["points"] = "45"  # 2.1: 50 → 45, so node 2 and the tree are off
    u02 = doc["indicators"]["performance"]["2020-U02"]
    u02[1]["points"], u02[1]["children"][0]["points"] = "75", "45"  # adds up, totals 195
    doc["inputs"]["city_incentives"][0]["unit"] = "NOPE"
    doc["inputs"]["public_scores"][0]["score"] = "-3"
    doc["inputs"]["deductions"][0]["found_on"] = "2020-02-30"
    doc["units"].append(dict(doc["units"][0]))
    doc["units"][2]["colour"] = "red"
    del doc["groups"][0]["name"]
    doc["cycle"]["formula"] = "(indicator + city) * 0.6"
    doc["users"][0]["roles"].append({"role": "unit_operator", "unit": None})

    problems = problems_of(doc)

    assert problems["$.inputs.reviews[12].score"] == '"abc" is not a number'
    assert problems["$.inputs.reviews[3].score"] == '"1.234" has more than 2 decimal places'
    assert problems["$.inputs.reviews[4].reviewer"] == 'user "nobody" is not in $.users'
    assert "JSON number" in problems["$.inputs.reviews[5].score"]
    assert problems[f"$.inputs.reviews[{first_a1}].score"].startswith("250 is more than")
    assert problems["$.indicators.performance.2020-U01[1].points"] == (
        "points 80 but children sum to 75 (difference 5)"
    )
    assert problems["$.indicators.performance.2020-U02"] == (
        "the tree totals 195 but the cycle's performance total is 200 (difference -5)"
    )
    assert "$.indicators.performance.2020-U02[1].points" not in problems
    assert problems["$.inputs.city_incentives[0].unit"] == 'unit "NOPE" is not in $.units'
    assert problems["$.inputs.public_scores[0].score"] == '"-3" is negative'
    assert "not a date" in problems["$.inputs.deductions[0].found_on"]
    last = len(doc["units"]) - 1
    assert problems[f"$.units[{last}].code"] == "duplicate unit code (first at $.units[0].code)"
    assert problems["$.units[2].colour"] == "unexpected field"
    assert problems["$.groups[0].name"] == "required field is missing"
    assert "city" in problems["$.cycle.formula"]
    assert "held for a unit" in problems["$.users[0].roles[1].unit"]


def test_references_to_indicators_are_checked_in_the_right_tree(
    document: dict[str, Any],
) -> None:
    collection = document["inputs"]["collection"]
    perf = next(i for i, r in enumerate(collection) if r["tree"] == "performance")
    collection[perf]["indicator"] = "A.2"  # a self-construction code, not in the unit's tree
    common = next(i for i, r in enumerate(collection) if r["tree"] == "self_construction")
    collection[common]["indicator"] = "B.2"  # a parent node
    collection[common + 1]["target"] = "0"
    problems = problems_of(document)
    assert problems[f"$.inputs.collection[{perf}].indicator"].startswith('no indicator "A.2"')
    assert "has children" in problems[f"$.inputs.collection[{common}].indicator"]
    # collection[common + 1] is a B.1 ratio row or another leaf; a zero target is refused.
    if collection[common + 1].get("target") is not None:
        assert problems[f"$.inputs.collection[{common + 1}].target"] == (
            "the target must be above 0"
        )


def test_tree_rules_are_checked_per_node(document: dict[str, Any]) -> None:
    common = document["indicators"]["self_construction"]
    common[0]["children"][1]["points_per_finding"] = None  # A.2, a deduction leaf
    b22 = common[1]["children"][1]["children"][1]
    b22["completion_points"] = "90"
    common[1]["children"][0]["method"] = None  # B.1
    common[1]["children"].append(dict(common[1]["children"][0], points="0"))  # duplicate B.1
    problems = problems_of(document)
    assert (
        "points per finding"
        in problems["$.indicators.self_construction[0].children[1].points_per_finding"]
    )
    assert (
        "completion 90"
        in problems["$.indicators.self_construction[1].children[1].children[1].completion_points"]
    )
    assert "no scoring method" in problems["$.indicators.self_construction[1].children[0].method"]
    assert problems["$.indicators.self_construction[1].children[2].code"].startswith(
        "duplicate indicator code"
    )


def test_an_existing_cycle_is_refused_unless_replaced(document: dict[str, Any]) -> None:
    import_cycle(document=document, by=None)
    problems = problems_of(document)
    assert "already exists" in problems["$.cycle.code"]

    summary = import_cycle(document=document, by=None, replace=True)
    assert summary.replaced
    assert Cycle.objects.filter(code="2020").count() == 1

    Cycle.objects.filter(code="2020").update(phase=Phase.FINALIZED)
    assert "reopen" in problems_of(document, replace=True)["$.cycle.code"]


def test_precision_limits_the_decimal_places_of_inputs(document: dict[str, Any]) -> None:
    document["cycle"]["precision"] = 1
    document["inputs"]["reviews"][0]["score"] = "10.25"
    document["inputs"]["reviews"][1]["score"] = "10.50"  # 10.5: one place, allowed
    problems = problems_of(document)
    assert problems["$.inputs.reviews[0].score"] == '"10.25" has more than 1 decimal places'
    assert "$.inputs.reviews[1].score" not in problems


def test_problems_print_as_path_and_message() -> None:
    problem = ArchiveProblem("$.units[0].code", "must not be empty")
    assert str(problem) == "$.units[0].code: must not be empty"
    assert "1 problem(s)" in str(ArchiveError([problem]))
