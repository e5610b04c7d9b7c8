"""`GET /health/checks` on the webhook receiver: the same report as `pipedrive-etl health --json`, answered
200 when no check fails and 503 when one does, for a load balancer or an uptime monitor.

The checks call Pipedrive and read the warehouse, which must never hold up a webhook delivery: they run on a
worker thread, off the event loop, and their report is kept for `cache_seconds` (a probe every few seconds
would otherwise spend 12 tokens a workspace each time). Requests arriving while a report is being made wait
for that one rather than starting another.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .checks import FAIL, Check, HealthReport

DEFAULT_PATH = "/health/checks"
DEFAULT_CACHE_SECONDS = 60.0
CACHE_SECONDS_ENV = "PIPEDRIVE_ETL_HEALTH_CACHE_SECONDS"


class CachedReport:
    """One report at a time, reused while it is fresh."""

    def __init__(self, evaluate: Callable[[], HealthReport], *, cache_seconds: float = DEFAULT_CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._evaluate, self._cache_seconds, self._clock = evaluate, cache_seconds, clock
        self._lock = threading.Lock()
        self._report: HealthReport | None = None
        self._made_at = 0.0

    def get(self) -> HealthReport:
        with self._lock:
            if self._report is None or self._clock() - self._made_at >= self._cache_seconds:
                self._report = self._evaluate()
                self._made_at = self._clock()
            return self._report


def health_routes(evaluate: Callable[[], HealthReport], *, cache_seconds: float = DEFAULT_CACHE_SECONDS,
                  path: str = DEFAULT_PATH) -> list[Route]:
    cached = CachedReport(evaluate, cache_seconds=cache_seconds)

    async def checks(_: Request) -> JSONResponse:
        report = await run_in_threadpool(cached.get)
        return JSONResponse(report.to_json(), status_code=503 if report.failing else 200,
                            headers={"cache-control": "no-store"})

    return [Route(path, checks, methods=["GET"], name="health_checks")]


def health_routes_from_env(config_path: str, env: Mapping[str, str] | None = None) -> list[Route]:
    """The route for `webhooks serve`: every workspace of sync.yaml, the warehouse of WAREHOUSE_URL, the
    public URL of PIPEDRIVE_WEBHOOK_PUBLIC_URL, the cache time of PIPEDRIVE_ETL_HEALTH_CACHE_SECONDS."""
    from pipedrive_etl.config import ConfigError, load_config
    from pipedrive_etl.warehouse import DEFAULT_WAREHOUSE_URL

    from .probe import HealthSettings, check_health

    env = os.environ if env is None else env
    cache_seconds = env.get(CACHE_SECONDS_ENV) or str(DEFAULT_CACHE_SECONDS)
    try:
        cache = float(cache_seconds)
    except ValueError:
        raise ConfigError(f"{CACHE_SECONDS_ENV} must be a number of seconds, got {cache_seconds!r}") from None
    settings = HealthSettings(public_url=env.get("PIPEDRIVE_WEBHOOK_PUBLIC_URL") or None)
    warehouse_url = env.get("WAREHOUSE_URL", DEFAULT_WAREHOUSE_URL)

    def evaluate() -> HealthReport:
        # sync.yaml is read for each report: an edit shows without restarting the receiver.
        try:
            workspaces = load_config(config_path, env=dict(env)).workspaces
        except ConfigError as exc:
            return HealthReport((Check("config", FAIL, str(exc)),), datetime.now(UTC))
        return check_health(workspaces, warehouse_url=warehouse_url, env=env, settings=settings)

    return health_routes(evaluate, cache_seconds=cache)
