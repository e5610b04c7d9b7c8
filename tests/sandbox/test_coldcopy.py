"""The ColdCopy demo database: its tables, and its deliberate overlap with the seeded Pipedrive."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_coldcopy, seed_pipedrive
from pipedrive_etl.sandbox.coldcopy import ColdCopySeed


@pytest.fixture(scope="module")
def company() -> Sandbox:
    sandbox = Sandbox(clock=FakeClock())
    seed_pipedrive(sandbox, persons=150, seed=11)
    return sandbox


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, company: Sandbox) -> tuple[str, ColdCopySeed]:
    url = f"sqlite:///{tmp_path_factory.mktemp('coldcopy') / 'coldcopy.db'}"
    return url, seed_coldcopy(url, company, workspace_id="demo", seed=3)


def _leads(url: str) -> dict[str, dict]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select * from leads")).mappings().all()
    engine.dispose()
    return {row["id"]: dict(row) for row in rows}


def _person(company: Sandbox, person_id: int) -> dict:
    return company.state.tables["persons"].rows[person_id]


def test_the_demo_database_has_workspaces_companies_leads_and_email_events(
    demo: tuple[str, ColdCopySeed],
) -> None:
    counts = demo[1].counts
    assert counts["workspaces"] == 1 and min(counts["companies"], counts["leads"], counts["email_events"]) > 0


def test_identical_leads_match_their_person_field_for_field(
    demo: tuple[str, ColdCopySeed], company: Sandbox
) -> None:
    leads = _leads(demo[0])
    for lead_id, person_id in demo[1].identical:
        person, lead = _person(company, person_id), leads[lead_id]
        phone = next((p["value"] for p in person["phones"] if p["primary"]), None)
        assert (lead["email"], lead["first_name"], lead["phone"], lead["job_title"]) == (
            person["emails"][0]["value"],
            person["first_name"],
            phone,
            person["job_title"],
        )


def test_some_leads_differ_from_their_person_in_phone_or_job_title(
    demo: tuple[str, ColdCopySeed], company: Sandbox
) -> None:
    leads = _leads(demo[0])
    phones = [(leads[lead]["phone"], _person(company, p)["phones"]) for lead, p in demo[1].different_phone]
    titles = [
        (leads[lead]["job_title"], _person(company, p)["job_title"])
        for lead, p in demo[1].different_job_title
    ]
    assert phones and all(phone not in [p["value"] for p in person_phones] for phone, person_phones in phones)
    assert titles and all(lead_title != person_title for lead_title, person_title in titles)


def test_email_variants_match_their_person_only_after_normalising(
    demo: tuple[str, ColdCopySeed], company: Sandbox
) -> None:
    leads = _leads(demo[0])
    pairs = [
        (leads[lead]["email"], _person(company, p)["emails"][0]["value"])
        for lead, p in demo[1].email_case_variant
    ]
    assert pairs and all(raw != email and raw.strip().lower() == email for raw, email in pairs)


def test_leads_missing_from_pipedrive_and_persons_missing_from_coldcopy_exist(
    demo: tuple[str, ColdCopySeed], company: Sandbox
) -> None:
    leads = _leads(demo[0])
    persons = company.state.tables["persons"].rows.values()
    pipedrive_emails = {e["value"] for p in persons for e in p["emails"]}
    lead_emails = {lead["email"].strip().lower() for lead in leads.values()}
    shared = {
        p["emails"][0]["value"] for p in persons if sum(p["emails"][0] == q["emails"][0] for q in persons) > 1
    }
    missing = {_person(company, p)["emails"][0]["value"] for p in demo[1].persons_only} - shared
    assert demo[1].leads_only and all(leads[i]["email"] not in pipedrive_emails for i in demo[1].leads_only)
    assert missing and not missing & lead_emails


def test_duplicate_leads_share_an_email(demo: tuple[str, ColdCopySeed]) -> None:
    leads = _leads(demo[0])
    assert demo[1].duplicate_email_leads
    for original, duplicate in demo[1].duplicate_email_leads:
        assert leads[original]["email"].strip().lower() == leads[duplicate]["email"]


def test_seeding_again_gives_the_same_rows_and_keeps_other_workspaces(
    tmp_path: Path, company: Sandbox
) -> None:
    url = f"sqlite:///{tmp_path / 'cc.db'}"
    seed_coldcopy(url, company, workspace_id="other", seed=3)
    seed_coldcopy(url, company, workspace_id="demo", seed=3)
    first = _leads(url)
    seed_coldcopy(url, company, workspace_id="demo", seed=3)
    assert _leads(url) == first
    assert {lead["workspace_id"] for lead in first.values()} == {"demo", "other"}


def test_seed_params_instead_of_a_sandbox_give_the_same_people(
    tmp_path: Path, company: Sandbox, demo: tuple[str, ColdCopySeed]
) -> None:
    url = f"sqlite:///{tmp_path / 'cc.db'}"
    result = seed_coldcopy(url, {"persons": 150, "seed": 11, "start": company.clock.now()}, seed=3)
    assert result.identical == demo[1].identical
