"""Receiver credentials from the environment, and the constant-time checks that use them.

Pipedrive signs nothing: the only proof a delivery is ours is the HTTP Basic credentials we gave it when
registering (pipedrive-api.md §9.4). Behind a signing proxy, an HMAC-SHA256 of the raw body can be required
too.

Environment (read when the receiver or the registration starts, never at import):

- `PIPEDRIVE_WEBHOOK_USER_<WORKSPACE>` / `PIPEDRIVE_WEBHOOK_PASSWORD_<WORKSPACE>`: one workspace's
  credentials; `<WORKSPACE>` is the workspace id upper-cased with every other character than A-Z and 0-9 made
  `_` (`acme-eu` -> `ACME_EU`).
- `PIPEDRIVE_WEBHOOK_USER` / `PIPEDRIVE_WEBHOOK_PASSWORD`: the fallback for every workspace. The user defaults
  to `pipedrive`; a workspace without any password is a start-up error, never an open endpoint.
- `PIPEDRIVE_WEBHOOK_HMAC_SECRET` (optional): require `PIPEDRIVE_WEBHOOK_HMAC_HEADER` (default
  `X-Webhook-Signature`) to hold HMAC-SHA256(secret, body), hex or base64, optionally prefixed `sha256=`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .errors import Unauthorized, WebhookConfigError

DEFAULT_USER = "pipedrive"
DEFAULT_HMAC_HEADER = "X-Webhook-Signature"


@dataclass(frozen=True)
class BasicCredentials:
    user: str
    password: str = field(repr=False)

    def check(self, authorization: str | None) -> None:
        """Raise `Unauthorized` unless the header carries exactly these credentials (constant time)."""
        if not authorization:
            raise Unauthorized("missing Basic credentials")
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            raise Unauthorized("not Basic authentication")
        try:
            user, separator, password = base64.b64decode(encoded.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            raise Unauthorized("malformed Basic credentials") from None
        # Both comparisons always run, so the time taken does not tell which part was wrong.
        user_ok = secrets.compare_digest(user, self.user.encode())
        password_ok = secrets.compare_digest(password, self.password.encode())
        if not (separator and user_ok and password_ok):
            raise Unauthorized("wrong Basic credentials")


def env_suffix(workspace_id: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", workspace_id.upper())


def credentials_for(workspace_id: str, env: Mapping[str, str]) -> BasicCredentials:
    """The Basic credentials of one workspace: its own variables first, then the shared ones."""
    suffix = env_suffix(workspace_id)
    user = env.get(f"PIPEDRIVE_WEBHOOK_USER_{suffix}") or env.get("PIPEDRIVE_WEBHOOK_USER") or DEFAULT_USER
    password = env.get(f"PIPEDRIVE_WEBHOOK_PASSWORD_{suffix}") or env.get("PIPEDRIVE_WEBHOOK_PASSWORD")
    if not password:
        raise WebhookConfigError(
            f"workspace {workspace_id!r}: no webhook password; set PIPEDRIVE_WEBHOOK_PASSWORD_{suffix} "
            "or PIPEDRIVE_WEBHOOK_PASSWORD")
    if ":" in user:
        raise WebhookConfigError(f"workspace {workspace_id!r}: a Basic auth user may not contain ':'")
    return BasicCredentials(user, password)


def credentials_from_env(workspace_ids: Iterable[str], env: Mapping[str, str]) -> dict[str, BasicCredentials]:
    return {workspace_id: credentials_for(workspace_id, env) for workspace_id in workspace_ids}


@dataclass(frozen=True)
class BodySignature:
    """HMAC-SHA256 of the raw body, added by a signing proxy in front of the receiver."""

    secret: bytes = field(repr=False)
    header: str = DEFAULT_HMAC_HEADER

    def check(self, signature: str | None, body: bytes) -> None:
        if not signature:
            raise Unauthorized(f"missing {self.header} signature")
        digest = hmac.new(self.secret, body, hashlib.sha256).digest()
        value = signature.strip()
        if value.lower().startswith("sha256="):
            value = value[len("sha256="):]
        hex_ok = secrets.compare_digest(value.lower().encode(), digest.hex().encode())
        base64_ok = secrets.compare_digest(value.encode(), base64.b64encode(digest))
        if not (hex_ok or base64_ok):
            raise Unauthorized(f"wrong {self.header} signature")


def signature_from_env(env: Mapping[str, str]) -> BodySignature | None:
    secret = env.get("PIPEDRIVE_WEBHOOK_HMAC_SECRET")
    if not secret:
        return None
    return BodySignature(secret.encode(), env.get("PIPEDRIVE_WEBHOOK_HMAC_HEADER") or DEFAULT_HMAC_HEADER)
