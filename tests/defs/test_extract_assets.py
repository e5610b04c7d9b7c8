"""Extraction assets materialized through Dagster on the in-process sandbox."""

from pathlib import Path

import dagster as dg
import pytest

from pipedrive_etl.config import Workspace
from pipedrive_etl.connections import pipedrive_client
from pipedrive_etl.definitions import extraction_assets
from pipedrive_etl.defs.resources import ColdCopyResource, SyncConfigResource, WarehouseResource
from pipedrive_etl.pipedrive import TokenBudget
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_coldcopy, seed_pipedrive
from pipedrive_etl.warehouse import open_warehouse

SYNC_YAML = """
coldcopy: {{database_url: "{coldcopy_url}"}}
workspaces:
  - id: demo
    pipedrive: {{company_domain: sandbox, auth: {{env: SANDBOX_TOKEN}}, plan: ultimate, seats: 5}}
"""


class SandboxPipedrive:
    """Stands in for PipedriveResource: the same client, on the sandbox's in-process transport."""

    def __init__(self, sandbox: Sandbox, clock: FakeClock) -> None:
        self.sandbox, self.clock = sandbox, clock

    def client(self, workspace: Workspace, budget: TokenBudget, warehouse=None):
        return pipedrive_client(workspace, budget=budget, env={"SANDBOX_TOKEN": "sandbox-token"},
                                transport=self.sandbox.transport(), clock=self.clock.monotonic,
                                sleep=self.clock.sleep)


@pytest.fixture
def setup(tmp_path: Path):
    clock = FakeClock()
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock)
    seed_pipedrive(sandbox, persons=300, organizations=60, deals=120, activities=300, seed=5)
    coldcopy_url = f"sqlite:///{tmp_path}/coldcopy.db"
    seed_coldcopy(coldcopy_url, sandbox, workspace_id="demo")
    sync_path = tmp_path / "sync.yaml"
    sync_path.write_text(SYNC_YAML.format(coldcopy_url=coldcopy_url))
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("workspaces", ["demo"])
    warehouse_url = f"duckdb:///{tmp_path}/warehouse.duckdb"
    resources = {"sync_config": SyncConfigResource(path=str(sync_path)),
                 "warehouse": WarehouseResource(url=warehouse_url),
                 "pipedrive": SandboxPipedrive(sandbox, clock), "coldcopy": ColdCopyResource()}
    return sandbox, instance, resources, warehouse_url, sync_path


def test_every_extraction_asset_materializes_for_a_workspace_with_counts_as_metadata(setup):
    sandbox, instance, resources, warehouse_url, _ = setup
    result = dg.materialize(extraction_assets, partition_key="demo", instance=instance, resources=resources)
    assert result.success
    persons = result.asset_materializations_for_node("pipedrive__persons")[0].metadata
    assert persons["rows"].value == 300 and persons["tokens"].value == 10 and persons["mode"].value == "full"
    with open_warehouse(warehouse_url) as warehouse:
        leads = warehouse.fetchone("select count(*) from raw.coldcopy_leads where workspace_id = 'demo'")[0]
        used = warehouse.fetchone("select sum(used) from state.token_usage")[0]
    assert leads > 0
    assert used == sandbox.tokens_used()  # the shared ledger saw every token the sandbox charged


def test_a_bad_sync_yaml_fails_before_any_request_naming_the_key(setup):
    sandbox, instance, resources, _, sync_path = setup
    sync_path.write_text(sync_path.read_text().replace("plan: ultimate", "plan: gold"))
    result = dg.materialize(extraction_assets[:1], partition_key="demo", instance=instance,
                            resources=resources, raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error
    assert "workspaces[0].pipedrive.plan: 'gold' is not allowed" in failure.message
    assert sandbox.tokens_used() == 0
