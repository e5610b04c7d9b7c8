"""What the client sends: auth header, base URL, v2 and v1 paths, parameters and bodies."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
import respx

from pipedrive_etl.pipedrive import (
    OAuthToken,
    PipedriveClient,
    RefreshingTokenProvider,
    company_base_url,
    rfc3339,
)
from pipedrive_etl.pipedrive.models import PersonCreate

BASE = "https://acme.pipedrive.com"


def _page(data, next_cursor=None):
    return httpx.Response(200, json={"success": True, "data": data,
                                     "additional_data": {"next_cursor": next_cursor}})


def test_importing_the_client_loads_no_dagster_module():
    code = ("import sys, pipedrive_etl.pipedrive; "
            "print([m for m in sys.modules if m.split('.')[0] == 'dagster'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("domain", "url"), [("acme", "https://acme.pipedrive.com"),
                                             ("acme.pipedrive.com", "https://acme.pipedrive.com"),
                                             ("https://acme.pipedrive.com/", "https://acme.pipedrive.com")])
def test_company_base_url_accepts_the_subdomain_or_the_host(domain, url):
    assert company_base_url(domain) == url


def test_api_token_travels_in_the_header_never_the_url(client, api):
    route = api.get("/api/v2/persons").mock(return_value=_page([]))
    list(client.iter_persons())
    request = route.calls.last.request
    assert request.headers["x-api-token"] == "tok-123"
    assert "tok-123" not in str(request.url)


def test_list_parameters_are_encoded_as_pipedrive_v2_expects(client, api):
    route = api.get("/api/v2/deals").mock(return_value=_page([]))
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    list(client.iter_deals(updated_since=since, sort_by="update_time", sort_direction="asc", ids=[1, 2, 3],
                           owner_id=9, limit=250, pipeline_id=4))
    params = dict(route.calls.last.request.url.params)
    assert params == {"updated_since": "2026-01-02T01:04:05Z",
                      "sort_by": "update_time", "sort_direction": "asc",
                      "ids": "1,2,3", "owner_id": "9", "limit": "250", "pipeline_id": "4"}


def test_iter_persons_follows_next_cursor_until_null(client, api):
    route = api.get("/api/v2/persons").mock(side_effect=[
        _page([{"id": 1, "name": "A"}, {"id": 2, "name": "B"}], "c1"), _page([], "c2"),
        _page([{"id": 3, "name": "C"}])])
    pages = list(client.iter_persons())
    assert [[p.id for p in page.items] for page in pages] == [[1, 2], [], [3]]
    assert [call.request.url.params.get("cursor") for call in route.calls] == [None, "c1", "c2"]
    assert pages[0].raw[0] == {"id": 1, "name": "A"}


def test_limit_above_500_is_refused_before_sending(client):
    with pytest.raises(ValueError, match="between 1 and 500"):
        client.iter_persons(limit=501)


def test_more_than_100_ids_are_refused_before_sending(client):
    with pytest.raises(ValueError, match="at most 100 ids"):
        client.iter_persons(ids=range(101))


def test_naive_datetimes_are_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="naive"):
        rfc3339(datetime(2026, 1, 1))


def test_field_definitions_come_from_the_v2_fields_endpoint(client, api):
    route = api.get("/api/v2/dealFields").mock(return_value=_page(
        [{"field_name": "Title", "field_code": "title", "field_type": "varchar"}]))
    [page] = list(client.iter_fields("deal"))
    assert page.items[0].key == "title"
    assert route.call_count == 1


def test_create_person_posts_the_validated_v2_body(client, api):
    route = api.post("/api/v2/persons").mock(return_value=httpx.Response(
        200, json={"success": True, "data": {"id": 5, "name": "Ada Lovelace"}}))
    person = client.create_person(PersonCreate(name="Ada Lovelace",
                                               emails=[{"value": "ada@example.com", "primary": True}]))
    assert person.id == 5
    body = json.loads(route.calls.last.request.content)
    assert body["name"] == "Ada Lovelace" and body["emails"][0]["value"] == "ada@example.com"


def test_delete_is_a_v2_delete_returning_the_id(client, api):
    api.delete("/api/v2/deals/12").mock(return_value=httpx.Response(
        200, json={"success": True, "data": {"id": 12}}))
    assert client.delete("deals", 12) == 12


def test_item_search_yields_hits_with_their_items(client, api):
    route = api.get("/api/v2/itemSearch").mock(return_value=httpx.Response(200, json={
        "success": True, "data": {"items": [{"result_score": 1.0, "item": {"id": 3, "type": "person"}}]},
        "additional_data": {"next_cursor": None}}))
    [page] = list(client.search_items("ada@example.com", item_types=["person"], fields=["email"],
                                      exact_match=True))
    assert page.items[0]["item"]["id"] == 3
    assert dict(route.calls.last.request.url.params) == {
        "term": "ada@example.com", "item_types": "person", "fields": "email", "exact_match": "true",
        "limit": "100"}


def test_deal_changelog_uses_the_v1_cursor(client, api):
    route = api.get("/api/v1/deals/4/changelog").mock(side_effect=[
        _page([{"field_key": "stage_id", "old_value": "1", "new_value": "2", "time": "2024-02-12 09:14:35"}],
              "aWQ6NTQ0"),
        _page([])])
    pages = list(client.iter_deal_changelog(4))
    assert pages[0].items[0].field_key == "stage_id"
    assert route.calls[1].request.url.params["cursor"] == "aWQ6NTQ0"


def test_deal_flow_uses_v1_offsets(client, api):
    def page(start, more):
        pagination = {"start": start, "limit": 1, "more_items_in_collection": more}
        if more:
            pagination["next_start"] = start + 1
        return httpx.Response(200, json={"success": True, "data": [{"object": "dealChange", "timestamp":
                              "2024-01-01 00:00:00", "data": {"field_key": "stage_id"}}],
                              "additional_data": {"pagination": pagination}})

    route = api.get("/api/v1/deals/4/flow").mock(side_effect=[page(0, True), page(1, False)])
    pages = list(client.iter_deal_flow(4, items=["dealChange"], all_changes=True, limit=1))
    assert len(pages) == 2
    assert [call.request.url.params["start"] for call in route.calls] == ["0", "1"]
    assert route.calls[0].request.url.params["all_changes"] == "1"


def test_webhooks_are_listed_created_and_deleted_on_v1(client, api):
    hook = {"id": 1, "event_action": "change", "event_object": "deal", "subscription_url": "https://x.test/hook",
            "version": "2.0", "is_active": 1, "name": "deals"}
    api.get("/api/v1/webhooks").mock(return_value=httpx.Response(200, json={"success": True, "data": [hook]}))
    create = api.post("/api/v1/webhooks").mock(return_value=httpx.Response(
        201, json={"status": "ok", "success": True, "data": hook}))
    delete = api.delete("/api/v1/webhooks/1").mock(return_value=httpx.Response(
        200, json={"status": "ok", "success": True}))
    assert [h.id for h in client.list_webhooks()] == [1]
    created = client.create_webhook(subscription_url="https://x.test/hook", event_action="change",
                                    event_object="deal", name="deals", http_auth_user="u",
                                    http_auth_password="p")
    assert created.id == 1
    assert json.loads(create.calls.last.request.content)["http_auth_user"] == "u"
    client.delete_webhook(1)
    assert delete.call_count == 1


def test_users_me_is_read_from_v1(client, api):
    api.get("/api/v1/users/me").mock(return_value=httpx.Response(200, json={
        "success": True, "data": {"id": 1, "name": "Admin", "email": "admin@acme.test", "company_id": 5}}))
    assert client.get_current_user().email == "admin@acme.test"


def test_oauth_requests_go_to_api_domain_with_a_bearer_and_refresh_once_on_401(fake_time):
    now = datetime(2026, 11, 27, tzinfo=UTC)
    exchanges: list[str] = []

    def exchange(refresh_token):
        exchanges.append(refresh_token)
        return OAuthToken("fresh", refresh_token, now + timedelta(hours=1), "https://acme-eu.pipedrive.com")

    provider = RefreshingTokenProvider(OAuthToken("stale", "r1", now + timedelta(hours=1), "https://acme-eu.pipedrive.com"),
                                       exchange, now=lambda: now)
    with respx.mock(base_url="https://acme-eu.pipedrive.com") as api, PipedriveClient.with_oauth(
            provider, clock=fake_time.clock, sleep=fake_time.sleep) as client:
        route = api.get("/api/v1/users/me").mock(side_effect=[
            httpx.Response(401, json={"success": False, "error": "unauthorized access"}),
            httpx.Response(200, json={"success": True, "data": {"id": 1, "name": "A"}})])
        client.get_current_user()
    assert [call.request.headers["authorization"] for call in route.calls] == ["Bearer stale", "Bearer fresh"]
    assert exchanges == ["r1"]


def test_an_access_token_near_expiry_is_refreshed_before_sending():
    now = datetime(2026, 11, 27, tzinfo=UTC)
    provider = RefreshingTokenProvider(
        OAuthToken("old", "r1", now + timedelta(seconds=30), "https://acme.pipedrive.com"),
        lambda r: OAuthToken("new", r, now + timedelta(hours=1), "https://acme.pipedrive.com"),
        now=lambda: now)
    assert provider.access_token() == "new"
    assert provider.access_token() == "new" and provider.refresh_count == 1
