"""The OAuth callback as a Starlette route, for the receiver app: `GET /oauth/callback?code=...&state=...`.

Pipedrive sends the admin's browser here after "Allow". The route checks the state, exchanges the code at the
token endpoint (oauth.pipedrive.com, not the API: this is no webhook delivery and has no 10-second budget) and
stores the tokens; the browser gets a short plain-text page. The work runs in Starlette's thread pool, off the
event loop that answers webhooks. Nothing a page or log line says contains the code or a token.

`oauth_routes_from_env()` builds the route from the environment, or none when no OAuth app is configured, so
the receiver can always mount it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ..secrets import SecretKeyError, TokenStore
from .connect import InvalidStateError, complete_authorization
from .flow import (
    CLIENT_ID_ENV,
    OAuthApp,
    OAuthDeniedError,
    OAuthEndpointError,
    OAuthFlowError,
    PipedriveOAuth,
)

DEFAULT_CALLBACK_PATH = "/oauth/callback"
log = logging.getLogger("pipedrive_etl.oauth")


def oauth_routes(oauth: PipedriveOAuth, store: TokenStore, *,
                 path: str = DEFAULT_CALLBACK_PATH) -> list[Route]:
    async def callback(request: Request) -> PlainTextResponse:
        params = dict(request.query_params)
        try:
            connected = await run_in_threadpool(complete_authorization, oauth, store, params)
        except OAuthDeniedError as exc:
            return _page(f"{exc}. Nothing changed; close this page.", 400)
        except InvalidStateError as exc:
            return _page(f"This link cannot be used: {exc}.", 400)
        except OAuthEndpointError as exc:
            log.warning("OAuth callback: %s", exc)
            return _page(f"Pipedrive could not be reached to finish connecting ({exc}). Try again.", 502)
        except (OAuthFlowError, SecretKeyError) as exc:
            log.error("OAuth callback failed: %s", exc)
            return _page(f"Connecting failed: {exc}", 400 if isinstance(exc, OAuthFlowError) else 500)
        except Exception:  # the warehouse (e.g. a DuckDB file another process holds): a page, not a bare 500
            log.exception("OAuth callback: the tokens could not be stored")
            return _page("Connecting failed: the tokens could not be stored (see the receiver's log). Start "
                         "again from a new authorize URL.", 503)
        log.info("OAuth connection %r connected to %s", connected.connection, connected.api_domain)
        return _page(f"Pipedrive connection {connected.connection!r} is connected ({connected.api_domain}, "
                     f"scope: {connected.scope or 'none'}). You can close this page.", 200)

    return [Route(path, callback, methods=["GET"], name="oauth_callback")]


def oauth_routes_from_env(env: Mapping[str, str] | None = None, *,
                          path: str = DEFAULT_CALLBACK_PATH) -> list[Route]:
    """The callback route configured from the environment; [] when PIPEDRIVE_OAUTH_CLIENT_ID is not set.

    With an app configured, missing secret keys fail here, at start-up, rather than on the first callback."""
    env = os.environ if env is None else env
    if not env.get(CLIENT_ID_ENV):
        return []
    return oauth_routes(PipedriveOAuth(OAuthApp.from_env(env)), TokenStore.from_env(env), path=path)


def _page(text: str, status: int) -> PlainTextResponse:
    # Never cached: the URL held a one-time code.
    return PlainTextResponse(text + "\n", status_code=status, headers={"cache-control": "no-store"})
