import pytest

from pipedrive_etl.config import ConfigError, load_config, parse_config

WORKSPACE = {"id": "demo", "pipedrive": {"company_domain": "acme", "auth": {"env": "PIPEDRIVE_API_TOKEN"}}}


def _config(**overrides):
    return {"workspaces": [dict(WORKSPACE)], **overrides}


def test_a_minimal_config_takes_the_documented_defaults():
    config = parse_config(_config())
    workspace = config.workspace("demo")
    assert workspace.pipedrive.plan == "growth" and workspace.pipedrive.seats == 1
    assert workspace.pipedrive.auth.type == "api_token"
    assert workspace.extraction_budget_share == 0.6 and workspace.conflict_strategy == "latest_wins"
    assert workspace.coldcopy_id == "demo"


def test_an_unknown_key_is_named_with_its_path():
    data = _config()
    data["workspaces"][0] = {**WORKSPACE, "pipedrive": {**WORKSPACE["pipedrive"], "seatz": 3}}
    with pytest.raises(ConfigError, match=r"workspaces\[0\]\.pipedrive\.seatz: unknown key"):
        parse_config(data)


def test_a_bad_value_says_what_is_allowed():
    data = _config()
    data["workspaces"][0] = {**WORKSPACE, "pipedrive": {**WORKSPACE["pipedrive"], "plan": "gold"}}
    with pytest.raises(ConfigError,
                       match=r"pipedrive\.plan: 'gold' is not allowed; allowed: 'lite', 'growth'"):
        parse_config(data)


def test_every_problem_is_reported_at_once():
    data = _config(field_mappings=[{"coldcopy_field": "phone", "pipedrive": {"entity": "person"},
                                    "rule": "loudest"}])
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    message = str(caught.value)
    assert "field_mappings[0].pipedrive: Value error, give exactly one of 'key' or 'name'" in message
    assert "field_mappings[0].rule: 'loudest' is not allowed" in message


def test_workspace_ids_must_be_unique():
    with pytest.raises(ConfigError, match="repeated: demo"):
        parse_config({"workspaces": [WORKSPACE, WORKSPACE]})


def test_environment_variables_are_interpolated_with_defaults():
    data = _config(coldcopy={"database_url": "${COLDCOPY_DATABASE_URL:-sqlite:///cc.db}"})
    assert parse_config(data, env={}).coldcopy.database_url == "sqlite:///cc.db"
    assert parse_config(data, env={"COLDCOPY_DATABASE_URL": "postgresql://x/y"}).coldcopy.database_url == "postgresql://x/y"


def test_a_missing_environment_variable_without_default_is_an_error():
    with pytest.raises(ConfigError, match="WAREHOUSE_SECRET is not set"):
        parse_config(_config(coldcopy={"database_url": "${WAREHOUSE_SECRET}"}), env={})


def test_unknown_workspace_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown workspace 'nope'; sync.yaml defines: demo"):
        parse_config(_config()).workspace("nope")


def test_transformations_are_declarative_and_validated():
    mapping = {"coldcopy_field": "status", "pipedrive": {"entity": "person", "name": "Lead status"},
               "transform": {"lookup": {"replied": "Engaged"}, "default": "Cold"}}
    config = parse_config(_config(field_mappings=[mapping]))
    assert config.field_mappings[0].transform.lookup == {"replied": "Engaged"}


def test_load_config_reports_invalid_yaml_and_missing_files(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.yaml")
    bad = tmp_path / "sync.yaml"
    bad.write_text("workspaces: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
