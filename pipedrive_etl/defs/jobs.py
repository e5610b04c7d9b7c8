"""Jobs: the nightly reconciliation of a workspace, and a full refresh of its extraction."""

import dagster as dg

from .metrics import SYNC_RUNS


def build_jobs(extraction_assets: list[dg.AssetsDefinition]) -> list:
    full_refresh_config = {
        "ops": {asset.op.name: {"config": {"full_refresh": True}} for asset in extraction_assets}
    }
    return [
        dg.define_asset_job(
            "nightly_reconciliation", selection=dg.AssetSelection.all(),
            description="One workspace, end to end: extract Pipedrive and ColdCopy (then reconcile and write "
                        "back).",
            tags={"pipedrive-etl/job": "nightly"}),
        dg.define_asset_job(
            # The run's row in marts.sync_runs too, with its diffs null: it extracts and does not reconcile.
            "full_refresh", selection=dg.AssetSelection.assets(*extraction_assets, SYNC_RUNS),
            config=full_refresh_config,
            description="Re-read every record of one workspace from both sides and sweep deletes (and record "
                        "the run in marts.sync_runs).",
            tags={"pipedrive-etl/job": "full_refresh"}),
    ]
