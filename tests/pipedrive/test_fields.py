"""Custom fields: one canonical value from v1 flat keys, v2 `custom_fields` and v2 webhook objects (§6).

The central table gives, for each of the 16 custom field types, one logical value in all three wire forms and
the `CustomFieldValue` each must decode to; the encoder and the warehouse form are checked against the same
table.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, time
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pipedrive_etl.pipedrive.fields as fields_module
from pipedrive_etl.pipedrive.fields import (
    UNKNOWN,
    AmbiguousFieldError,
    CustomFieldValue,
    EnumOption,
    FieldCatalog,
    UnknownFieldError,
    UnknownOptionError,
    decode_v1,
    decode_v2,
    decode_webhook_v2,
    encode_v2,
)
from pipedrive_etl.pipedrive.models import FieldDefinition, FieldOption


def field_key(name: str) -> str:
    """A deterministic 40-hex custom field key, like the random ones Pipedrive generates."""
    return hashlib.sha1(name.encode()).hexdigest()


CHANNEL_OPTIONS = [FieldOption(id=13, label="Email"), FieldOption(id=14, label="Phone"),
                   FieldOption(id=15, label="LinkedIn")]
TEMPERATURE_OPTIONS = [FieldOption(id=17, label="Warm"), FieldOption(id=18, label="Cold")]
FIELD_TYPES = [
    "varchar", "varchar_auto", "text", "double", "monetary", "set", "enum", "user", "org", "people", "phone",
    "time", "timerange", "date", "daterange", "address",
]
KEYS = {field_type: field_key(field_type) for field_type in FIELD_TYPES}
UNKNOWN_KEY = field_key("deleted since the catalog was built")


def make_catalog() -> FieldCatalog:
    definitions = [FieldDefinition(key="name", name="Name", field_type="varchar", is_custom_field=False)]
    for field_type in FIELD_TYPES:
        options = {"set": CHANNEL_OPTIONS, "enum": TEMPERATURE_OPTIONS}.get(field_type)
        definitions.append(FieldDefinition(key=KEYS[field_type], name=f"My {field_type}",
                                           field_type=field_type, options=options, is_custom_field=True))
    return FieldCatalog.from_definitions(definitions)


CATALOG = make_catalog()
TALLINN = {"country": "Estonia", "locality": "Tallinn", "admin_area_level_1": "Harju County",
           "formatted_address": "Tallinn, Estonia"}


class WireCase(NamedTuple):
    field_type: str
    v2: Any  # the value under custom_fields[key]
    v1: dict[str, Any]  # suffix ("" for the key itself) -> value at the top level of the v1 object
    webhook: Any  # the typed object under data.custom_fields[key]
    expected: CustomFieldValue


CASES = [
    WireCase("varchar", "Acme", {"": "Acme"}, {"type": "varchar", "value": "Acme"},
             CustomFieldValue("varchar", "Acme")),
    WireCase("varchar_auto", "Acme Ltd", {"": "Acme Ltd"}, {"type": "varchar_auto", "value": "Acme Ltd"},
             CustomFieldValue("varchar_auto", "Acme Ltd")),
    WireCase("text", "line one\nline two", {"": "line one\nline two"},
             {"type": "text", "value": "line one\nline two"}, CustomFieldValue("text", "line one\nline two")),
    WireCase("double", 978, {"": 978}, {"type": "double", "value": 978}, CustomFieldValue("double", 978.0)),
    WireCase("monetary", {"value": 200, "currency": "EUR"}, {"": 200, "_currency": "EUR"},
             {"currency": "EUR", "type": "monetary", "value": 200},
             CustomFieldValue("monetary", 200.0, currency="EUR")),
    WireCase("set", [13, 14], {"": "13,14"}, {"values": [{"id": 13}, {"id": 14}], "type": "set"},
             CustomFieldValue("set", (EnumOption(13, "Email"), EnumOption(14, "Phone")))),
    WireCase("enum", 17, {"": "17"}, {"id": 17, "type": "enum"},
             CustomFieldValue("enum", EnumOption(17, "Warm"))),
    WireCase("user", 12415231, {"": 12415231}, {"type": "user", "value": 12415231},
             CustomFieldValue("user", 12415231)),
    WireCase("org", 1, {"": 1}, {"type": "org", "value": 1}, CustomFieldValue("org", 1)),
    WireCase("people", 8, {"": 8}, {"type": "people", "value": 8}, CustomFieldValue("people", 8)),
    WireCase("phone", "+372 555 0172", {"": "+372 555 0172"}, {"type": "phone", "value": "+372 555 0172"},
             CustomFieldValue("phone", "+372 555 0172")),
    WireCase("time", {"value": "09:30:00", "timezone_id": None, "timezone_name": None}, {"": "09:30:00"},
             {"type": "time", "value": "09:30:00"}, CustomFieldValue("time", time(9, 30))),
    WireCase("timerange", {"value": "09:00:00", "until": "11:00:00"}, {"": "09:00:00", "_until": "11:00:00"},
             {"type": "timerange", "value": "09:00:00", "until": "11:00:00"},
             CustomFieldValue("timerange", time(9), until=time(11))),
    WireCase("date", "2024-03-01", {"": "2024-03-01"}, {"type": "date", "value": "2024-03-01"},
             CustomFieldValue("date", date(2024, 3, 1))),
    WireCase("daterange", {"value": "2024-01-01", "until": "2024-02-01"},
             {"": "2024-01-01", "_until": "2024-02-01"},
             {"type": "daterange", "value": "2024-01-01", "until": "2024-02-01"},
             CustomFieldValue("daterange", date(2024, 1, 1), until=date(2024, 2, 1))),
    WireCase("address",
             {"value": "Tallinn, Estonia", **TALLINN, "route": None, "street_number": None,
              "postal_code": None},
             {"": "Tallinn, Estonia", **{f"_{part}": value for part, value in TALLINN.items()}, "_route": "",
              "_street_number": "", "_postal_code": ""},
             {"type": "address", "value": "Tallinn, Estonia", **TALLINN, "route": "", "street_number": "",
              "subpremise": "", "sublocality": "", "admin_area_level_2": "", "postal_code": ""},
             CustomFieldValue("address", "Tallinn, Estonia", components=TALLINN)),
]
CASE_IDS = [case.field_type for case in CASES]


def v1_record(case: WireCase) -> dict[str, Any]:
    key = KEYS[case.field_type]
    return {"id": 1, "name": "First Last", **{f"{key}{suffix}": value for suffix, value in case.v1.items()}}


def decode_form(case: WireCase, form: str) -> CustomFieldValue:
    key = KEYS[case.field_type]
    if form == "v1":
        return decode_v1(v1_record(case), CATALOG)[key]
    if form == "v2":
        return decode_v2({key: case.v2}, CATALOG)[key]
    return decode_webhook_v2({key: case.webhook}, CATALOG)[key]


def test_the_table_covers_all_sixteen_custom_field_types() -> None:
    assert sorted(CASE_IDS) == sorted(FIELD_TYPES)


# -- decoding ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["v1", "v2", "webhook"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_custom_field_decodes_to_the_canonical_value_from_each_wire_form(case: WireCase, form: str) -> None:
    assert decode_form(case, form) == case.expected


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_three_wire_forms_decode_to_equal_values(case: WireCase) -> None:
    assert decode_form(case, "v1") == decode_form(case, "v2") == decode_form(case, "webhook")


def test_enum_decodes_to_the_same_option_from_all_three_wire_forms() -> None:
    enum = next(case for case in CASES if case.field_type == "enum")
    assert {decode_form(enum, form).value for form in ("v1", "v2", "webhook")} == {EnumOption(17, "Warm")}


def test_set_decodes_to_options_with_ids_and_labels_whatever_the_order() -> None:
    key = KEYS["set"]
    assert decode_v1({key: "14,13"}, CATALOG)[key].value == (EnumOption(13, "Email"), EnumOption(14, "Phone"))


def test_enum_with_include_option_labels_keeps_the_wire_label() -> None:
    key = KEYS["enum"]
    assert decode_v2({key: {"id": 18, "label": "Frozen"}}, CATALOG)[key].value == EnumOption(18, "Frozen")


def test_set_with_include_option_labels_decodes_like_plain_ids() -> None:
    key = KEYS["set"]
    labelled = [{"id": 13, "label": "Email"}, {"id": 14, "label": "Phone"}]
    assert decode_v2({key: labelled}, CATALOG) == decode_v2({key: [13, 14]}, CATALOG)


def test_enum_option_missing_from_the_catalog_keeps_its_id_without_a_label() -> None:
    key = KEYS["enum"]
    assert decode_v2({key: 99}, CATALOG)[key].value == EnumOption(99, None)


def test_monetary_without_an_amount_is_empty_even_with_a_currency_sibling() -> None:
    key = KEYS["monetary"]
    assert decode_v1({key: None, f"{key}_currency": "EUR"}, CATALOG)[key] == CustomFieldValue("monetary")


def test_v2_time_keeps_its_timezone() -> None:
    key = KEYS["time"]
    raw = {"value": "09:30:00", "timezone_id": 7, "timezone_name": "Europe/Tallinn"}
    assert decode_v2({key: raw}, CATALOG)[key] == CustomFieldValue(
        "time", time(9, 30), timezone_id=7, timezone_name="Europe/Tallinn"
    )


def test_webhook_timerange_keeps_its_timezone_name() -> None:
    key = KEYS["timerange"]
    raw = {"type": "timerange", "value": "09:00", "until": "11:00", "timezone_name": "Europe/London"}
    assert decode_webhook_v2({key: raw}, CATALOG)[key].timezone_name == "Europe/London"


def test_v1_time_reads_timezone_siblings_when_an_account_sends_them() -> None:
    key = KEYS["time"]
    record = {key: "09:30", f"{key}_timezone_id": 7, f"{key}_timezone_name": "Europe/Tallinn"}
    assert decode_v1(record, CATALOG)[key] == CustomFieldValue(
        "time", time(9, 30), timezone_id=7, timezone_name="Europe/Tallinn"
    )


def test_v1_reference_embedded_as_an_object_reads_as_its_id() -> None:
    key = KEYS["org"]
    embedded = {"name": "Org", "people_count": 0, "value": 1}
    assert decode_v1({key: embedded}, CATALOG)[key] == CustomFieldValue("org", 1)


def test_v1_double_sent_as_a_string_reads_as_a_number() -> None:
    key = KEYS["double"]
    assert decode_v1({key: "12.5"}, CATALOG)[key] == CustomFieldValue("double", 12.5)


@pytest.mark.parametrize("form", ["v1", "v2", "webhook"])
@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_null_decodes_to_an_empty_value_of_the_field_type(field_type: str, form: str) -> None:
    key = KEYS[field_type]
    decode = {"v1": decode_v1, "v2": decode_v2, "webhook": decode_webhook_v2}[form]
    assert decode({key: None}, CATALOG)[key] == CustomFieldValue(field_type)


@pytest.mark.parametrize(("field_type", "blank"), [
    ("set", ""), ("set", []), ("enum", ""), ("double", ""), ("date", ""), ("address", ""), ("user", ""),
])
def test_blank_wire_values_decode_to_an_empty_value(field_type: str, blank: Any) -> None:
    key = KEYS[field_type]
    assert decode_v2({key: blank}, CATALOG)[key].is_empty


def test_webhook_previous_with_a_bare_null_decodes_to_an_empty_value(pipedrive_fixture: Any) -> None:
    payload = pipedrive_fixture("pipedrive_webhook_v2_deal_change.json")
    key = "3d0fa3429dfa2d3dec265b4fc5dc8258ab66cdf3"
    catalog = FieldCatalog.from_definitions([FieldDefinition(key=key, name="Site", field_type="address")])
    previous = payload["previous"]["custom_fields"]
    assert decode_webhook_v2(previous, catalog) == {key: CustomFieldValue("address")}


@pytest.mark.parametrize(("decode", "custom_fields"), [
    (decode_v2, {UNKNOWN_KEY: {"value": 1, "currency": "USD"}}),
    (decode_webhook_v2, {UNKNOWN_KEY: {"type": "monetary", "value": 1, "currency": "USD"}}),
    (decode_v1, {UNKNOWN_KEY: "raw"}),
], ids=["v2", "webhook", "v1"])
def test_key_missing_from_the_catalog_is_kept_raw_as_unknown(decode: Any,
                                                             custom_fields: dict[str, Any]) -> None:
    raw = custom_fields[UNKNOWN_KEY]
    assert decode(custom_fields, CATALOG) == {UNKNOWN_KEY: CustomFieldValue(UNKNOWN, raw)}


def test_v1_suffix_key_of_an_unknown_field_is_kept_too() -> None:
    record = {UNKNOWN_KEY: 5, f"{UNKNOWN_KEY}_currency": "USD"}
    assert sorted(decode_v1(record, CATALOG)) == [UNKNOWN_KEY, f"{UNKNOWN_KEY}_currency"]


def test_v1_decoding_ignores_built_in_fields() -> None:
    record = {"id": 1, "name": "First Last", "label": "2,3", "owner_id": {"value": 18}}
    assert decode_v1(record, CATALOG) == {}


def test_decoding_a_system_field_type_keeps_its_value() -> None:
    key = field_key("a json field")
    catalog = FieldCatalog.from_definitions([FieldDefinition(key=key, name="Blob", field_type="json")])
    assert decode_webhook_v2({key: {"type": "json", "value": {"a": 1}}}, catalog)[key] == CustomFieldValue(
        "json", {"a": 1}
    )


# -- encoding ------------------------------------------------------------------------------------------------

ENCODED = {
    "varchar": "Acme",
    "varchar_auto": "Acme Ltd",
    "text": "line one\nline two",
    "double": 978.0,
    "monetary": {"value": 200.0, "currency": "EUR"},
    "set": [13, 14],
    "enum": 17,
    "user": 12415231,
    "org": 1,
    "people": 8,
    "phone": "+372 555 0172",
    "time": {"value": "09:30:00"},
    "timerange": {"value": "09:00:00", "until": "11:00:00"},
    "date": "2024-03-01",
    "daterange": {"value": "2024-01-01", "until": "2024-02-01"},
    "address": {"value": "Tallinn, Estonia", **TALLINN},
}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_encoder_writes_the_v2_form(case: WireCase) -> None:
    key = KEYS[case.field_type]
    assert encode_v2({key: case.expected}) == {key: ENCODED[case.field_type]}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_encoded_value_decodes_back_to_itself(case: WireCase) -> None:
    key = KEYS[case.field_type]
    assert decode_v2(encode_v2({key: case.expected}), CATALOG) == {key: case.expected}


def test_encoder_sends_the_timezone_of_a_time_value() -> None:
    value = CustomFieldValue("time", time(9, 30), timezone_id=7, timezone_name="Europe/Tallinn")
    assert encode_v2({"k": value}) == {
        "k": {"value": "09:30:00", "timezone_id": 7, "timezone_name": "Europe/Tallinn"}
    }


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_encoder_writes_an_empty_value_as_null_to_clear_the_field(field_type: str) -> None:
    assert encode_v2({"k": CustomFieldValue(field_type)}) == {"k": None}


def test_encoder_refuses_an_empty_set_because_v2_rejects_an_empty_array() -> None:
    with pytest.raises(ValueError, match="clear it with None"):
        encode_v2({"k": CustomFieldValue("set", ())})


def test_encoder_passes_an_unknown_value_through_as_received() -> None:
    assert encode_v2({UNKNOWN_KEY: CustomFieldValue(UNKNOWN, {"value": 1})}) == {UNKNOWN_KEY: {"value": 1}}


option_ids = st.lists(st.sampled_from([13, 14, 15]), min_size=1, unique=True)
amounts = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(ids=option_ids)
def test_any_set_selection_survives_an_encode_decode_round_trip(ids: list[int]) -> None:
    key = KEYS["set"]
    value = decode_v2({key: ids}, CATALOG)[key]
    assert decode_v2(encode_v2({key: value}), CATALOG)[key] == value


@given(amount=amounts, currency=st.sampled_from(["EUR", "USD", "GBP"]))
def test_any_monetary_value_survives_an_encode_decode_round_trip(amount: float, currency: str) -> None:
    key = KEYS["monetary"]
    value = CustomFieldValue("monetary", amount, currency=currency)
    assert decode_v2(encode_v2({key: value}), CATALOG)[key] == value


@given(start=st.dates(), days=st.integers(min_value=0, max_value=3650))
def test_any_daterange_survives_an_encode_decode_round_trip(start: date, days: int) -> None:
    key = KEYS["daterange"]
    until = date.fromordinal(min(start.toordinal() + days, date.max.toordinal()))
    value = CustomFieldValue("daterange", start, until=until)
    assert decode_v2(encode_v2({key: value}), CATALOG)[key] == value


@given(text=st.text())
def test_any_text_survives_an_encode_decode_round_trip(text: str) -> None:
    key = KEYS["text"]
    value = CustomFieldValue("text", text)
    assert decode_v2(encode_v2({key: value}), CATALOG)[key] == value


# -- the value itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "jsonable"), [
    (CustomFieldValue("monetary", 200.0, currency="EUR"),
     {"type": "monetary", "value": 200.0, "currency": "EUR"}),
    (CustomFieldValue("enum", EnumOption(17, "Warm")),
     {"type": "enum", "value": {"id": 17, "label": "Warm"}}),
    (CustomFieldValue("set", (EnumOption(13, "Email"),)),
     {"type": "set", "value": [{"id": 13, "label": "Email"}]}),
    (CustomFieldValue("daterange", date(2024, 1, 1), until=date(2024, 2, 1)),
     {"type": "daterange", "value": "2024-01-01", "until": "2024-02-01"}),
    (CustomFieldValue("timerange", time(9), until=time(11), timezone_name="Europe/London"),
     {"type": "timerange", "value": "09:00:00", "until": "11:00:00", "timezone_name": "Europe/London"}),
    (CustomFieldValue("address", "Tallinn", components={"country": "Estonia"}),
     {"type": "address", "value": "Tallinn", "components": {"country": "Estonia"}}),
    (CustomFieldValue("varchar"), {"type": "varchar", "value": None}),
], ids=["monetary", "enum", "set", "daterange", "timerange", "address", "empty"])
def test_to_jsonable_gives_a_plain_dict_for_the_warehouse(value: CustomFieldValue,
                                                          jsonable: dict[str, Any]) -> None:
    assert value.to_jsonable() == jsonable


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_to_jsonable_output_serialises_as_json(case: WireCase) -> None:
    assert json.loads(json.dumps(case.expected.to_jsonable())) == case.expected.to_jsonable()


def test_custom_field_value_cannot_be_reassigned() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CustomFieldValue("varchar", "a").value = "b"  # type: ignore[misc]


def test_address_components_do_not_follow_changes_to_the_dict_passed_in() -> None:
    components = {"country": "Estonia"}
    value = CustomFieldValue("address", "Tallinn", components=components)
    components["country"] = "Latvia"
    assert value.components == {"country": "Estonia"}


def test_address_components_cannot_be_mutated() -> None:
    value = CustomFieldValue("address", "Tallinn", components={"country": "Estonia"})
    with pytest.raises(TypeError):
        value.components["country"] = "Latvia"  # type: ignore[index]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_decoded_values_are_hashable(case: WireCase) -> None:
    assert {case.expected: 1}[decode_form(case, "v2")] == 1


def test_option_ids_lists_the_selected_options_of_a_set() -> None:
    assert CustomFieldValue("set", (EnumOption(13, "Email"), EnumOption(14, "Phone"))).option_ids == (13, 14)


# -- the catalog ---------------------------------------------------------------------------------------------


def test_catalog_resolves_a_key() -> None:
    assert CATALOG.resolve(KEYS["enum"]).name == "My enum"


def test_catalog_resolves_a_name() -> None:
    assert CATALOG.resolve("My monetary").key == KEYS["monetary"]


def test_catalog_resolves_a_name_in_any_case() -> None:
    assert CATALOG.resolve("my MONETARY").key == KEYS["monetary"]


def test_catalog_refuses_a_name_shared_by_two_fields_and_lists_their_keys() -> None:
    catalog = FieldCatalog.from_definitions([
        FieldDefinition(key=field_key("a"), name="Source", field_type="varchar"),
        FieldDefinition(key=field_key("b"), name="Source", field_type="enum"),
    ])
    with pytest.raises(AmbiguousFieldError, match=f"{field_key('a')}.*{field_key('b')}"):
        catalog.resolve("Source")


def test_catalog_prefers_the_exact_case_name_over_a_case_insensitive_match() -> None:
    catalog = FieldCatalog.from_definitions([
        FieldDefinition(key=field_key("a"), name="Source", field_type="varchar"),
        FieldDefinition(key=field_key("b"), name="source", field_type="enum"),
    ])
    assert catalog.resolve("source").key == field_key("b")


def test_unknown_field_error_names_the_field_and_suggests_close_names() -> None:
    with pytest.raises(UnknownFieldError, match=r"'My monetery'.*did you mean 'My monetary'"):
        CATALOG.resolve("My monetery")


@pytest.mark.parametrize("error", [UnknownFieldError, AmbiguousFieldError, UnknownOptionError])
def test_field_lookup_errors_are_value_errors(error: type[Exception]) -> None:
    assert issubclass(error, ValueError)


def test_by_key_does_not_match_names() -> None:
    with pytest.raises(UnknownFieldError):
        CATALOG.by_key("My enum")


def test_catalog_looks_up_option_labels_by_id_as_sent_by_v1_or_v2() -> None:
    labels = (CATALOG.option_label(KEYS["set"], 14), CATALOG.option_label(KEYS["set"], "14"))
    assert labels == ("Phone", "Phone")


def test_catalog_finds_an_option_by_label_for_writes() -> None:
    assert CATALOG.option("My enum", "cold") == EnumOption(18, "Cold")


def test_unknown_option_error_suggests_close_labels() -> None:
    with pytest.raises(UnknownOptionError, match=r"'Linkedn'.*did you mean 'LinkedIn'"):
        CATALOG.option("My set", "Linkedn")


def test_catalog_refuses_a_label_shared_by_two_options() -> None:
    key = field_key("duplicate labels")
    options = [FieldOption(id=1, label="Other"), FieldOption(id=2, label="other")]
    catalog = FieldCatalog.from_definitions([FieldDefinition(key=key, name="Kind", field_type="enum",
                                                             options=options)])
    with pytest.raises(ValueError, match=r"2 options labelled 'other' \(ids 1, 2\); use an id"):
        catalog.option("Kind", "other")


def test_catalog_custom_fields_leave_out_built_ins_and_v1_subfields() -> None:
    key = field_key("v1 monetary")
    catalog = FieldCatalog.from_definitions([
        FieldDefinition(key="name", name="Name", field_type="varchar", edit_flag=False),
        FieldDefinition(key=key, name="Budget", field_type="monetary", edit_flag=True),
        FieldDefinition(key=f"{key}_currency", name="Budget", field_type="varchar", edit_flag=True,
                        is_subfield=True),
    ])
    assert [definition.key for definition in catalog.custom_fields] == [key]


def test_catalog_built_from_the_v2_fixture_decodes_its_enum(pipedrive_fixture: Any) -> None:
    definitions = [FieldDefinition.model_validate(item)
                   for item in pipedrive_fixture("pipedrive_v2_personFields_list.json")["data"]]
    catalog = FieldCatalog.from_definitions(definitions)
    key = catalog.resolve("Lead Source").key
    assert decode_v2({key: 2}, catalog)[key].value == EnumOption(2, "Outbound")


# -- the decode memo -----------------------------------------------------------------------------------------


def test_memo_keeps_a_text_fields_1_and_1_point_0_apart() -> None:
    # 1 == 1.0 and they hash alike, but a text field decodes them to different strings.
    catalog = make_catalog()
    key = KEYS["varchar"]
    first = decode_v2({key: 1}, catalog)[key]
    assert (first.value, decode_v2({key: 1.0}, catalog)[key].value) == ("1", "1.0")


def test_memo_returns_equal_values_for_a_repeated_wire_value() -> None:
    catalog = make_catalog()
    key = KEYS["monetary"]
    assert decode_v2({key: {"value": 5, "currency": "EUR"}}, catalog) == decode_v2(
        {key: {"value": 5, "currency": "EUR"}}, catalog
    )


def test_memo_stops_growing_at_its_bound() -> None:
    catalog = make_catalog()
    key = KEYS["varchar"]
    for n in range(fields_module._MEMO_LIMIT + 10):
        decode_v2({key: f"value {n}"}, catalog)
    assert len(catalog._entries[key].memo) == fields_module._MEMO_LIMIT
