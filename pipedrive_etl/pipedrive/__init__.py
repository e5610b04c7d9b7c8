"""The Pipedrive API client: httpx and pydantic, budget- and burst-aware, never importing Dagster.

    client = PipedriveClient.with_api_token(token, company_domain="acme", plan="growth",
                                            budget=TokenBudget.for_plan("growth", seats=5))
    for page in client.iter_persons(updated_since=cursor, sort_by="update_time"):
        store(page.raw)

Facts about the real API that this package follows are in shared/pipedrive-api.md.
"""

from .auth import ApiTokenAuth, BearerAuth, OAuthToken, RefreshingTokenProvider, company_base_url
from .budget import InMemoryLedger, TokenBudget, TokenLedger, daily_budget
from .client import PipedriveClient, rfc3339
from .costs import token_cost
from .errors import (
    BadRequestError,
    BlockedError,
    BudgetExhaustedError,
    CircuitOpenError,
    DailyLimitReachedError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknownError,
    PipedriveConnectionError,
    PipedriveError,
    PipedriveStatusError,
    PipedriveTimeoutError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    UnauthorizedError,
)
from .pagination import Page

__all__ = [
    "ApiTokenAuth", "BadRequestError", "BearerAuth", "BlockedError", "BudgetExhaustedError",
    "CircuitOpenError", "DailyLimitReachedError", "ForbiddenError", "InMemoryLedger", "NotFoundError",
    "OAuthToken", "OutcomeUnknownError", "Page", "PipedriveClient", "PipedriveConnectionError",
    "PipedriveError", "PipedriveStatusError", "PipedriveTimeoutError", "RateLimitError",
    "RefreshingTokenProvider", "ResponseValidationError", "ServerError", "TokenBudget", "TokenLedger",
    "UnauthorizedError", "company_base_url", "daily_budget", "rfc3339", "token_cost",
]
