"""Errors of the webhooks package.

```
WebhookError
├── WebhookConfigError        a missing credential, a bad setting: raised at start-up, never while answering
├── InboxUnavailable          the inbox could not store an event in time: answered 503, Pipedrive retries
└── RejectedDelivery (.status, .reason)
      ├── MalformedPayload    400: not JSON, not an object, no meta, no event id, ...
      ├── Unauthorized        401: bad or missing Basic credentials, bad or missing signature
      ├── UnknownWorkspace    404
      └── PayloadTooLarge     413
```

A `RejectedDelivery` is answered with its status and recorded in `webhook_rejects` with its reason; the reason
never repeats a credential.
"""

from __future__ import annotations

from typing import ClassVar


class WebhookError(Exception):
    """Base of every error raised by `pipedrive_etl.webhooks`."""


class WebhookConfigError(WebhookError):
    """The receiver or the registration is misconfigured (a missing password, a bad public URL)."""


class InboxUnavailable(WebhookError):
    """The inbox could not commit an event (database down, locked past the write timeout)."""


class RejectedDelivery(WebhookError):
    """A delivery the receiver refuses: answered with `status`, recorded with `reason`."""

    status: ClassVar[int] = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MalformedPayload(RejectedDelivery):
    """The body is not a Pipedrive webhook payload we can key and store."""

    status = 400


class Unauthorized(RejectedDelivery):
    """Basic credentials (or the signing proxy's signature) are missing or wrong."""

    status = 401


class UnknownWorkspace(RejectedDelivery):
    """The URL names a workspace sync.yaml does not define."""

    status = 404


class PayloadTooLarge(RejectedDelivery):
    """The body is over the configured limit."""

    status = 413
