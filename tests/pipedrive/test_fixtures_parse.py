"""Every published payload in tests/fixtures/pipedrive/ parses into our models, quirks included (§13)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipedrive_etl.pipedrive.fields import FieldCatalog, decode_v1, decode_webhook_v2, v1_custom_keys
from pipedrive_etl.pipedrive.models import (
    ENTITY_MODELS,
    Activity,
    DealChangelogEntry,
    DealFlowItem,
    ErrorBody,
    FieldDefinition,
    ListResponse,
    OAuthTokenResponse,
    Organization,
    Person,
    RecentsItem,
    Stage,
    WebhookSubscription,
    WebhookV1Payload,
    WebhookV2Payload,
    parse_list,
)

PARSED_BY = {
    "pipedrive_v2_persons_list.json": "ListResponse[Person]",
    "pipedrive_v2_organizations_list.json": "ListResponse[Organization]",
    "pipedrive_v2_deals_list.json": "ListResponse[Deal]",
    "pipedrive_v2_activities_list.json": "ListResponse[Activity]",
    "pipedrive_v2_pipelines_list.json": "ListResponse[Pipeline]",
    "pipedrive_v2_stages_list.json": "ListResponse[Stage]",
    "pipedrive_v2_personFields_list.json": "ListResponse[FieldDefinition]",
    "pipedrive_v1_personFields_list.json": "ListResponse[FieldDefinition]",
    "pipedrive_v1_persons_list.json": "ListResponse[dict]",
    "pipedrive_v1_person_object_with_custom_fields.jsonc": "decode_v1",
    "pipedrive_v1_recents.json": "ListResponse[RecentsItem]",
    "pipedrive_v1_deal_flow.json": "ListResponse[DealFlowItem]",
    "pipedrive_v1_deal_changelog.json": "ListResponse[DealChangelogEntry]",
    "pipedrive_v1_webhook_create_201.json": "WebhookSubscription",
    "pipedrive_webhook_v2_deal_change.json": "WebhookV2Payload",
    "pipedrive_webhook_v2_person_change.json": "WebhookV2Payload",
    "pipedrive_webhook_v2_stage_change.json": "WebhookV2Payload",
    "pipedrive_webhook_v1_deal_updated.json": "WebhookV1Payload",
    "pipedrive_v2_error_404.json": "ErrorBody",
    "pipedrive_error_403_feature_capping.json": "ErrorBody",
    "pipedrive_oauth_token_response.json": "OAuthTokenResponse",
}

V2_LISTS = [
    ("pipedrive_v2_persons_list.json", "persons"),
    ("pipedrive_v2_organizations_list.json", "organizations"),
    ("pipedrive_v2_deals_list.json", "deals"),
    ("pipedrive_v2_activities_list.json", "activities"),
    ("pipedrive_v2_pipelines_list.json", "pipelines"),
    ("pipedrive_v2_stages_list.json", "stages"),
]

V2_WEBHOOKS = [
    "pipedrive_webhook_v2_deal_change.json",
    "pipedrive_webhook_v2_person_change.json",
    "pipedrive_webhook_v2_stage_change.json",
]

EPOCH_2021 = datetime(2021, 1, 1, tzinfo=UTC)
FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "pipedrive"


def test_every_fixture_file_has_a_parse_test() -> None:
    assert sorted(path.name for path in FIXTURE_DIR.iterdir()) == sorted(PARSED_BY)


# -- v2 entity lists -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "entity"), V2_LISTS)
def test_v2_list_parses_into_its_entity_model(pipedrive_fixture: Any, name: str, entity: str) -> None:
    model = ENTITY_MODELS[entity]
    page = ListResponse[model].model_validate(pipedrive_fixture(name))  # type: ignore[valid-type]
    assert [type(item) for item in page.data] == [model]


@pytest.mark.parametrize(("name", "entity"), V2_LISTS)
def test_v2_list_cursor_is_read_from_additional_data(pipedrive_fixture: Any, name: str, entity: str) -> None:
    page = ListResponse[ENTITY_MODELS[entity]].model_validate(pipedrive_fixture(name))  # type: ignore[misc]
    assert page.additional_data.next_cursor.startswith("eyJmaWVsZCI6ImlkIi")


@pytest.mark.parametrize(("name", "entity"), V2_LISTS)
def test_v2_list_timestamps_parse_as_aware_utc(pipedrive_fixture: Any, name: str, entity: str) -> None:
    item = ENTITY_MODELS[entity].model_validate(pipedrive_fixture(name)["data"][0])
    assert item.update_time.utcoffset() == timedelta(0)


def test_v2_person_contact_sync_fields_parse(pipedrive_fixture: Any) -> None:
    person = Person.model_validate(pipedrive_fixture("pipedrive_v2_persons_list.json")["data"][0])
    assert (person.birthday, person.postal_address.locality, [im["label"] for im in person.im]) == (
        date(2000, 12, 31), "Sunnyvale", ["skype", "whatsapp"]
    )


def test_v2_person_primary_email_is_the_one_marked_primary(pipedrive_fixture: Any) -> None:
    person = Person.model_validate(pipedrive_fixture("pipedrive_v2_persons_list.json")["data"][0])
    assert person.primary_email == "email1@email.com"


def test_v2_organization_keeps_the_stray_org_id_as_an_extra(pipedrive_fixture: Any) -> None:
    raw = pipedrive_fixture("pipedrive_v2_organizations_list.json")["data"][0]
    organization = Organization.model_validate(raw)
    assert organization.model_extra == {"org_id": 1}


def test_v2_deal_reads_numeric_channel_and_string_channel_id(pipedrive_fixture: Any) -> None:
    deal = ENTITY_MODELS["deals"].model_validate(pipedrive_fixture("pipedrive_v2_deals_list.json")["data"][0])
    assert (deal.channel, deal.channel_id, deal.won_time) == (52, "Jun23 Billboards", EPOCH_2021)


def test_v2_activity_reads_seconds_in_due_time_and_duration(pipedrive_fixture: Any) -> None:
    activity = Activity.model_validate(pipedrive_fixture("pipedrive_v2_activities_list.json")["data"][0])
    assert (activity.due_time, activity.duration) == (time(15, 0), timedelta(hours=1))


def test_v2_activity_reads_its_attendees_and_primary_participant(pipedrive_fixture: Any) -> None:
    activity = Activity.model_validate(pipedrive_fixture("pipedrive_v2_activities_list.json")["data"][0])
    assert (activity.attendees[0].email, activity.participants[0].primary) == ("some@email.com", True)


# -- field definitions ---------------------------------------------------------------------------------------


def test_v2_person_fields_parse_with_the_placeholder_custom_key(pipedrive_fixture: Any) -> None:
    raw = pipedrive_fixture("pipedrive_v2_personFields_list.json")
    page = ListResponse[FieldDefinition].model_validate(raw)
    assert [(d.key, d.is_custom) for d in page.data] == [
        ("name", False), ("phone", False), ("40characterhashforcustomfieldidentifier", True)
    ]


def test_v1_person_fields_read_key_name_and_edit_flag(pipedrive_fixture: Any) -> None:
    raw = pipedrive_fixture("pipedrive_v1_personFields_list.json")
    page = ListResponse[FieldDefinition].model_validate(raw)
    assert [(d.key, d.name, d.is_custom) for d in page.data] == [
        ("title", "Title", False), ("9dc80c50d78a15643bfc4ca79d76156a73a1ca0e", "Customer Type", True)
    ]


def test_v1_person_fields_enum_options_keep_id_and_label(pipedrive_fixture: Any) -> None:
    catalog = FieldCatalog.from_definitions(
        ListResponse[FieldDefinition].model_validate(pipedrive_fixture("pipedrive_v1_personFields_list.json")).data
    )
    assert catalog.option_label("9dc80c50d78a15643bfc4ca79d76156a73a1ca0e", "191") == "Company"


# -- v1 payloads ---------------------------------------------------------------------------------------------


def test_v1_persons_list_stops_paging_although_next_start_is_set(pipedrive_fixture: Any) -> None:
    page = ListResponse[dict].model_validate(pipedrive_fixture("pipedrive_v1_persons_list.json"))
    pagination = page.additional_data.pagination
    assert (pagination.more_items_in_collection, pagination.next_start) == (False, 100)


def test_v1_persons_list_related_objects_are_keyed_by_type_then_id(pipedrive_fixture: Any) -> None:
    page = ListResponse[dict].model_validate(pipedrive_fixture("pipedrive_v1_persons_list.json"))
    assert page.related_objects["user"]["123"]["name"] == "Jane Doe"


def test_v1_person_object_jsonc_shows_its_custom_keys_and_currency_sibling(pipedrive_fixture: Any) -> None:
    record = pipedrive_fixture("pipedrive_v1_person_object_with_custom_fields.jsonc")
    assert v1_custom_keys(record) == [
        "53c2f18db6a1655d6af8bba77d9679565f975fd8",
        "d4de1c1518b4531717c676029a45911c340390a6",
        "d4de1c1518b4531717c676029a45911c340390a6_currency",
    ]


def test_v1_person_object_jsonc_decodes_text_and_monetary_fields(pipedrive_fixture: Any) -> None:
    record = pipedrive_fixture("pipedrive_v1_person_object_with_custom_fields.jsonc")
    catalog = FieldCatalog.from_definitions([
        FieldDefinition(key="53c2f18db6a1655d6af8bba77d9679565f975fd8", name="Note", field_type="text"),
        FieldDefinition(key="d4de1c1518b4531717c676029a45911c340390a6", name="Budget", field_type="monetary"),
    ])
    decoded = decode_v1(record, catalog)
    assert [value.to_jsonable() for value in decoded.values()] == [
        {"type": "text", "value": "Text Custom Field"},
        {"type": "monetary", "value": 2300.0, "currency": "EUR"},
    ]


def test_v1_recents_reads_the_spec_typo_pagination_key_and_comma_numbers(pipedrive_fixture: Any) -> None:
    page = ListResponse[RecentsItem].model_validate(pipedrive_fixture("pipedrive_v1_recents.json"))
    pagination = page.additional_data.pagination
    assert (pagination.start, pagination.limit, pagination.more_items_in_collection) == (0, 100, False)


def test_v1_recents_rows_hold_v1_objects(pipedrive_fixture: Any) -> None:
    page = ListResponse[RecentsItem].model_validate(pipedrive_fixture("pipedrive_v1_recents.json"))
    rows = [(row.item, row.id, row.records()[0]["id"]) for row in page.data]
    assert rows == [("activity", 8, 8), ("deal", 1, 1)]


def test_v1_recents_last_timestamp_on_page_is_utc(pipedrive_fixture: Any) -> None:
    page = ListResponse[RecentsItem].model_validate(pipedrive_fixture("pipedrive_v1_recents.json"))
    assert page.additional_data.last_timestamp_on_page == datetime(2020, 10, 15, 18, 18, 41, tzinfo=UTC)


def test_v1_deal_flow_merges_the_spurious_allof_in_related_objects(pipedrive_fixture: Any) -> None:
    page = ListResponse[DealFlowItem].model_validate(pipedrive_fixture("pipedrive_v1_deal_flow.json"))
    assert sorted(page.related_objects) == ["deal", "organization", "person", "user"]


def test_v1_deal_flow_deal_change_row_reads_the_changed_field(pipedrive_fixture: Any) -> None:
    page = ListResponse[DealFlowItem].model_validate(pipedrive_fixture("pipedrive_v1_deal_flow.json"))
    change = page.data[0].deal_change()
    assert (change.item_id, change.field_key, change.old_value, change.new_value, change.is_stage_change) == (
        120, "value", 50, 100, False
    )


def test_v1_deal_flow_rows_other_than_deal_changes_have_no_deal_change(pipedrive_fixture: Any) -> None:
    page = ListResponse[DealFlowItem].model_validate(pipedrive_fixture("pipedrive_v1_deal_flow.json"))
    rows = [(row.object, row.deal_change()) for row in page.data[1:]]
    assert rows == [("activity", None), ("mailMessage", None)]


def test_v1_deal_flow_timestamps_are_utc(pipedrive_fixture: Any) -> None:
    page = ListResponse[DealFlowItem].model_validate(pipedrive_fixture("pipedrive_v1_deal_flow.json"))
    assert page.data[0].timestamp == datetime(2020, 9, 25, 9, 21, 55, tzinfo=UTC)


def test_v1_deal_changelog_parses_rows_and_cursor(pipedrive_fixture: Any) -> None:
    raw = pipedrive_fixture("pipedrive_v1_deal_changelog.json")
    page = ListResponse[DealChangelogEntry].model_validate(raw)
    assert [(e.field_key, e.new_value, e.time) for e in page.data] + [page.additional_data.next_cursor] == [
        ("title", "My Deal", datetime(2024, 2, 12, 9, 14, 35, tzinfo=UTC)),
        ("value", "100", datetime(2024, 2, 12, 9, 10, 12, tzinfo=UTC)),
        "aWQ6NTQ0",
    ]


def test_v1_webhook_create_response_parses_into_a_subscription(pipedrive_fixture: Any) -> None:
    raw = pipedrive_fixture("pipedrive_v1_webhook_create_201.json")["data"]
    subscription = WebhookSubscription.model_validate(raw)
    assert (subscription.is_active, subscription.version, subscription.add_time) == (
        True, "2.0", datetime(2019, 10, 25, 8, 25, 27, tzinfo=UTC)
    )


# -- webhooks ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", V2_WEBHOOKS)
def test_v2_webhook_meta_reads_string_ids_as_ints(pipedrive_fixture: Any, name: str) -> None:
    meta = WebhookV2Payload.model_validate(pipedrive_fixture(name)).meta
    assert all(isinstance(value, int) for value in (meta.company_id, meta.user_id, meta.webhook_id,
                                                    meta.webhook_owner_id, meta.entity_id))


@pytest.mark.parametrize("name", V2_WEBHOOKS)
def test_v2_webhook_entity_parses_into_its_read_model(pipedrive_fixture: Any, name: str) -> None:
    payload = WebhookV2Payload.model_validate(pipedrive_fixture(name))
    assert payload.entity().id == payload.meta.entity_id


def test_v2_webhook_deal_reads_visible_to_string_as_int(pipedrive_fixture: Any) -> None:
    payload = WebhookV2Payload.model_validate(pipedrive_fixture("pipedrive_webhook_v2_deal_change.json"))
    assert payload.entity().visible_to == 3


def test_v2_webhook_deal_event_id_is_the_meta_uuid(pipedrive_fixture: Any) -> None:
    payload = WebhookV2Payload.model_validate(pipedrive_fixture("pipedrive_webhook_v2_deal_change.json"))
    assert payload.event_id == "df47d877-b58c-4886-91cd-1aa83e1d7366"


def test_v2_webhook_deal_typed_address_custom_field_decodes(pipedrive_fixture: Any) -> None:
    payload = WebhookV2Payload.model_validate(pipedrive_fixture("pipedrive_webhook_v2_deal_change.json"))
    key = "3d0fa3429dfa2d3dec265b4fc5dc8258ab66cdf3"
    catalog = FieldCatalog.from_definitions([FieldDefinition(key=key, name="Site", field_type="address")])
    assert decode_webhook_v2(payload.data["custom_fields"], catalog)[key].to_jsonable() == {
        "type": "address",
        "value": "Tallinn, Estonia",
        "components": {"country": "Estonia", "formatted_address": "Tallinn, Estonia", "locality": "Tallinn",
                       "admin_area_level_1": "Harju County"},
    }


def test_v2_webhook_deal_previous_holds_only_the_cleared_custom_field(pipedrive_fixture: Any) -> None:
    payload = WebhookV2Payload.model_validate(pipedrive_fixture("pipedrive_webhook_v2_deal_change.json"))
    assert payload.previous == {"custom_fields": {"3d0fa3429dfa2d3dec265b4fc5dc8258ab66cdf3": None}}


def test_v2_webhook_person_reads_empty_contact_lists(pipedrive_fixture: Any) -> None:
    raw = pipedrive_fixture("pipedrive_webhook_v2_person_change.json")
    person = WebhookV2Payload.model_validate(raw).entity()
    assert (person.emails, person.phones, person.visible_to) == ([], [], 3)


def test_v2_webhook_stage_reads_v1_field_names(pipedrive_fixture: Any) -> None:
    raw = pipedrive_fixture("pipedrive_webhook_v2_stage_change.json")
    stage = WebhookV2Payload.model_validate(raw).entity()
    assert isinstance(stage, Stage)
    assert (stage.is_deleted, stage.is_deal_rot_enabled, stage.days_to_rotten) == (False, True, 1)


def test_v1_webhook_reads_event_retry_and_string_webhook_id(pipedrive_fixture: Any) -> None:
    payload = WebhookV1Payload.model_validate(pipedrive_fixture("pipedrive_webhook_v1_deal_updated.json"))
    assert (payload.event, payload.retry, payload.meta.webhook_id) == ("updated.deal", 0, 1234567890)


def test_v1_webhook_meta_timestamp_is_utc(pipedrive_fixture: Any) -> None:
    payload = WebhookV1Payload.model_validate(pipedrive_fixture("pipedrive_webhook_v1_deal_updated.json"))
    assert payload.meta.timestamp == datetime(2025, 2, 17, 21, 22, 41, tzinfo=UTC)


def test_v1_webhook_current_and_previous_differ_only_in_update_time(pipedrive_fixture: Any) -> None:
    payload = WebhookV1Payload.model_validate(pipedrive_fixture("pipedrive_webhook_v1_deal_updated.json"))
    current, previous = payload.current_record(), payload.previous_record()
    assert [key for key in current if current[key] != previous[key]] == ["update_time"]


# -- errors and auth -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "error", "code"), [
    ("pipedrive_v2_error_404.json", "Entity was not found", None),
    ("pipedrive_error_403_feature_capping.json", "Couldn't add the deal. Open deals limit reached.",
     "feature_capping_deals_limit"),
])
def test_error_bodies_parse(pipedrive_fixture: Any, name: str, error: str, code: str | None) -> None:
    body = ErrorBody.model_validate(pipedrive_fixture(name))
    assert (body.success, body.error, body.code) == (False, error, code)


def test_oauth_token_response_keeps_api_domain_and_hides_tokens(pipedrive_fixture: Any) -> None:
    token = OAuthTokenResponse.model_validate(pipedrive_fixture("pipedrive_oauth_token_response.json"))
    assert (token.api_domain, "v1u:" in repr(token)) == ("https://user-company.pipedrive.com", False)


def test_parse_list_validates_a_raw_body_like_the_dict_path() -> None:
    body = (FIXTURE_DIR / "pipedrive_v2_persons_list.json").read_bytes()
    assert parse_list(Person, body) == ListResponse[Person].model_validate_json(body)
