"""Extraction on the sandbox, into DuckDB and into the real PostgreSQL."""

import math
from datetime import timedelta

import pytest

from pipedrive_etl.extract.pipedrive_runner import extract_fields, extract_stream
from pipedrive_etl.extract.stage_changes import extract_deal_stage_changes
from pipedrive_etl.extract.streams import STREAMS
from pipedrive_etl.warehouse.sync_state import read_state

from .conftest import ACTIVITIES, DEALS, ORGANIZATIONS, PERSONS


def _count(warehouse, table, where="true"):
    return warehouse.fetchone(f"select count(*) from {table} where workspace_id = 'demo' and {where}")[0]


def _extract(world, warehouse, name, **kwargs):
    with world.client(budget=kwargs.pop("budget", None)) as client:
        return extract_stream(client, warehouse, "demo", STREAMS[name], now=world.clock.now, **kwargs)


def test_a_first_run_extracts_every_record_of_every_stream_at_the_floor_cost(world, warehouse):
    # Archived deals are not in /deals (Pipedrive serves them from /deals/archived since 2025-07-15).
    listed_deals = sum(1 for deal in world.sandbox.state.tables["deals"].rows.values()
                       if not deal["is_archived"])
    assert 0 < listed_deals < DEALS
    expected = {"persons": PERSONS, "organizations": ORGANIZATIONS, "deals": listed_deals,
                "activities": ACTIVITIES}
    for name, count in expected.items():
        result = _extract(world, warehouse, name)
        assert (result.mode, result.rows, result.complete) == ("full", count, True)
        assert result.tokens == math.ceil(count / 500) * 10
        assert _count(warehouse, STREAMS[name].table) == count
    for name in ("pipelines", "stages"):
        assert _extract(world, warehouse, name).rows > 0


def test_a_second_run_reads_only_what_changed(world, warehouse):
    _extract(world, warehouse, "persons")
    world.clock.advance(3600)
    with world.http() as http:
        ids = [p["id"] for p in http.get("/api/v2/persons", params={"limit": 7}).json()["data"]]
        for person_id in ids:
            http.patch(f"/api/v2/persons/{person_id}",
                       json={"name": f"Edited {person_id}"}).raise_for_status()
    world.clock.advance(60)
    result = _extract(world, warehouse, "persons")
    assert (result.mode, result.rows, result.tokens) == ("incremental", 7, 10)
    names = dict(warehouse.fetchall("select id, raw ->> 'name' from raw.pipedrive_persons where id in "
                                    f"({','.join(map(str, ids))})"))
    assert names == {person_id: f"Edited {person_id}" for person_id in ids}


def test_a_run_killed_mid_way_resumes_from_its_cursor_without_gap_or_duplicate(world, warehouse):
    class Killed(Exception):
        pass

    def die_after_two_pages(stream, pages, rows):
        if pages == 2:
            raise Killed

    with pytest.raises(Killed):
        _extract(world, warehouse, "activities", on_page=die_after_two_pages)
    state = read_state(warehouse, "demo", "activities")
    assert state.cursor is not None and _count(warehouse, "raw.pipedrive_activities") == 1_000
    resumed = _extract(world, warehouse, "activities")
    assert (resumed.rows, resumed.pages) == (ACTIVITIES - 1_000, 1)
    assert _count(warehouse, "raw.pipedrive_activities") == ACTIVITIES
    assert read_state(warehouse, "demo", "activities").cursor is None


def test_deletes_in_pipedrive_show_as_deleted_after_the_sweep(world, warehouse):
    _extract(world, warehouse, "persons")
    with world.http() as http:
        ids = [p["id"] for p in http.get("/api/v2/persons", params={"limit": 3}).json()["data"]]
        for person_id in ids:
            http.delete(f"/api/v2/persons/{person_id}").raise_for_status()
    world.clock.advance(60)
    result = _extract(world, warehouse, "persons", full_refresh=True)
    assert result.mode == "full"
    deleted = warehouse.fetchall("select id from raw.pipedrive_persons where workspace_id = 'demo' and "
                                 "(is_deleted or swept_deleted_at is not null) order by id")
    assert [row[0] for row in deleted] == sorted(ids)


def test_the_sweep_runs_again_once_its_interval_has_passed(world, warehouse):
    _extract(world, warehouse, "organizations")
    world.clock.advance(3600)
    assert _extract(world, warehouse, "organizations", sweep_every=timedelta(hours=24)).mode == "incremental"
    world.clock.advance(25 * 3600)
    assert _extract(world, warehouse, "organizations", sweep_every=timedelta(hours=24)).mode == "full"


def test_budget_exhaustion_defers_with_a_resumable_cursor(world, warehouse):
    budget = world.budget(25)  # two pages of persons, not three
    first = _extract(world, warehouse, "persons", budget=budget)
    assert first.deferred and "resumes from its cursor" in first.deferred
    assert (first.rows, first.pages) == (1_000, 2)
    world.clock.advance(24 * 3600)  # the next day's budget
    second = _extract(world, warehouse, "persons", budget=world.budget(25))
    assert second.complete and second.rows == PERSONS - 1_000
    assert _count(warehouse, "raw.pipedrive_persons") == PERSONS


def test_field_definitions_are_stored_per_entity_with_custom_fields(world, warehouse):
    with world.client() as client:
        result = extract_fields(client, warehouse, "demo", now=world.clock.now)
    assert result.rows > 0 and result.tokens == 40
    custom = warehouse.fetchall("select distinct entity from raw.pipedrive_fields where is_custom_field")
    assert {row[0] for row in custom} >= {"person", "organization", "deal"}


def test_stage_changes_are_read_only_for_deals_whose_stage_moved(world, warehouse):
    _extract(world, warehouse, "deals")
    with world.client() as client:
        first = extract_deal_stage_changes(client, warehouse, "demo", now=world.clock.now)
        moved = warehouse.fetchone("select count(*) from raw.pipedrive_deals "
                                   "where stage_change_time is not null")[0]
        assert first.tokens == 20 * moved and first.rows >= moved
        again = extract_deal_stage_changes(client, warehouse, "demo", now=world.clock.now)
    assert (again.tokens, again.rows) == (0, 0)


def test_definitions_read_within_their_max_age_are_not_read_again(world, warehouse):
    max_age = timedelta(hours=1)
    assert _extract(world, warehouse, "stages", max_age=max_age).tokens == 5
    world.clock.advance(600)
    again = _extract(world, warehouse, "stages", max_age=max_age)
    assert (again.mode, again.tokens) == ("fresh", 0)
    world.clock.advance(3600)
    assert _extract(world, warehouse, "stages", max_age=max_age).tokens == 5
    with world.client() as client:
        assert extract_fields(client, warehouse, "demo", max_age=max_age, now=world.clock.now).tokens == 40
        assert extract_fields(client, warehouse, "demo", max_age=max_age, now=world.clock.now).mode == "fresh"
