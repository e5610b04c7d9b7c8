"""A faithful local Pipedrive, and the ColdCopy demo database (DESIGN.md decision 12).

Public API:

- `Sandbox(plan="growth", seats=5, topups=0, clock=None, company_domain="sandbox",
  api_tokens=("sandbox-token",), *, seed=0, accounting=True, daily_budget=None, ...)`: one company in memory.
  `handle(method, path, query, headers, body) -> (status, headers, body)` answers a request;
  `transport()` is a sync httpx transport for any host; `faults.add(...)` injects faults;
  `webhooks.deliver_due()` sends what is due; `tokens_used()`, `budget_remaining()`, `add_oauth_token()`,
  `add_api_token()`, `add_custom_field()`.
- `create_app(sandbox)`: the starlette app for the server.
- `FakeClock(start)` / `SystemClock()`: the time every limit, reset and retry is measured on.
- `seed_pipedrive(sandbox, persons=..., organizations=..., deals=..., activities=..., seed=42)`: deterministic
  data with custom fields of every type.
- `seed_coldcopy(url, sandbox_or_seed_params, workspace_id="demo")`: the ColdCopy demo database,
overlapping the
  seeded Pipedrive with deliberate differences.

It never imports `pipedrive_etl.pipedrive` (it answers as Pipedrive does, so it cannot mirror the client's
bugs) nor dagster.
"""

from pipedrive_etl.sandbox.clock import FakeClock, SystemClock
from pipedrive_etl.sandbox.faults import ResponseDropped, ResponseTimedOut
from pipedrive_etl.sandbox.sandbox import Sandbox


def create_app(sandbox: Sandbox):  # noqa: ANN201 - starlette is imported only when an app is wanted
    from pipedrive_etl.sandbox.asgi import create_app as _create_app

    return _create_app(sandbox)


def seed_pipedrive(sandbox: Sandbox, **sizes):  # noqa: ANN003, ANN201 - see seed.seed_pipedrive
    from pipedrive_etl.sandbox.seed import seed_pipedrive as _seed

    return _seed(sandbox, **sizes)


def seed_coldcopy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN201 - see coldcopy.seed_coldcopy
    from pipedrive_etl.sandbox.coldcopy import seed_coldcopy as _seed

    return _seed(*args, **kwargs)


__all__ = [
    "FakeClock",
    "ResponseDropped",
    "ResponseTimedOut",
    "Sandbox",
    "SystemClock",
    "create_app",
    "seed_coldcopy",
    "seed_pipedrive",
]
