"""The cycle collector is held off while a page is validated, and always comes back as it was."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import httpx
import pytest
import respx

from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.pipedrive._gc import gc_paused
from pipedrive_etl.pipedrive.errors import ResponseValidationError

BASE = "https://acme.pipedrive.com"


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_the_collector_is_off_inside_a_pause_and_on_after_it() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_nested_pause_leaves_the_collector_off_until_the_outer_one_ends() -> None:
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_a_pause_still_turns_the_collector_back_on() -> None:
    with pytest.raises(ValueError, match="bad page"), gc_paused():
        raise ValueError("bad page")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with gc_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_in_two_threads_end_with_the_collector_on() -> None:
    first_inside, second_done = threading.Event(), threading.Event()
    seen_by_first: list[bool] = []

    def first() -> None:
        with gc_paused():
            first_inside.set()
            second_done.wait(timeout=5)
            seen_by_first.append(gc.isenabled())  # the second thread's pause ended; this one has not

    thread = threading.Thread(target=first)
    thread.start()
    first_inside.wait(timeout=5)
    with gc_paused():
        pass
    second_done.set()
    thread.join(timeout=5)
    assert (seen_by_first, gc.isenabled()) == ([False], True)


def test_a_page_the_client_cannot_validate_leaves_the_collector_on(fake_time) -> None:
    page = {"success": True, "data": [{"id": "not-a-number"}], "additional_data": {"next_cursor": None}}
    with respx.mock(base_url=BASE) as api, PipedriveClient.with_api_token(
            "tok", company_domain="acme", clock=fake_time.clock, sleep=fake_time.sleep) as client:
        api.get("/api/v2/persons").mock(return_value=httpx.Response(200, json=page))
        with pytest.raises(ResponseValidationError, match="Person"):
            list(client.iter_persons())
    assert gc.isenabled()
