"""Pipedrive's OAuth 2.0 endpoints through authlib's httpx client: authorize URL, code exchange, refresh.

authlib builds the authorize URL and the token requests (form body, client credentials by HTTP Basic auth, as
Pipedrive wants); this module adds Pipedrive's specifics: the token response's `api_domain`, `expires_at`
computed on our clock from `expires_in`, and errors that say what to do. A new authlib client per call: the
token endpoint is called about once an hour, and no token state is then shared between threads.

The app's credentials come from PIPEDRIVE_OAUTH_CLIENT_ID / PIPEDRIVE_OAUTH_CLIENT_SECRET, the callback from
PIPEDRIVE_OAUTH_REDIRECT_URI (needed to connect, not to refresh), and the server from PIPEDRIVE_OAUTH_BASE_URL
(default https://oauth.pipedrive.com; the sandbox serves the same paths).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ..config import ConfigError
from ..pipedrive.auth import OAuthToken
from ..redaction import httpx_event_hooks, redact, register_secret

with warnings.catch_warnings(record=True):
    # authlib prefers the `httpx2` package and warns when it falls back to httpx, which is what we pin. Its
    # warning filter is "always", so the warning is caught here rather than ignored.
    from authlib.integrations.httpx_client import OAuth2Client, OAuthError

DEFAULT_OAUTH_BASE_URL = "https://oauth.pipedrive.com"
CLIENT_ID_ENV = "PIPEDRIVE_OAUTH_CLIENT_ID"
CLIENT_SECRET_ENV = "PIPEDRIVE_OAUTH_CLIENT_SECRET"
REDIRECT_URI_ENV = "PIPEDRIVE_OAUTH_REDIRECT_URI"
OAUTH_BASE_URL_ENV = "PIPEDRIVE_OAUTH_BASE_URL"
TOKEN_ENDPOINT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# Grants that will not work on a second try: the user must connect again.
_PERMANENT_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client",
                               "unsupported_grant_type"})


class OAuthFlowError(Exception):
    """The OAuth flow could not complete; the message says why and what to do, never a credential."""


class OAuthDeniedError(OAuthFlowError):
    """The Pipedrive user declined access (`error=user_denied` on the callback)."""


class OAuthGrantError(OAuthFlowError, ConfigError):
    """Pipedrive refused the code, refresh token or client credentials: connect again (not worth retrying)."""


class OAuthEndpointError(OAuthFlowError):
    """The token endpoint could not be reached or answered nonsense: worth retrying later."""


@dataclass(frozen=True)
class OAuthApp:
    """The Pipedrive app's registration: client id and secret, callback URL, authorization server."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str | None = None
    base_url: str = DEFAULT_OAUTH_BASE_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OAuthApp:
        env = os.environ if env is None else env
        missing = [name for name in (CLIENT_ID_ENV, CLIENT_SECRET_ENV) if not env.get(name)]
        if missing:
            raise ConfigError(f"OAuth needs the Pipedrive app's credentials: {' and '.join(missing)} "
                              f"{'is' if len(missing) == 1 else 'are'} not set")
        return cls(client_id=env[CLIENT_ID_ENV], client_secret=env[CLIENT_SECRET_ENV],
                   redirect_uri=env.get(REDIRECT_URI_ENV) or None,
                   base_url=(env.get(OAUTH_BASE_URL_ENV) or DEFAULT_OAUTH_BASE_URL).rstrip("/"))


class PipedriveOAuth:
    def __init__(self, app: OAuthApp, *, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout = TOKEN_ENDPOINT_TIMEOUT,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.app = app
        self._transport = transport
        self._timeout = timeout
        self._now = now
        register_secret(app.client_secret)

    @property
    def authorize_endpoint(self) -> str:
        return f"{self.app.base_url}/oauth/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.app.base_url}/oauth/token"

    def authorization_url(self, state: str) -> str:
        """Where an admin approves the app; Pipedrive then redirects to the callback with a code."""
        if not self.app.redirect_uri:
            raise ConfigError(f"{REDIRECT_URI_ENV} is not set: Pipedrive redirects to the app's callback URL "
                              "(the one registered for the app in Pipedrive's Developer Hub)")
        with self._client() as client:
            url, _ = client.create_authorization_url(self.authorize_endpoint, state=state)
        return url

    def exchange_code(self, code: str) -> OAuthToken:
        """The authorization code (valid 5 minutes, once) for the first access and refresh tokens."""
        if not self.app.redirect_uri:
            raise ConfigError(f"{REDIRECT_URI_ENV} is not set: the code exchange repeats the callback URL")
        return self._call("authorization code", lambda client: client.fetch_token(
            self.token_endpoint, grant_type="authorization_code", code=code))

    def refresh(self, refresh_token: str) -> OAuthToken:
        """New tokens for a refresh token; whatever refresh token comes back is the one to keep."""
        return self._call("refresh token", lambda client: client.refresh_token(
            self.token_endpoint, refresh_token=refresh_token), fallback_refresh_token=refresh_token)

    def _client(self) -> OAuth2Client:
        return OAuth2Client(client_id=self.app.client_id, client_secret=self.app.client_secret,
                            token_endpoint_auth_method="client_secret_basic",
                            redirect_uri=self.app.redirect_uri, transport=self._transport,
                            timeout=self._timeout, event_hooks=httpx_event_hooks())

    def _call(self, what: str, request: Callable[[OAuth2Client], Mapping[str, Any]], *,
              fallback_refresh_token: str | None = None) -> OAuthToken:
        issued_at = self._now()
        try:
            with self._client() as client:
                payload = dict(request(client))
        except OAuthError as exc:
            described = redact(f"{exc.error}: {exc.description}" if exc.description else str(exc.error))
            if exc.error in _PERMANENT_ERRORS:
                raise OAuthGrantError(f"Pipedrive refused the {what} ({described}); connect again with "
                                      "`pipedrive-etl oauth connect <connection>`") from None
            raise OAuthEndpointError(f"Pipedrive's token endpoint refused the {what} ({described})") from None
        except httpx.HTTPStatusError as exc:
            raise OAuthEndpointError(f"Pipedrive's token endpoint answered {exc.response.status_code} to the "
                                     f"{what} request") from None
        except httpx.TransportError as exc:
            raise OAuthEndpointError(f"{type(exc).__name__} calling Pipedrive's token endpoint "
                                     f"({self.token_endpoint})") from None
        except ValueError:  # authlib: the body is not a JSON object
            raise OAuthEndpointError(f"Pipedrive's token endpoint answered the {what} request with something "
                                     "other than a token") from None
        return token_from_response(payload, issued_at, fallback_refresh_token=fallback_refresh_token)


def token_from_response(payload: Mapping[str, Any], issued_at: datetime, *,
                        fallback_refresh_token: str | None = None) -> OAuthToken:
    """An OAuthToken from a token response; `expires_at` counts from when the request was sent."""
    missing = [key for key in ("access_token", "expires_in", "api_domain") if not payload.get(key)]
    refresh_token = payload.get("refresh_token") or fallback_refresh_token
    if refresh_token is None:
        missing.append("refresh_token")
    if missing:
        raise OAuthEndpointError(f"Pipedrive's token response lacks {', '.join(missing)}")
    # authlib's own expires_at reads the wall clock after the response; counting from the request is safer.
    expires_at = issued_at + timedelta(seconds=int(payload["expires_in"]))
    token = OAuthToken(access_token=str(payload["access_token"]), refresh_token=str(refresh_token),
                       expires_at=expires_at, api_domain=str(payload["api_domain"]).rstrip("/"),
                       scope=str(payload.get("scope") or ""))
    register_secret(token.access_token)
    register_secret(token.refresh_token)
    return token
