"""Client defaults in one place: timeouts, retry policy, page sizes and Pipedrive's published limits."""

from __future__ import annotations

import httpx

# Every request has a timeout; Pipedrive answers list pages of 500 in well under this.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

DEFAULT_MAX_RETRIES = 5
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 30.0
# A server-suggested wait (Retry-After, x-ratelimit-reset) is honoured only up to this cap: the burst window
# is 2 s, so a longer wait means something else is wrong and backing off is the safer answer.
MAX_SERVER_SUGGESTED_DELAY = 60.0
RETRY_JITTER = 0.25

# Consecutive 5xx or network failures that open the circuit, and how long it stays open.
CIRCUIT_FAILURE_THRESHOLD = 5
CIRCUIT_OPEN_SECONDS = 60.0

# Pagination: default 100, maximum 500; v2 itemSearch allows at most 100 (pipedrive-api.md §3.2).
MAX_PAGE_LIMIT = 500
MAX_SEARCH_LIMIT = 100
MAX_IDS_PER_REQUEST = 100

# Daily budget: 30,000 × plan multiplier × seats + top-ups (pipedrive-api.md §8.1). The retired plan names
# keep working, so older configurations do not break; Professional (×3) has no current equivalent.
BASE_DAILY_TOKENS = 30_000
PLAN_MULTIPLIERS: dict[str, int] = {
    "lite": 1,
    "growth": 2,
    "premium": 5,
    "ultimate": 7,
    "essential": 1,
    "advanced": 2,
    "professional": 3,
    "power": 5,
    "enterprise": 7,
}

# Burst: requests per rolling 2-second window, per token (pipedrive-api.md §8.3).
BURST_WINDOW_SECONDS = 2.0
BURST_LIMITS: dict[str, dict[str, int]] = {
    "api_token": {"lite": 20, "growth": 40, "premium": 100, "ultimate": 120,
                  "essential": 20, "advanced": 40, "professional": 80, "power": 100, "enterprise": 120},
    "oauth": {"lite": 80, "growth": 160, "premium": 400, "ultimate": 480,
              "essential": 80, "advanced": 160, "professional": 320, "power": 400, "enterprise": 480},
}
SEARCH_BURST_LIMIT = 10
