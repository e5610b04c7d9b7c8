"""`pipedrive-etl oauth ...` against the sandbox served over HTTP, as an operator would run it."""

import io
import sys

import httpx
import pytest

from pipedrive_etl.cli import main
from pipedrive_etl.sandbox import create_app
from pipedrive_etl.webhooks.server import running_receiver

from .helpers import oauth_env


@pytest.fixture
def served(sandbox):
    with running_receiver(create_app(sandbox)) as base_url:
        yield base_url


@pytest.fixture
def cli_env(served, key, warehouse_path, monkeypatch):
    for name, value in {**oauth_env(key, f"duckdb:///{warehouse_path}"), "PIPEDRIVE_OAUTH_BASE_URL": served,
                        "PIPEDRIVE_ETL_ACTOR": "alice"}.items():
        monkeypatch.setenv(name, value)


class Browser(io.StringIO):
    """stdin for `oauth connect`: when read, the operator opens the printed URL and pastes where it led."""

    def __init__(self, capsys):
        super().__init__()
        self.capsys = capsys

    def readline(self, *args):
        url = self.capsys.readouterr().err.split()[-1]
        return httpx.get(url).headers["location"] + "\n"


def _approved_redirect(capsys):
    """`oauth authorize-url`, then the admin's click on it: the address Pipedrive redirects to."""
    assert main(["oauth", "authorize-url", "acme"]) == 0
    return httpx.get(capsys.readouterr().out.strip()).headers["location"]


def test_connect_prints_the_url_reads_the_redirect_and_stores_the_connection(cli_env, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", Browser(capsys))
    assert main(["oauth", "connect", "acme", "--workspace", "demo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("connected 'acme': https://sandbox.pipedrive.com, scope base contacts:full")


def test_a_url_from_authorize_url_can_be_finished_by_connect_later(cli_env, capsys):
    assert main(["oauth", "connect", "acme", "--redirect-url", _approved_redirect(capsys)]) == 0


def test_status_lists_the_connection_without_its_tokens(cli_env, capsys):
    main(["oauth", "connect", "acme", "--redirect-url", _approved_redirect(capsys)])
    capsys.readouterr()
    assert main(["oauth", "status"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("acme: https://sandbox.pipedrive.com, scope base contacts:full, access token until")


def test_a_declined_authorization_exits_1(cli_env, sandbox, capsys):
    sandbox.oauth.approve = False
    assert main(["oauth", "connect", "acme", "--redirect-url", _approved_redirect(capsys)]) == 1
    assert "did not grant access (user_denied)" in capsys.readouterr().err


def test_connect_without_the_app_configured_exits_2_naming_the_variables(cli_env, monkeypatch, capsys):
    monkeypatch.delenv("PIPEDRIVE_OAUTH_CLIENT_ID")
    assert main(["oauth", "connect", "acme", "--redirect-url", "https://x/?code=a&state=b"]) == 2
    assert "PIPEDRIVE_OAUTH_CLIENT_ID is not set" in capsys.readouterr().err
