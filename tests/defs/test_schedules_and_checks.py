from datetime import UTC, datetime, timedelta

import dagster as dg

from pipedrive_etl.defs.checks import stale_streams
from pipedrive_etl.defs.schedules import nightly_requests, nightly_schedule


def test_the_nightly_schedule_requests_one_run_per_workspace_keyed_by_night():
    requests = nightly_requests(["demo", "acme"], datetime(2026, 11, 27, 3, tzinfo=UTC))
    assert [(r.partition_key, r.run_key) for r in requests] == [("acme", "nightly-acme-2026-11-27"),
                                                               ("demo", "nightly-demo-2026-11-27")]


def test_the_schedule_runs_the_nightly_job_at_the_configured_hour_and_zone():
    schedule = nightly_schedule("0 3 * * *", "Europe/Tallinn")
    assert (schedule.job_name, schedule.cron_schedule, schedule.execution_timezone) == (
        "nightly_reconciliation", "0 3 * * *", "Europe/Tallinn")


def test_the_nightly_schedule_skips_with_a_reason_before_any_workspace_is_registered():
    result = nightly_requests([], datetime(2026, 11, 27, 2, tzinfo=UTC))
    assert isinstance(result, dg.SkipReason) and "no workspace partitions" in result.skip_message


def test_streams_older_than_the_limit_or_never_read_are_stale():
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    states = {"demo": now - timedelta(hours=2), "acme": now - timedelta(hours=30), "new": None}
    assert stale_streams(states, now, timedelta(hours=26)) == ["acme", "new"]
