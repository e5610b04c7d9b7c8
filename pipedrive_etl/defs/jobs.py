"""Jobs: the nightly reconciliation of a workspace, and a full refresh of its extraction."""

import dagster as dg



def build_jobs(extraction_assets: list[dg.AssetsDefinition]) -> list:
    full_refresh_config = {"ops": {asset.op.name: {"config": {"full_refresh": True}} for asset in extraction_assets}}
    return [
        dg.define_asset_job(
            "nightly_reconciliation", selection=dg.AssetSelection.all(),
            description="One workspace, end to end: extract Pipedrive and ColdCopy (then reconcile and write back).",
            tags={"pipedrive-etl/job": "nightly"}),
        dg.define_asset_job(
            "full_refresh", selection=dg.AssetSelection.assets(*extraction_assets),
            config=full_refresh_config,
            description="Re-read every record of one workspace from both sides and sweep deletes.",
            tags={"pipedrive-etl/job": "full_refresh"}),
    ]
