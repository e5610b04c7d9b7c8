"""Links that outlive Pipedrive merges, and what sync_status shows of a lead's writes (workspace `links`)."""

from __future__ import annotations

from . import link_scenarios as links
from .conftest import Reconciled


def _status(reconciled: Reconciled, lead: str) -> dict:
    [row] = reconciled.rows(
        "select * from marts.sync_status where workspace_id = 'links' and coldcopy_lead_id = ?", [lead]
    )
    return row


def test_a_link_to_a_merged_person_moves_to_the_person_it_was_merged_into(reconciled: Reconciled) -> None:
    status = _status(reconciled, links.MOVED_LEAD)
    assert (status["link_state"], status["pipedrive_person_id"]) == ("linked", links.SURVIVOR)


def test_a_moved_link_is_planned_for_storing(reconciled: Reconciled) -> None:
    rows = reconciled.rows(
        "select target_system, entity, pipedrive_person_id from marts.writeback_plan "
        "where workspace_id = 'links' and plan_key = ?",
        [f"state:link:{links.MOVED_LEAD}"],
    )
    assert rows == [{"target_system": "state", "entity": "link", "pipedrive_person_id": links.SURVIVOR}]


def test_sync_status_shows_a_write_whose_latest_attempt_failed(reconciled: Reconciled) -> None:
    status = _status(reconciled, links.FAILING_LEAD)
    assert (status["failed_writes"], status["last_error"]) == (1, "422 Unprocessable: phones")
    assert status["last_synced_at"] == links.T0 + links.DAY  # the earlier attempt that succeeded
