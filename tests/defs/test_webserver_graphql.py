"""dagster-webserver on loopback loads our code location: asset graph, jobs, schedule and sensors, no
errors."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries { name locationOrLoadError {
    __typename ... on PythonError { message }
    ... on RepositoryLocation { repositories { name jobs { name } schedules { name cronSchedule }
        sensors { name } assetNodes { assetKey { path } } } } } } } } }
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(REPO / "data" / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    executable = Path(sys.executable).parent / "dagster-webserver"
    process = subprocess.Popen([str(executable), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                               cwd=REPO, env={"DAGSTER_HOME": str(home), "PATH": str(executable.parent)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"dagster-webserver exited: {process.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{base}/server_info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            raise RuntimeError("dagster-webserver did not answer within 180 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _location(base: str) -> dict:
    deadline = time.monotonic() + 120
    while True:  # the code location loads in the background after the server answers
        body = httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=60).json()
        entry = body["data"]["workspaceOrError"]["locationEntries"][0]
        loaded = entry["locationOrLoadError"]
        if loaded is not None or time.monotonic() > deadline:
            return loaded
        time.sleep(1)


def test_the_code_location_loads_without_errors_with_jobs_schedule_sensors_and_assets(webserver):
    location = _location(webserver)
    assert location["__typename"] == "RepositoryLocation", location.get("message")
    [repository] = location["repositories"]
    assert ({"nightly_reconciliation", "full_refresh", "webhook_sync"}
            <= {job["name"] for job in repository["jobs"]})
    assert [s["name"] for s in repository["schedules"]] == ["nightly_reconciliation_schedule"]
    assert {"register_workspaces", "pipedrive_webhook_sensor"} <= {s["name"] for s in repository["sensors"]}
    assets = {"/".join(node["assetKey"]["path"]) for node in repository["assetNodes"]}
    assert {"pipedrive/persons", "coldcopy/leads", "pipedrive/webhook_events", "writeback/changes"} <= assets
