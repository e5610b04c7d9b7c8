"""The daily token budget: what the company may spend today, charged before each request is sent.

Pipedrive gives each company `30,000 × plan multiplier × seats + top-ups` tokens a day, shared by every
integration and person in it, and answers 429 to everything once they are spent. We count our own spending in
a ledger (in memory here; the warehouse keeps a shared one so extraction, writeback and webhook runs see one
total) and refuse a request that would overrun *before* sending it, so a step can stop cleanly instead of
meeting 429s for hours.

A budget user may be given a share: extraction may reach, say, 80% of the day's tokens, and writeback the
whole, so the rest is kept for writes and for the company's own people.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from ._constants import BASE_DAILY_TOKENS, PLAN_MULTIPLIERS
from .errors import BudgetExhaustedError


def daily_budget(plan: str, seats: int, topups: int = 0) -> int:
    """30,000 × plan multiplier × seats + top-ups (pipedrive-api.md §8.1)."""
    try:
        multiplier = PLAN_MULTIPLIERS[plan.lower()]
    except KeyError:
        allowed = ", ".join(sorted(PLAN_MULTIPLIERS))
        raise ValueError(f"unknown Pipedrive plan {plan!r}; allowed: {allowed}") from None
    if seats < 1:
        raise ValueError(f"seats must be at least 1, got {seats}")
    if topups < 0:
        raise ValueError(f"top-ups cannot be negative, got {topups}")
    return BASE_DAILY_TOKENS * multiplier * seats + topups


class TokenLedger(Protocol):
    """Where spent tokens are recorded. `try_charge` must check and add atomically."""

    def try_charge(self, account: str, day: date, cost: int, cap: int) -> int | None:
        """Add `cost` to `account`'s usage on `day` if the total stays within `cap`; return the new total, or
        None (and change nothing) if it would not fit."""
        ...

    def used(self, account: str, day: date) -> int: ...


class InMemoryLedger:
    """A ledger for one process: tests, the sandbox demo, and clients without a warehouse."""

    def __init__(self) -> None:
        self._used: dict[tuple[str, date], int] = {}
        self._lock = threading.Lock()

    def try_charge(self, account: str, day: date, cost: int, cap: int) -> int | None:
        with self._lock:
            total = self._used.get((account, day), 0) + cost
            if total > cap:
                return None
            self._used[(account, day)] = total
            return total

    def used(self, account: str, day: date) -> int:
        with self._lock:
            return self._used.get((account, day), 0)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TokenBudget:
    """One company's daily budget as seen by one user of it (extraction, writeback...)."""

    daily_tokens: int
    account: str = "default"
    share: float = 1.0
    ledger: TokenLedger = field(default_factory=InMemoryLedger)
    # Pipedrive resets "at midnight at server's timezone", which it does not name; UTC unless configured.
    reset_timezone: tzinfo = UTC
    now: Callable[[], datetime] = _utc_now

    def __post_init__(self) -> None:
        if not 0.0 < self.share <= 1.0:
            raise ValueError(f"budget share must be in (0, 1], got {self.share}")

    @classmethod
    def for_plan(cls, plan: str, seats: int, topups: int = 0, **kwargs: object) -> TokenBudget:
        return cls(daily_tokens=daily_budget(plan, seats, topups), **kwargs)  # type: ignore[arg-type]

    def with_share(self, share: float) -> TokenBudget:
        """The same company budget and ledger, capped at another share of the day."""
        return replace(self, share=share)

    @property
    def cap(self) -> int:
        return int(self.daily_tokens * self.share)

    def today(self) -> date:
        return self.now().astimezone(self.reset_timezone).date()

    def resets_at(self) -> datetime:
        local_midnight = datetime.combine(self.today() + timedelta(days=1), time(0),
                                          tzinfo=self.reset_timezone)
        return local_midnight.astimezone(UTC)

    def used(self) -> int:
        return self.ledger.used(self.account, self.today())

    def remaining(self) -> int:
        return max(0, self.cap - self.used())

    def charge(self, cost: int, *, what: str = "request") -> int:
        """Record `cost` tokens for the request about to be sent,
        or raise BudgetExhaustedError without sending."""
        if cost <= 0:
            return self.used()
        day = self.today()
        total = self.ledger.try_charge(self.account, day, cost, self.cap)
        if total is None:
            remaining = max(0, self.cap - self.ledger.used(self.account, day))
            raise BudgetExhaustedError(
                f"daily token budget exhausted for {self.account!r}: {what} needs {cost} tokens, "
                f"{remaining} left of {self.cap} ({self.share:.0%} of {self.daily_tokens}); "
                f"resets at {self.resets_at():%Y-%m-%d %H:%M} UTC",
                needed=cost,
                remaining=remaining,
                resets_at=self.resets_at(),
            )
        return total
