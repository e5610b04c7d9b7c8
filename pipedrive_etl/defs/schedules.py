"""The nightly schedule: one run of `nightly_reconciliation` per workspace partition.

Its hour and time zone come from the definitions (`nightly_schedule(cron, timezone)`), set in definitions.py from
PIPEDRIVE_ETL_NIGHTLY_CRON and PIPEDRIVE_ETL_NIGHTLY_TIMEZONE (defaults 02:00 UTC): Dagster needs them when it loads
the code, before any run. Each run key names the workspace and the night, so a re-evaluated tick never runs twice;
the instance's tag limit on `dagster/partition` keeps one run per workspace at a time.
"""

import dagster as dg

from .partitions import workspaces


def nightly_schedule(cron: str = "0 2 * * *", timezone: str = "UTC") -> dg.ScheduleDefinition:
    @dg.schedule(name="nightly_reconciliation_schedule", job_name="nightly_reconciliation", cron_schedule=cron,
                 execution_timezone=timezone, default_status=dg.DefaultScheduleStatus.RUNNING,
                 description=f"Every workspace, every night ({cron}, {timezone}): extract, reconcile, write back.")
    def _nightly(context: dg.ScheduleEvaluationContext) -> dg.SkipReason | list[dg.RunRequest]:
        night = context.scheduled_execution_time.strftime("%Y-%m-%d")
        partitions = context.instance.get_dynamic_partitions(workspaces.name)
        if not partitions:
            return dg.SkipReason("no workspace partitions yet: the register_workspaces sensor adds them from sync.yaml")
        return [dg.RunRequest(run_key=f"nightly-{workspace}-{night}", partition_key=workspace,
                              tags={"pipedrive-etl/workspace": workspace})
                for workspace in sorted(partitions)]

    return _nightly
