"""The pipedrive/custom_fields asset: the custom fields sync.yaml needs, made to exist in the workspace.

Between the field extraction and sync_config: it creates what is missing (and adds missing enum/set options),
stores the new definitions in raw.pipedrive_fields, and so the same run's sync_config resolves them. An
existing field of an incompatible type fails the step, naming it, without retries.
"""

import dagster as dg

from ..connections import workspace_budget
from ..custom_fields import ensure_workspace_fields
from ..metrics import StepFigures, utc_now
from ..warehouse.ledger import WarehouseLedger
from .extract import NETWORK_RETRY, WAREHOUSE_POOL, no_retry_for_permanent_errors
from .metrics import record_step_figures
from .partitions import workspaces
from .resources import PipedriveResource, SyncConfigResource, WarehouseResource


class CustomFieldsConfig(dg.Config):
    dry_run: bool = False


@dg.asset(key=["pipedrive", "custom_fields"], deps=[dg.AssetKey(["pipedrive", "fields"])],
          partitions_def=workspaces, group_name="pipedrive", kinds={"pipedrive"}, pool=WAREHOUSE_POOL,
          retry_policy=NETWORK_RETRY, owners=["team:pipedrive-etl"],
          description="The custom fields sync.yaml needs (the person external-id field when persons are "
                      "created, and every field mapping with create_if_missing), created in Pipedrive when "
                      "missing, with missing enum/set options added (never deleted); new definitions go to "
                      "raw.pipedrive_fields. An existing field of an incompatible type fails here, named.")
def pipedrive_custom_fields(context: dg.AssetExecutionContext, config: CustomFieldsConfig,
                            sync_config: SyncConfigResource, warehouse: WarehouseResource,
                            pipedrive: PipedriveResource) -> dg.MaterializeResult:
    with no_retry_for_permanent_errors():
        settings, workspace = sync_config.load_workspace(context.partition_key)
        with warehouse.open() as store:
            # Field writes are configuration, not extraction: the whole daily budget, as webhook registration.
            budget = workspace_budget(workspace, WarehouseLedger(store))
            started_at = utc_now()
            with pipedrive.client(workspace, budget, store) as client:
                report = ensure_workspace_fields(settings, workspace.id, client, store,
                                                 dry_run=config.dry_run)
            # Its requests and tokens count in the run's figures (marts.sync_runs) like every other step's.
            record_step_figures(context, store, workspace.id, StepFigures(
                context.asset_key.to_user_string(), "pipedrive", started_at,
                utc_now()).with_requests(client.stats))
    for warning in report.warnings:
        context.log.warning(warning)
    context.log.info("\n".join(report.lines()))
    return dg.MaterializeResult(metadata={
        **report.counts(), "dry_run": report.dry_run, "tokens": report.tokens,
        "report": dg.MetadataValue.json(report.as_dict()),
    })
