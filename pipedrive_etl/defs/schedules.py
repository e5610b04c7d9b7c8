"""The nightly schedule: one run of `nightly_reconciliation` per workspace partition.

Its hour and time zone come from the definitions (`nightly_schedule(cron, timezone)`), set in definitions.py
from PIPEDRIVE_ETL_NIGHTLY_CRON and PIPEDRIVE_ETL_NIGHTLY_TIMEZONE (defaults 02:00 UTC): Dagster needs them
when it loads the code, before any run. Each run key names the workspace and the night, so a re-evaluated tick
never runs twice; the instance's tag limit on `dagster/partition` keeps one run per workspace at a time.
"""

from datetime import datetime

import dagster as dg

from .partitions import workspaces


def nightly_requests(partitions: list[str], scheduled: datetime) -> dg.SkipReason | list[dg.RunRequest]:
    """One run per workspace partition, keyed by workspace and night."""
    if not partitions:
        return dg.SkipReason("no workspace partitions yet: "
                             "the register_workspaces sensor adds them from sync.yaml")
    night = scheduled.strftime("%Y-%m-%d")
    return [dg.RunRequest(run_key=f"nightly-{workspace}-{night}", partition_key=workspace,
                          tags={"pipedrive-etl/workspace": workspace})
            for workspace in sorted(partitions)]


def nightly_schedule(cron: str = "0 2 * * *", timezone: str = "UTC") -> dg.ScheduleDefinition:
    @dg.schedule(name="nightly_reconciliation_schedule", job_name="nightly_reconciliation",
                 cron_schedule=cron,
                 execution_timezone=timezone, default_status=dg.DefaultScheduleStatus.RUNNING,
                 description=f"Every workspace, every night ({cron}, {timezone}): "
                             "extract, reconcile, write back.")
    def _nightly(context: dg.ScheduleEvaluationContext) -> dg.SkipReason | list[dg.RunRequest]:
        partitions = context.instance.get_dynamic_partitions(workspaces.name)
        return nightly_requests(list(partitions), context.scheduled_execution_time)

    return _nightly
