"""Health checks as values, and the pure decisions behind the ones that need no network.

A check has a name, a status (`ok`, `warn`, `fail`) and a detail a person can act on; `HealthReport` gathers
them, and its status is the worst one. Only `fail` makes a probe fail: `warn` says something deserves a look
(a refresh token close to expiry, webhooks silent for long, a check that could not run as another failed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pipedrive_etl.pipedrive.models import WebhookSubscription
from pipedrive_etl.webhooks.registration import RegistrationPlan

Status = Literal["ok", "warn", "fail"]
OK, WARN, FAIL = "ok", "warn", "fail"
_SEVERITY = {OK: 0, WARN: 1, FAIL: 2}

# Pipedrive keeps a refresh token 60 days from its last use (pipedrive-api.md §2); a sync uses it hourly.
REFRESH_TOKEN_LIFETIME = timedelta(days=60)
REFRESH_TOKEN_WARNING = timedelta(days=7)
LOW_BUDGET_SHARE = 0.1


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    workspace: str | None = None

    @property
    def label(self) -> str:
        return f"{self.workspace}/{self.name}" if self.workspace else self.name


@dataclass(frozen=True)
class HealthReport:
    checks: tuple[Check, ...]
    checked_at: datetime
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        worst = max((_SEVERITY[check.status] for check in self.checks), default=0)
        return next(name for name, severity in _SEVERITY.items() if severity == worst)  # type: ignore[return-value]

    @property
    def failing(self) -> list[str]:
        return [check.label for check in self.checks if check.status == FAIL]

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "checked_at": self.checked_at.isoformat(), "failing": self.failing,
                "checks": [asdict(check) for check in self.checks]}


def age_text(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours < 1:
        return f"{hours * 60:.0f} min"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def last_sync_check(last: tuple[datetime, str] | None, now: datetime, max_age: timedelta) -> Check:
    if last is None:
        return Check("last_sync", FAIL, "no successful sync recorded in marts.sync_runs")
    finished_at, status = last
    age = now - finished_at
    partial = " (partial: work was left for the next run)" if status == "partial" else ""
    detail = f"last successful sync finished {age_text(age)} ago at {finished_at:%Y-%m-%d %H:%M} UTC{partial}"
    if age > max_age:
        return Check("last_sync", FAIL, f"{detail}; older than the {age_text(max_age)} limit")
    return Check("last_sync", OK, detail)


def oauth_expiry_check(connection: str, access_expires_at: datetime | None, refreshed_at: datetime | None,
                       now: datetime) -> Check:
    """The refresh token lives 60 days from its last use (we store the tokens each time we refresh)."""
    if refreshed_at is None:
        return Check("oauth_tokens", FAIL,
                     f"OAuth connection {connection!r} is not connected in this warehouse")
    refresh_expires_at = refreshed_at + REFRESH_TOKEN_LIFETIME
    access = (f"access token expires at {access_expires_at:%Y-%m-%d %H:%M} UTC (refreshed automatically); "
              if access_expires_at else "")
    detail = f"{access}refresh token expires at {refresh_expires_at:%Y-%m-%d %H:%M} UTC unless used before"
    if refresh_expires_at <= now:
        return Check("oauth_tokens", FAIL, f"the refresh token of {connection!r} expired at "
                     f"{refresh_expires_at:%Y-%m-%d %H:%M} UTC: connect again "
                     "(`pipedrive-etl oauth connect`)")
    if refresh_expires_at - now < REFRESH_TOKEN_WARNING:
        return Check("oauth_tokens", WARN, f"{detail}: less than {REFRESH_TOKEN_WARNING.days} days left")
    return Check("oauth_tokens", OK, detail)


def subscriptions_check(plan: RegistrationPlan) -> Check:
    """Present means: every subscription registration would create exists, with our URL and credentials."""
    problems = [f"{want.label} missing" for want in plan.create]
    problems += [f"{replacement.new.label} id {replacement.old.id} outdated ({replacement.why})"
                 for replacement in plan.replace]
    if problems:
        return Check("webhook_subscriptions", FAIL,
                     f"{'; '.join(problems)}: run `pipedrive-etl webhooks register`")
    return Check("webhook_subscriptions", OK, f"{len(plan.keep)} subscriptions present "
                 f"({', '.join(want.label for want, _ in plan.keep)})")


def delivery_check(subscriptions: Sequence[WebhookSubscription], last_event_received_at: datetime | None,
                   now: datetime, max_silence: timedelta) -> Check:
    """Failing when Pipedrive reports a subscription inactive or its last delivery refused; a warning when
    nothing arrived for `max_silence` (a quiet company, or deliveries that go astray)."""
    broken = [f"{sub.event_object}/{sub.event_action} id {sub.id} is inactive" for sub in subscriptions
              if sub.is_active is False]
    broken += [f"{sub.event_object}/{sub.event_action} id {sub.id}: last delivery at "
               f"{sub.last_delivery_time:%Y-%m-%d %H:%M} UTC got {sub.last_http_status or 'no answer'}"
               for sub in subscriptions if sub.last_delivery_time is not None and not _succeeded(sub)]
    if broken:
        return Check("webhook_delivery", FAIL, "; ".join(broken))
    delivered = [sub.last_delivery_time for sub in subscriptions if sub.last_delivery_time is not None]
    latest = max([*delivered, *([last_event_received_at] if last_event_received_at else [])], default=None)
    if latest is None:
        return Check("webhook_delivery", WARN, "no delivery seen yet")
    detail = f"last delivery {age_text(now - latest)} ago"
    if now - latest > max_silence:
        return Check("webhook_delivery", WARN, f"{detail}: nothing for longer than {age_text(max_silence)}")
    return Check("webhook_delivery", OK, detail)


def budget_check(remaining: int, cap: int, resets_at: datetime) -> Check:
    detail = f"{remaining:,} of {cap:,} tokens left today; resets at {resets_at:%Y-%m-%d %H:%M} UTC"
    if remaining < cap * LOW_BUDGET_SHARE:
        return Check("token_budget", WARN, f"{detail}: writes will be deferred")
    return Check("token_budget", OK, detail)


def _succeeded(sub: WebhookSubscription) -> bool:
    return sub.last_http_status is not None and 200 <= sub.last_http_status < 300
