"""Ensuring custom fields against the in-process sandbox: created once, options added and never removed,
misfits named before anything changes, dry runs that change nothing, lost responses settled by listing."""

from __future__ import annotations

import pytest

from pipedrive_etl.custom_fields import FieldConflictError, ensure_fields, required_fields
from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.sandbox import Sandbox

from .conftest import fields_named, mapping, sync_config

TIER = mapping("custom_fields.tier", "Tier", "enum", options=["Gold", "Silver"])
SCORE = mapping("custom_fields.score", "Score", "double", entity="deal")
NICKNAME = mapping("custom_fields.nickname", "Nickname", "varchar")


def _ensure(client: PipedriveClient, *mappings: dict, create_persons: bool = False, dry_run: bool = False):
    requirements = required_fields(sync_config(*mappings, create_persons=create_persons))
    return ensure_fields(client, "acme", requirements, dry_run=dry_run)


def test_running_twice_creates_each_missing_field_once(client: PipedriveClient, sandbox: Sandbox) -> None:
    first = _ensure(client, TIER, SCORE, create_persons=True).report
    second = _ensure(client, TIER, SCORE, create_persons=True).report
    assert [(e.entity, e.name) for e in first.created] == [
        ("person", "ColdCopy lead id"), ("person", "Tier"), ("deal", "Score")]
    assert second.created == [] and second.options_added == []
    assert [(e.name, e.key) for e in second.unchanged] == [(e.name, e.key) for e in first.created]
    for entity, name in [("person", "ColdCopy lead id"), ("person", "Tier"), ("deal", "Score")]:
        assert len(fields_named(sandbox, entity, name)) == 1
    [tier] = fields_named(sandbox, "person", "Tier")
    assert (tier.field_type, [o["label"] for o in tier.options or []]) == ("enum", ["Gold", "Silver"])


def test_a_created_field_takes_the_type_and_the_key_pipedrive_gave_it(client: PipedriveClient,
                                                                     sandbox: Sandbox) -> None:
    [created] = _ensure(client, SCORE).report.created
    [score] = fields_named(sandbox, "deal", "Score")
    assert (created.key, created.field_type) == (score.key, "double")
    assert len(created.key) == 40 and int(created.key, 16) >= 0


def test_missing_options_are_added_and_existing_ones_are_kept(client: PipedriveClient,
                                                              sandbox: Sandbox) -> None:
    sandbox.add_custom_field("person", "Tier", "enum", options=["Gold", "Bronze"])
    report = _ensure(client, TIER).report
    [tier] = fields_named(sandbox, "person", "Tier")
    assert [o["label"] for o in tier.options or []] == ["Gold", "Bronze", "Silver"]
    assert [(e.name, e.options) for e in report.options_added] == [("Tier", ("Silver",))]
    assert report.created == []


def test_option_labels_match_regardless_of_case(client: PipedriveClient, sandbox: Sandbox) -> None:
    sandbox.add_custom_field("person", "Tier", "set", options=["gold", "SILVER"])
    report = _ensure(client, mapping("custom_fields.tier", "Tier", "set", options=["Gold", "Silver"])).report
    assert report.options_added == [] and [e.name for e in report.unchanged] == ["Tier"]


def test_an_existing_field_of_an_incompatible_type_fails_naming_it_and_nothing_is_created(
        client: PipedriveClient, sandbox: Sandbox) -> None:
    existing = sandbox.add_custom_field("person", "Tier", "varchar")
    with pytest.raises(FieldConflictError) as caught:
        _ensure(client, NICKNAME, TIER)
    message = str(caught.value)
    assert "person field 'Tier'" in message and existing.key in message
    assert "exists as varchar" in message and "wants enum" in message
    assert "field_mappings[1] (custom_fields.tier)" in message
    [conflict] = caught.value.incompatible
    assert (conflict.key, conflict.existing_type, conflict.wanted_type) == (existing.key, "varchar", "enum")
    assert fields_named(sandbox, "person", "Nickname") == []  # planned before any write: nothing changed


def test_varchar_and_varchar_auto_serve_each_other(client: PipedriveClient, sandbox: Sandbox) -> None:
    sandbox.add_custom_field("person", "ColdCopy lead id", "varchar_auto")
    report = _ensure(client, create_persons=True).report
    assert [(e.name, e.field_type) for e in report.unchanged] == [("ColdCopy lead id", "varchar_auto")]
    assert len(fields_named(sandbox, "person", "ColdCopy lead id")) == 1


def test_a_name_two_fields_share_is_a_conflict_listing_both_keys(client: PipedriveClient,
                                                                 sandbox: Sandbox) -> None:
    first = sandbox.add_custom_field("person", "Nickname", "varchar")
    second = sandbox.add_custom_field("person", "Nickname", "varchar")
    with pytest.raises(FieldConflictError) as caught:
        _ensure(client, NICKNAME)
    assert first.key in str(caught.value) and second.key in str(caught.value)


def test_a_dry_run_lists_what_it_would_do_and_changes_nothing(client: PipedriveClient,
                                                              sandbox: Sandbox) -> None:
    sandbox.add_custom_field("person", "Tier", "enum", options=["Gold"])
    tokens_before = sandbox.tokens_used()
    result = _ensure(client, TIER, SCORE, dry_run=True)
    assert [(e.name, e.key) for e in result.report.created] == [("Score", None)]
    assert [(e.name, e.options) for e in result.report.options_added] == [("Tier", ("Silver",))]
    assert fields_named(sandbox, "deal", "Score") == []
    assert [o["label"] for o in fields_named(sandbox, "person", "Tier")[0].options or []] == ["Gold"]
    assert result.refreshed == {}
    assert sandbox.tokens_used() - tokens_before == result.report.tokens == 20  # two field lists of 10


def test_the_external_id_field_is_needed_only_when_persons_are_created(client: PipedriveClient,
                                                                       sandbox: Sandbox) -> None:
    assert _ensure(client, SCORE).report.created[0].name == "Score"
    assert fields_named(sandbox, "person", "ColdCopy lead id") == []


def test_creates_and_option_adds_cost_five_tokens_each(client: PipedriveClient, sandbox: Sandbox) -> None:
    sandbox.add_custom_field("person", "Tier", "enum", options=["Gold"])
    before = sandbox.tokens_used()
    report = _ensure(client, TIER, NICKNAME).report
    # person list (10) + create (5) + options (5) + the person list again to store the result (10)
    assert report.tokens == sandbox.tokens_used() - before == 30


def test_a_create_whose_response_was_lost_is_found_by_listing_and_not_made_twice(
        client: PipedriveClient, sandbox: Sandbox) -> None:
    sandbox.faults.add(route="POST /api/v2/personFields", kind="drop_response_after_apply", count=1)
    report = _ensure(client, NICKNAME).report
    [nickname] = fields_named(sandbox, "person", "Nickname")
    assert [(e.name, e.key) for e in report.created] == [("Nickname", nickname.key)]


def test_a_create_that_failed_before_applying_is_sent_again_once(client: PipedriveClient,
                                                                 sandbox: Sandbox) -> None:
    sandbox.faults.add(route="POST /api/v2/personFields", kind="status", status=503, count=1)
    report = _ensure(client, NICKNAME).report
    assert len(fields_named(sandbox, "person", "Nickname")) == 1
    assert [e.name for e in report.created] == ["Nickname"]


def test_options_whose_response_was_lost_are_not_added_twice(client: PipedriveClient,
                                                             sandbox: Sandbox) -> None:
    tier = sandbox.add_custom_field("person", "Tier", "enum", options=["Gold"])
    sandbox.faults.add(route=f"POST /api/v2/personFields/{tier.key}/options",
                       kind="drop_response_after_apply", count=1)
    report = _ensure(client, TIER).report
    assert ([o["label"] for o in fields_named(sandbox, "person", "Tier")[0].options or []]
            == ["Gold", "Silver"])
    assert [(e.name, e.options) for e in report.options_added] == [("Tier", ("Silver",))]


def test_the_refreshed_definitions_carry_new_fields_and_options(client: PipedriveClient,
                                                                sandbox: Sandbox) -> None:
    sandbox.add_custom_field("person", "Tier", "enum", options=["Gold"])
    refreshed = _ensure(client, TIER, SCORE).refreshed
    assert set(refreshed) == {"person", "deal"}
    raw_tier = next(raw for definition, raw in refreshed["person"] if definition.name == "Tier")
    assert [o["label"] for o in raw_tier["options"]] == ["Gold", "Silver"]
    assert any(raw["field_name"] == "Score" for _, raw in refreshed["deal"])
