"""Whether an existing Pipedrive field can serve as the field sync.yaml asks for: the type rules, in one
place.

A field sync.yaml wants as type W and Pipedrive already has as type E is used as it is when:

- E == W; or
- both are short text: `varchar` and `varchar_auto` hold the same strings (up to 255 characters, the same wire
  form); they differ only in the web UI's autocomplete.

Anything else is incompatible and stops the run, naming the field: values are encoded per type (an enum is
an option id, a set a list of them, monetary an object), so writing one type's values into another would fail
or, worse, be coerced. `text` is not accepted for `varchar` either: it is long text, searched and shown
differently, and a field of the other kind is more likely a different field that happens to share the name.
"""

from __future__ import annotations

_SAME_VALUES: tuple[frozenset[str], ...] = (frozenset({"varchar", "varchar_auto"}),)


def compatible(existing_type: str, wanted_type: str) -> bool:
    if existing_type == wanted_type:
        return True
    return any(existing_type in group and wanted_type in group for group in _SAME_VALUES)
