"""Pipedrive webhooks: the receiver, its durable inbox, registration and the copy into the warehouse.

Webhooks are hints, not the record (DESIGN.md decision 8): the receiver stores each event before answering
2xx, a Dagster sensor (`defs/webhooks.py`) turns new events into targeted runs, and the nightly run still
sweeps, so events Pipedrive drops during a ban never lose data.

Public API:

- `create_app(settings, inbox)`, `ReceiverSettings`: the Starlette receiver (`POST /webhooks/{workspace}`,
  `GET /health`); `receiver_settings(sync_yaml, env)` builds the settings; `running_receiver(app)` serves it
  on loopback in a thread.
- `Inbox(url)`: `webhook_events` and `webhook_rejects` in SQLite (WAL; the default
  `sqlite:///data/webhooks.db`) or Postgres; `StoredEvent`, `StoredReject`.
- `parse_event(body) -> InboundEvent`, `stage_transition(...)`: payload v1/v2 normalisation.
- `plan_registration(existing, wanted)`, `wanted_webhooks(...)`, `apply_registration(client, plan)`,
  `register_workspace(...)`: idempotent subscriptions.
- `copy_inbox_to_warehouse(inbox, warehouse, workspace_id)`: events into `state.webhook_events`, tombstones,
  moved links, rejects into `state.webhook_rejects`.
- The CLI: `pipedrive-etl webhooks serve | register` (`commands.py`).

Environment:

| variable | used by | meaning |
|---|---|---|
| `PIPEDRIVE_WEBHOOK_PASSWORD[_<WORKSPACE>]` | serve, register | Basic password (required) |
| `PIPEDRIVE_WEBHOOK_USER[_<WORKSPACE>]` | serve, register | Basic user (default `pipedrive`) |
| `PIPEDRIVE_WEBHOOK_HMAC_SECRET`, `PIPEDRIVE_WEBHOOK_HMAC_HEADER` | serve | optional signing-proxy check |
| `PIPEDRIVE_WEBHOOK_MAX_BODY_BYTES` | serve | body limit (default 1 MiB) |
| `PIPEDRIVE_WEBHOOK_INBOX_URL` | serve, sensor, copy asset | the inbox (default SQLite `data/webhooks.db`) |
| `PIPEDRIVE_WEBHOOK_PUBLIC_URL` | register | the receiver's public base URL |

`<WORKSPACE>` is the workspace id upper-cased, other characters than A-Z and 0-9 made `_`.
"""

from .app import ReceiverSettings, create_app
from .credentials import BasicCredentials, BodySignature, credentials_for
from .errors import (
    InboxUnavailable,
    MalformedPayload,
    PayloadTooLarge,
    RejectedDelivery,
    Unauthorized,
    UnknownWorkspace,
    WebhookConfigError,
    WebhookError,
)
from .events import InboundEvent, StageTransition, parse_event, stage_transition
from .inbox import DEFAULT_INBOX_URL, Inbox, StoredEvent, StoredReject
from .registration import (
    RegistrationPlan,
    RegistrationReport,
    WantedWebhook,
    apply_registration,
    plan_registration,
    register_workspace,
    wanted_webhooks,
)
from .server import receiver_settings, running_receiver
from .warehouse_copy import CopyResult, copy_inbox_to_warehouse

__all__ = [
    "DEFAULT_INBOX_URL", "BasicCredentials", "BodySignature", "CopyResult", "Inbox", "InboundEvent",
    "InboxUnavailable",
    "MalformedPayload", "PayloadTooLarge", "ReceiverSettings", "RegistrationPlan", "RegistrationReport",
    "RejectedDelivery", "StageTransition", "StoredEvent", "StoredReject", "Unauthorized", "UnknownWorkspace",
    "WantedWebhook", "WebhookConfigError", "WebhookError", "apply_registration", "copy_inbox_to_warehouse",
    "create_app", "credentials_for", "parse_event", "plan_registration", "receiver_settings",
    "register_workspace", "running_receiver", "stage_transition", "wanted_webhooks",
]
