"""How a reconciliation invokes dbt: the project, the executable, the arguments of one `dbt build` and the
warehouse URL dbt reads. Free of Dagster, so a script (bench/reconcile.py) or a test runs dbt as the asset
does (`standalone_dbt`)."""

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .warehouse import parse_warehouse_url

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"


def dbt_executable() -> str:
    """The dbt beside this interpreter: the virtual environment may not be activated (CI, a scheduler)."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def dbt_vars(workspace_id: str | None) -> list[str]:
    """The `--vars` of a run scoped to one workspace; an empty workspace id reconciles every workspace."""
    return ["--vars", json.dumps({"workspace_id": workspace_id or ""}, separators=(",", ":"))]


def dbt_args(workspace_id: str | None, *, full_refresh: bool = False) -> list[str]:
    """One reconciliation is one `dbt build`: models and data tests in a single invocation (dbt's start-up
    costs seconds). Unit tests are left out, as dbt Labs
    recommends for production: their inputs are fixed rows, so a nightly run would only repeat what CI
    proves (tests/dbt builds with them, on DuckDB and on Postgres), and each ran just before the model it
    tests, holding it back (1.2 s of the merge model's wait at 1M leads)."""
    args = ["build", *dbt_vars(workspace_id), "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    return args


def standalone_dbt(args: Sequence[str], warehouse_url: str, scratch: Path,
                   **env: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of `dbt <args>` run outside Dagster (tests, the benchmark) on one
    warehouse: the project's own profile, whose target follows the URL (a stray DBT_TARGET would override
    it), and artifacts and logs under `scratch` (the project's target/ is Dagster's)."""
    command = [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
               str(DBT_PROJECT_DIR), "--target-path", str(scratch / "target"),
               "--log-path", str(scratch / "logs")]
    environment = {**os.environ, "WAREHOUSE_URL": warehouse_url, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                   **env}
    environment.pop("DBT_TARGET", None)
    return command, environment


def dbt_warehouse_url(url: str, base: Path) -> str:
    """The warehouse URL for dbt: a relative DuckDB path resolved against `base` (where Python runs), since
    dbt runs in dbt_project/ and would otherwise open another file."""
    parsed = parse_warehouse_url(url)
    if parsed.path is not None and not parsed.path.is_absolute():
        return f"duckdb:///{(base / parsed.path).resolve()}"
    return parsed.url


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for a subprocess started inside the block (dbt reads them in
    profiles.yml)."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
