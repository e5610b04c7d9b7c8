"""Health checks for a monitoring probe: Pipedrive reachable, the token accepted (and an OAuth connection's
tokens not about to expire), the webhook subscriptions present and delivering, the last successful sync recent
enough, the day's token budget.

- `Check`, `HealthReport` and the pure decisions (checks.py).
- `check_health(workspaces, warehouse_url=..., env=..., settings=HealthSettings(...))` (probe.py).
- `pipedrive-etl health` (commands.py) and `GET /health/checks` on the webhook receiver (routes.py).

Only the check values are imported here: the CLI loads this package for `--help`, and the probe pulls in the
client, the warehouse and the metrics.
"""

from .checks import FAIL, OK, WARN, Check, HealthReport

__all__ = ["FAIL", "OK", "WARN", "Check", "HealthReport"]
