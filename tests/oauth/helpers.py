"""The sandbox's OAuth server with a registered app, and what the OAuth and secrets tests build on it."""

from __future__ import annotations

from datetime import UTC, datetime

from pipedrive_etl.oauth import OAuthApp, PipedriveOAuth
from pipedrive_etl.oauth.flow import token_from_response
from pipedrive_etl.pipedrive.auth import OAuthToken
from pipedrive_etl.sandbox import FakeClock, Sandbox
from pipedrive_etl.secrets import SECRET_KEYS_ENV, TokenStore

CLIENT_ID, CLIENT_SECRET = "pipedrive-etl-test-app", "test-app-client-secret-0f3c9a"
REDIRECT_URI = "https://etl.example.com/oauth/callback"


def oauth_sandbox(clock: FakeClock | None = None) -> Sandbox:
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock or FakeClock())
    sandbox.oauth.register_client(CLIENT_ID, CLIENT_SECRET, (REDIRECT_URI,), scope="base contacts:full")
    return sandbox


def oauth_app(sandbox: Sandbox, *, client_secret: str = CLIENT_SECRET) -> PipedriveOAuth:
    app = OAuthApp(CLIENT_ID, client_secret, REDIRECT_URI, base_url="https://oauth.pipedrive.com")
    return PipedriveOAuth(app, transport=sandbox.transport())


def oauth_env(key: str, warehouse_url: str) -> dict[str, str]:
    return {SECRET_KEYS_ENV: key, "WAREHOUSE_URL": warehouse_url, "PIPEDRIVE_OAUTH_CLIENT_ID": CLIENT_ID,
            "PIPEDRIVE_OAUTH_CLIENT_SECRET": CLIENT_SECRET, "PIPEDRIVE_OAUTH_REDIRECT_URI": REDIRECT_URI}


def connect(sandbox: Sandbox, store: TokenStore, connection: str = "acme", *,
            expires_at: datetime | None = None) -> OAuthToken:
    """Store tokens the sandbox issued, as if an admin had connected; `expires_at` overrides our expiry."""
    token = token_from_response(sandbox.oauth.issue_tokens(CLIENT_ID), datetime.now(UTC))
    if expires_at is not None:
        token = OAuthToken(token.access_token, token.refresh_token, expires_at, token.api_domain, token.scope)
    store.save_oauth(connection, token, actor="test")
    return token
