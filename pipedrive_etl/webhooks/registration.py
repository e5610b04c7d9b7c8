"""Registering the webhook subscriptions a workspace needs, idempotently: list, plan, create what is missing.

A workspace wants one v2 subscription per object we extract (person, organization, deal, activity, stage,
pipeline), action `*`, delivering to `<public URL>/webhooks/<workspace id>` with the workspace's Basic
credentials. Six of Pipedrive's 40 per user; narrower than `*.*`, which would also send notes, products,
users.

`plan_registration` is pure: an existing subscription that matches a wanted one exactly is kept; one at our
URL for the same object and action but with other credentials or version would fail every delivery, so it is
replaced (the new one is created before the old is deleted, so no event falls between); anything else of ours
(named `pipedrive-etl <workspace> ...` or delivering to our URL) is stale and deleted only when asked
(`prune=True`). Subscriptions of other tools are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlparse

from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.pipedrive.models import WebhookSubscription

from .credentials import BasicCredentials
from .errors import WebhookConfigError

WEBHOOK_OBJECTS = ("person", "organization", "deal", "activity", "stage", "pipeline")
NAME_PREFIX = "pipedrive-etl"


@dataclass(frozen=True)
class WantedWebhook:
    event_object: str
    event_action: str
    subscription_url: str
    http_auth_user: str
    http_auth_password: str = field(repr=False)
    version: str = "2.0"
    name: str = ""

    @property
    def label(self) -> str:
        return f"{self.event_object}/{self.event_action}"


@dataclass(frozen=True)
class Replacement:
    old: WebhookSubscription
    new: WantedWebhook
    why: str


@dataclass(frozen=True)
class RegistrationPlan:
    create: tuple[WantedWebhook, ...] = ()
    keep: tuple[tuple[WantedWebhook, WebhookSubscription], ...] = ()
    replace: tuple[Replacement, ...] = ()
    stale: tuple[WebhookSubscription, ...] = ()  # ours, not wanted: deleted only with prune
    prune: bool = False


@dataclass
class RegistrationReport:
    """What `apply_registration` did, one line per subscription (see `lines`)."""

    created: list[tuple[WantedWebhook, int]] = field(default_factory=list)
    kept: list[tuple[WantedWebhook, int]] = field(default_factory=list)
    replaced: list[tuple[Replacement, int]] = field(default_factory=list)
    deleted: list[WebhookSubscription] = field(default_factory=list)
    left: list[WebhookSubscription] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"  created   {w.label:<16} id {new_id}" for w, new_id in self.created]
        out += [f"  kept      {w.label:<16} id {old_id}" for w, old_id in self.kept]
        out += [f"  replaced  {r.new.label:<16} id {r.old.id} -> id {new_id} ({r.why})"
                for r, new_id in self.replaced]
        out += [f"  deleted   {_label(s):<16} id {s.id} (stale)" for s in self.deleted]
        out += [f"  left      {_label(s):<16} id {s.id} (stale: not wanted; --prune deletes it)"
                for s in self.left]
        out.append(f"  {len(self.created)} created, {len(self.kept)} kept, {len(self.replaced)} replaced, "
                   f"{len(self.deleted)} deleted, {len(self.left)} stale left")
        return out


def subscription_url(public_url: str, workspace_id: str) -> str:
    parsed = urlparse(public_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise WebhookConfigError(f"public URL {public_url!r} must be an absolute http(s) URL")
    return f"{public_url.rstrip('/')}/webhooks/{workspace_id}"


def wanted_webhooks(workspace_id: str, public_url: str, credentials: BasicCredentials,
                    objects: Sequence[str] = WEBHOOK_OBJECTS) -> list[WantedWebhook]:
    url = subscription_url(public_url, workspace_id)
    return [WantedWebhook(event_object=obj, event_action="*", subscription_url=url,
                          http_auth_user=credentials.user, http_auth_password=credentials.password,
                          name=f"{NAME_PREFIX} {workspace_id} {obj}") for obj in objects]


def plan_registration(existing: Sequence[WebhookSubscription], wanted: Sequence[WantedWebhook], *,
                      prune: bool = False) -> RegistrationPlan:
    unclaimed = list(existing)
    create, keep, replace = [], [], []
    for want in wanted:
        match = next((sub for sub in unclaimed
                      if _same_target(sub, want) and not _difference(sub, want)), None)
        if match is not None:
            unclaimed.remove(match)
            keep.append((want, match))
            continue
        outdated = next((sub for sub in unclaimed if _same_target(sub, want)), None)
        if outdated is not None:
            unclaimed.remove(outdated)
            replace.append(Replacement(outdated, want, _difference(outdated, want)))
        else:
            create.append(want)
    # Ours: delivering to our URL, or named "pipedrive-etl <workspace> <object>" (which finds the ones left at
    # an old public URL after it moved).
    ours_urls = {want.subscription_url for want in wanted}
    ours_names = {want.name.rsplit(" ", 1)[0] + " " for want in wanted}
    stale = [sub for sub in unclaimed
             if sub.subscription_url in ours_urls or any((sub.name or "").startswith(n) for n in ours_names)]
    return RegistrationPlan(tuple(create), tuple(keep), tuple(replace), tuple(stale), prune)


def apply_registration(client: PipedriveClient, plan: RegistrationPlan) -> RegistrationReport:
    report = RegistrationReport(kept=[(want, sub.id) for want, sub in plan.keep])
    for want in plan.create:
        report.created.append((want, _create(client, want).id))
    for replacement in plan.replace:
        created = _create(client, replacement.new)  # first, so no event falls between the two
        client.delete_webhook(replacement.old.id)
        report.replaced.append((replacement, created.id))
    for sub in plan.stale:
        if plan.prune:
            client.delete_webhook(sub.id)
            report.deleted.append(sub)
        else:
            report.left.append(sub)
    return report


def register_workspace(client: PipedriveClient, workspace_id: str, public_url: str,
                       credentials: BasicCredentials, *, prune: bool = False,
                       dry_run: bool = False) -> tuple[RegistrationPlan, RegistrationReport | None]:
    """List the company's subscriptions, plan, and (unless `dry_run`) apply the plan."""
    plan = plan_registration(client.list_webhooks(), wanted_webhooks(workspace_id, public_url, credentials),
                             prune=prune)
    return plan, None if dry_run else apply_registration(client, plan)


def describe_plan(plan: RegistrationPlan) -> list[str]:
    out = [f"  would create   {w.label}" for w in plan.create]
    out += [f"  would keep     {w.label:<16} id {s.id}" for w, s in plan.keep]
    out += [f"  would replace  {r.new.label:<16} id {r.old.id} ({r.why})" for r in plan.replace]
    verb = "would delete" if plan.prune else "would leave "
    out += [f"  {verb}   {_label(s):<16} id {s.id} (stale)" for s in plan.stale]
    return out


def _same_target(sub: WebhookSubscription, want: WantedWebhook) -> bool:
    return (sub.subscription_url == want.subscription_url and sub.event_object == want.event_object
            and sub.event_action == want.event_action)


def _difference(sub: WebhookSubscription, want: WantedWebhook) -> str:
    """Why an existing subscription for the same target would not do ('' when it would)."""
    if (sub.version or "1.0") != want.version:
        return f"version {sub.version} -> {want.version}"
    if (sub.http_auth_user or "") != want.http_auth_user:
        return "credentials changed"
    # A listing without the password cannot show a rotation; with it, a different one would fail every
    # delivery.
    listed = sub.http_auth_password
    if listed is not None and listed.get_secret_value() != want.http_auth_password:
        return "credentials changed"
    return ""


def _create(client: PipedriveClient, want: WantedWebhook) -> WebhookSubscription:
    return client.create_webhook(
        subscription_url=want.subscription_url, event_action=want.event_action,
        event_object=want.event_object, name=want.name, http_auth_user=want.http_auth_user,
        http_auth_password=want.http_auth_password, version=want.version)  # type: ignore[arg-type]


def _label(sub: WebhookSubscription) -> str:
    return f"{sub.event_object}/{sub.event_action}"
