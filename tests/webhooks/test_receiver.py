"""The receiver answers each delivery by the rules: stored, then 2xx; or a fast 4xx recorded with a reason."""

from __future__ import annotations

import base64
import gc
import hashlib
import hmac
import json

import anyio
import httpx
import pytest
import sqlalchemy as sa

from pipedrive_etl.webhooks import BasicCredentials, BodySignature, Inbox, ReceiverSettings, create_app

from .asgi import SyncASGITransport
from .conftest import PASSWORD, USER, basic, fixture_bytes, post, v2_event


def test_an_authenticated_v2_delivery_is_stored_and_answered_200(
        receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    response = post(receiver, fixture_bytes("pipedrive_webhook_v2_deal_change.json"))
    assert (response.status_code, response.json()["status"]) == (200, "stored")
    [stored] = sqlite_inbox.events_after(0, with_payload=True)
    assert (stored.workspace_id, stored.event_id, stored.entity, stored.action) == (
        "demo", "df47d877-b58c-4886-91cd-1aa83e1d7366", "deal", "change")


def test_a_v1_delivery_is_stored_too(receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    assert post(receiver, fixture_bytes("pipedrive_webhook_v1_deal_updated.json")).status_code == 200
    assert [e.version for e in sqlite_inbox.events_after(0)] == ["1.0"]


def test_a_duplicate_delivery_is_answered_200_and_stored_once(
        receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    event = v2_event(event_id="9a0c6f0e-0000-4000-8000-000000000001")
    retry = {**event, "meta": {**event["meta"], "attempt": 2}}
    first, second = post(receiver, event), post(receiver, retry)
    assert (first.status_code, second.status_code, second.json()["status"]) == (200, 200, "duplicate")
    assert sqlite_inbox.count_events() == 1


def test_the_same_event_id_in_two_workspaces_is_two_events(
        receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    event = v2_event(event_id="9a0c6f0e-0000-4000-8000-000000000002")
    post(receiver, event)
    post(receiver, event, workspace="acme", headers=basic("acme", "other"))
    assert sqlite_inbox.count_events() == 2


def test_wrong_credentials_get_401_and_a_reject_row_without_the_password(
        receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    response = post(receiver, v2_event(), headers=basic(USER, "guessed-password"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="pipedrive-etl"'
    [reject] = sqlite_inbox.rejects_after(0)
    assert (reject.status, reject.reason, reject.workspace_id, reject.body_sample) == (
        401, "wrong Basic credentials", "demo", None)
    assert sqlite_inbox.count_events() == 0
    with sqlite_inbox.engine.connect() as connection:
        dump = "\n".join(str(row) for row in connection.execute(sa.text("select * from webhook_rejects")))
    assert "guessed-password" not in dump and PASSWORD not in dump


def test_another_workspaces_credentials_get_401(receiver: httpx.Client) -> None:
    assert post(receiver, v2_event(), headers=basic("acme", "other")).status_code == 401


@pytest.mark.parametrize(("headers", "reason"), [
    ({}, "missing Basic credentials"),
    ({"authorization": "Bearer abc"}, "not Basic authentication"),
    ({"authorization": "Basic !!!"}, "malformed Basic credentials"),
    ({"authorization": "Basic " + base64.b64encode(USER.encode()).decode()}, "wrong Basic credentials"),
])
def test_missing_or_broken_authorization_gets_401_with_its_reason(
        receiver: httpx.Client, sqlite_inbox: Inbox, headers: dict[str, str], reason: str) -> None:
    assert post(receiver, v2_event(), headers=headers).status_code == 401
    assert sqlite_inbox.rejects_after(0)[0].reason == reason


def test_a_malformed_body_gets_400_and_a_truncated_sample(
        receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    body = b'{"meta": {"action": "change"}, "filler": "' + b"x" * 2_000 + b'"}'
    response = post(receiver, body)
    assert (response.status_code, response.json()["error"]) == (400, "v2 payload: meta.id: Field required")
    [reject] = sqlite_inbox.rejects_after(0)
    assert reject.body_sample == body[:512].decode()


def test_an_oversize_body_gets_413_before_it_is_read(receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    response = post(receiver, b"{" + b" " * 70_000 + b"}")
    assert response.status_code == 413
    assert sqlite_inbox.rejects_after(0)[0].reason == "body of 70002 bytes is over the 64000-byte limit"


def test_an_unknown_workspace_gets_404_and_is_recorded_under_that_name(
        receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    assert post(receiver, v2_event(), workspace="nobody").status_code == 404
    assert (sqlite_inbox.rejects_after(0)[0].workspace_id, sqlite_inbox.count_events()) == ("nobody", 0)


def test_the_remote_address_is_recorded_with_a_reject(receiver: httpx.Client, sqlite_inbox: Inbox) -> None:
    post(receiver, b"nope")
    assert sqlite_inbox.rejects_after(0)[0].remote_addr == "203.0.113.9"


def test_a_get_on_the_endpoint_is_405(receiver: httpx.Client) -> None:
    assert receiver.get("/webhooks/demo", headers=basic()).status_code == 405


def test_health_answers_ok_with_the_inbox_backend(receiver: httpx.Client) -> None:
    assert receiver.get("/health").json() == {"status": "ok", "inbox": "sqlite", "workspaces": 2}


def _signed_receiver(inbox: Inbox) -> httpx.Client:
    settings = ReceiverSettings(credentials={"demo": BasicCredentials(USER, PASSWORD)},
                                signature=BodySignature(b"proxy-secret", "X-Signature"))
    transport = SyncASGITransport(create_app(settings, inbox))
    return httpx.Client(transport=transport, base_url="https://hooks.example")


def test_behind_a_signing_proxy_a_correct_hex_signature_is_accepted(sqlite_inbox: Inbox) -> None:
    body = json.dumps(v2_event()).encode()
    signature = "sha256=" + hmac.new(b"proxy-secret", body, hashlib.sha256).hexdigest()
    response = post(_signed_receiver(sqlite_inbox), body, headers={**basic(), "x-signature": signature})
    assert response.status_code == 200


def test_behind_a_signing_proxy_a_base64_signature_is_accepted(sqlite_inbox: Inbox) -> None:
    body = json.dumps(v2_event()).encode()
    signature = base64.b64encode(hmac.new(b"proxy-secret", body, hashlib.sha256).digest()).decode()
    response = post(_signed_receiver(sqlite_inbox), body, headers={**basic(), "x-signature": signature})
    assert response.status_code == 200


def test_behind_a_signing_proxy_a_missing_or_wrong_signature_gets_401(sqlite_inbox: Inbox) -> None:
    client = _signed_receiver(sqlite_inbox)
    assert post(client, v2_event(), headers=basic()).status_code == 401
    wrong = {**basic(), "x-signature": "sha256=" + "0" * 64}
    assert post(client, v2_event(), headers=wrong).status_code == 401
    assert [r.reason for r in sqlite_inbox.rejects_after(0)] == ["missing X-Signature signature",
                                                                 "wrong X-Signature signature"]


def test_when_the_inbox_cannot_be_written_the_answer_is_503_so_pipedrive_retries(
        settings: ReceiverSettings, sqlite_inbox: Inbox) -> None:
    with sqlite_inbox.engine.begin() as connection:
        connection.execute(sa.text("drop table webhook_events"))
    transport = SyncASGITransport(create_app(settings, sqlite_inbox))
    client = httpx.Client(transport=transport, base_url="https://hooks.example")
    assert post(client, v2_event()).status_code == 503


def test_a_stored_delivery_is_answered_with_json_naming_the_event(receiver: httpx.Client) -> None:
    response = post(receiver, v2_event(event_id="9a0c6f0e-0000-4000-8000-000000000003"))
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"status":"stored","event_id":"9a0c6f0e-0000-4000-8000-000000000003"}'


def test_a_delivery_whose_sender_goes_away_mid_body_is_neither_stored_nor_answered(
        settings: ReceiverSettings, sqlite_inbox: Inbox) -> None:
    app = create_app(settings, sqlite_inbox)
    messages = iter([{"type": "http.request", "body": b'{"meta": {"id": "x"', "more_body": True},
                     {"type": "http.disconnect"}])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/webhooks/demo", "root_path": "", "query_string": b"",
             "headers": [(b"authorization", basic()["authorization"].encode())], "client": ("203.0.113.9", 1)}
    anyio.run(app, scope, receive, send)
    assert (sent, sqlite_inbox.count_events(), sqlite_inbox.rejects_after(0)) == ([], 0, [])


def test_while_serving_the_start_up_objects_are_frozen_out_of_the_collectors_scans(
        settings: ReceiverSettings, sqlite_inbox: Inbox) -> None:
    app = create_app(settings, sqlite_inbox)

    async def serve_briefly() -> int:
        async with app.router.lifespan_context(app):
            return gc.get_freeze_count()

    assert anyio.run(serve_briefly) > 0
    assert gc.get_freeze_count() == 0  # stopping gives the process its collector back as it was
