"""The smoke test every Dagster project needs: the definitions load, with the assets and jobs we expect."""

import dagster as dg

from pipedrive_etl.definitions import defs


def test_definitions_load_with_every_extraction_asset():
    keys = {key.to_user_string() for key in defs.get_repository_def().asset_graph.get_all_asset_keys()}
    assert {"pipedrive/persons", "pipedrive/organizations", "pipedrive/deals", "pipedrive/activities",
            "pipedrive/pipelines", "pipedrive/stages", "pipedrive/fields", "pipedrive/deal_stage_changes",
            "coldcopy/leads", "coldcopy/companies", "coldcopy/email_events"} <= keys


def test_jobs_are_partitioned_by_workspace():
    for name in ("nightly_reconciliation", "full_refresh"):
        job = defs.resolve_job_def(name)
        assert isinstance(job.partitions_def, dg.DynamicPartitionsDefinition)
        assert job.partitions_def.name == "workspaces"
