"""Timestamps read the same from dicts and from raw JSON: aware, at offset zero, whatever form was sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from pipedrive_etl.pipedrive.envelopes import parse_list
from pipedrive_etl.pipedrive.models import Deal, Person

FORMS = pytest.mark.parametrize("wire", [
    "2024-07-01T05:46:33Z", "2024-07-01T05:46:33.000Z", "2024-07-01 05:46:33", "2024-07-01T07:46:33+02:00",
    "2024-07-01T00:46:33-05:00", 1719812793,
], ids=["v2", "v2-millis", "v1-naive", "east-offset", "west-offset", "unix"])
MOMENT = datetime(2024, 7, 1, 5, 46, 33, tzinfo=UTC)


def _wall_clock_and_offset(moment: datetime) -> tuple[datetime, timedelta | None]:
    return moment.replace(tzinfo=None), moment.utcoffset()


@FORMS
def test_a_timestamp_from_a_dict_is_the_utc_wall_clock(wire: Any) -> None:
    moment = Deal.model_validate({"id": 1, "update_time": wire}).update_time
    assert _wall_clock_and_offset(moment) == _wall_clock_and_offset(MOMENT)


@FORMS
def test_a_timestamp_from_raw_json_is_the_utc_wall_clock(wire: Any) -> None:
    body = json.dumps({"success": True, "data": [{"id": 1, "update_time": wire}]})
    page = parse_list(Person, body.encode())
    assert _wall_clock_and_offset(page.data[0].update_time) == _wall_clock_and_offset(MOMENT)


@pytest.mark.parametrize("wire", ["yesterday", "2024-13-01T00:00:00Z", [2024]])
def test_a_value_that_is_no_timestamp_is_one_error_naming_the_field(wire: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        Deal.model_validate({"id": 1, "won_time": wire})
    errors = [(error["loc"], error["type"], error["input"]) for error in caught.value.errors()]
    assert errors == [(("won_time",), "utc_datetime", wire)]
