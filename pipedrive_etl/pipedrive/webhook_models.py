"""Webhook payloads, both versions, as Pipedrive POSTs them to our receiver (pipedrive-api.md §9.2).

v2 (the default since 2025-03-17): `{meta, data, previous}`; `meta.id` is the event UUID to deduplicate on,
`data` holds "only crucial information" with typed custom fields, `previous` only the changed fields on
`change` and the full last state on `delete`. v1: `{v, event, meta, current, previous, retry}`, carrying
whole v1 objects.

Both keep `data`/`current`/`previous` as dicts, because their shapes are partial or v1-shaped; `entity()` and
`current_record()` turn them into something typed when the caller wants it.
"""

from __future__ import annotations

from typing import Any

from ._wire import EntityId, LenientUtcDatetime, PipedriveModel
from .entities import WEBHOOK_ENTITY_MODELS


class WebhookV2Meta(PipedriveModel):
    """v2 `meta`. Ids arrive as strings ("8087566"): numeric ones read as ints, lead UUIDs stay strings."""

    id: str
    action: str  # create | change | delete; a merge is a delete plus a change, never "merged"
    entity: str
    entity_id: EntityId | None = None
    company_id: int | None = None
    user_id: int | None = None
    correlation_id: str | None = None
    is_bulk_edit: bool | None = None
    # An ISO string, except for `user` events, which send a 10-digit unix time (§9.2).
    timestamp: LenientUtcDatetime = None
    type: str | None = None
    version: str | None = None
    webhook_id: int | None = None
    webhook_owner_id: int | None = None
    change_source: str | None = None
    attempt: int | None = None
    host: str | None = None
    permitted_user_ids: list[int] | None = None
    merged_to_id: EntityId | None = None
    merged_from_id: EntityId | None = None


class WebhookV2Payload(PipedriveModel):
    """A v2 delivery. Key idempotency on `meta.id`: nothing promises exactly-once delivery (§9.3)."""

    meta: WebhookV2Meta
    data: dict[str, Any] | None = None
    previous: dict[str, Any] | None = None

    @property
    def event_id(self) -> str:
        return self.meta.id

    def entity(self) -> PipedriveModel | None:
        """`data` as its read model (on delete `previous`, the last full state); None for unmodelled entities.

        Custom fields stay in webhook form: decode them with `fields.decode_webhook_v2`.
        """
        model = WEBHOOK_ENTITY_MODELS.get(self.meta.entity)
        state = self.previous if self.meta.action == "delete" and self.data is None else self.data
        if model is None or state is None:
            return None
        return model.model_validate(state)


class WebhookV1Meta(PipedriveModel):
    """v1 `meta`: integer ids (real deliveries send `webhook_id` as a string), unix timestamps."""

    action: str  # added | updated | merged | deleted
    object: str
    id: EntityId | None = None
    v: int | None = None
    company_id: int | None = None
    user_id: int | None = None
    host: str | None = None
    timestamp: LenientUtcDatetime = None
    timestamp_micro: int | None = None
    prepublish_timestamp: int | None = None  # milliseconds, seen in real deliveries only
    change_source: str | None = None
    permitted_user_ids: list[int] | None = None
    is_bulk_update: bool | None = None
    trans_pending: bool | None = None
    webhook_id: int | None = None


class WebhookV1Payload(PipedriveModel):
    """A v1 delivery. `current`/`previous` are full v1 objects (flat custom fields); null on delete/add."""

    event: str  # "<action>.<object>", e.g. "updated.deal"
    meta: WebhookV1Meta
    v: int | None = None
    retry: int | None = None
    current: dict[str, Any] | list[dict[str, Any]] | None = None
    previous: dict[str, Any] | list[dict[str, Any]] | None = None

    def current_record(self) -> dict[str, Any] | None:
        """`current` as one v1 object; `user` events wrap it in a list (D-wh1: "use current[0]")."""
        return _first(self.current)

    def previous_record(self) -> dict[str, Any] | None:
        return _first(self.previous)


def _first(state: dict[str, Any] | list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if isinstance(state, list):
        return state[0] if state else None
    return state
