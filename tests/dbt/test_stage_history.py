"""Deal stage history on hand-built histories (tests/dbt/stage_histories.py), on DuckDB and Postgres."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import stage_histories as deals
from .conftest import Reconciled
from .scenarios import T0

T1, T2 = deals.T1, deals.T2


def _history(reconciled: Reconciled, deal_id: int) -> list[dict[str, Any]]:
    return reconciled.rows(
        "select stage_id, stage_name, pipeline_id, entered_at, exited_at, duration_seconds, is_current, "
        "entry_reason, "
        "exit_reason, entry_source, is_stage_deleted from marts.deal_stage_history "
        "where workspace_id = 'stages' and pipedrive_deal_id = ? order by entered_at, stage_change_key",
        [deal_id],
    )


def _stays(reconciled: Reconciled, deal_id: int) -> list[tuple[Any, ...]]:
    return [(row["stage_id"], row["entered_at"], row["exited_at"]) for row in _history(reconciled, deal_id)]


def test_a_deal_that_never_moved_has_one_open_stay_from_its_add_time(reconciled: Reconciled) -> None:
    [stay] = _history(reconciled, deals.NEVER_MOVED)
    assert (stay["stage_id"], stay["entered_at"], stay["exited_at"], stay["is_current"]) == (
        1,
        T0,
        None,
        True,
    )
    assert (stay["entry_reason"], stay["duration_seconds"]) == ("created", None)


def test_moves_in_the_same_second_follow_the_changelog_order(reconciled: Reconciled) -> None:
    assert _stays(reconciled, deals.TIE) == [(1, T0, T1), (2, T1, T1), (3, T1, None)]
    assert [row["duration_seconds"] for row in _history(reconciled, deals.TIE)] == [3 * 86400, 0, None]


def test_change_ids_order_moves_in_the_same_second(reconciled: Reconciled) -> None:
    assert _stays(reconciled, deals.TIE_BY_CHANGE_ID) == [(1, T0, T1), (2, T1, T1), (3, T1, None)]


def test_a_move_to_another_pipeline_ends_and_starts_stays_as_a_pipeline_move(reconciled: Reconciled) -> None:
    first, second = _history(reconciled, deals.PIPELINE_MOVE)
    assert (first["pipeline_id"], first["exit_reason"]) == (1, "pipeline_move")
    assert (second["stage_id"], second["pipeline_id"], second["entry_reason"]) == (10, 2, "pipeline_move")


def test_winning_stops_the_clock_and_reopening_starts_a_new_stay(reconciled: Reconciled) -> None:
    won, reopened = _history(reconciled, deals.REOPENED)
    assert (won["stage_id"], won["exited_at"], won["exit_reason"]) == (2, T1, "won")
    assert (reopened["stage_id"], reopened["entered_at"], reopened["entry_reason"]) == (2, T2, "reopened")
    assert reopened["is_current"]


def test_a_deleted_stage_is_kept_by_its_id(reconciled: Reconciled) -> None:
    stays = _history(reconciled, deals.DELETED_STAGE)
    assert [stay["stage_id"] for stay in stays] == [1, 99, 3]
    assert (stays[1]["stage_name"], stays[1]["is_stage_deleted"], stays[1]["duration_seconds"]) == (
        None,
        True,
        int((T2 - T1).total_seconds()),
    )


def test_a_webhook_adds_an_exact_move_the_changelog_does_not_have_yet(reconciled: Reconciled) -> None:
    stays = _history(reconciled, deals.WEBHOOK_MOVE)
    assert [(stay["stage_id"], stay["entry_source"]) for stay in stays] == [
        (1, "add_time"),
        (2, "changelog"),
        (3, "webhook"),
    ]
    assert stays[2]["entered_at"] == T2 + timedelta(milliseconds=250)


def test_a_webhook_for_a_move_the_changelog_has_adds_nothing(reconciled: Reconciled) -> None:
    assert [
        (stay["stage_id"], stay["entry_source"]) for stay in _history(reconciled, deals.WEBHOOK_DUPLICATE)
    ] == [(1, "add_time"), (2, "changelog")]


def test_without_its_changelog_a_moved_deal_is_in_an_unknown_stage_until_its_last_move(
    reconciled: Reconciled,
) -> None:
    assert _stays(reconciled, deals.SNAPSHOT_ONLY) == [(None, T0, T1), (3, T1, None)]


def test_a_lost_deal_has_no_open_stay(reconciled: Reconciled) -> None:
    stays = _history(reconciled, deals.LOST)
    assert _stays(reconciled, deals.LOST) == [(1, T0, T1), (2, T1, T2)]
    assert stays[-1]["exit_reason"] == "lost" and not any(stay["is_current"] for stay in stays)


def test_stage_durations_count_closed_stays_and_deals_moving_onward(reconciled: Reconciled) -> None:
    [lead_in] = reconciled.rows(
        "select deals_entered, completed_stays, median_duration_seconds, deals_moved_onward "
        "from marts.pipeline_stage_durations where workspace_id = 'stages' and stage_id = 1"
    )
    # Every deal but SNAPSHOT_ONLY (unknown first stage) and REOPENED (created in stage 2) entered stage 1;
    # all but NEVER_MOVED left it after three days. Not onward: PIPELINE_MOVE (another pipeline) and
    # DELETED_STAGE (a stage whose place in the pipeline is gone).
    assert (lead_in["deals_entered"], lead_in["completed_stays"]) == (8, 7)
    assert (lead_in["median_duration_seconds"], lead_in["deals_moved_onward"]) == (3 * 86400, 5)
