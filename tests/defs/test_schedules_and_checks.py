from datetime import UTC, datetime, timedelta

import dagster as dg

from pipedrive_etl.defs.checks import stale_streams
from pipedrive_etl.defs.schedules import nightly_schedule


def test_the_nightly_schedule_requests_one_run_per_workspace_keyed_by_night():
    schedule = nightly_schedule("0 3 * * *", "Europe/Tallinn")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("workspaces", ["acme", "demo"])
        context = dg.build_schedule_context(instance=instance,
                                            scheduled_execution_time=datetime(2026, 11, 27, 3, tzinfo=UTC))
        requests = schedule(context)
    assert [(r.partition_key, r.run_key) for r in requests] == [("acme", "nightly-acme-2026-11-27"),
                                                               ("demo", "nightly-demo-2026-11-27")]
    assert schedule.execution_timezone == "Europe/Tallinn" and schedule.cron_schedule == "0 3 * * *"


def test_the_nightly_schedule_skips_with_a_reason_before_any_workspace_is_registered():
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(instance=instance,
                                            scheduled_execution_time=datetime(2026, 11, 27, 2, tzinfo=UTC))
        result = nightly_schedule()(context)
    assert isinstance(result, dg.SkipReason) and "no workspace partitions" in result.skip_message


def test_streams_older_than_the_limit_or_never_read_are_stale():
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    states = {"demo": now - timedelta(hours=2), "acme": now - timedelta(hours=30), "new": None}
    assert stale_streams(states, now, timedelta(hours=26)) == ["acme", "new"]
