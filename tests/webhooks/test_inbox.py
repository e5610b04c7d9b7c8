"""The inbox stores each event once, in commit order, on SQLite and on Postgres."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from pipedrive_etl.webhooks import Inbox, InboxUnavailable, parse_event
from pipedrive_etl.webhooks import inbox as inbox_module
from pipedrive_etl.webhooks.inbox import metadata, sqlite_inbox_exists

from .conftest import v2_event


def _event(event_id: str, entity: str = "person"):
    return parse_event(json.dumps(v2_event(entity, event_id=event_id)).encode())


def test_an_event_is_stored_once_per_workspace_and_event_id(inbox: Inbox) -> None:
    assert inbox.store("demo", _event("e-1")) is True
    assert inbox.store("demo", _event("e-1")) is False
    assert inbox.count_events() == 1


def test_events_come_back_in_sequence_order_after_a_cursor(inbox: Inbox) -> None:
    for name in ("a", "b", "c"):
        inbox.store("demo", _event(name))
    first = inbox.events_after(0)[0].seq
    assert [e.event_id for e in inbox.events_after(first)] == ["b", "c"]


def test_events_can_be_read_for_one_workspace(inbox: Inbox) -> None:
    inbox.store("demo", _event("a"))
    inbox.store("acme", _event("b"))
    assert [e.event_id for e in inbox.events_after(0, workspace_id="acme")] == ["b"]
    assert inbox.last_seq(workspace_id="acme") == inbox.last_seq()


def test_times_come_back_as_aware_utc(inbox: Inbox) -> None:
    received = datetime(2026, 9, 1, 9, 0, 1, tzinfo=UTC)
    inbox.store("demo", _event("a"), received)
    stored = inbox.events_after(0)[0]
    assert (stored.received_at, stored.occurred_at) == (received, datetime(2026, 9, 1, 9, 0, tzinfo=UTC))


def test_the_payload_is_read_only_when_asked_for(inbox: Inbox) -> None:
    inbox.store("demo", _event("a"))
    assert inbox.events_after(0)[0].payload is None
    assert json.loads(inbox.events_after(0, with_payload=True)[0].payload)["meta"]["id"] == "a"


def test_a_reject_keeps_a_truncated_body_sample(inbox: Inbox) -> None:
    inbox.record_reject(status=400, reason="not JSON", workspace_id="demo", remote_addr="10.0.0.1",
                        body=b"x" * 900)
    [reject] = inbox.rejects_after(0)
    assert (reject.status, reject.reason, len(reject.body_sample)) == (400, "not JSON", 512)


def test_concurrent_writers_lose_nothing_and_sequences_stay_unique(inbox: Inbox) -> None:
    def write(worker: int) -> None:
        for n in range(50):
            inbox.store("demo", _event(f"w{worker}-{n}"))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seqs = [e.seq for e in inbox.events_after(0, limit=10_000)]
    assert len(seqs) == 400 and seqs == sorted(set(seqs))


def test_a_sqlite_inbox_runs_in_wal_mode(sqlite_inbox: Inbox) -> None:
    with sqlite_inbox.engine.connect() as connection:
        assert connection.exec_driver_sql("pragma journal_mode").scalar() == "wal"


def test_a_missing_sqlite_file_is_reported_without_creating_it(tmp_path) -> None:
    url = f"sqlite:///{tmp_path}/never.db"
    assert sqlite_inbox_exists(url) is False
    assert not (tmp_path / "never.db").exists()


def test_a_sqlite_inbox_commits_with_synchronous_full(sqlite_inbox: Inbox) -> None:
    # FULL (2) fsyncs the WAL at every commit: an acknowledged event survives a power cut, not only a crash.
    with sqlite_inbox.engine.connect() as connection:
        assert connection.exec_driver_sql("pragma synchronous").scalar() == 2


def test_the_writer_keeps_one_connection_across_batches(inbox: Inbox) -> None:
    checkouts = []
    sa.event.listen(inbox.engine, "checkout", lambda *args: checkouts.append(args))
    for n in range(20):
        inbox.store("demo", _event(f"e-{n}"))
    assert len(checkouts) == 1
    assert inbox.count_events() == 20


def test_a_failed_batch_is_inbox_unavailable_and_the_next_one_reconnects(inbox: Inbox) -> None:
    with inbox.engine.begin() as connection:
        connection.execute(sa.text("drop table webhook_events"))
    with pytest.raises(InboxUnavailable):
        inbox.store("demo", _event("lost"))
    metadata.create_all(inbox.engine)
    assert inbox.store("demo", _event("kept")) is True
    assert [e.event_id for e in inbox.events_after(0)] == ["kept"]


@pytest.mark.postgres
def test_after_an_idle_spell_a_killed_writer_connection_fails_no_batch(
        clean_postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with Inbox(clean_postgres_url) as inbox:
        inbox.store("demo", _event("before"))
        with inbox.engine.connect() as connection:
            connection.execute(sa.text(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"))
        monkeypatch.setattr(inbox_module, "WRITER_IDLE_S", 0.0)  # idle long enough: pre-pinged again
        assert inbox.store("demo", _event("after")) is True
        assert inbox.count_events() == 2
