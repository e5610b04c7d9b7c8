"""Shape comparison for the contract tests: does the sandbox answer with at least a fixture's keys, at every
level, with the same JSON types?

A published example fills every field; real data has nulls. So types are checked against *witnesses*: for each
key path, the fixture's non-null type must appear among the sandbox's values at that path across all the items
answered (a page of deals has won and lost ones). Keys must be present in every item. Maps keyed by ids
(`related_objects.user["123"]`) are compared by their values, whatever the ids.
"""

from __future__ import annotations

from typing import Any


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_id_map(value: dict[str, Any]) -> bool:
    return bool(value) and all(key.isdigit() for key in value)


def shape_problems(
    expected: Any, samples: list[Any], path: str = "", allowed: dict[str, str] | None = None
) -> list[str]:
    """Differences between a fixture value and the sandbox values found at the same path.

    `allowed` maps a path (e.g. "data[].archive_time") to the documented reason it may stay null or missing.
    """
    allowed = allowed or {}
    if path in allowed:
        return []
    wanted = json_type(expected)
    if wanted == "null":
        return []
    present = [sample for sample in samples if sample is not None]
    if wanted not in {json_type(sample) for sample in present}:
        found = sorted({json_type(sample) for sample in samples}) or ["nothing"]
        return [f"{path or '<root>'}: fixture has {wanted}, sandbox has {', '.join(found)}"]
    same = [sample for sample in present if json_type(sample) == wanted]
    if wanted == "object":
        if _is_id_map(expected):
            return shape_problems_list(
                list(expected.values()), [v for s in same for v in s.values()], f"{path}{{id}}", allowed
            )
        problems = []
        for key, value in expected.items():
            child = f"{path}.{key}" if path else key
            if child in allowed:
                continue
            missing = [s for s in same if key not in s]
            if missing:
                problems.append(f"{child}: missing in {len(missing)} of {len(same)} sandbox objects")
                continue
            problems += shape_problems(value, [s[key] for s in same], child, allowed)
        return problems
    if wanted == "array":
        return shape_problems_list(expected, [item for s in same for item in s], f"{path}[]", allowed)
    return []


def shape_problems_list(
    expected_items: list[Any], sample_items: list[Any], path: str, allowed: dict[str, str]
) -> list[str]:
    problems: list[str] = []
    for item in expected_items:
        for problem in shape_problems(item, sample_items, path, allowed):
            if problem not in problems:
                problems.append(problem)
    return problems
