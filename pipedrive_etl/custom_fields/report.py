"""What ensuring a workspace's custom fields did (or, in a dry run, would do), as text lines and as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldEntry:
    """One field of the report. `options`: a created field's options, or the labels added to an existing one.
    `key` is None for a field a dry run would create."""

    entity: str
    name: str
    key: str | None
    field_type: str
    options: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass
class FieldReport:
    workspace_id: str
    dry_run: bool = False
    created: list[FieldEntry] = field(default_factory=list)
    options_added: list[FieldEntry] = field(default_factory=list)
    unchanged: list[FieldEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tokens: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.options_added)

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "options_added": len(self.options_added),
                "unchanged": len(self.unchanged)}

    def as_dict(self) -> dict[str, Any]:
        return {"workspace": self.workspace_id, "dry_run": self.dry_run,
                "created": [asdict(entry) for entry in self.created],
                "options_added": [asdict(entry) for entry in self.options_added],
                "unchanged": [asdict(entry) for entry in self.unchanged],
                "warnings": list(self.warnings), "tokens": self.tokens}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def lines(self) -> list[str]:
        create, add = ("would create", "would add") if self.dry_run else ("created", "options added")
        out = [f"workspace {self.workspace_id}{' (dry run: nothing changed)' if self.dry_run else ''}"]
        for entry in self.created:
            options = f" with options {_labels(entry.options)}" if entry.options else ""
            key = f", key {entry.key}" if entry.key else ""
            out.append(f"  {create}: {entry.entity} field {entry.name!r} ({entry.field_type}){options}{key}")
        for entry in self.options_added:
            out.append(f"  {add}: {_labels(entry.options)} to {entry.entity} field {entry.name!r} "
                       f"(key {entry.key})")
        for entry in self.unchanged:
            out.append(f"  in place: {entry.entity} field {entry.name!r} ({entry.field_type}), "
                       f"key {entry.key}")
        out.extend(f"  warning: {warning}" for warning in self.warnings)
        counts = self.counts()
        out.append(f"  {sum(counts.values())} fields: {counts['created']} {create}, "
                   f"{counts['options_added']} {'would get' if self.dry_run else 'got'} options, "
                   f"{counts['unchanged']} in place; "
                   f"{self.tokens} tokens")
        return out


def _labels(labels: tuple[str, ...]) -> str:
    return ", ".join(repr(label) for label in labels)
