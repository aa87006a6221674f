"""The JSON Schema (draft 2020-12) of the cycle archive, format ``jixiao-cycle-archive``.

The schema checks structure only: types, required fields, enumerations, string lengths (the
database's column sizes) and the spelling of decimal strings. What needs the whole document
or the database — references, tree sums, the cycle's precision, duplicates — is checked by
``jixiao.exchange.services`` after the schema.

``docs/exchange-format.schema.json`` is this dictionary written out (``write_schema_file``);
a test keeps the two equal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT = "jixiao-cycle-archive"
VERSION = 1

#: A non-negative decimal written as a string: "12", "12.5", "12.50". JSON numbers are
#: refused because a binary float cannot carry "0.1" exactly.
DECIMAL_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
SIGNED_DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

# PositiveIntegerField's upper bound on every supported database.
MAX_INT = 2147483647


def _string(max_length: int, *, min_length: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    return schema


def _nullable(ref: str) -> dict[str, Any]:
    return {"anyOf": [{"$ref": ref}, {"type": "null"}]}


def _record(
    properties: dict[str, Any], required: list[str], description: str = ""
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


_TREE = {"enum": ["performance", "self_construction"]}
_METHODS = ["judgement", "ratio", "deduction", "completion_progress", "direct"]
_ROLES = [
    "office_admin",
    "unit_operator",
    "unit_leader",
    "reviewer",
    "collector",
    "inspector",
    "viewer",
]
_PHASES = [
    "preparation",
    "decomposition",
    "execution",
    "assessment",
    "publicity",
    "finalized",
    "archived",
]

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://jixiao.invalid/schemas/jixiao-cycle-archive-1.json",
    "title": "jixiao cycle archive, version 1",
    "description": (
        "One yearly appraisal cycle (考评年度) with its scheme, groups, units, users' roles, "
        "indicator trees and every score input."
    ),
    "type": "object",
    "required": [
        "format",
        "version",
        "cycle",
        "groups",
        "units",
        "users",
        "indicators",
        "inputs",
    ],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "exported_at": {"type": ["string", "null"], "description": "ISO 8601 time of export"},
        "cycle": {"$ref": "#/$defs/cycle"},
        "groups": {"type": "array", "items": {"$ref": "#/$defs/group"}},
        "units": {"type": "array", "items": {"$ref": "#/$defs/unit"}},
        "users": {"type": "array", "items": {"$ref": "#/$defs/user"}},
        "indicators": {
            "type": "object",
            "required": ["self_construction", "performance"],
            "additionalProperties": False,
            "properties": {
                "self_construction": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                "performance": {
                    "type": "object",
                    "description": "unit code → that unit's first-level performance indicators",
                    "propertyNames": {"$ref": "#/$defs/code"},
                    "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
            },
        },
        "inputs": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "reviews": {"type": "array", "items": {"$ref": "#/$defs/review"}},
                "collection": {"type": "array", "items": {"$ref": "#/$defs/collection"}},
                "city_incentives": {"type": "array", "items": {"$ref": "#/$defs/city_incentive"}},
                "public_scores": {"type": "array", "items": {"$ref": "#/$defs/public_score"}},
                "bonuses": {"type": "array", "items": {"$ref": "#/$defs/bonus"}},
                "deductions": {"type": "array", "items": {"$ref": "#/$defs/deduction"}},
            },
        },
        "results": {"anyOf": [{"$ref": "#/$defs/results"}, {"type": "null"}]},
    },
    "$defs": {
        "decimal": {
            "type": "string",
            "pattern": DECIMAL_PATTERN,
            "description": 'a non-negative decimal number written as a string, e.g. "12.50"',
        },
        "signed_decimal": {
            "type": "string",
            "pattern": SIGNED_DECIMAL_PATTERN,
            "description": "a decimal number written as a string, may be negative",
        },
        "date": {"type": "string", "pattern": DATE_PATTERN, "description": "YYYY-MM-DD"},
        "code": _string(32, min_length=1),
        "count": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
        "cycle": _record(
            {
                "code": {"$ref": "#/$defs/code"},
                "name": _string(200, min_length=1),
                "phase": {"enum": _PHASES},
                "scale": {"$ref": "#/$defs/decimal"},
                "formula": {"type": "string", "minLength": 1},
                "precision": {"type": "integer", "minimum": 0, "maximum": 6},
                "performance_total": {"$ref": "#/$defs/decimal"},
                "self_construction_total": {"$ref": "#/$defs/decimal"},
                "grade_mode": {"enum": ["bands", "quotas"]},
                "grade_rules": {"$ref": "#/$defs/grade_rules"},
                "bonus_categories": {
                    "type": "object",
                    "description": 'category number ("1"…"6") → {cap, stack}',
                    "propertyNames": {"pattern": "^[1-6]$"},
                    "additionalProperties": _record(
                        {
                            "cap": {
                                "anyOf": [
                                    {"$ref": "#/$defs/decimal"},
                                    {"type": "null"},
                                    {"const": ""},
                                ]
                            },
                            "stack": {"type": "boolean"},
                        },
                        [],
                    ),
                },
                "bonus_total_cap": _nullable("#/$defs/decimal"),
                "multipliers": _record(
                    {
                        "district": {"$ref": "#/$defs/decimal"},
                        "city": {"$ref": "#/$defs/decimal"},
                        "province": {"$ref": "#/$defs/decimal"},
                    },
                    ["district", "city", "province"],
                ),
            },
            [
                "code",
                "name",
                "formula",
                "precision",
                "performance_total",
                "self_construction_total",
            ],
        ),
        "grade_rules": {
            "type": "object",
            "properties": {
                "bands": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["grade", "min"],
                        "properties": {
                            "grade": _string(20, min_length=1),
                            "min": {"$ref": "#/$defs/signed_decimal"},
                        },
                    },
                },
                "quotas": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["grade", "share"],
                        "properties": {
                            "grade": _string(20, min_length=1),
                            "share": {"$ref": "#/$defs/decimal"},
                        },
                    },
                },
                "rest": _string(20),
            },
        },
        "group": _record(
            {
                "code": {"$ref": "#/$defs/code"},
                "name": _string(100, min_length=1),
                "order": {"type": "integer", "minimum": 0, "maximum": 32767},
            },
            ["code", "name"],
        ),
        "unit": _record(
            {
                "code": {"$ref": "#/$defs/code"},
                "name": _string(100, min_length=1),
                "short_name": _string(50),
                "parent": _nullable("#/$defs/code"),
                "active": {"type": "boolean"},
                "group": {
                    "anyOf": [{"$ref": "#/$defs/code"}, {"type": "null"}],
                    "description": "ranking group in this cycle; null: not assessed",
                },
            },
            ["code", "name"],
        ),
        "user": _record(
            {
                "username": _string(150, min_length=1),
                "display_name": _string(100),
                "email": _string(254),
                "roles": {
                    "type": "array",
                    "items": _record(
                        {
                            "role": {"enum": _ROLES},
                            "unit": _nullable("#/$defs/code"),
                            "cycle_scoped": {
                                "type": "boolean",
                                "description": "true: held for this cycle only",
                            },
                        },
                        ["role"],
                    ),
                },
            },
            ["username"],
        ),
        "node": _record(
            {
                "code": {"$ref": "#/$defs/code"},
                "name": _string(300, min_length=1),
                "points": {"$ref": "#/$defs/decimal"},
                "method": {"enum": [*_METHODS, None]},
                "aggregation": {"enum": ["mean", "median", "trimmed_mean"]},
                "points_per_finding": _nullable("#/$defs/decimal"),
                "completion_points": _nullable("#/$defs/decimal"),
                "progress_points": _nullable("#/$defs/decimal"),
                "source": {"enum": ["decision", "key_work", "own_plan", None]},
                "source_detail": _string(200),
                "target": {"type": "string"},
                "rule": {"type": "string"},
                "collection_unit": _nullable("#/$defs/code"),
                "responsible_office": _string(100),
                "responsible_person": _string(100),
                "deadline": _nullable("#/$defs/date"),
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
            ["code", "name", "points"],
        ),
        "review": _record(
            {
                "unit": {"$ref": "#/$defs/code"},
                "tree": _TREE,
                "indicator": {"$ref": "#/$defs/code"},
                "reviewer": _string(150, min_length=1),
                "part": {"enum": ["total", "completion", "progress"]},
                "score": {"$ref": "#/$defs/decimal"},
                "comment": {"type": "string"},
            },
            ["unit", "tree", "indicator", "reviewer", "score"],
        ),
        "collection": _record(
            {
                "unit": {"$ref": "#/$defs/code"},
                "tree": _TREE,
                "indicator": {"$ref": "#/$defs/code"},
                "score": _nullable("#/$defs/decimal"),
                "finding_count": _nullable("#/$defs/count"),
                "actual": _nullable("#/$defs/signed_decimal"),
                "target": _nullable("#/$defs/signed_decimal"),
                "note": {"type": "string"},
            },
            ["unit", "tree", "indicator"],
        ),
        "city_incentive": _record(
            {
                "unit": {"$ref": "#/$defs/code"},
                "points": {"$ref": "#/$defs/decimal"},
                "source": _string(300),
            },
            ["unit", "points"],
        ),
        "public_score": _record(
            {
                "unit": {"$ref": "#/$defs/code"},
                "score": {"$ref": "#/$defs/decimal"},
                "responses": _nullable("#/$defs/count"),
                "source": _string(200),
            },
            ["unit", "score"],
        ),
        "bonus": _record(
            {
                "unit": {"$ref": "#/$defs/code"},
                "category": {"type": "integer", "minimum": 1, "maximum": 6},
                "title": _string(300, min_length=1),
                "points": {"$ref": "#/$defs/decimal"},
                "approved": {"type": "boolean"},
            },
            ["unit", "category", "title", "points"],
        ),
        "deduction": _record(
            {
                "unit": {"$ref": "#/$defs/code"},
                "standard_code": _string(32, min_length=1),
                "description": _string(300),
                "count": {"$ref": "#/$defs/count"},
                "points": {"$ref": "#/$defs/decimal"},
                "level": {"enum": ["district", "city", "province"]},
                "found_on": _nullable("#/$defs/date"),
            },
            ["unit", "standard_code", "points"],
        ),
        "results": {
            "type": "object",
            "description": "informational: the results when exported; import recomputes",
            "properties": {
                "results_hash": {"type": ["string", "null"]},
                "units": {"type": "array", "items": {"type": "object"}},
            },
        },
    },
}


def schema_json() -> str:
    """The schema as pretty-printed JSON text (the content of the documentation file)."""
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"


def write_schema_file(path: Path) -> None:
    path.write_text(schema_json(), encoding="utf-8")
