"""Receiver credentials come from the environment by convention; without a password, nothing starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipedrive_etl.webhooks import BasicCredentials, Unauthorized, WebhookConfigError, credentials_for
from pipedrive_etl.webhooks.credentials import signature_from_env
from pipedrive_etl.webhooks.server import receiver_settings


def test_a_workspaces_own_variables_win_over_the_shared_ones() -> None:
    env = {"PIPEDRIVE_WEBHOOK_USER": "shared", "PIPEDRIVE_WEBHOOK_PASSWORD": "shared-pw",
           "PIPEDRIVE_WEBHOOK_USER_ACME_EU": "acme", "PIPEDRIVE_WEBHOOK_PASSWORD_ACME_EU": "acme-pw"}
    assert credentials_for("acme-eu", env) == BasicCredentials("acme", "acme-pw")


def test_the_shared_password_serves_every_workspace_with_the_default_user() -> None:
    credentials = credentials_for("demo", {"PIPEDRIVE_WEBHOOK_PASSWORD": "pw"})
    assert credentials == BasicCredentials("pipedrive", "pw")


def test_a_workspace_without_a_password_is_a_configuration_error_naming_the_variable() -> None:
    with pytest.raises(WebhookConfigError,
                       match="set PIPEDRIVE_WEBHOOK_PASSWORD_DEMO or PIPEDRIVE_WEBHOOK_PASSWORD"):
        credentials_for("demo", {})


def test_credentials_never_show_the_password_in_their_repr() -> None:
    assert "s3cret" not in repr(BasicCredentials("pd", "s3cret"))


def test_a_password_with_a_colon_is_checked_whole() -> None:
    import base64

    header = "Basic " + base64.b64encode(b"pd:a:b").decode()
    BasicCredentials("pd", "a:b").check(header)  # no exception
    with pytest.raises(Unauthorized):
        BasicCredentials("pd", "a").check(header)


def test_the_signature_check_is_off_unless_a_secret_is_set() -> None:
    assert signature_from_env({}) is None
    assert signature_from_env({"PIPEDRIVE_WEBHOOK_HMAC_SECRET": "k"}).header == "X-Webhook-Signature"


def test_receiver_settings_cover_every_workspace_of_sync_yaml(tmp_path: Path) -> None:
    config = tmp_path / "sync.yaml"
    config.write_text("workspaces:\n"
                      "  - {id: demo, pipedrive: {company_domain: a, auth: {env: T}}}\n"
                      "  - {id: acme-eu, pipedrive: {company_domain: b, auth: {env: T}}}\n")
    settings = receiver_settings(config, {"PIPEDRIVE_WEBHOOK_PASSWORD": "pw",
                                          "PIPEDRIVE_WEBHOOK_MAX_BODY_BYTES": "2048"})
    assert (settings.workspaces, settings.max_body_bytes) == (("acme-eu", "demo"), 2048)
