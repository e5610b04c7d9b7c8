"""Registration lists first, creates what is missing, keeps what matches and says what it did."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.pipedrive.models import WebhookSubscription
from pipedrive_etl.sandbox import FakeClock, Sandbox
from pipedrive_etl.warehouse import open_warehouse
from pipedrive_etl.webhooks import (
    BasicCredentials,
    WebhookConfigError,
    plan_registration,
    register_workspace,
    wanted_webhooks,
)
from pipedrive_etl.webhooks.commands import register

PUBLIC = "https://hooks.example.com"
URL = f"{PUBLIC}/webhooks/demo"
CREDENTIALS = BasicCredentials("pd", "pw")


def _existing(id_: int, event_object: str = "person", *, url: str = URL, user: str | None = "pd",
              password: str | None = "pw", version: str = "2.0",
              name: str | None = None) -> WebhookSubscription:
    return WebhookSubscription.model_validate({
        "id": id_, "event_action": "*", "event_object": event_object, "subscription_url": url,
        "version": version, "http_auth_user": user, "http_auth_password": password,
        "name": name or f"pipedrive-etl demo {event_object}"})


def _wanted() -> list:
    return wanted_webhooks("demo", PUBLIC, CREDENTIALS)


def test_a_workspace_wants_one_v2_subscription_per_extracted_object() -> None:
    wanted = _wanted()
    assert [w.event_object for w in wanted] == [
        "person", "organization", "deal", "activity", "stage", "pipeline"]
    assert {(w.event_action, w.version, w.subscription_url, w.http_auth_user) for w in wanted} == {
        ("*", "2.0", URL, "pd")}


def test_nothing_existing_plans_every_subscription_as_a_create() -> None:
    plan = plan_registration([], _wanted())
    assert (len(plan.create), plan.keep, plan.replace, plan.stale) == (6, (), (), ())


def test_an_exact_match_is_kept() -> None:
    plan = plan_registration([_existing(7)], _wanted())
    assert [(w.event_object, s.id) for w, s in plan.keep] == [("person", 7)]
    assert "person" not in [w.event_object for w in plan.create]


def test_a_rotated_password_replaces_the_subscription() -> None:
    plan = plan_registration([_existing(7, password="old")], _wanted())
    assert [(r.old.id, r.new.event_object, r.why) for r in plan.replace] == [
        (7, "person", "credentials changed")]


def test_a_v1_subscription_at_our_url_is_replaced_by_a_v2_one() -> None:
    plan = plan_registration([_existing(7, version="1.0")], _wanted())
    assert plan.replace[0].why == "version 1.0 -> 2.0"


def test_a_listing_without_passwords_keeps_a_subscription_whose_user_matches() -> None:
    assert plan_registration([_existing(7, password=None)], _wanted()).keep[0][1].id == 7


def test_a_second_copy_of_ours_is_stale_and_deleted_only_with_prune() -> None:
    existing = [_existing(7), _existing(8)]
    assert [s.id for s in plan_registration(existing, _wanted()).stale] == [8]
    assert plan_registration(existing, _wanted(), prune=True).prune is True


def test_an_unwanted_subscription_of_ours_is_stale() -> None:
    plan = plan_registration([_existing(9, "note")], _wanted())
    assert [s.id for s in plan.stale] == [9]


def test_ours_left_at_an_old_public_url_is_stale() -> None:
    moved = _existing(4, "deal", url="https://old-hooks.example.com/webhooks/demo")
    plan = plan_registration([moved], _wanted())
    assert ([s.id for s in plan.stale], len(plan.create)) == ([4], 6)


def test_another_tools_subscriptions_are_never_touched() -> None:
    other = _existing(5, "deal", url="https://zapier.example/hook", name="Zapier deals")
    plan = plan_registration([other], _wanted())
    assert (plan.stale, [s.id for _, s in plan.keep], [r.old.id for r in plan.replace]) == ((), [], [])


def test_a_relative_public_url_is_a_configuration_error() -> None:
    with pytest.raises(WebhookConfigError, match="absolute http"):
        wanted_webhooks("demo", "hooks.example.com", CREDENTIALS)


# -- against the in-process sandbox ------------------------------------------------------------------------

@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(plan="ultimate", seats=5, clock=FakeClock())


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[PipedriveClient]:
    with PipedriveClient.with_api_token("sandbox-token", company_domain="sandbox", plan="ultimate",
                                        transport=sandbox.transport()) as opened:
        yield opened


def test_registering_creates_the_six_subscriptions_with_basic_auth(client: PipedriveClient) -> None:
    _, report = register_workspace(client, "demo", PUBLIC, CREDENTIALS)
    assert len(report.created) == 6
    hooks = client.list_webhooks()
    assert {(h.event_object, h.version, h.http_auth_user, h.http_auth_password.get_secret_value())
            for h in hooks} >= {("deal", "2.0", "pd", "pw")}
    assert {h.subscription_url for h in hooks} == {URL}


def test_registering_twice_keeps_everything_and_creates_nothing(client: PipedriveClient) -> None:
    register_workspace(client, "demo", PUBLIC, CREDENTIALS)
    _, report = register_workspace(client, "demo", PUBLIC, CREDENTIALS)
    assert (len(report.created), len(report.kept), len(client.list_webhooks())) == (0, 6, 6)


def test_a_new_password_replaces_each_subscription_once(client: PipedriveClient) -> None:
    register_workspace(client, "demo", PUBLIC, CREDENTIALS)
    _, report = register_workspace(client, "demo", PUBLIC, BasicCredentials("pd", "rotated"))
    hooks = client.list_webhooks()
    assert (len(report.replaced), len(hooks)) == (6, 6)
    assert {h.http_auth_password.get_secret_value() for h in hooks} == {"rotated"}


def test_prune_deletes_a_stale_subscription_of_ours(client: PipedriveClient) -> None:
    client.create_webhook(subscription_url=URL, event_action="*", event_object="note",
                          name="pipedrive-etl demo note")
    _, kept = register_workspace(client, "demo", PUBLIC, CREDENTIALS)
    assert [s.event_object for s in kept.left] == ["note"]
    _, pruned = register_workspace(client, "demo", PUBLIC, CREDENTIALS, prune=True)
    assert [s.event_object for s in pruned.deleted] == ["note"] and len(client.list_webhooks()) == 6


def test_a_dry_run_changes_nothing(client: PipedriveClient) -> None:
    plan, report = register_workspace(client, "demo", PUBLIC, CREDENTIALS, dry_run=True)
    assert (len(plan.create), report, client.list_webhooks()) == (6, None, [])


def test_the_command_prints_what_it_did(
        tmp_path: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture) -> None:
    config = tmp_path / "sync.yaml"
    config.write_text("workspaces:\n  - id: demo\n    pipedrive: {company_domain: sandbox, "
                      "base_url: 'https://sandbox.pipedrive.com', auth: {env: SANDBOX_TOKEN}}\n")
    args = argparse.Namespace(config=str(config), workspace=["demo"], public_url=PUBLIC, prune=False,
                              dry_run=False, no_ledger=False)
    env = {"SANDBOX_TOKEN": "sandbox-token", "PIPEDRIVE_WEBHOOK_PASSWORD": "pw",
           "WAREHOUSE_URL": f"duckdb:///{tmp_path}/warehouse.duckdb"}
    assert register(args, env=env, transport=sandbox.transport()) == 0
    assert register(args, env=env, transport=sandbox.transport()) == 0
    out = capsys.readouterr().out
    assert f"workspace demo: {URL}" in out
    assert "6 created, 0 kept" in out and "0 created, 6 kept" in out
    assert "  created   person/*" in out


def test_the_command_charges_its_requests_to_the_shared_token_ledger(
        tmp_path: Path, sandbox: Sandbox) -> None:
    config = tmp_path / "sync.yaml"
    config.write_text("workspaces:\n  - id: demo\n    pipedrive: {company_domain: sandbox, "
                      "base_url: 'https://sandbox.pipedrive.com', auth: {env: SANDBOX_TOKEN}}\n")
    args = argparse.Namespace(config=str(config), workspace=["demo"], public_url=PUBLIC, prune=False,
                              dry_run=False, no_ledger=False)
    warehouse_url = f"duckdb:///{tmp_path}/warehouse.duckdb"
    env = {"SANDBOX_TOKEN": "sandbox-token", "PIPEDRIVE_WEBHOOK_PASSWORD": "pw",
           "WAREHOUSE_URL": warehouse_url}
    register(args, env=env, transport=sandbox.transport())
    with open_warehouse(warehouse_url) as warehouse:
        charged = warehouse.fetchone("select sum(used) from state.token_usage")[0]
    assert charged == sandbox.tokens_used() == 10 + 6 * 10  # one list, six creates


def test_the_command_without_a_password_fails_naming_the_variable(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config = tmp_path / "sync.yaml"
    config.write_text("workspaces:\n  - {id: demo, pipedrive: {company_domain: sandbox, auth: {env: T}}}\n")
    args = argparse.Namespace(config=str(config), workspace=None, public_url=PUBLIC, prune=False,
                              dry_run=False, no_ledger=True)
    assert register(args, env={"T": "x"}) == 2
    assert "PIPEDRIVE_WEBHOOK_PASSWORD_DEMO" in capsys.readouterr().err
