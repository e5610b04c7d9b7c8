"""Read models keep whatever Pipedrive sends; write models refuse what v2 would refuse (§5, §7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from pipedrive_etl.pipedrive.fields import CustomFieldValue, EnumOption
from pipedrive_etl.pipedrive.models import (
    ENTITY_MODELS,
    Activity,
    ActivityCreate,
    ActivityUpdate,
    Deal,
    DealCreate,
    DealFlowItem,
    DealUpdate,
    FieldDefinition,
    OrganizationCreate,
    OrganizationUpdate,
    Participant,
    Person,
    PersonCreate,
    PersonUpdate,
    Pipeline,
    User,
    WebhookSubscription,
    WebhookV1Payload,
    WebhookV2Meta,
    WebhookV2Payload,
)

KEY = "d4de1c1518b4531717c676029a45911c340390a6"
SET_KEY = "9dc80c50d78a15643bfc4ca79d76156a73a1ca0e"
META = {"id": "7c812ffd-8f50-45ea-a597-b8fcba2da9c0", "action": "change", "entity": "person",
        "entity_id": "8"}

# -- read models ---------------------------------------------------------------------------------------------


def test_entity_models_cover_the_six_v2_list_paths() -> None:
    assert sorted(ENTITY_MODELS) == ["activities", "deals", "organizations", "persons", "pipelines", "stages"]


@pytest.mark.parametrize("model", list(ENTITY_MODELS.values()), ids=list(ENTITY_MODELS))
def test_read_model_keeps_fields_it_does_not_declare(model: type[BaseModel]) -> None:
    item = model.model_validate({"id": 1, "brand_new_field": {"a": 1}})
    assert item.model_extra == {"brand_new_field": {"a": 1}}


@pytest.mark.parametrize("model", list(ENTITY_MODELS.values()), ids=list(ENTITY_MODELS))
def test_read_model_defaults_custom_fields_to_an_empty_dict(model: type[BaseModel]) -> None:
    assert model.model_validate({"id": 1}).custom_fields == {}


def test_read_model_keeps_custom_field_values_as_received() -> None:
    raw = {KEY: {"value": 2300, "currency": "EUR"}}
    assert Person.model_validate({"id": 1, "custom_fields": raw}).custom_fields == raw


@pytest.mark.parametrize(("wire", "expected"), [
    ("2024-07-01T05:46:33Z", datetime(2024, 7, 1, 5, 46, 33, tzinfo=UTC)),
    ("2024-07-01T05:46:33.000Z", datetime(2024, 7, 1, 5, 46, 33, tzinfo=UTC)),
    ("2024-07-01 05:46:33", datetime(2024, 7, 1, 5, 46, 33, tzinfo=UTC)),
    ("2024-07-01T07:46:33+02:00", datetime(2024, 7, 1, 5, 46, 33, tzinfo=UTC)),
    (1719812793, datetime(2024, 7, 1, 5, 46, 33, tzinfo=UTC)),
    (None, None),
], ids=["v2", "v2-millis", "v1-naive", "offset", "unix", "null"])
def test_timestamps_read_as_aware_utc(wire: Any, expected: datetime | None) -> None:
    assert Deal.model_validate({"id": 1, "update_time": wire}).update_time == expected


def test_timestamp_with_an_offset_is_moved_to_utc() -> None:
    moment = Deal.model_validate({"id": 1, "update_time": "2024-07-01T07:46:33+02:00"}).update_time
    assert (moment.hour, moment.utcoffset()) == (5, timedelta(0))


@pytest.mark.parametrize("wire", ["0000-00-00 00:00:00", ""], ids=["zero-date", "empty"])
def test_v1_shaped_rows_read_blank_timestamps_as_none(wire: str) -> None:
    assert DealFlowItem.model_validate({"object": "dealChange", "timestamp": wire}).timestamp is None


def test_timestamps_carry_utc_as_their_zone() -> None:
    assert Deal.model_validate({"id": 1, "update_time": "2024-07-01 05:46:33"}).update_time.tzinfo is UTC


def test_visible_to_sent_as_a_string_reads_as_an_int() -> None:
    assert Person.model_validate({"id": 1, "visible_to": "3"}).visible_to == 3


@pytest.mark.parametrize(("due_time", "duration"), [("15:00", "01:30"), ("15:00:00", "01:30:00"), ("", "")])
def test_activity_accepts_times_with_or_without_seconds(due_time: str, duration: str) -> None:
    activity = Activity.model_validate({"id": 1, "due_time": due_time, "duration": duration})
    expected = (time(15), timedelta(hours=1, minutes=30)) if due_time else (None, None)
    assert (activity.due_time, activity.duration) == expected


def test_participant_reads_the_guides_primary_flag_name() -> None:
    assert Participant.model_validate({"person_id": 1, "primary_flag": True}).primary is True


@pytest.mark.parametrize(("emails", "expected"), [
    ([{"value": "a@x.com", "primary": False}, {"value": "b@x.com", "primary": True}], "b@x.com"),
    ([{"value": "a@x.com", "primary": False}, {"value": "b@x.com", "primary": False}], "a@x.com"),
    ([], None),
], ids=["marked", "first-when-none-marked", "none"])
def test_primary_email_follows_pipedrives_rule(emails: list[dict[str, Any]], expected: str | None) -> None:
    assert Person.model_validate({"id": 1, "emails": emails}).primary_email == expected


def test_pipeline_reads_the_v1_names_a_v2_webhook_sends() -> None:
    pipeline = Pipeline.model_validate(
        {"id": 1, "url_title": "sales", "active_flag": False, "deal_probability": True}
    )
    assert (pipeline.is_deleted, pipeline.is_deal_probability_enabled) == (True, True)


def test_field_definition_reads_the_v2_names() -> None:
    definition = FieldDefinition.model_validate(
        {"field_code": KEY, "field_name": "Budget", "field_type": "monetary", "is_custom_field": True}
    )
    assert (definition.key, definition.name, definition.is_custom) == (KEY, "Budget", True)


def test_field_definition_without_a_custom_flag_judges_by_the_key_shape() -> None:
    assert FieldDefinition(key=KEY, field_type="varchar").is_custom is True


def test_users_me_reads_the_company_it_reaches() -> None:
    user = User.model_validate({"id": 1, "name": "Jane", "email": "jane@acme.test", "company_id": 5,
                                "company_domain": "acme", "is_admin": 1, "created": "2019-01-22 08:55:59"})
    created = datetime(2019, 1, 22, 8, 55, 59, tzinfo=UTC)
    assert (user.company_domain, user.is_admin, user.created) == ("acme", True, created)


def test_webhook_subscription_hides_the_basic_auth_password() -> None:
    subscription = WebhookSubscription.model_validate({
        "id": 1, "event_action": "*", "event_object": "deal", "subscription_url": "https://hooks.acme.test/pd",
        "http_auth_user": "pipedrive", "http_auth_password": "hunter2",
    })
    password = subscription.http_auth_password
    assert ("hunter2" in repr(subscription), password.get_secret_value()) == (False, "hunter2")


# -- webhooks ------------------------------------------------------------------------------------------------


def test_webhook_v2_meta_keeps_a_lead_uuid_entity_id_as_a_string() -> None:
    lead_id = "adf21080-0e10-11eb-879b-05d71fb426ec"
    meta = WebhookV2Meta.model_validate({**META, "entity": "lead", "entity_id": lead_id})
    assert meta.entity_id == lead_id


def test_webhook_v2_user_event_reads_its_unix_timestamp() -> None:
    meta = WebhookV2Meta.model_validate({**META, "entity": "user", "timestamp": 1719812793})
    assert meta.timestamp == datetime(2024, 7, 1, 5, 46, 33, tzinfo=UTC)


def test_webhook_v2_requires_the_event_id_it_is_deduplicated_on() -> None:
    with pytest.raises(ValidationError, match="meta.id"):
        WebhookV2Payload.model_validate({"meta": {"action": "change", "entity": "deal"}, "data": None})


def test_webhook_v2_delete_reads_the_entity_from_previous() -> None:
    payload = WebhookV2Payload.model_validate(
        {"meta": {**META, "action": "delete"}, "data": None, "previous": {"id": 8, "name": "Gone"}}
    )
    assert payload.entity() == Person(id=8, name="Gone")


def test_webhook_v2_entity_is_none_for_objects_without_a_read_model() -> None:
    payload = WebhookV2Payload.model_validate({"meta": {**META, "entity": "note"}, "data": {"id": 3}})
    assert payload.entity() is None


def test_webhook_v1_user_event_unwraps_the_one_element_list() -> None:
    payload = WebhookV1Payload.model_validate({
        "event": "updated.user", "meta": {"action": "updated", "object": "user", "id": 5},
        "current": [{"id": 5, "name": "Jane"}], "previous": [{"id": 5, "name": "Janet"}],
    })
    assert (payload.current_record(), payload.previous_record()) == ({"id": 5, "name": "Jane"},
                                                                     {"id": 5, "name": "Janet"})


def test_webhook_v1_delete_has_no_current_record() -> None:
    payload = WebhookV1Payload.model_validate({
        "event": "deleted.person", "meta": {"action": "deleted", "object": "person", "id": 5},
        "current": None, "previous": {"id": 5},
    })
    assert payload.current_record() is None


# -- write models --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [
    {"name": "Ada Lovelace"},
    {"first_name": "Ada", "last_name": "Lovelace"},
    {"name": "Ada Lovelace", "first_name": "Ada"},
], ids=["name", "first-and-last", "name-and-first"])
def test_person_create_accepts_a_name_or_first_and_last(fields: dict[str, str]) -> None:
    assert PersonCreate(**fields).to_body() == fields


@pytest.mark.parametrize("fields", [{}, {"first_name": "Ada"}, {"last_name": "Lovelace"}, {"name": ""}],
                         ids=["nothing", "first-only", "last-only", "empty-name"])
def test_person_create_refuses_a_person_without_a_usable_name(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="either name, or both first_name and last_name"):
        PersonCreate(**fields)


@pytest.mark.parametrize(("model", "fields"), [
    (DealUpdate, {"value": "100"}),
    (DealUpdate, {"stage_id": "3"}),
    (DealUpdate, {"is_archived": 1}),
    (DealUpdate, {"expected_close_date": "2024-01-01"}),
    (PersonUpdate, {"owner_id": 1.0}),
    (PersonUpdate, {"owner_id": True}),
    (PersonUpdate, {"visible_to": "3"}),
    (PersonUpdate, {"name": 5}),
    (ActivityUpdate, {"done": 1}),
    (ActivityUpdate, {"busy": "true"}),
    (OrganizationUpdate, {"label_ids": ["1"]}),
], ids=["string-number", "string-id", "int-bool", "string-date", "float-id", "bool-id", "string-visible-to",
        "int-string", "int-done", "string-busy", "string-label-id"])
def test_write_models_refuse_what_v2_would_refuse(model: type[BaseModel], fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model(**fields)


@pytest.mark.parametrize(("model", "fields"), [
    (PersonUpdate, {"nmae": "typo"}),
    (DealUpdate, {"user_id": 1}),
    (ActivityCreate, {"person_id": 1}),
    (OrganizationUpdate, {"custom_fields": {KEY: 5}}),
], ids=["typo", "v1-name", "read-only-person-id", "raw-custom-value"])
def test_write_models_refuse_unknown_read_only_and_raw_fields(model: type[BaseModel],
                                                              fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model(**fields)


def test_to_body_sends_only_the_fields_that_were_set() -> None:
    assert DealUpdate(stage_id=3).to_body() == {"stage_id": 3}


def test_to_body_sends_a_field_set_to_none_as_null() -> None:
    assert PersonUpdate(org_id=None).to_body() == {"org_id": None}


def test_to_body_sends_only_the_set_parts_of_emails() -> None:
    emails = [{"value": "ada@acme.test", "primary": True}, {"value": "a@l.test"}]
    person = PersonCreate(name="Ada", emails=emails)
    assert person.to_body()["emails"] == [{"value": "ada@acme.test", "primary": True}, {"value": "a@l.test"}]


@pytest.mark.parametrize("field", ["emails", "phones"])
def test_person_refuses_two_primary_entries(field: str) -> None:
    with pytest.raises(ValidationError, match="at most one entry may be primary"):
        PersonUpdate(**{field: [{"value": "a", "primary": True}, {"value": "b", "primary": True}]})


def test_to_body_encodes_custom_fields_for_v2() -> None:
    person = PersonUpdate(custom_fields={
        KEY: CustomFieldValue("monetary", 2300.0, currency="EUR"),
        SET_KEY: CustomFieldValue("set", (EnumOption(190, "Private person"),)),
    })
    assert person.to_body() == {"custom_fields": {
        KEY: {"value": 2300.0, "currency": "EUR"}, SET_KEY: [190],
    }}


def test_write_model_refuses_an_empty_set_custom_value() -> None:
    with pytest.raises(ValidationError, match="clear it with None"):
        DealUpdate(custom_fields={KEY: CustomFieldValue("set", ())})


def test_write_model_clears_a_set_custom_value_with_null() -> None:
    cleared = DealUpdate(custom_fields={KEY: CustomFieldValue("set")})
    assert cleared.to_body() == {"custom_fields": {KEY: None}}


@pytest.mark.parametrize(("fields", "ok"), [
    ({"status": "lost", "lost_reason": "Budget"}, True),
    ({"status": "open", "lost_reason": "Budget"}, False),
    ({"lost_reason": "Budget"}, True),
    ({"status": "won", "won_time": datetime(2024, 1, 1, tzinfo=UTC)}, True),
    ({"status": "lost", "won_time": datetime(2024, 1, 1, tzinfo=UTC)}, False),
], ids=["lost-reason-when-lost", "lost-reason-when-open", "lost-reason-alone", "won-time-when-won",
        "won-time-when-lost"])
def test_deal_accepts_lost_reason_and_won_time_only_with_a_matching_status(fields: dict[str, Any],
                                                                           ok: bool) -> None:
    if ok:
        assert DealUpdate(**fields).model_fields_set == set(fields)
    else:
        with pytest.raises(ValidationError, match="needs status"):
            DealUpdate(**fields)


def test_deal_times_are_sent_as_rfc3339_utc() -> None:
    won = datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert DealUpdate(status="won", won_time=won).to_body()["won_time"] == "2024-01-01T10:00:00Z"


def test_deal_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValidationError):
        DealUpdate(close_time=datetime(2024, 1, 1))


def test_deal_create_requires_a_title() -> None:
    with pytest.raises(ValidationError, match="title"):
        DealCreate(value=100.0)


def test_deal_create_sends_dates_as_iso_strings() -> None:
    deal = DealCreate(title="Pilot", value=100, currency="EUR", expected_close_date=date(2024, 6, 30))
    assert deal.to_body() == {"title": "Pilot", "value": 100.0, "currency": "EUR",
                              "expected_close_date": "2024-06-30"}


def test_organization_create_requires_a_name() -> None:
    with pytest.raises(ValidationError, match="name"):
        OrganizationCreate(owner_id=1)


def test_organization_address_needs_only_a_value() -> None:
    assert OrganizationUpdate(address={"value": "Tallinn"}).to_body() == {"address": {"value": "Tallinn"}}


def test_activity_sends_due_time_and_duration_as_hours_and_minutes() -> None:
    activity = ActivityCreate(subject="Call", due_date=date(2024, 1, 2), due_time=time(15, 0),
                              duration=timedelta(hours=1, minutes=30))
    assert activity.to_body() == {"subject": "Call", "due_date": "2024-01-02", "due_time": "15:00",
                                  "duration": "01:30"}


def test_activity_refuses_two_primary_participants() -> None:
    with pytest.raises(ValidationError, match="at most one may be primary"):
        ActivityCreate(participants=[{"person_id": 1, "primary": True}, {"person_id": 2, "primary": True}])
