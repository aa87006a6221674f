"""The one place where scores are rounded (四舍五入, half up), so every score card adds up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

# quantize() fails with InvalidOperation when the result needs more digits than the
# context allows; the caller's context may be the 28-digit default, so use our own.
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation])


class _Exponents(dict[int, Decimal]):
    def __missing__(self, precision: int) -> Decimal:
        exponent = Decimal(1).scaleb(-precision)
        self[precision] = exponent
        return exponent


_EXPONENTS = _Exponents()


def quantize(value: Decimal, precision: int) -> Decimal:
    """Round ``value`` half up (away from zero on a tie) to ``precision`` decimal places."""
    result = value.quantize(_EXPONENTS[precision], ROUND_HALF_UP, _CONTEXT)
    # A negative value that rounds to zero would print as "-0.00" on a score card.
    if not result and result.is_signed():
        return result.copy_abs()
    return result
