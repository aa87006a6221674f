"""The formula language: what it accepts, what it refuses (and where), and exact arithmetic."""

from __future__ import annotations

import ast
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.scoring.formula import (
    CompiledFormula,
    FormulaError,
    compile_formula,
    validate_formula,
)
from jixiao.scoring.types import COMPONENTS, DEFAULT_FORMULA

D = Decimal

WORKED = {
    "performance": D("182.5"),
    "self_construction": D("723"),
    "indicator": D("905.5"),
    "city_incentive": D("4"),
    "public": D("880.25"),
    "bonus": D("6"),
    "deduction": D("4"),
}


@pytest.mark.parametrize(
    ("source", "position", "reason"),
    [
        ("public + foo", 9, "unknown name 'foo' (allowed: performance, self_construction"),
        ("public +", 8, "syntax error"),
        ("public bonus", 7, "syntax error"),
        ("(public + bonus", 0, "syntax error: '(' was never closed"),
        ("public / 0", 7, "division by zero"),
        ("public / (2 - 2)", 7, "division by zero"),
        ("public / 0.0", 7, "division by zero"),
        ("(public + bonus) / (1 - 1) + 3", 17, "division by zero"),
        ("public.real", 0, "attribute access not allowed"),
        ("__import__('os')", 0, "unknown function '__import__'"),
        ("__import__", 0, "unknown name '__import__'"),
        ("os.system('ls')", 0, "only min(), max() and round() can be called"),
        ("public ** 2", 7, "operator '**' not allowed"),
        ("public // 2", 7, "operator '//' not allowed"),
        ("public % 2", 7, "operator '%' not allowed"),
        ("'abc'", 0, "only numbers are allowed, not str"),
        ("public + 'abc'", 9, "only numbers are allowed, not str"),
        ("True", 0, "only numbers are allowed, not bool"),
        ("None", 0, "only numbers are allowed, not None"),
        ("2j", 0, "only numbers are allowed, not complex"),
        ("min(public, bonus, key=1)", 19, "min() takes no keyword arguments"),
        ("round(public, ndigits=2)", 14, "round() takes no keyword arguments"),
        ("min(1)", 0, "min() needs at least 2 arguments"),
        ("max(public)", 0, "max() needs at least 2 arguments"),
        ("max()", 0, "max() needs at least 2 arguments"),
        ("min(*public)", 4, "starred arguments not allowed"),
        ("round()", 0, "round() takes 1 or 2 arguments"),
        ("round(public, 2, 3)", 0, "round() takes 1 or 2 arguments"),
        ("round(public, bonus)", 14, "round() places must be a whole number"),
        ("round(public, 1.5)", 14, "round() places must be a whole number"),
        ("round(public, -1)", 14, "round() places must be a whole number"),
        ("min", 0, "function 'min' must be called"),
        ("public if bonus else deduction", 0, "conditional expressions not allowed"),
        ("public < bonus", 0, "comparisons not allowed"),
        ("public and bonus", 0, "'and'/'or' not allowed"),
        ("not public", 0, "operator 'not' not allowed"),
        ("[public]", 0, "lists not allowed"),
        ("public[0]", 0, "subscripts not allowed"),
        ("(lambda: 1)()", 0, "only min(), max() and round() can be called"),
        ("lambda: 1", 0, "lambda not allowed"),
        ("(x := 1)", 1, "assignment expressions not allowed"),
        ("f'{public}'", 0, "strings not allowed"),
        ("public = 1", 7, "syntax error"),
        ("public\n * 0.4", 7, "syntax error: unexpected indent"),
        # Positions count characters, not UTF-8 bytes.
        ("公众 + 1", 0, "unknown name '公众'"),
        ("public + 公众", 9, "unknown name '公众'"),
        ("公众评议 ** 2", 5, "operator '**' not allowed"),
        ("公众评议 * 2", 0, "unknown name '公众评议'"),
        ("public +（1）", 8, "syntax error: invalid character"),
        # Leading white space and line breaks keep positions in the original text.
        ("  foo", 2, "unknown name 'foo'"),
        ("(public +\n foo)", 11, "unknown name 'foo'"),
    ],
)
def test_refused_with_position(source: str, position: int, reason: str) -> None:
    with pytest.raises(FormulaError) as caught:
        compile_formula(source)
    error = caught.value
    assert error.position == position, error
    assert reason in error.reason
    assert str(error) == f"at position {position}: {error.reason}"


@pytest.mark.parametrize("source", ["", " ", "\n\t "])
def test_empty_formula_refused(source: str) -> None:
    with pytest.raises(FormulaError) as caught:
        compile_formula(source)
    assert caught.value.position is None
    assert str(caught.value) == "the formula is empty"


def test_formula_error_is_a_value_error_and_pickles() -> None:
    error = FormulaError(3, "unknown name 'x'")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.position, copy.reason) == (3, "unknown name 'x'")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (DEFAULT_FORMULA, D("899.800")),
        ("(indicator + city_incentive) * 0.7 + public * 0.3 + bonus - deduction", D("902.725")),
        ("performance + self_construction", D("905.5")),
        ("indicator", D("905.5")),
        ("-deduction", D("-4")),
        ("+bonus", D("6")),
        ("min(public, 800) + max(bonus, deduction, 5)", D("806")),
        ("max(0, bonus - 10)", D("0")),
        ("round(public / 3)", D("293")),
        ("round(public / 3, 2)", D("293.42")),
        ("round(2.675, 2)", D("2.68")),
        ("round(0.125, 2) + round(-2.5)", D("-2.87")),
        ("public / 4", D("220.0625")),
        ("indicator / 4 * 4", D("905.5")),
        ("round(indicator / 3 * 3, 2)", D("905.50")),
        ("0.1 + 0.2", D("0.3")),
        ("1_000 * 0.001", D("1.000")),
        ("1e3 - indicator", D("94.5")),
        ("  (public\n  * 0.4)", D("352.100")),
        ("(((public)))", D("880.25")),
        ("2 * (3 + 4) - 10 / 4", D("11.5")),
    ],
)
def test_allowed_constructs(source: str, expected: Decimal) -> None:
    formula = compile_formula(source)
    result = formula.evaluate(WORKED)
    assert result == expected
    assert isinstance(result, Decimal)


def test_decimal_exactness() -> None:
    # Binary floating point would give 0.30000000000000004 and 528.1499999…
    assert compile_formula("0.1 + 0.2").evaluate({}) == D("0.3")
    assert str(compile_formula("public * 0.6").evaluate({"public": D("880.25")})) == "528.150"
    assert compile_formula("public * 0.1 * 3").evaluate({"public": D("0.1")}) == D("0.03")


def test_weights_change_the_result() -> None:
    sixty = compile_formula(DEFAULT_FORMULA).evaluate(WORKED)
    seventy = compile_formula(
        "(indicator + city_incentive) * 0.7 + public * 0.3 + bonus - deduction"
    ).evaluate(WORKED)
    assert sixty == D("899.800")
    assert seventy == D("902.725")
    assert seventy > sixty


def test_names_and_source() -> None:
    formula = compile_formula(DEFAULT_FORMULA)
    assert isinstance(formula, CompiledFormula)
    assert formula.source == DEFAULT_FORMULA
    assert formula.names == {"indicator", "city_incentive", "public", "bonus", "deduction"}
    assert compile_formula("1 + 2").names == frozenset()
    assert set(COMPONENTS) >= compile_formula("performance - self_construction").names


def test_runtime_division_by_zero_points_at_the_division() -> None:
    formula = compile_formula("public / deduction")
    assert formula.evaluate({"public": D(10), "deduction": D(4)}) == D("2.5")
    with pytest.raises(FormulaError) as caught:
        formula.evaluate({"public": D(10), "deduction": D(0)})
    assert caught.value.position == 7
    assert caught.value.reason == "division by zero"


def test_division_with_many_digits_is_precise() -> None:
    value = compile_formula("public / 3").evaluate({"public": D(1)})
    assert str(value).startswith("0.33333333333333333333333333333333")


def test_missing_value_is_a_formula_error() -> None:
    with pytest.raises(FormulaError, match="no value for 'public'"):
        compile_formula("public + 1").evaluate({})


def test_validate_formula() -> None:
    validate_formula(DEFAULT_FORMULA)
    validate_formula("public / max(deduction, 1)")
    with pytest.raises(FormulaError) as caught:
        validate_formula("public / deduction")
    assert caught.value.position == 7
    assert "division by zero (with all components 0)" in caught.value.reason
    with pytest.raises(FormulaError, match="unknown name"):
        validate_formula("public + foo")
    with pytest.raises(FormulaError, match="division by zero"):
        validate_formula("public / (indicator - 905.5)")


@pytest.mark.parametrize(
    ("source", "rendered"),
    [
        (DEFAULT_FORMULA, "(905.50 + 4.00) × 0.6 + 880.25 × 0.4 + 6.00 − 4.00"),
        ("((public)) * 0.4", "880.25 × 0.4"),
        ("public - (bonus - deduction)", "880.25 − (6.00 − 4.00)"),
        ("public / (bonus * deduction)", "880.25 ÷ (6.00 × 4.00)"),
        ("-(bonus + deduction)", "−(6.00 + 4.00)"),
        ("max(public, 1) + round(bonus, 1)", "max(880.25, 1) + round(6.00, 1)"),
    ],
)
def test_render(source: str, rendered: str) -> None:
    shown = {name: format(value.quantize(D("0.01")), "f") for name, value in WORKED.items()}
    assert compile_formula(source).render(shown) == rendered


def test_render_negative_value() -> None:
    assert compile_formula("public - bonus").render({"public": "1", "bonus": "-2"}) == "1 − (−2)"


def test_formula_module_never_evaluates_python() -> None:
    source = Path(__file__).parents[1].joinpath("formula.py").read_text(encoding="utf-8")
    called = {
        node.func.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"eval", "exec", "compile", "__import__"}
