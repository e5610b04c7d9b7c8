"""Rate limiting as Pipedrive does it: a daily token budget per company, burst windows per token, and the
403 block for api_token traffic that keeps going through 429s (pipedrive-api.md §8).

One `Accounting` per sandbox (= one company). `admit()` is called once per authenticated request, before the
request is handled, and either charges it or says why it is refused. The `x-ratelimit-*` headers describe the
burst window the request fell in, as Pipedrive documents them (reset in seconds, not an epoch).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo

from pipedrive_etl.sandbox.clock import Clock

PLAN_MULTIPLIER = {"lite": 1, "growth": 2, "premium": 5, "ultimate": 7}
BASE_TOKENS_PER_SEAT = 30_000
# Requests per rolling 2 s window, per token: (api_token, oauth). Search has its own bucket on every plan.
BURST_LIMITS = {"lite": (20, 80), "growth": (40, 160), "premium": (100, 400), "ultimate": (120, 480)}
SEARCH_BURST_LIMIT = 10
BURST_WINDOW_SECONDS = 2.0
# The 2019 fair-use header: POST/PUT requests left today, api_token traffic only (not enforced: UNCERTAIN).
DAILY_WRITE_REQUESTS = 10_000


@dataclass
class Decision:
    """What `admit` decided: status None means go ahead; 429 or 403 means refuse with that status."""

    status: int | None
    headers: dict[str, str]
    reason: str = ""


@dataclass
class _TokenState:
    window: deque[float] = field(default_factory=deque)
    search_window: deque[float] = field(default_factory=deque)
    refused: deque[float] = field(default_factory=deque)
    blocked_until: float = -math.inf
    writes_day: date | None = None
    writes_today: int = 0


class Accounting:
    """The company's ledger plus every token's burst state."""

    def __init__(
        self,
        clock: Clock,
        *,
        plan: str = "growth",
        seats: int = 5,
        topups: int = 0,
        daily_budget: int | None = None,
        reset_timezone: tzinfo = UTC,
        enabled: bool = True,
        block_after_refusals: int = 30,
        block_window_seconds: float = 60.0,
        block_seconds: float = 600.0,
    ) -> None:
        if plan not in PLAN_MULTIPLIER:
            raise ValueError(f"unknown plan {plan!r}; expected one of {sorted(PLAN_MULTIPLIER)}")
        self.clock = clock
        self.plan = plan
        self.daily_budget = (
            daily_budget
            if daily_budget is not None
            else BASE_TOKENS_PER_SEAT * PLAN_MULTIPLIER[plan] * seats + topups
        )
        self.reset_timezone = reset_timezone
        self.enabled = enabled
        self.block_after_refusals = block_after_refusals
        self.block_window_seconds = block_window_seconds
        self.block_seconds = block_seconds
        self.total_tokens = 0
        self.total_requests = 0
        self._day: date | None = None
        self._used_today = 0
        self._tokens: dict[str, _TokenState] = {}

    # -- the daily budget ------------------------------------------------------------------------------
    def _roll_day(self) -> None:
        # The budget resets at midnight in the server's timezone (configurable; Pipedrive doesn't name it).
        today = self.clock.now().astimezone(self.reset_timezone).date()
        if today != self._day:
            self._day, self._used_today = today, 0

    def used_today(self) -> int:
        self._roll_day()
        return self._used_today

    def remaining_today(self) -> int:
        return max(self.daily_budget - self.used_today(), 0)

    # -- admission ---------------------------------------------------------------------------------------
    def burst_limit(self, auth_type: str, search: bool) -> int:
        if search:
            return SEARCH_BURST_LIMIT
        api_token_limit, oauth_limit = BURST_LIMITS[self.plan]
        return oauth_limit if auth_type == "oauth" else api_token_limit

    def admit(self, token: str, auth_type: str, cost: int, *, search: bool, method: str) -> Decision:
        now = self.clock.monotonic()
        state = self._tokens.setdefault(token, _TokenState())
        window = state.search_window if search else state.window
        limit = self.burst_limit(auth_type, search)
        while window and window[0] <= now - BURST_WINDOW_SECONDS:
            window.popleft()
        self._roll_day()
        if self.enabled:
            if auth_type == "api_token" and now < state.blocked_until:
                return Decision(403, {}, "blocked")
            refusal = None
            if len(window) >= limit:
                refusal = "burst"
            elif self._used_today + cost > self.daily_budget:
                refusal = "daily"
            if refusal:
                if self._note_refusal(state, now, auth_type):
                    return Decision(403, {}, "blocked")
                return Decision(429, self._headers(window, limit, now, state, auth_type), refusal)
        window.append(now)
        self._used_today += cost
        self.total_tokens += cost
        self.total_requests += 1
        if method in ("POST", "PUT", "PATCH") and auth_type == "api_token":
            self._count_write(state)
        return Decision(None, self._headers(window, limit, now, state, auth_type))

    def forced_limit_headers(self, token: str, auth_type: str, *, search: bool) -> dict[str, str]:
        """Headers for an injected 429: the window shown as full, as a real burst refusal would."""
        limit = self.burst_limit(auth_type, search)
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": str(int(BURST_WINDOW_SECONDS)),
        }

    def static_headers(self) -> dict[str, str]:
        """For answers outside any token's window (401s): the plan's api_token limit, untouched."""
        limit = self.burst_limit("api_token", False)
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(limit),
            "x-ratelimit-reset": str(int(BURST_WINDOW_SECONDS)),
        }

    # -- helpers -----------------------------------------------------------------------------------------
    def _note_refusal(self, state: _TokenState, now: float, auth_type: str) -> bool:
        """Count a 429; True when this token has now earned the Cloudflare block (api_token traffic only)."""
        if auth_type != "api_token":
            return False
        state.refused.append(now)
        while state.refused and state.refused[0] <= now - self.block_window_seconds:
            state.refused.popleft()
        if len(state.refused) >= self.block_after_refusals:
            state.blocked_until = now + self.block_seconds
            state.refused.clear()
            return True
        return False

    def _count_write(self, state: _TokenState) -> None:
        today = self.clock.now().astimezone(UTC).date()
        if state.writes_day != today:
            state.writes_day, state.writes_today = today, 0
        state.writes_today += 1

    def _headers(
        self, window: deque[float], limit: int, now: float, state: _TokenState, auth_type: str
    ) -> dict[str, str]:
        # Seconds until the oldest request in the window leaves it, i.e. until a slot frees up.
        reset = math.ceil(window[0] + BURST_WINDOW_SECONDS - now) if window else int(BURST_WINDOW_SECONDS)
        headers = {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(limit - len(window), 0)),
            "x-ratelimit-reset": str(max(reset, 1)),
        }
        if auth_type == "api_token":
            left = DAILY_WRITE_REQUESTS - (state.writes_today if state.writes_day else 0)
            headers["x-daily-requests-left"] = str(max(left, 0))
        return headers
