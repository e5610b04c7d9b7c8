"""OAuth 2.0 for Pipedrive apps: the flow (authlib), connecting a company, the callback route, the CLI.

- `OAuthApp.from_env()` / `PipedriveOAuth` (flow.py): authorize URL, code exchange, refresh; typed errors.
- `start_authorization` / `complete_authorization` (connect.py): the signed state, the callback's work.
- `oauth_routes(oauth, store)` / `oauth_routes_from_env()` (routes.py): `GET /oauth/callback` for Starlette.
- `pipedrive-etl oauth connect | authorize-url | status` (commands.py).
"""

from .connect import Connected, InvalidStateError, complete_authorization, start_authorization
from .flow import (
    DEFAULT_OAUTH_BASE_URL,
    OAuthApp,
    OAuthDeniedError,
    OAuthEndpointError,
    OAuthFlowError,
    OAuthGrantError,
    PipedriveOAuth,
)
from .routes import DEFAULT_CALLBACK_PATH, oauth_routes, oauth_routes_from_env

__all__ = ["DEFAULT_CALLBACK_PATH", "DEFAULT_OAUTH_BASE_URL", "Connected", "InvalidStateError", "OAuthApp",
           "OAuthDeniedError", "OAuthEndpointError", "OAuthFlowError", "OAuthGrantError", "PipedriveOAuth",
           "complete_authorization", "oauth_routes", "oauth_routes_from_env", "start_authorization"]
