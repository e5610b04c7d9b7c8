"""Asset checks operators read in the UI: extraction freshness and the day's budget headroom, per
workspace."""

from datetime import UTC, datetime, timedelta

import dagster as dg

from ..config import ConfigError
from ..connections import workspace_budget
from ..warehouse.ledger import WarehouseLedger
from ..warehouse.sync_state import read_state
from .resources import SyncConfigResource, WarehouseResource

FRESHNESS_LIMIT = timedelta(hours=26)  # a nightly run, plus slack for a slow night
# Pipedrive e-mails the company's admins at 75% of the daily budget: warn before they hear of it.
BUDGET_WARNING_SHARE = 0.75


def stale_streams(states: dict[str, datetime | None], now: datetime, limit: timedelta) -> list[str]:
    return sorted(name for name, last in states.items() if last is None or now - last > limit)


def _freshness_check(stream: str) -> dg.AssetChecksDefinition:
    asset_key = ["pipedrive", stream]

    @dg.asset_check(asset=asset_key, name="extraction_freshness", blocking=False,
                    description=f"Every workspace's {stream} were extracted completely "
                                "within the last 26 hours.")
    def _check(sync_config: SyncConfigResource, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        try:
            workspace_ids = [w.id for w in sync_config.load().workspaces]
        except ConfigError as exc:
            return dg.AssetCheckResult(passed=False, metadata={"error": str(exc)})
        with warehouse.open() as store:
            states = {w: read_state(store, w, stream).high_watermark for w in workspace_ids}
        stale = stale_streams(states, datetime.now(UTC), FRESHNESS_LIMIT)
        return dg.AssetCheckResult(passed=not stale, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"stale_workspaces": ", ".join(stale) or "none",
                                             "workspaces": len(workspace_ids)})

    return _check


@dg.asset_check(asset=["writeback", "changes"], name="budget_headroom", blocking=False,
                description="Tokens used today stay under 75% of each company's daily budget.")
def budget_headroom(sync_config: SyncConfigResource, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    settings = sync_config.load()
    usage: dict[str, str] = {}
    over = []
    with warehouse.open() as store:
        for workspace in settings.workspaces:
            budget = workspace_budget(workspace, WarehouseLedger(store))
            share = budget.used() / budget.daily_tokens
            usage[workspace.id] = f"{budget.used():,} of {budget.daily_tokens:,} ({share:.0%})"
            if share >= BUDGET_WARNING_SHARE:
                over.append(workspace.id)
    return dg.AssetCheckResult(passed=not over, severity=dg.AssetCheckSeverity.WARN,
                               metadata={**{f"tokens_{k}": v for k, v in usage.items()},
                                         "over_75_percent": ", ".join(over) or "none"})


freshness_checks = [_freshness_check(stream)
                    for stream in ("persons", "organizations", "deals", "activities")]
operational_checks = [*freshness_checks, budget_headroom]
