"""A mapping's transform as relational columns and lookup rows, in the canonical text dbt compares.

dbt applies transforms ColdCopy -> Pipedrive (and reverses lookups and arithmetic for Pipedrive -> ColdCopy):

    format       lower, upper, title, strip, digits, e164      -> transform_format
    lookup       {from: to} (+ default)                        -> lookup rows, transform_default
    conditional  [{equals, then}] (+ otherwise)                -> lookup rows, transform_default
    calculation  multiply / add / round with an operand         -> transform_calculation, transform_operand

A lookup or conditional with no default passes unmatched values through unchanged. Values become text the way
`canonical_number` in dbt writes numbers: no trailing zeros, booleans `true`/`false`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..config import CalculationTransform, ConditionalTransform, FormatTransform, LookupTransform, Transform


@dataclass(frozen=True)
class FlatTransform:
    kind: str | None = None
    format: str | None = None
    calculation: str | None = None
    operand: float | None = None
    default: str | None = None
    lookups: dict[str, str | None] = field(default_factory=dict)
    as_json: str | None = None


def canonical_text(value: Any) -> str | None:
    """Scalar -> the text dbt compares: numbers without trailing zeros, booleans lowercase, strings
    trimmed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = format(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value).strip()


def flatten(transform: Transform | None) -> FlatTransform:
    if transform is None:
        return FlatTransform()
    as_json = json.dumps(transform.model_dump(), sort_keys=True)
    if isinstance(transform, FormatTransform):
        return FlatTransform("format", format=transform.format, as_json=as_json)
    if isinstance(transform, CalculationTransform):
        return FlatTransform(
            "calculation", calculation=transform.calculation, operand=transform.operand, as_json=as_json
        )
    if isinstance(transform, LookupTransform):
        lookups = {
            canonical_text(key) or "": canonical_text(value) for key, value in transform.lookup.items()
        }
        return FlatTransform(
            "lookup", default=canonical_text(transform.default), lookups=lookups, as_json=as_json
        )
    if isinstance(transform, ConditionalTransform):
        lookups: dict[str, str | None] = {}
        for case in transform.conditional:
            lookups.setdefault(
                canonical_text(case.equals) or "", canonical_text(case.then)
            )  # first case wins
        return FlatTransform(
            "lookup", default=canonical_text(transform.otherwise), lookups=lookups, as_json=as_json
        )
    raise TypeError(f"unknown transform {transform!r}")
