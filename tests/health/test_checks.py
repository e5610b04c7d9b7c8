"""The pure decisions: delivery, the last sync, the report's status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipedrive_etl.health.checks import Check, HealthReport, delivery_check, last_sync_check
from pipedrive_etl.pipedrive.models import WebhookSubscription

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SILENCE = timedelta(hours=48)


def subscription(**fields) -> WebhookSubscription:
    return WebhookSubscription.model_validate({"id": 7, "event_action": "*", "event_object": "person",
                                               "subscription_url": "https://etl.example.com/webhooks/demo",
                                               **fields})


def test_an_inactive_subscription_fails_delivery():
    check = delivery_check([subscription(is_active=0)], None, NOW, SILENCE)
    assert check.status == "fail" and "person/* id 7 is inactive" in check.detail


def test_a_last_delivery_that_got_no_answer_fails_delivery():
    sub = subscription(is_active=1, last_delivery_time="2026-11-27 11:00:00", last_http_status=None)
    check = delivery_check([sub], None, NOW, SILENCE)
    assert check.status == "fail" and "got no answer" in check.detail


def test_nothing_delivered_for_longer_than_the_silence_limit_is_a_warning():
    sub = subscription(is_active=1, last_delivery_time="2026-11-24 11:00:00", last_http_status=200)
    assert delivery_check([sub], None, NOW, SILENCE).status == "warn"


def test_an_event_received_recently_counts_as_delivering_when_the_list_shows_none():
    check = delivery_check([subscription(is_active=1)], NOW - timedelta(minutes=5), NOW, SILENCE)
    assert check.status == "ok"


def test_a_partial_last_sync_counts_and_says_so():
    check = last_sync_check((NOW - timedelta(hours=2), "partial"), NOW, timedelta(hours=26))
    assert check.status == "ok" and "partial" in check.detail


def test_a_report_is_as_bad_as_its_worst_check():
    checks = (Check("a", "ok", ""), Check("b", "warn", ""))
    assert HealthReport(checks, NOW).status == "warn"
    assert HealthReport((*checks, Check("c", "fail", "", "demo")), NOW).failing == ["demo/c"]
