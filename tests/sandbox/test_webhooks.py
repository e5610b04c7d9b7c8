"""Webhook management and delivery on a fake clock: Basic auth, retries at +3/+30/+150 s, the ban after 10
first-try failures (events dropped for 30 minutes), deletion after 3 days of failures."""

from __future__ import annotations

import httpx

from pipedrive_etl.sandbox import FakeClock, Sandbox

from .receiver import Receiver

HOOK = {
    "subscription_url": "https://hooks.example/pd",
    "event_action": "*",
    "event_object": "person",
    "name": "sync",
    "http_auth_user": "pd",
    "http_auth_password": "s3cret",
}


def _subscribe(client: httpx.Client, sandbox: Sandbox, receiver: Receiver, **overrides: str) -> int:
    sandbox.webhooks.transport = receiver.transport
    return client.post("/v1/webhooks", json={**HOOK, **overrides}).json()["data"]["id"]


def test_a_create_is_delivered_as_a_v2_payload_with_basic_auth(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    receiver = Receiver()
    _subscribe(client, sandbox, receiver)
    client.post("/api/v2/persons", json={"name": "Ann Lee"})
    sandbox.webhooks.deliver_due()
    payload = receiver.payloads[0]
    assert receiver.basic_auth() == ("pd", "s3cret")
    assert (
        payload["meta"]["action"],
        payload["meta"]["entity"],
        payload["meta"]["entity_id"],
        payload["meta"]["attempt"],
        payload["data"]["name"],
        payload["previous"],
    ) == ("create", "person", "1", 1, "Ann Lee", None)


def test_a_change_sends_only_the_changed_fields_as_previous(client: httpx.Client, sandbox: Sandbox) -> None:
    client.post("/api/v2/persons", json={"name": "Ann", "emails": [{"value": "ann@x.example"}]})
    receiver = Receiver()
    _subscribe(client, sandbox, receiver)
    client.patch("/api/v2/persons/1", json={"emails": [{"value": "ann@y.example"}]})
    sandbox.webhooks.deliver_due()
    assert receiver.payloads[0]["previous"] == {
        "emails": [{"value": "ann@x.example", "primary": True, "label": "work"}]
    }


def test_a_delete_sends_null_data_and_the_full_previous_record(
    client: httpx.Client, sandbox: Sandbox
) -> None:
    client.post("/api/v2/persons", json={"name": "Ann"})
    receiver = Receiver()
    _subscribe(client, sandbox, receiver)
    client.delete("/api/v2/persons/1")
    sandbox.webhooks.deliver_due()
    payload = receiver.payloads[0]
    assert (payload["meta"]["action"], payload["data"], payload["previous"]["name"]) == (
        "delete",
        None,
        "Ann",
    )


def test_failed_deliveries_are_retried_after_3_30_and_150_seconds(
    client: httpx.Client, sandbox: Sandbox, clock: FakeClock
) -> None:
    receiver = Receiver([500, 500, httpx.ReadTimeout("slow"), 500])
    _subscribe(client, sandbox, receiver)
    client.post("/api/v2/persons", json={"name": "Ann"})
    sent_at = []
    for wait in (0, 3, 30, 150, 1000):
        clock.advance(wait)
        if sandbox.webhooks.deliver_due():
            sent_at.append(clock.monotonic())
    assert sent_at == [0, 3, 33, 183]
    assert [p["meta"]["attempt"] for p in receiver.payloads] == [1, 2, 3, 4]
    assert len({p["meta"]["id"] for p in receiver.payloads}) == 1


def test_v1_payloads_count_retries_from_0(client: httpx.Client, sandbox: Sandbox, clock: FakeClock) -> None:
    receiver = Receiver([503])
    _subscribe(client, sandbox, receiver, version="1.0")
    client.post("/api/v2/persons", json={"name": "Ann"})
    sandbox.webhooks.deliver_due()
    clock.advance(3)
    sandbox.webhooks.deliver_due()
    assert [(p["retry"], p["event"], p["current"]["name"]) for p in receiver.payloads] == [
        (0, "added.person", "Ann"),
        (1, "added.person", "Ann"),
    ]


def test_ten_first_try_failures_ban_the_webhook_for_30_minutes_and_drop_its_events(
    client: httpx.Client, sandbox: Sandbox, clock: FakeClock
) -> None:
    receiver = Receiver([500] * 10)
    _subscribe(client, sandbox, receiver)
    for n in range(10):
        client.post("/api/v2/persons", json={"name": f"P{n}"})
        sandbox.webhooks.deliver_due()
    client.post("/api/v2/persons", json={"name": "During ban"})
    clock.advance(29 * 60)
    banned = sandbox.webhooks.deliver_due()
    clock.advance(60)
    client.post("/api/v2/persons", json={"name": "After ban"})
    after = sandbox.webhooks.deliver_due()
    assert banned == []
    assert [(r.ok, receiver.payloads[-1]["data"]["name"]) for r in after] == [(True, "After ban")]
    assert "During ban" not in [p["data"]["name"] for p in receiver.payloads]


def test_a_webhook_failing_for_3_days_is_deleted(
    client: httpx.Client, sandbox: Sandbox, clock: FakeClock
) -> None:
    receiver = Receiver([500] * 1000)
    _subscribe(client, sandbox, receiver)
    for _ in range(4):
        client.post("/api/v2/persons", json={"name": "Ann"})
        sandbox.webhooks.deliver_due()
        clock.advance(86_400)
    assert client.get("/v1/webhooks").json()["data"] == []


def test_creating_a_webhook_to_a_pipedrive_url_is_refused(client: httpx.Client) -> None:
    response = client.post(
        "/v1/webhooks", json={**HOOK, "subscription_url": "https://api.pipedrive.com/v1/x"}
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "status": "error",
            "success": False,
            "errors": {"subscription_url": ["invalid or non-reachable URL"]},
        },
    )


def test_deleting_an_unknown_webhook_answers_the_documented_404(client: httpx.Client) -> None:
    response = client.delete("/v1/webhooks/42")
    assert (response.status_code, response.json()) == (
        404,
        {"status": "error", "success": False, "errors": {"id": ["not found"]}},
    )


def test_the_41st_webhook_of_a_user_is_refused_with_422(client: httpx.Client) -> None:
    statuses = [client.post("/v1/webhooks", json=HOOK).status_code for _ in range(41)]
    assert statuses[-2:] == [201, 422]


def test_webhooks_accept_form_encoded_bodies_and_default_to_version_2(client: httpx.Client) -> None:
    response = client.post("/v1/webhooks", data={k: v for k, v in HOOK.items() if not k.startswith("http")})
    assert (response.status_code, response.json()["data"]["version"]) == (201, "2.0")
