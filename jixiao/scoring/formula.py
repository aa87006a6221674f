"""Composite formulas: a small, safe expression language over the score components.

A formula is parsed with :mod:`ast` and only a whitelist of nodes is accepted; it is then
turned into a tree of closures once, so evaluating it for thousands of units costs a handful
of Decimal operations each. Python's ``eval`` is never involved.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

from jixiao.scoring.rounding import quantize
from jixiao.scoring.types import COMPONENTS

__all__ = [
    "CompiledFormula",
    "FormulaError",
    "compile_formula",
    "validate_formula",
]

# Wide enough that a division feeding the final half-up rounding can never create a false tie.
_CONTEXT = Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
_ADD = _CONTEXT.add
_SUB = _CONTEXT.subtract
_MUL = _CONTEXT.multiply
_DIV = _CONTEXT.divide
_NEG = _CONTEXT.minus
_PLUS = _CONTEXT.plus

_FUNCTIONS = ("min", "max", "round")
_MAX_ROUND_PLACES = 10

_OPERATOR_NAMES: dict[type[ast.AST], str] = {
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}

_CONSTRUCT_NAMES: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expressions",
    ast.Lambda: "lambda",
    ast.NamedExpr: "assignment expressions",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "strings",
    ast.Starred: "starred arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}

Values = Mapping[str, Decimal]
_Fn = Callable[[Values], Decimal]


class FormulaError(ValueError):
    """A formula that cannot be compiled or evaluated.

    ``position`` is the 0-based character offset in the formula text (``None`` when the
    problem is not tied to one place); ``reason`` is the bare English explanation, so the
    caller can format and translate the two separately.
    """

    position: int | None
    reason: str

    def __init__(self, position: int | None, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.position is None:
            return self.reason
        return f"at position {self.position}: {self.reason}"

    def __reduce__(self) -> tuple[type[FormulaError], tuple[int | None, str]]:
        return (FormulaError, (self.position, self.reason))


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Positions:
    """Turns the parser's (line, UTF-8 byte column) into a character offset in the source."""

    def __init__(self, text: str, shift: int) -> None:
        self._shift = shift
        self._lines: list[str] = []
        self._starts: list[int] = []
        start = 0
        for match in _LINE_BREAK.finditer(text):
            self._lines.append(text[start : match.start()])
            self._starts.append(start)
            start = match.end()
        self._lines.append(text[start:])
        self._starts.append(start)

    def of_bytes(self, lineno: int, col_bytes: int) -> int:
        index = min(max(lineno - 1, 0), len(self._lines) - 1)
        line = self._lines[index]
        column = len(line.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))
        return self._shift + self._starts[index] + column

    def of_chars(self, lineno: int, col_chars: int) -> int:
        index = min(max(lineno - 1, 0), len(self._lines) - 1)
        column = min(max(col_chars, 0), len(self._lines[index]))
        return self._shift + self._starts[index] + column

    def of_node(self, node: ast.AST) -> int:
        return self.of_bytes(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))


@dataclass(frozen=True, slots=True)
class _Compiled:
    fn: _Fn
    constant: Decimal | None  # set when the subtree uses no component (folded at compile time)


class CompiledFormula:
    """A checked formula, ready to evaluate many times."""

    __slots__ = ("_fn", "_text", "_tree", "names", "source")

    source: str
    names: frozenset[str]

    def __init__(self, source: str, fn: _Fn, names: frozenset[str], tree: ast.expr, text: str):
        self.source = source
        self.names = names
        self._fn = fn
        self._tree = tree
        self._text = text

    def __repr__(self) -> str:
        return f"CompiledFormula({self.source!r})"

    def evaluate(self, values: Values) -> Decimal:
        """The exact value of the formula; ``values`` must hold every name in ``names``.

        Raises :class:`FormulaError` on a division by zero (with the division's position)
        or when a used component has no value.
        """
        try:
            return self._fn(values)
        except KeyError as exc:
            raise FormulaError(None, f"no value for {exc.args[0]!r}") from None

    def render(self, values: Mapping[str, str]) -> str:
        """The formula with each component replaced by ``values[name]`` (score-card style).

        Operators print as ×, ÷ and −; parentheses are kept only where they matter.
        """
        return _render(self._tree, values, self._text)[0]


def compile_formula(source: str) -> CompiledFormula:
    """Parse and check ``source``; raise :class:`FormulaError` pointing at the first problem."""
    if not source or not source.strip():
        raise FormulaError(None, "the formula is empty")
    # eval-mode parsing rejects leading indentation; strip it and shift positions back.
    text = source.lstrip()
    shift = len(source) - len(text)
    positions = _Positions(text, shift)
    try:
        # The trailing newline makes the parser report "unexpected end" at the end of the
        # text instead of at offset 0.
        tree = ast.parse(text + "\n", mode="eval")
    except SyntaxError as exc:
        position: int | None = None
        if exc.lineno is not None and exc.offset is not None:
            # SyntaxError.offset is 1-based and counts characters (not bytes).
            position = min(positions.of_chars(exc.lineno, exc.offset - 1), len(source))
        raise FormulaError(position, f"syntax error: {exc.msg}") from None
    names: set[str] = set()
    compiled = _Compiler(text, positions, names).visit(tree.body)
    return CompiledFormula(source, compiled.fn, frozenset(names), tree.body, text)


def validate_formula(source: str) -> None:
    """Compile ``source`` and evaluate it on sample values, raising :class:`FormulaError`.

    Besides all-ones and typical values the trial includes all zeros: a formula that divides
    by a component which is often 0 (no deductions, no bonus) would otherwise fail later, in
    the middle of a recompute.
    """
    formula = compile_formula(source)
    typical = {
        "performance": Decimal("182.5"),
        "self_construction": Decimal("723"),
        "indicator": Decimal("905.5"),
        "city_incentive": Decimal("4"),
        "public": Decimal("880.25"),
        "bonus": Decimal("6"),
        "deduction": Decimal("4"),
    }
    trials: list[tuple[str, Mapping[str, Decimal]]] = [
        ("all components 1", dict.fromkeys(COMPONENTS, Decimal(1))),
        ("typical values", typical),
        ("all components 0", dict.fromkeys(COMPONENTS, Decimal(0))),
    ]
    for label, values in trials:
        try:
            formula.evaluate(values)
        except FormulaError as exc:
            raise FormulaError(exc.position, f"{exc.reason} (with {label})") from None


class _Compiler:
    def __init__(self, text: str, positions: _Positions, names: set[str]) -> None:
        self._text = text
        self._positions = positions
        self._names = names

    def _error(self, node: ast.AST, reason: str) -> FormulaError:
        return FormulaError(self._positions.of_node(node), reason)

    def visit(self, node: ast.expr) -> _Compiled:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        construct = _CONSTRUCT_NAMES.get(type(node), type(node).__name__)
        raise self._error(node, f"{construct} not allowed")

    def _constant(self, node: ast.Constant) -> _Compiled:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "None" if value is None else type(value).__name__
            raise self._error(node, f"only numbers are allowed, not {kind} {value!r}")
        if isinstance(value, int):
            number = Decimal(value)
        else:
            # The literal's own text, so 0.6 is exactly 6/10 and not the nearest binary float.
            segment = ast.get_source_segment(self._text, node)
            try:
                number = Decimal(segment) if segment is not None else Decimal(repr(value))
            except InvalidOperation:
                number = Decimal(repr(value))
            if not number.is_finite():
                raise self._error(node, f"number out of range: {segment}")
        return _Compiled(_const_fn(number), number)

    def _name(self, node: ast.Name) -> _Compiled:
        name = node.id
        if name in _FUNCTIONS:
            raise self._error(node, f"function {name!r} must be called, e.g. {name}(a, b)")
        if name not in COMPONENTS:
            allowed = ", ".join(COMPONENTS)
            raise self._error(node, f"unknown name {name!r} (allowed: {allowed})")
        self._names.add(name)

        def fn(values: Values) -> Decimal:
            return values[name]

        return _Compiled(fn, None)

    def _binop(self, node: ast.BinOp) -> _Compiled:
        op = node.op
        if not isinstance(op, ast.Add | ast.Sub | ast.Mult | ast.Div):
            symbol = _OPERATOR_NAMES.get(type(op), type(op).__name__)
            raise FormulaError(
                self._operator_position(node), f"operator {symbol!r} not allowed (use + - * /)"
            )
        left = self.visit(node.left)
        right = self.visit(node.right)
        if isinstance(op, ast.Div):
            return self._division(node, left, right)
        combine = _ADD if isinstance(op, ast.Add) else _SUB if isinstance(op, ast.Sub) else _MUL
        if left.constant is not None and right.constant is not None:
            folded = combine(left.constant, right.constant)
            return _Compiled(_const_fn(folded), folded)
        lf, rf = left.fn, right.fn
        if right.constant is not None:
            rc = right.constant

            def fn_rc(values: Values) -> Decimal:
                return combine(lf(values), rc)

            return _Compiled(fn_rc, None)

        def fn(values: Values) -> Decimal:
            return combine(lf(values), rf(values))

        return _Compiled(fn, None)

    def _division(self, node: ast.BinOp, left: _Compiled, right: _Compiled) -> _Compiled:
        position = self._operator_position(node)
        if right.constant is not None:
            divisor = right.constant
            if not divisor:
                raise FormulaError(position, "division by zero")
            if left.constant is not None:
                folded = _DIV(left.constant, divisor)
                return _Compiled(_const_fn(folded), folded)
            lf = left.fn

            def fn_rc(values: Values) -> Decimal:
                return _DIV(lf(values), divisor)

            return _Compiled(fn_rc, None)
        lf, rf = left.fn, right.fn

        def fn(values: Values) -> Decimal:
            d = rf(values)
            if not d:
                raise FormulaError(position, "division by zero")
            return _DIV(lf(values), d)

        return _Compiled(fn, None)

    def _operator_position(self, node: ast.BinOp) -> int:
        """Where the operator sign of ``node`` is: the first character after the left operand
        that is not a closing parenthesis or white space (the sign is what is wrong)."""
        end_line = getattr(node.left, "end_lineno", None)
        end_col = getattr(node.left, "end_col_offset", None)
        if end_line is None or end_col is None:
            return self._positions.of_node(node)
        base = self._positions.of_bytes(1, 0)
        index = self._positions.of_bytes(end_line, end_col) - base
        while index < len(self._text) and self._text[index] in " \t\r\n\f)":
            index += 1
        return base + index

    def _unary(self, node: ast.UnaryOp) -> _Compiled:
        op = node.op
        if not isinstance(op, ast.USub | ast.UAdd):
            symbol = _OPERATOR_NAMES.get(type(op), type(op).__name__)
            raise self._error(node, f"operator {symbol!r} not allowed")
        operand = self.visit(node.operand)
        apply = _NEG if isinstance(op, ast.USub) else _PLUS
        if operand.constant is not None:
            folded = apply(operand.constant)
            return _Compiled(_const_fn(folded), folded)
        of = operand.fn

        def fn(values: Values) -> Decimal:
            return apply(of(values))

        return _Compiled(fn, None)

    def _call(self, node: ast.Call) -> _Compiled:
        func = node.func
        if isinstance(func, ast.Name) and func.id not in _FUNCTIONS:
            raise self._error(node, f"unknown function {func.id!r} (allowed: min, max, round)")
        if not isinstance(func, ast.Name):
            raise self._error(node, "only min(), max() and round() can be called")
        name = func.id
        if node.keywords:
            raise self._error(node.keywords[0], f"{name}() takes no keyword arguments")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self._error(arg, "starred arguments not allowed")
        if name == "round":
            return self._round(node)
        if len(node.args) < 2:
            raise self._error(node, f"{name}() needs at least 2 arguments")
        args = [self.visit(arg) for arg in node.args]
        pick = min if name == "min" else max
        if all(arg.constant is not None for arg in args):
            folded = pick(arg.constant for arg in args if arg.constant is not None)
            return _Compiled(_const_fn(folded), folded)
        fns = tuple(arg.fn for arg in args)
        if len(fns) == 2:
            f0, f1 = fns

            def fn2(values: Values) -> Decimal:
                return pick(f0(values), f1(values))

            return _Compiled(fn2, None)

        def fn(values: Values) -> Decimal:
            return pick([f(values) for f in fns])

        return _Compiled(fn, None)

    def _round(self, node: ast.Call) -> _Compiled:
        if not 1 <= len(node.args) <= 2:
            raise self._error(node, "round() takes 1 or 2 arguments: round(x) or round(x, places)")
        value = self.visit(node.args[0])
        places = 0
        if len(node.args) == 2:
            places_node = node.args[1]
            given = self.visit(places_node).constant
            if (
                given is None
                or given != given.to_integral_value()
                or not 0 <= given <= _MAX_ROUND_PLACES
            ):
                raise self._error(
                    places_node,
                    f"round() places must be a whole number from 0 to {_MAX_ROUND_PLACES}",
                )
            places = int(given)
        if value.constant is not None:
            folded = quantize(value.constant, places)
            return _Compiled(_const_fn(folded), folded)
        vf = value.fn

        def fn(values: Values) -> Decimal:
            return quantize(vf(values), places)

        return _Compiled(fn, None)


def _const_fn(number: Decimal) -> _Fn:
    def fn(values: Values) -> Decimal:
        return number

    return fn


# Rendering for score cards ------------------------------------------------------------------

_ATOM = 4


def _render(node: ast.expr, values: Mapping[str, str], text: str) -> tuple[str, int]:
    """Render ``node``; return the text and its precedence (1 additive … 4 atom)."""
    if isinstance(node, ast.Name):
        shown = values.get(node.id, node.id)
        if shown.startswith("-"):
            return f"(−{shown[1:]})", _ATOM
        return shown, _ATOM
    if isinstance(node, ast.Constant):
        segment = ast.get_source_segment(text, node)
        return (segment if segment is not None else str(node.value)), _ATOM
    if isinstance(node, ast.UnaryOp):
        inner, precedence = _render(node.operand, values, text)
        if precedence < 3:
            inner = f"({inner})"
        return ("−" if isinstance(node.op, ast.USub) else "+") + inner, 3
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Add | ast.Sub):
            precedence = 1
            symbol = " + " if isinstance(node.op, ast.Add) else " − "
        else:
            precedence = 2
            symbol = " × " if isinstance(node.op, ast.Mult) else " ÷ "
        left, lp = _render(node.left, values, text)
        right, rp = _render(node.right, values, text)
        if lp < precedence:
            left = f"({left})"
        if rp < precedence or (rp == precedence and isinstance(node.op, ast.Sub | ast.Div)):
            right = f"({right})"
        return left + symbol + right, precedence
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = ", ".join(_render(arg, values, text)[0] for arg in node.args)
        return f"{node.func.id}({args})", _ATOM
    return ast.unparse(node), _ATOM
