"""`pipedrive-etl fields ensure` on the sandbox: exit codes, text and JSON reports."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipedrive_etl.cli import build_parser
from pipedrive_etl.custom_fields.commands import ensure_command
from pipedrive_etl.sandbox import Sandbox

from .conftest import WORKSPACE, fields_named, mapping

ENV = {"PD_TOKEN": "sandbox-token"}
TIER = mapping("custom_fields.tier", "Tier", "enum", options=["Gold", "Silver"])


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    return {"config": tmp_path / "sync.yaml", "warehouse": tmp_path / "warehouse.duckdb"}


def _run(paths: dict[str, Path], sandbox: Sandbox, *extra: str, env: dict[str, str] = ENV,
         mappings: tuple[dict[str, Any], ...] = (TIER,)) -> int:
    paths["config"].write_text(yaml.safe_dump({
        "workspaces": [WORKSPACE], "field_mappings": list(mappings),
        "creation_rules": {"create_persons_for_statuses": ["interested"]}}))
    args = build_parser().parse_args(["fields", "ensure", "--workspace", "acme",
                                      "--config", str(paths["config"]),
                                      "--warehouse-url", f"duckdb:///{paths['warehouse']}", *extra])
    assert isinstance(args, argparse.Namespace) and args.func is ensure_command
    return ensure_command(args, env=env, transport=sandbox.transport())


def test_a_first_run_creates_and_reports_json_then_a_second_finds_everything_in_place(paths, sandbox, capsys):
    assert _run(paths, sandbox, "--json") == 0
    first = json.loads(capsys.readouterr().out)
    assert _run(paths, sandbox, "--json") == 0
    second = json.loads(capsys.readouterr().out)
    assert [(e["entity"], e["name"], e["field_type"]) for e in first["created"]] == [
        ("person", "ColdCopy lead id", "varchar"), ("person", "Tier", "enum")]
    assert first["created"][1]["options"] == ["Gold", "Silver"] and first["dry_run"] is False
    assert second["created"] == [] and len(second["unchanged"]) == 2
    assert len(fields_named(sandbox, "person", "Tier")) == 1


def test_the_text_report_names_each_field_and_the_tokens(paths, sandbox, capsys):
    assert _run(paths, sandbox) == 0
    out = capsys.readouterr().out
    [tier] = fields_named(sandbox, "person", "Tier")
    assert f"created: person field 'Tier' (enum) with options 'Gold', 'Silver', key {tier.key}" in out
    assert "2 fields: 2 created, 0 got options, 0 in place; 30 tokens" in out


def test_a_dry_run_exits_zero_and_creates_nothing(paths, sandbox, capsys):
    assert _run(paths, sandbox, "--dry-run") == 0
    assert "would create: person field 'Tier' (enum)" in capsys.readouterr().out
    assert fields_named(sandbox, "person", "Tier") == []


def test_an_incompatible_field_exits_one_naming_it_in_text_and_json(paths, sandbox, capsys):
    existing = sandbox.add_custom_field("person", "Tier", "text")
    assert _run(paths, sandbox, "--json") == 1
    captured = capsys.readouterr()
    assert "person field 'Tier'" in captured.err and "exists as text" in captured.err
    report = json.loads(captured.out)
    assert report["incompatible"] == [{
        "entity": "person", "name": "Tier", "key": existing.key, "existing_type": "text",
        "wanted_type": "enum", "sources": ["field_mappings[0] (custom_fields.tier)"]}]
    assert fields_named(sandbox, "person", "ColdCopy lead id") == []  # nothing was created


def test_an_invalid_sync_yaml_exits_two(paths, sandbox, capsys):
    bad = {"coldcopy_field": "custom_fields.tier",
           "pipedrive": {"entity": "person", "name": "Tier", "create_if_missing": True}}
    assert _run(paths, sandbox, mappings=(bad,)) == 2
    assert "create_if_missing needs 'field_type'" in capsys.readouterr().err
    assert sandbox.tokens_used() == 0


def test_a_missing_token_exits_two_before_any_request(paths, sandbox, capsys):
    assert _run(paths, sandbox, env={}) == 2
    assert "PD_TOKEN" in capsys.readouterr().err and sandbox.tokens_used() == 0


def test_a_token_pipedrive_rejects_exits_three(paths, sandbox, capsys):
    assert _run(paths, sandbox, env={"PD_TOKEN": "wrong"}) == 3
    assert "Pipedrive refused" in capsys.readouterr().err
