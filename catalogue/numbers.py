"""Figures as the bulletin writes them: the one decimal formatter of the project."""

from decimal import Decimal


def plain_decimal(value: Decimal) -> str:
    """528.0000 → 528, 2.6600 → 2.66, 15000.0000 → 15000 (never 1.5E+4)."""
    return format(value.normalize(), "f")
