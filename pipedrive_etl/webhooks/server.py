"""Running the receiver: settings from sync.yaml and the environment; uvicorn in the foreground or a thread.

`receiver_settings` reads the known workspaces from sync.yaml and their credentials from the environment (see
`credentials.py`); `PIPEDRIVE_WEBHOOK_MAX_BODY_BYTES` overrides the body limit. `running_receiver` serves an
app on a loopback port in a background thread, for the end-to-end tests and the benchmark.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from pipedrive_etl.config import load_config

from .app import DEFAULT_MAX_BODY_BYTES, ReceiverSettings
from .credentials import credentials_from_env, signature_from_env
from .errors import WebhookConfigError

RECEIVER_LOOP, RECEIVER_HTTP = "uvloop", "httptools"


def receiver_settings(config_path: str | Path, env: Mapping[str, str], *,
                      max_body_bytes: int | None = None) -> ReceiverSettings:
    workspaces = [workspace.id for workspace in load_config(config_path, env=dict(env)).workspaces]
    limit = max_body_bytes or _int_env(env, "PIPEDRIVE_WEBHOOK_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES
    return ReceiverSettings(credentials=credentials_from_env(workspaces, env),
                            signature=signature_from_env(env), max_body_bytes=limit)


def _int_env(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name)
    if not value:
        return None
    if not value.isdigit() or int(value) <= 0:
        raise WebhookConfigError(f"{name} must be a positive number of bytes, got {value!r}")
    return int(value)


def uvicorn_config(app: Starlette, host: str, port: int, *, log_level: str = "info",
                   access_log: bool = False) -> uvicorn.Config:
    # Pipedrive waits at most 10 s: keep-alive and backlog sized for bursts of concurrent deliveries. uvloop
    # and httptools by name, not "auto": asyncio's loop with h11 costs twice the CPU per delivery, and a
    # missing install should fail at start-up rather than halve the receiver's throughput unnoticed.
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=access_log,
                          timeout_keep_alive=15, backlog=2048, server_header=False, loop=RECEIVER_LOOP,
                          http=RECEIVER_HTTP)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@contextmanager
def running_receiver(app: Starlette, *, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve `app` with uvicorn in a daemon thread; yields its base URL and stops it on exit."""
    port = port or free_port(host)
    server = uvicorn.Server(uvicorn_config(app, host, port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"webhook-receiver-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the webhook receiver did not start on {host}:{port}")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
