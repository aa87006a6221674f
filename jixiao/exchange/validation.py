"""Checking a cycle archive before anything is written.

Every problem is collected, each with the JSON path of the value it is about
(``$.inputs.reviews[12].score``), so that a person fixing a file sees all of them at once
instead of one per attempt. The checks run in three stages: the bytes parse as JSON, the
document has the supported ``format`` and ``version``, and then the JSON Schema (structure)
and the semantic checks (references, sums, precision, duplicates) run together. The semantic
checks tolerate values the schema has already refused: they skip them rather than report the
same value twice.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

from jixiao.accounts.models import UNIT_ROLES, Unit
from jixiao.cycles.models import Cycle, GradeMode, format_formula_error
from jixiao.exchange.schema import (
    DATE_PATTERN,
    DECIMAL_PATTERN,
    FORMAT,
    SCHEMA,
    SIGNED_DECIMAL_PATTERN,
    VERSION,
)
from jixiao.scoring.engine import validate_tree
from jixiao.scoring.formula import FormulaError, validate_formula
from jixiao.scoring.types import Aggregation, Method, Node

# The model columns are DecimalField(max_digits=8, decimal_places=2) unless noted.
FIELD_PLACES = 2
SMALL_DIGITS = 8
LARGE_DIGITS = 14  # CollectionValue.actual / target
MULTIPLIER_DIGITS = 5
PUBLIC_MAX = Decimal(1000)

_SIGNED = re.compile(SIGNED_DECIMAL_PATTERN)
_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")
_VALIDATOR = Draft202012Validator(SCHEMA)
_METHODS = frozenset(m.value for m in Method)
_AGGREGATIONS = frozenset(a.value for a in Aggregation)


@dataclass(frozen=True)
class ArchiveProblem:
    """One thing wrong with an archive: where (a JSON path such as ``$.units[3].code``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ArchiveError(Exception):
    """An archive that cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: Iterable[ArchiveProblem]) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        head = "; ".join(str(p) for p in self.errors[:3])
        more = f" (and {count - 3} more)" if count > 3 else ""
        super().__init__(f"{count} problem(s) in the archive: {head}{more}")


def json_path(parts: Iterable[str | int]) -> str:
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _SIMPLE_KEY.match(part):
            out += f".{part}"
        else:
            out += "[" + json.dumps(part, ensure_ascii=False) + "]"
    return out


# Stage 1: bytes → JSON ------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in an archive")


def parse_document(document: dict[str, Any] | bytes | str) -> tuple[Any, list[ArchiveProblem]]:
    """The parsed document, or the reason it does not parse (line and column included)."""
    if not isinstance(document, bytes | bytearray | str):
        return document, []  # already parsed; the header check looks at its shape
    if isinstance(document, bytes | bytearray):
        try:
            # utf-8-sig: a byte-order mark written by some Windows editors is harmless.
            text = bytes(document).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return None, [
                ArchiveProblem(
                    "$", _("the file is not UTF-8 text (byte %(pos)d)") % {"pos": exc.start}
                )
            ]
    else:
        text = document
    if not text.strip():
        return None, [ArchiveProblem("$", _("the file is empty"))]
    try:
        return json.loads(text, parse_constant=_reject_constant), []
    except json.JSONDecodeError as exc:
        message = _("not valid JSON at line %(line)d, column %(col)d: %(msg)s") % {
            "line": exc.lineno,
            "col": exc.colno,
            "msg": exc.msg,
        }
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            message += " " + _("(the file ends too early: it may be truncated)")
        return None, [ArchiveProblem("$", message)]
    except ValueError as exc:
        return None, [ArchiveProblem("$", str(exc))]


def check_header(doc: Any) -> list[ArchiveProblem]:
    if not isinstance(doc, dict):
        return [ArchiveProblem("$", _("an archive must be a JSON object"))]
    problems = []
    if doc.get("format") != FORMAT:
        problems.append(
            ArchiveProblem(
                "$.format",
                _("%(value)s is not a cycle archive (expected %(format)s)")
                % {"value": _show(doc.get("format")), "format": _show(FORMAT)},
            )
        )
    elif doc.get("version") != VERSION:
        problems.append(
            ArchiveProblem(
                "$.version",
                _("unsupported version %(value)s; this program reads version %(version)d")
                % {"value": _show(doc.get("version")), "version": VERSION},
            )
        )
    return problems


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


# Stage 2: the JSON Schema ------------------------------------------------------------------


_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def schema_problems(doc: Any) -> list[ArchiveProblem]:
    problems: list[ArchiveProblem] = []
    for error in _VALIDATOR.iter_errors(doc):
        problems.extend(_translate(error))
    return problems


def _is_null_branch(error: SchemaError) -> bool:
    return (error.validator == "type" and error.validator_value == "null") or (
        error.validator == "const"
    )


def _translate(error: SchemaError) -> Iterator[ArchiveProblem]:
    parts = list(error.absolute_path)
    path = json_path(parts)
    value = error.instance
    validator = error.validator
    if validator == "anyOf" and error.context:
        # A nullable field: report why the value is not the non-null alternative.
        branches = [e for e in error.context if not _is_null_branch(e)]
        if branches:
            yield from _translate(branches[0])
            return
    expected: Any = error.validator_value
    schema: Any = error.schema
    if validator == "required" and isinstance(value, dict):
        for name in expected:
            if name not in value:
                yield ArchiveProblem(json_path([*parts, name]), _("required field is missing"))
        return
    if validator == "additionalProperties" and isinstance(value, dict):
        known = schema.get("properties", {})
        for name in value:
            if name not in known:
                yield ArchiveProblem(json_path([*parts, name]), _("unexpected field"))
        return
    pattern = error.schema.get("pattern") if isinstance(error.schema, dict) else None
    if validator == "pattern" and pattern in (DECIMAL_PATTERN, SIGNED_DECIMAL_PATTERN):
        if pattern == DECIMAL_PATTERN and _SIGNED.match(str(value)):
            yield ArchiveProblem(path, _("%(value)s is negative") % {"value": _show(value)})
        else:
            yield ArchiveProblem(path, _("%(value)s is not a number") % {"value": _show(value)})
        return
    if validator == "pattern" and pattern == DATE_PATTERN:
        yield ArchiveProblem(
            path, _("%(value)s is not a date (YYYY-MM-DD)") % {"value": _show(value)}
        )
        return
    if validator == "type":
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if pattern in (DECIMAL_PATTERN, SIGNED_DECIMAL_PATTERN) and is_number:
            yield ArchiveProblem(
                path,
                _("%(value)s is a JSON number; write decimals as strings, e.g. %(text)s")
                % {"value": _show(value), "text": _show(str(value))},
            )
            return
        expected = error.validator_value
        if isinstance(expected, list):
            expected = " or ".join(expected)
        yield ArchiveProblem(
            path,
            _("expected %(expected)s, got %(actual)s %(value)s")
            % {"expected": expected, "actual": _json_type(value), "value": _show(value)},
        )
        return
    if validator == "enum":
        choices = ", ".join(_show(v) for v in expected)
        yield ArchiveProblem(
            path,
            _("%(value)s is not one of %(choices)s") % {"value": _show(value), "choices": choices},
        )
        return
    if validator == "minLength" and error.validator_value == 1:
        yield ArchiveProblem(path, _("must not be empty"))
        return
    if validator == "maxLength":
        yield ArchiveProblem(
            path, _("is longer than %(n)d characters") % {"n": error.validator_value}
        )
        return
    if validator == "minimum":
        yield ArchiveProblem(path, _("must be at least %(n)s") % {"n": error.validator_value})
        return
    if validator == "maximum":
        yield ArchiveProblem(path, _("must be at most %(n)s") % {"n": error.validator_value})
        return
    yield ArchiveProblem(path, error.message)


# Stage 3: semantic checks ------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _decimal(value: Any) -> Decimal | None:
    return Decimal(value) if isinstance(value, str) and _SIGNED.match(value) else None


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass
class TreeIndex:
    """The leaves and nodes of one tree of the document, by code."""

    path: str
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → node
    leaves: set[str] = field(default_factory=set)


@dataclass
class Checked:
    """What the semantic checks learnt, reused by the import once the document is sound."""

    existing_cycle: Cycle | None = None
    existing_unit_names: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class _Checker:
    def __init__(self, doc: dict[str, Any], *, replace: bool) -> None:
        self.doc = doc
        self.replace = replace
        self.problems: list[ArchiveProblem] = []
        self.checked = Checked()
        cycle = _dict(doc.get("cycle"))
        precision = cycle.get("precision")
        if not isinstance(precision, int) or isinstance(precision, bool) or not 0 <= precision <= 6:
            precision = 2
        # Inputs carry at most the cycle's precision, and never more than the columns hold.
        self.input_places = min(precision, FIELD_PLACES)
        self.group_codes: set[str] = set()
        self.unit_codes: set[str] = set()
        self.usernames: set[str] = set()
        self.trees: dict[tuple[str, str | None], TreeIndex] = {}

    def add(self, path: str, message: str) -> None:
        self.problems.append(ArchiveProblem(path, message))

    def number(
        self,
        path: str,
        value: Any,
        *,
        places: int,
        digits: int = SMALL_DIGITS,
    ) -> Decimal | None:
        """``value`` as a Decimal after the precision and size checks; None when unusable.

        A value that is not a decimal string has been reported by the schema already.
        """
        if not isinstance(value, str) or not _SIGNED.match(value):
            return None
        number = Decimal(value)
        if _places(number) > places:
            self.add(
                path,
                _("%(value)s has more than %(places)d decimal places")
                % {"value": _show(value), "places": places},
            )
            return None
        limit = Decimal(10) ** (digits - FIELD_PLACES)
        if abs(number) >= limit:
            self.add(
                path,
                _("%(value)s is too large (must be below %(limit)s)")
                % {"value": _show(value), "limit": limit},
            )
            return None
        return number

    def date(self, path: str, value: Any) -> None:
        if isinstance(value, str) and re.match(DATE_PATTERN, value):
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                self.add(path, _("%(value)s is not a date (YYYY-MM-DD)") % {"value": _show(value)})

    def duplicates(self, path: str, key: Any, seen: dict[Any, str], what: str) -> None:
        if key in seen:
            self.add(
                path,
                _("duplicate %(what)s (first at %(first)s)") % {"what": what, "first": seen[key]},
            )
        else:
            seen[key] = path

    def unit_ref(self, path: str, code: Any) -> bool:
        if isinstance(code, str) and code not in self.unit_codes:
            self.add(path, _("unit %(code)s is not in $.units") % {"code": _show(code)})
            return False
        return isinstance(code, str)

    # -- sections ---------------------------------------------------------------------------

    def run(self) -> None:
        self.cycle()
        self.groups()
        self.units()
        self.users()
        self.indicators()
        self.inputs()

    def cycle(self) -> None:
        cycle = _dict(self.doc.get("cycle"))
        code = _str(cycle.get("code"))
        if code:
            existing = Cycle.objects.filter(code=code).first()
            self.checked.existing_cycle = existing
            if existing is not None and not self.replace:
                self.add(
                    "$.cycle.code",
                    _(
                        "a cycle with code %(code)s already exists; "
                        "import with replace to overwrite it"
                    )
                    % {"code": _show(code)},
                )
            elif existing is not None and existing.is_locked:
                self.add(
                    "$.cycle.code",
                    _("cycle %(code)s exists and is %(phase)s; reopen it before replacing it")
                    % {"code": _show(code), "phase": existing.phase},
                )
        for name in ("scale", "performance_total", "self_construction_total", "bonus_total_cap"):
            self.number(f"$.cycle.{name}", cycle.get(name), places=FIELD_PLACES)
        for level, value in _dict(cycle.get("multipliers")).items():
            self.number(
                json_path(["cycle", "multipliers", level]),
                value,
                places=FIELD_PLACES,
                digits=MULTIPLIER_DIGITS,
            )
        for key, rule in _dict(cycle.get("bonus_categories")).items():
            cap = _dict(rule).get("cap")
            if cap not in (None, ""):
                self.number(
                    json_path(["cycle", "bonus_categories", key, "cap"]), cap, places=FIELD_PLACES
                )
        formula = _str(cycle.get("formula"))
        if formula:
            try:
                validate_formula(formula)
            except FormulaError as exc:
                self.add("$.cycle.formula", format_formula_error(exc))
        grade_mode = cycle.get("grade_mode", GradeMode.BANDS)
        if grade_mode in GradeMode.values:
            probe = Cycle(
                grade_mode=grade_mode,
                grade_rules=cycle.get(
                    "grade_rules", Cycle._meta.get_field("grade_rules").get_default()
                ),
                bonus_categories=cycle.get(
                    "bonus_categories", Cycle._meta.get_field("bonus_categories").get_default()
                ),
            )
            try:
                probe.scheme()
            except ValidationError as exc:
                for message in exc.messages:
                    where = "bonus_categories" if "bonus_categories" in message else "grade_rules"
                    self.add(f"$.cycle.{where}", message)
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # the schema has reported the malformed rules

    def groups(self) -> None:
        seen: dict[Any, str] = {}
        for i, group in enumerate(_list(self.doc.get("groups"))):
            code = _str(_dict(group).get("code"))
            if code is not None:
                self.duplicates(f"$.groups[{i}].code", code, seen, _("group code"))
                self.group_codes.add(code)

    def units(self) -> None:
        seen: dict[Any, str] = {}
        units = [_dict(u) for u in _list(self.doc.get("units"))]
        for i, unit in enumerate(units):
            code = _str(unit.get("code"))
            if code is not None:
                self.duplicates(f"$.units[{i}].code", code, seen, _("unit code"))
                self.unit_codes.add(code)
        parents: dict[str, str] = {}
        for i, unit in enumerate(units):
            group = unit.get("group")
            if isinstance(group, str) and group not in self.group_codes:
                self.add(
                    f"$.units[{i}].group",
                    _("group %(code)s is not in $.groups") % {"code": _show(group)},
                )
            parent = unit.get("parent")
            code = _str(unit.get("code"))
            if isinstance(parent, str) and self.unit_ref(f"$.units[{i}].parent", parent) and code:
                parents[code] = parent
        for i, unit in enumerate(units):
            code = _str(unit.get("code"))
            chain: list[str] = []
            current = code
            while current is not None and current in parents:
                if current in chain:
                    self.add(f"$.units[{i}].parent", _("the parent units form a loop"))
                    break
                chain.append(current)
                current = parents.get(current)
        existing = dict(Unit.objects.filter(code__in=self.unit_codes).values_list("code", "name"))
        self.checked.existing_unit_names = existing
        for unit in units:
            code = _str(unit.get("code"))
            name = _str(unit.get("name"))
            if code in existing and name is not None and existing[code] != name:
                self.checked.notes.append(
                    _("unit %(code)s exists as %(old)s; kept (the archive calls it %(new)s)")
                    % {"code": code, "old": _show(existing[code]), "new": _show(name)}
                )

    def users(self) -> None:
        seen: dict[Any, str] = {}
        for i, user in enumerate(_list(self.doc.get("users"))):
            user = _dict(user)
            username = _str(user.get("username"))
            if username is not None:
                self.duplicates(f"$.users[{i}].username", username, seen, _("username"))
                self.usernames.add(username)
            roles_seen: dict[Any, str] = {}
            for j, role in enumerate(_list(user.get("roles"))):
                role = _dict(role)
                path = f"$.users[{i}].roles[{j}]"
                unit = role.get("unit")
                self.unit_ref(f"{path}.unit", unit)
                if role.get("role") in UNIT_ROLES and unit is None:
                    self.add(
                        f"{path}.unit",
                        _("role %(role)s is held for a unit; name the unit")
                        % {"role": _show(role.get("role"))},
                    )
                key = (role.get("role"), unit, bool(role.get("cycle_scoped", True)))
                self.duplicates(path, key, roles_seen, _("role"))

    def indicators(self) -> None:
        cycle = _dict(self.doc.get("cycle"))
        indicators = _dict(self.doc.get("indicators"))
        common = _list(indicators.get("self_construction"))
        if common:
            self.tree(
                ["indicators", "self_construction"],
                common,
                ("self_construction", None),
                cycle.get("self_construction_total"),
                _("self-construction total"),
            )
        for unit, nodes in _dict(indicators.get("performance")).items():
            path = json_path(["indicators", "performance", unit])
            self.unit_ref(path, unit)
            if isinstance(nodes, list) and nodes:
                self.tree(
                    ["indicators", "performance", unit],
                    nodes,
                    ("performance", unit),
                    cycle.get("performance_total"),
                    _("performance total"),
                )

    def tree(
        self,
        parts: list[str | int],
        nodes: list[Any],
        key: tuple[str, str | None],
        total: Any,
        total_name: str,
    ) -> None:
        index = TreeIndex(json_path(parts))
        self.trees[key] = index
        paths: dict[str, str] = {}
        sound = True

        def walk(items: list[Any], where: list[str | int]) -> tuple[Node, ...]:
            nonlocal sound
            built: list[Node] = []
            for i, raw in enumerate(items):
                node = _dict(raw)
                here = [*where, i]
                path = json_path(here)
                code = _str(node.get("code"))
                if code is not None:
                    self.duplicates(f"{path}.code", code, paths, _("indicator code in this tree"))
                    index.nodes.setdefault(code, node)
                points = self.number(f"{path}.points", node.get("points"), places=self.input_places)
                extra = {
                    name: self.number(f"{path}.{name}", node.get(name), places=self.input_places)
                    for name in ("points_per_finding", "completion_points", "progress_points")
                }
                self.unit_ref(f"{path}.collection_unit", node.get("collection_unit"))
                self.date(f"{path}.deadline", node.get("deadline"))
                children = walk(_list(node.get("children")), [*here, "children"])
                if code is not None and not children:
                    index.leaves.add(code)
                method = node.get("method")
                aggregation = node.get("aggregation", Aggregation.MEAN.value)
                if (
                    code is None
                    or points is None
                    or (method is not None and method not in _METHODS)
                    or aggregation not in _AGGREGATIONS
                ):
                    sound = False
                    continue
                built.append(
                    Node(
                        code=code,
                        name=str(node.get("name", "")),
                        points=points,
                        children=children,
                        method=Method(method) if method and not children else None,
                        aggregation=Aggregation(aggregation),
                        points_per_finding=extra["points_per_finding"],
                        completion_points=extra["completion_points"],
                        progress_points=extra["progress_points"],
                    )
                )
            return tuple(built)

        top = walk(nodes, parts)
        if not sound:
            return  # the schema or the number checks have reported why
        expected = _decimal(total)
        actual = sum((n.points for n in top), Decimal(0))
        if expected is not None and actual != expected:
            self.add(
                index.path,
                _(
                    "the tree totals %(actual)s but the cycle's %(name)s is %(expected)s "
                    "(difference %(diff)s)"
                )
                % {
                    "actual": _plain(actual),
                    "name": total_name,
                    "expected": _plain(expected),
                    "diff": _plain(actual - expected),
                },
            )
        root = Node(code="", name="", points=actual, children=top)
        for problem in validate_tree(root, actual):
            if "more than once" in problem.message:
                continue  # reported above with both paths
            prefix = f"node {problem.code}: "
            message = problem.message.removeprefix(prefix)
            field_name = "points"
            if "per finding" in message:
                field_name = "points_per_finding"
            elif "completion" in message:
                field_name = "completion_points"
            elif "scoring method" in message:
                field_name = "method"
            node_path = paths.get(problem.code, index.path + "[?]").removesuffix(".code")
            self.add(f"{node_path}.{field_name}", message)

    def leaf(self, path: str, unit: Any, tree: Any, code: Any) -> dict[str, Any] | None:
        """The document's node an input refers to, or None after reporting why not."""
        if not self.unit_ref(f"{path}.unit", unit) or not isinstance(code, str):
            return None
        if tree == "self_construction":
            index = self.trees.get(("self_construction", None))
            where = _("the self-construction tree")
        elif tree == "performance":
            index = self.trees.get(("performance", unit))
            where = _("unit %(unit)s's performance tree") % {"unit": unit}
        else:
            return None
        node = index.nodes.get(code) if index is not None else None
        if node is None:
            self.add(
                f"{path}.indicator",
                _("no indicator %(code)s in %(where)s") % {"code": _show(code), "where": where},
            )
            return None
        if code not in index.leaves:  # type: ignore[union-attr]
            self.add(
                f"{path}.indicator",
                _("indicator %(code)s has children; scores are entered for leaves")
                % {"code": _show(code)},
            )
            return None
        return node

    def within(self, path: str, score: Decimal | None, points: Any, what: str) -> None:
        bound = _decimal(points)
        if score is not None and bound is not None and score > bound:
            self.add(
                path,
                _("%(score)s is more than the %(what)s %(points)s")
                % {"score": score, "what": what, "points": points},
            )

    def inputs(self) -> None:
        inputs = _dict(self.doc.get("inputs"))
        places = self.input_places
        seen: dict[Any, str] = {}
        for i, row in enumerate(_list(inputs.get("reviews"))):
            row = _dict(row)
            path = f"$.inputs.reviews[{i}]"
            node = self.leaf(path, row.get("unit"), row.get("tree"), row.get("indicator"))
            reviewer = row.get("reviewer")
            if isinstance(reviewer, str) and reviewer not in self.usernames:
                self.add(
                    f"{path}.reviewer",
                    _("user %(name)s is not in $.users") % {"name": _show(reviewer)},
                )
            score = self.number(f"{path}.score", row.get("score"), places=places)
            part = row.get("part", "total")
            if node is not None:
                bound_name = {"completion": "completion_points", "progress": "progress_points"}
                points = node.get(bound_name.get(part, "points")) or node.get("points")
                self.within(f"{path}.score", score, points, _("points of its leaf/part"))
            key = (row.get("unit"), row.get("tree"), row.get("indicator"), reviewer, part)
            self.duplicates(path, key, seen, _("review (unit, indicator, reviewer, part)"))

        seen = {}
        for i, row in enumerate(_list(inputs.get("collection"))):
            row = _dict(row)
            path = f"$.inputs.collection[{i}]"
            node = self.leaf(path, row.get("unit"), row.get("tree"), row.get("indicator"))
            score = self.number(f"{path}.score", row.get("score"), places=places)
            if node is not None:
                self.within(f"{path}.score", score, node.get("points"), _("points of its leaf"))
            self.number(f"{path}.actual", row.get("actual"), places=places, digits=LARGE_DIGITS)
            target = self.number(
                f"{path}.target", row.get("target"), places=places, digits=LARGE_DIGITS
            )
            if target is not None and target <= 0:
                self.add(f"{path}.target", _("the target must be above 0"))
            self.duplicates(
                path,
                (row.get("unit"), row.get("tree"), row.get("indicator")),
                seen,
                _("collection value (unit, indicator)"),
            )

        for section, amount, what in (
            ("city_incentives", "points", _("city incentive for this unit")),
            ("public_scores", "score", _("public score for this unit")),
        ):
            seen = {}
            for i, row in enumerate(_list(inputs.get(section))):
                row = _dict(row)
                path = f"$.inputs.{section}[{i}]"
                self.unit_ref(f"{path}.unit", row.get("unit"))
                value = self.number(f"{path}.{amount}", row.get(amount), places=places)
                if section == "public_scores" and value is not None and value > PUBLIC_MAX:
                    self.add(
                        f"{path}.score",
                        _("%(value)s is more than %(max)s") % {"value": value, "max": PUBLIC_MAX},
                    )
                if isinstance(row.get("unit"), str):
                    self.duplicates(path, row.get("unit"), seen, what)

        for i, row in enumerate(_list(inputs.get("bonuses"))):
            row = _dict(row)
            path = f"$.inputs.bonuses[{i}]"
            self.unit_ref(f"{path}.unit", row.get("unit"))
            self.number(f"{path}.points", row.get("points"), places=places)
        for i, row in enumerate(_list(inputs.get("deductions"))):
            row = _dict(row)
            path = f"$.inputs.deductions[{i}]"
            self.unit_ref(f"{path}.unit", row.get("unit"))
            self.number(f"{path}.points", row.get("points"), places=places)
            self.date(f"{path}.found_on", row.get("found_on"))


def check_document(
    document: dict[str, Any] | bytes | str, *, replace: bool = False
) -> tuple[dict[str, Any], Checked, list[ArchiveProblem]]:
    """Parse and check an archive; reads the database (existing cycle, units), writes nothing."""
    doc, problems = parse_document(document)
    if problems:
        return {}, Checked(), problems
    problems = check_header(doc)
    if problems:
        return {}, Checked(), problems
    problems = schema_problems(doc)
    checker = _Checker(doc, replace=replace)
    checker.run()
    problems.extend(checker.problems)
    unique: dict[tuple[str, str], ArchiveProblem] = {}
    for problem in problems:
        unique.setdefault((problem.path, problem.message), problem)
    return doc, checker.checked, list(unique.values())
