"""Redaction: credentials never reach a log line, a traceback, an error message or stored details."""

import logging
from datetime import UTC, datetime

import httpx
import pytest

from pipedrive_etl import redaction
from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.pipedrive.auth import ApiTokenAuth
from pipedrive_etl.pipedrive.errors import UnauthorizedError
from pipedrive_etl.redaction import MASK, redact, redact_value
from pipedrive_etl.sandbox import Sandbox

TOKEN = "pd-known-token-8c1e0f5b2a"


@pytest.fixture(autouse=True)
def _clean_slate():
    yield
    redaction.uninstall_redaction()
    redaction.forget_secrets()


@pytest.fixture
def installed():
    redaction.install_redaction()


@pytest.mark.parametrize(("text", "expected"), [
    ("Authorization: Bearer abc.def-123", f"Authorization: Bearer {MASK}"),
    ("{'Authorization': 'Basic Y2xpZW50OnNlY3JldA=='}", f"{{'Authorization': '{MASK}'}}"),
    ("{'x-api-token': 'abcdef123'}", f"{{'x-api-token': '{MASK}'}}"),
    ("x-api-token: abcdef123", f"x-api-token: {MASK}"),
    ("GET https://acme.pipedrive.com/api/v2/persons?limit=5&api_token=abc123",
     f"GET https://acme.pipedrive.com/api/v2/persons?limit=5&api_token={MASK}"),
    ('{"access_token": "v1u:abc", "token_type": "Bearer", "tokens": 10}',
     f'{{"access_token": "{MASK}", "token_type": "Bearer", "tokens": 10}}'),
    ("grant_type=refresh_token&refresh_token=1%3A1%3Aab&client_secret=s3",
     f"grant_type=refresh_token&refresh_token={MASK}&client_secret={MASK}"),
    ("GET /oauth/callback?code=5f2a9c&state=xyz", f"GET /oauth/callback?code={MASK}&state=xyz"),
    ("password=hunter2 field_code=abc", f"password={MASK} field_code=abc"),
    ("postgresql://etl:hunter2@db.internal/warehouse", f"postgresql://etl:{MASK}@db.internal/warehouse"),
])
def test_credential_shaped_values_are_masked_wherever_they_appear(text, expected):
    assert redact(text) == expected


def test_ordinary_text_is_left_alone():
    text = "persons: 1100 rows in 3 pages, 30 tokens (full); next_cursor=abc; stage_id=4; exited with code=1"
    assert redact(text) == text


def test_a_registered_secret_is_masked_in_any_context_and_url_encoding():
    redaction.register_secret("1:1:2a5496a8+/=")
    text = "refreshing with 1:1:2a5496a8+/= (1%3A1%3A2a5496a8%2B%2F%3D)"
    assert redact(text) == f"refreshing with {MASK} ({MASK})"


def test_values_too_short_to_be_credentials_are_not_registered():
    redaction.register_secret("demo")
    assert redact("workspace demo") == "workspace demo"


def test_redact_value_masks_secret_named_strings_but_keeps_counts():
    value = {"tokens": 10, "access_token": "x", "rows": [{"http_auth_password": "p"}], "token_type": "Bearer"}
    assert redact_value(value) == {"tokens": 10, "access_token": MASK, "rows": [{"http_auth_password": MASK}],
                                   "token_type": "Bearer"}


def test_once_installed_every_logger_s_records_are_masked(installed, caplog):
    redaction.register_secret(TOKEN)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("some.library").debug("sending %s", {"x-api-token": TOKEN})
        logging.getLogger().info("token %s", TOKEN)
    assert TOKEN not in caplog.text and caplog.text.count(MASK) == 2


def test_a_logged_traceback_is_masked_too(installed, caplog):
    redaction.register_secret(TOKEN)
    with caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError(f"bad token {TOKEN}")
        except RuntimeError:
            logging.getLogger("etl").exception("failed")
    assert "RuntimeError: bad token" in caplog.text and TOKEN not in caplog.text


def test_records_made_by_hand_are_masked_by_the_handler_filter(installed):
    redaction.register_secret(TOKEN)
    seen = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    redaction.install_redaction()  # a handler added later gets the filter when installing again
    try:
        logging.getLogger().handle(logging.makeLogRecord({"msg": f"token {TOKEN}", "levelno": logging.ERROR}))
    finally:
        logging.getLogger().removeHandler(handler)
    assert seen == [f"token {MASK}"]


def test_uninstalling_stops_masking(caplog):
    redaction.register_secret(TOKEN)
    redaction.install_redaction()
    redaction.uninstall_redaction()
    with caplog.at_level(logging.INFO):
        logging.getLogger("etl").info(TOKEN)
    assert TOKEN in caplog.text


# -- httpx ---------------------------------------------------------------------------------------------------

def _echo(request):
    return httpx.Response(200, json={"ok": True})


def test_the_request_hook_registers_the_credential_it_sees_and_logs_headers_masked(installed, caplog):
    with caplog.at_level(logging.DEBUG), httpx.Client(transport=httpx.MockTransport(_echo),
                                                      event_hooks=redaction.httpx_event_hooks()) as client:
        client.get("https://acme.pipedrive.com/api/v2/persons", headers={"x-api-token": TOKEN})
        logging.getLogger("later").warning("the token was %s", TOKEN)
    assert "'x-api-token': '[REDACTED]'" in caplog.text and TOKEN not in caplog.text


def test_the_response_hook_registers_tokens_from_a_token_endpoint_response():
    body = {"access_token": "v1u:issued-access-token", "refresh_token": "1:1:issued-refresh",
            "expires_in": 3599}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    with httpx.Client(transport=transport, event_hooks=redaction.httpx_event_hooks()) as client:
        client.post("https://oauth.pipedrive.com/oauth/token", data={"grant_type": "refresh_token"})
    assert redact("v1u:issued-access-token and 1:1:issued-refresh") == f"{MASK} and {MASK}"


def test_the_client_s_error_for_a_rejected_token_does_not_contain_it():
    sandbox = Sandbox()
    client = PipedriveClient(base_url="https://sandbox.pipedrive.com", transport=sandbox.transport(),
                             credentials=ApiTokenAuth(TOKEN))
    with client, pytest.raises(UnauthorizedError) as caught:
        client.get_current_user()
    assert TOKEN not in str(caught.value) and "GET /api/v1/users/me -> 401" in str(caught.value)


# -- a full run ----------------------------------------------------------------------------------------------

API_TOKEN = "pd-known-api-token-5e0c2b71d9"
SYNC_YAML = """
workspaces:
  - id: demo
    pipedrive: {company_domain: sandbox, auth: {type: oauth, connection: acme}, plan: ultimate, seats: 5}
"""


@pytest.fixture
def world(tmp_path):
    """A seeded sandbox with our OAuth app; connection `acme` stored with an access token already expired, so
    the run's first request refreshes it; the API token `API_TOKEN` accepted too. Returns what the run needs
    and every secret it must not log."""
    from pipedrive_etl.sandbox import FakeClock, seed_pipedrive
    from pipedrive_etl.secrets import TokenStore, generate_key, load_keyring

    from .oauth.helpers import CLIENT_SECRET, connect, oauth_env, oauth_sandbox

    clock = FakeClock()
    sandbox = oauth_sandbox(clock)
    sandbox.add_api_token(API_TOKEN)
    seed_pipedrive(sandbox, persons=60, organizations=20, deals=30, activities=40, seed=5)
    warehouse_url = f"duckdb:///{tmp_path}/warehouse.duckdb"
    env = {**oauth_env(generate_key(), warehouse_url), "DEMO_API_TOKEN": API_TOKEN}
    expired = datetime(2020, 1, 1, tzinfo=UTC)
    first = connect(sandbox, TokenStore(warehouse_url, load_keyring(env)), expires_at=expired)
    redaction.forget_secrets()  # only what the run itself registers may protect its logs

    def secrets():
        issued = sandbox.oauth.issued_access_tokens
        return [*issued, first.refresh_token, CLIENT_SECRET, API_TOKEN, env["PIPEDRIVE_ETL_SECRET_KEYS"]]

    return sandbox, clock, env, warehouse_url, secrets


class LeakyTransport(httpx.BaseTransport):
    """The sandbox behind a careless debugging layer that logs every request and response whole."""

    def __init__(self, inner):
        self.inner = inner
        self.log = logging.getLogger("careless.http")

    def handle_request(self, request):
        self.log.debug("sending %s %s %s %s", request.method, request.url, dict(request.headers),
                       request.read())
        response = self.inner.handle_request(request)
        if request.url.path == "/oauth/token":
            self.log.debug("token endpoint answered %s", response.read())
        return response


def _workspace(auth):
    from pipedrive_etl.config import Workspace

    ref = {"type": "oauth", "connection": "acme"} if auth == "oauth" else {"env": "DEMO_API_TOKEN"}
    return Workspace.model_validate({"id": "demo", "pipedrive": {
        "company_domain": "sandbox", "plan": "ultimate", "seats": 5, "auth": ref}})


@pytest.mark.parametrize("auth", ["oauth", "api_token"])
def test_a_full_extraction_run_logged_at_debug_shows_no_credential(world, auth, caplog, capfd):
    from pipedrive_etl.connections import pipedrive_client
    from pipedrive_etl.extract.pipedrive_runner import extract_fields, extract_stream
    from pipedrive_etl.extract.stage_changes import extract_deal_stage_changes
    from pipedrive_etl.extract.streams import STREAMS
    from pipedrive_etl.warehouse import open_warehouse

    sandbox, clock, env, warehouse_url, secrets = world
    redaction.install_redaction()
    with caplog.at_level(logging.DEBUG), open_warehouse(warehouse_url) as warehouse, pipedrive_client(
            _workspace(auth), budget=None, env=env, transport=LeakyTransport(sandbox.transport()),
            clock=clock.monotonic, sleep=clock.sleep) as client:
        for stream in STREAMS.values():
            extract_stream(client, warehouse, "demo", stream, now=clock.now)
        extract_fields(client, warehouse, "demo", now=clock.now)
        extract_deal_stage_changes(client, warehouse, "demo", now=clock.now)
    captured = capfd.readouterr()
    everything = "\n".join((caplog.text, captured.out, captured.err))
    # The check has something to find: headers and token responses were logged whole, at DEBUG.
    assert caplog.text.count("sending GET https://sandbox.pipedrive.com/api/v2/persons") >= 1
    assert sandbox.oauth.refresh_count() == (1 if auth == "oauth" else 0)
    assert [secret for secret in secrets() if secret in everything] == []


def test_a_dagster_materialization_keeps_credentials_out_of_its_event_log(world, tmp_path, caplog):
    import dagster as dg

    from pipedrive_etl.connections import pipedrive_client
    from pipedrive_etl.definitions import extraction_assets
    from pipedrive_etl.defs.resources import SyncConfigResource, WarehouseResource

    sandbox, clock, env, warehouse_url, secrets = world
    (tmp_path / "sync.yaml").write_text(SYNC_YAML)

    class OAuthPipedrive:
        """PipedriveResource's job, with the sandbox's transport and clock."""

        def client(self, workspace, budget, warehouse=None):
            return pipedrive_client(workspace, budget=budget, env=env,
                                    transport=LeakyTransport(sandbox.transport()), clock=clock.monotonic,
                                    sleep=clock.sleep)

    resources = {"sync_config": SyncConfigResource(path=str(tmp_path / "sync.yaml")),
                 "warehouse": WarehouseResource(url=warehouse_url), "pipedrive": OAuthPipedrive()}
    persons = [a for a in extraction_assets if a.key == dg.AssetKey(["pipedrive", "persons"])]
    redaction.install_redaction()
    # Entered, the instance is the current one for Dagster's definitions state during the run.
    with dg.DagsterInstance.ephemeral() as instance, caplog.at_level(logging.DEBUG):
        instance.add_dynamic_partitions("workspaces", ["demo"])
        result = dg.materialize(persons, partition_key="demo", instance=instance, resources=resources)
        events = "\n".join(str(entry) for entry in instance.all_logs(result.run_id))
    assert result.success and sandbox.oauth.refresh_count() == 1 and "rows" in events
    assert "token endpoint answered" in caplog.text
    assert [secret for secret in secrets() if secret in events or secret in caplog.text] == []
