"""Read models for the v1-only history endpoints: deal changelog, flow and recents (pipedrive-api.md §10-11).

These endpoints have no v2 replacement, so their rows are v1-shaped: `"YYYY-MM-DD HH:MM:SS"` UTC timestamps
and, inside recents and flow rows, whole v1 objects (`user_id`, `active_flag`, flat custom fields). Those
embedded objects stay plain dicts; decode their custom fields with `pipedrive.fields.decode_v1`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._wire import EntityId, LenientUtcDatetime, PipedriveModel

STAGE_FIELD_KEY = "stage_id"
"""The `field_key` of a stage move in the changelog and the flow (Singer and Airbyte key on it, §10)."""


class DealChangelogEntry(PipedriveModel):
    """One row of `GET /v1/deals/{id}/changelog`. Old and new values are sent as strings ("100")."""

    field_key: str
    old_value: Any = None
    new_value: Any = None
    actor_user_id: int | None = None
    time: LenientUtcDatetime = None
    change_source: str | None = None
    change_source_user_agent: str | None = None
    is_bulk_update_flag: bool | None = None

    @property
    def is_stage_change(self) -> bool:
        return self.field_key == STAGE_FIELD_KEY


class DealFieldChange(PipedriveModel):
    """The `data` of a flow row whose `object` is "dealChange": one field of one deal changed."""

    id: int | None = None
    item_id: int | None = None
    user_id: int | None = None
    field_key: str
    old_value: Any = None
    new_value: Any = None
    is_bulk_update_flag: bool | None = None
    log_time: LenientUtcDatetime = None
    change_source: str | None = None
    change_source_user_agent: str | None = None
    additional_data: Any = None

    @property
    def is_stage_change(self) -> bool:
        return self.field_key == STAGE_FIELD_KEY


class DealFlowItem(PipedriveModel):
    """One row of `GET /v1/deals/{id}/flow`: `{object, timestamp, data}`, `data` shaped by `object`."""

    object: str
    timestamp: LenientUtcDatetime = None
    data: dict[str, Any] = Field(default_factory=dict)

    def deal_change(self) -> DealFieldChange | None:
        """The field change of a "dealChange" row; None for activities, mails, notes and the rest."""
        if self.object != "dealChange":
            return None
        return DealFieldChange.model_validate(self.data)


class RecentsItem(PipedriveModel):
    """One row of `GET /v1/recents`: `{item, id, data}`; `data` is a v1 object, a list of them for `user`."""

    item: str
    id: EntityId | None = None
    data: dict[str, Any] | list[dict[str, Any]] | None = None

    def records(self) -> list[dict[str, Any]]:
        """The v1 objects of this row, as a list whatever the item type."""
        if self.data is None:
            return []
        return self.data if isinstance(self.data, list) else [self.data]
