"""Seeded custom fields: one of every custom type on persons, organizations and deals, plus the persons'
"ColdCopy lead id" external-id field, and a generator of plausible values for each type."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from pipedrive_etl.sandbox.customfields import FieldDef
from pipedrive_etl.sandbox.names import CITIES, STREETS
from pipedrive_etl.sandbox.state import CompanyState

LEAD_ID_FIELD_NAME = "ColdCopy lead id"
# field_type -> (person, organization, deal) field names, and the options of enum/set fields.
FIELD_NAMES = {
    "varchar": ("Nickname", "Tax id", "PO number"),
    "varchar_auto": ("Preferred contact", "Region", "Campaign"),
    "text": ("Background", "About", "Deal notes"),
    "double": ("Lead score", "Health score", "Discount percent"),
    "monetary": ("Lifetime value", "Credit limit", "Setup fee"),
    "set": ("Interests", "Tech stack", "Products"),
    "enum": ("Lead source", "Tier", "Deal type"),
    "user": ("Account manager", "Success manager", "Sales engineer"),
    "org": ("Previous employer", "Parent company", "Partner organization"),
    "people": ("Referred by", "Main contact", "Champion"),
    "phone": ("Assistant phone", "Switchboard", "Hotline"),
    "time": ("Best time to call", "Office opens", "Demo time"),
    "timerange": ("Availability", "Office hours", "Workshop slot"),
    "date": ("Last event date", "Founded", "Renewal date"),
    "daterange": ("Holiday", "Contract period", "Trial period"),
    "address": ("Home address", "Billing address", "Delivery address"),
}
OPTIONS = {
    "Lead source": ["Inbound", "Outbound", "Referral", "Event", "ColdCopy"],
    "Tier": ["Enterprise", "Mid-market", "SMB"],
    "Deal type": ["New business", "Upsell", "Renewal"],
    "Interests": ["Analytics", "Automation", "Integrations", "Reporting", "Security"],
    "Tech stack": ["Salesforce", "HubSpot", "Pipedrive", "Zendesk", "Slack", "Jira"],
    "Products": ["Core", "Add-on A", "Add-on B", "Services"],
}
_VARCHAR_AUTO = {
    "Preferred contact": ["email", "phone", "LinkedIn"],
    "Region": ["EMEA", "NA", "APAC"],
    "Campaign": ["Spring promo", "Webinar", "Partner referral"],
}
_TIMEZONES = ((1, "Europe/Tallinn"), (2, "Europe/Berlin"), (3, "America/New_York"))


def create_custom_fields(state: CompanyState, rng: random.Random) -> dict[str, dict[str, FieldDef]]:
    """entity -> field_type -> definition; persons also get LEAD_ID_FIELD_NAME under "external_id"."""
    created = state.now() - timedelta(days=900)
    out: dict[str, dict[str, FieldDef]] = {}
    for position, entity in enumerate(("person", "organization", "deal")):
        out[entity] = {}
        if entity == "person":
            out[entity]["external_id"] = state.fields.add_custom(
                entity,
                LEAD_ID_FIELD_NAME,
                "varchar",
                created=created,
                key=f"{rng.getrandbits(160):040x}",
                searchable=True,
            )
        for field_type, names in FIELD_NAMES.items():
            name = names[position]
            out[entity][field_type] = state.fields.add_custom(
                entity,
                name,
                field_type,
                created=created,
                options=OPTIONS.get(name),
                key=f"{rng.getrandbits(160):040x}",
            )
    return out


def _address(rng: random.Random) -> dict[str, Any]:
    city, region, country, postal = rng.choice(CITIES)
    number, street = str(rng.randint(1, 180)), rng.choice(STREETS)
    formatted = f"{number} {street}, {postal} {city}, {country}"
    # Pipedrive fills missing address components with "" (the documented webhook example does).
    return {
        "value": formatted,
        "subpremise": f"Apt {rng.randint(1, 40)}" if rng.random() < 0.3 else "",
        "street_number": number,
        "route": street,
        "sublocality": "",
        "locality": city,
        "admin_area_level_1": region,
        "admin_area_level_2": "",
        "country": country,
        "postal_code": postal,
        "formatted_address": formatted,
    }


def address_object(rng: random.Random) -> dict[str, Any]:
    """A v2 entity address (no `formatted_address`), e.g. an organization's."""
    value = _address(rng)
    value.pop("formatted_address")
    return value


def custom_value(definition: FieldDef, rng: random.Random, now: datetime, ids: dict[str, int]) -> Any:
    """A plausible canonical value; `ids` gives the highest user/org/person id a reference may use."""
    kind = definition.field_type
    if kind == "varchar":
        return f"{definition.name[:2].upper()}-{rng.randint(10000, 99999)}"
    if kind == "varchar_auto":
        return rng.choice(_VARCHAR_AUTO.get(definition.name, ["A", "B"]))
    if kind == "text":
        return rng.choice(
            (
                "Met at a trade fair.",
                "Interested in a pilot next quarter.",
                "Prefers short calls.",
                "Budget approved for next year.",
            )
        )
    if kind == "double":
        return round(rng.uniform(0, 100), 1)
    if kind == "monetary":
        return {"value": rng.randint(5, 500) * 100, "currency": rng.choice(("EUR", "EUR", "USD", "GBP"))}
    if kind == "set":
        ids_ = [option["id"] for option in definition.options or ()]
        return sorted(rng.sample(ids_, rng.randint(1, min(3, len(ids_)))))
    if kind == "enum":
        return rng.choice([option["id"] for option in definition.options or ()])
    if kind in ("user", "org", "people"):
        low = 1_000_001 if kind == "user" else 1
        return rng.randint(low, ids[kind])
    if kind == "phone":
        return f"+372 5{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    if kind in ("time", "timerange"):
        zone_id, zone = rng.choice(_TIMEZONES)
        hour = rng.randint(8, 16)
        value = {"value": f"{hour:02d}:00:00"}
        if kind == "timerange":
            value["until"] = f"{hour + 1:02d}:30:00"
        return {**value, "timezone_id": zone_id, "timezone_name": zone}
    if kind in ("date", "daterange"):
        start = (now - timedelta(days=rng.randint(0, 700))).date()
        if kind == "date":
            return start.isoformat()
        return {"value": start.isoformat(), "until": (start + timedelta(days=rng.randint(1, 30))).isoformat()}
    if kind == "address":
        return _address(rng)
    raise AssertionError(kind)


def custom_values(
    definitions: dict[str, FieldDef],
    rng: random.Random,
    now: datetime,
    ids: dict[str, int],
    fill: float = 0.5,
) -> dict[str, Any]:
    """Values for about `fill` of the fields (the external id is left to the caller)."""
    return {
        definition.key: custom_value(definition, rng, now, ids)
        for name, definition in definitions.items()
        if name != "external_id" and rng.random() < fill
    }
