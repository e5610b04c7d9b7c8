"""Pure decisions of writeback: what fits the budget, when a plan is blocked, how values are encoded."""

from datetime import date, time

import pytest

from pipedrive_etl.pipedrive.field_catalog import FieldCatalog
from pipedrive_etl.pipedrive.models import FieldDefinition
from pipedrive_etl.writeback.encode import EncodingError, custom_value, merged_contacts, person_fields
from pipedrive_etl.writeback.plan import FieldChange, PlanRow
from pipedrive_etl.writeback.selection import blocking_reason, fit_budget

ENUM_KEY = "a" * 40
SET_KEY = "b" * 40
CATALOG = FieldCatalog.from_definitions([
    FieldDefinition.model_validate({"field_code": ENUM_KEY, "field_name": "Lead source", "field_type": "enum",
                                    "options": [{"id": 1, "label": "Inbound"},
                                                {"id": 2, "label": "Outbound"}]}),
    FieldDefinition.model_validate({"field_code": SET_KEY, "field_name": "Interests", "field_type": "set",
                                    "options": [{"id": 7, "label": "Analytics"},
                                                {"id": 8, "label": "Security"}]}),
])


def _row(key: str, priority: int, cost: int, operation: str = "update", lead: str = "l1",
         changes=()) -> PlanRow:
    return PlanRow("demo", key, "pipedrive", "person", operation, priority, coldcopy_lead_id=lead,
                   token_cost=cost, changes=changes)


def _change(value, kind="varchar", key="first_name") -> FieldChange:
    return FieldChange("f", key, kind, value, None, value)


def test_budget_takes_updates_then_creates_then_activities_and_defers_the_rest():
    rows = [_row("c", 3, 5), _row("a", 1, 5), _row("b", 2, 15)]
    split = fit_budget(rows, remaining_tokens=20)
    assert [r.plan_key for r in split.affordable] == ["a", "b"]
    assert [r.plan_key for r in split.deferred] == ["c"] and split.cost == 20


def test_a_configured_priority_order_is_followed():
    rows = [_row("update", 1, 5), _row("activity", 3, 5)]
    assert [r.plan_key for r in fit_budget(rows, 5, priority_order=(3, 1, 2)).affordable] == ["activity"]


def test_a_plan_changing_more_than_the_allowed_share_of_linked_records_is_blocked():
    rows = [_row(f"k{i}", 1, 5, lead=f"l{i}", changes=(_change("x"),)) for i in range(3)]
    assert blocking_reason(rows, linked_records=10, max_share=0.2) is not None
    assert "3 of 10 linked records (30%)" in blocking_reason(rows, linked_records=10, max_share=0.2)
    assert blocking_reason(rows, linked_records=20, max_share=0.2) is None


def test_creates_do_not_count_towards_the_blocking_share():
    rows = [_row(f"k{i}", 2, 15, operation="create", lead=f"l{i}") for i in range(10)]
    assert blocking_reason(rows, linked_records=10, max_share=0.2) is None


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("double", "63.9", 63.9), ("monetary", "1200", 1200.0), ("user", "1000001", 1000001),
    ("date", "2026-01-31", date(2026, 1, 31)), ("time", "09:30:00", time(9, 30)),
    ("varchar", "Tallinn", "Tallinn"),
])
def test_canonical_text_becomes_the_strict_v2_type(kind, text, expected):
    assert custom_value(_change(text, kind, ENUM_KEY), CATALOG).value == expected


def test_enum_labels_become_option_ids_and_sets_become_id_lists():
    assert custom_value(_change("Outbound", "enum", ENUM_KEY), CATALOG).option_ids == (2,)
    assert custom_value(_change("Analytics, Security", "set", SET_KEY), CATALOG).option_ids == (7, 8)


def test_an_empty_set_is_cleared_with_null_never_an_empty_list():
    assert custom_value(_change("", "set", SET_KEY), CATALOG).value is None


def test_an_unknown_option_label_is_an_encoding_error_naming_the_field():
    with pytest.raises(ValueError, match="Referral"):
        custom_value(_change("Referral", "enum", ENUM_KEY), CATALOG)


def test_a_number_that_is_not_one_is_an_encoding_error():
    with pytest.raises(EncodingError, match="cannot be written to a double field"):
        custom_value(_change("lots", "double", ENUM_KEY), CATALOG)


def test_a_new_primary_phone_keeps_the_other_numbers():
    current = [{"value": "+111", "primary": True, "label": "mobile"},
               {"value": "+222", "primary": False, "label": "home"}]
    assert merged_contacts(current, "+333") == [{"value": "+333", "primary": True, "label": "mobile"},
                                                {"value": "+222", "primary": False, "label": "home"}]


def test_person_fields_put_custom_values_under_custom_fields_and_builtins_at_the_top():
    fields = person_fields((_change("Ada"), _change("Inbound", "enum", ENUM_KEY)), CATALOG)
    assert fields["first_name"] == "Ada" and fields["custom_fields"][ENUM_KEY].option_ids == (1,)
