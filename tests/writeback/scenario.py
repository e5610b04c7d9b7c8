"""A mixed writeback scenario on the sandbox, and the crash campaign over it (shared with
bench/writeback_crash.py).

The plan holds PATCHes of linked persons (a name and a custom number field), creates of new leads
(organization, person and deal) and activities for email events: well over 50 requests. A crash at request i
either applies the write and drops the response, or kills the run right after the request was applied. The
rerun gets the plan a planner would make again: every row, less those whose write the log records as
succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from pipedrive_etl.extract.pipedrive_runner import extract_fields, extract_stream
from pipedrive_etl.extract.streams import STREAMS
from pipedrive_etl.pipedrive import PipedriveClient
from pipedrive_etl.sandbox import FakeClock, Sandbox, seed_pipedrive
from pipedrive_etl.warehouse import Warehouse, open_warehouse
from pipedrive_etl.writeback.log import SUCCEEDED, WritebackLog
from pipedrive_etl.writeback.plan import FieldChange, PlanRow
from pipedrive_etl.writeback.runner import run_writeback

WORKSPACE = "demo"


class Killed(BaseException):
    """The process died: nothing in the product may catch this."""


class CrashingTransport(httpx.BaseTransport):
    """Passes requests to the sandbox; at request number `at` applies it, then drops the response or dies."""

    def __init__(self, inner: httpx.BaseTransport, *, at: int | None, mode: str) -> None:
        self.inner, self.at, self.mode, self.count = inner, at, mode, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        index = self.count
        self.count += 1
        response = self.inner.handle_request(request)
        if index == self.at:
            if self.mode == "kill":
                raise Killed(f"killed after request {index}")
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                            request=request)
        return response


@dataclass
class Scenario:
    sandbox: Sandbox
    clock: FakeClock
    plan: list[PlanRow]
    expected_names: dict[int, str] = field(default_factory=dict)  # person id -> first name after the updates
    created_emails: list[str] = field(default_factory=list)
    activity_markers: list[str] = field(default_factory=list)


def _http(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(transport=sandbox.transport(), base_url="https://sandbox.pipedrive.com",
                        headers={"x-api-token": "sandbox-token"})


def build(warehouse: Warehouse, *, updates: int = 20, creates: int = 12, activities: int = 14) -> Scenario:
    clock = FakeClock()
    sandbox = Sandbox(plan="ultimate", seats=5, clock=clock)
    seeded = seed_pipedrive(sandbox, persons=60, organizations=20, deals=10, activities=10, seed=2)
    with client_for(sandbox, clock) as client:
        extract_fields(client, warehouse, WORKSPACE, now=clock.now)
        extract_stream(client, warehouse, WORKSPACE, STREAMS["persons"], now=clock.now)
    with _http(sandbox) as http:
        persons = http.get("/api/v2/persons", params={"limit": 100}).json()["data"]
    score_key = seeded.custom_fields["person"]["double"]
    pipeline_id = seeded.pipeline_ids[0]
    stage_id = seeded.stage_ids[pipeline_id][0]
    scenario = Scenario(sandbox, clock, [])
    for i, person in enumerate(persons[:updates]):
        name = f"Updated{i}"
        lead = f"lead-u{i}"
        scenario.expected_names[person["id"]] = name
        scenario.plan.append(PlanRow(
            WORKSPACE, f"pipedrive:person:update:{person['id']}", "pipedrive", "person", "update", 1,
            coldcopy_lead_id=lead, pipedrive_id=person["id"], token_cost=5, change_count=2, changes=(
                FieldChange("first_name", "first_name", "varchar", name, person.get("first_name"), name,
                            lead),
                FieldChange("custom_fields.lead_score", score_key, "double", str(10 + i), None, str(10 + i),
                            lead))))
    for i in range(creates):
        lead = f"lead-c{i}"
        email = f"new.lead{i}@newco{i // 3}.test"
        scenario.created_emails.append(email)
        scenario.plan.append(PlanRow(
            WORKSPACE, f"pipedrive:person:create:{lead}", "pipedrive", "person", "create", 2,
            coldcopy_lead_id=lead,
            email=email, first_name="New", last_name=f"Lead{i}", person_name=f"New Lead{i}",
            company_name=f"Newco {i // 3}", create_organization=True, organization_key=f"newco {i // 3}",
            organization_plan_key=f"pipedrive:organization:create:newco {i // 3}", create_deal=True,
            deal_title=f"Newco {i // 3} - New Lead{i}", deal_pipeline_id=pipeline_id, deal_stage_id=stage_id,
            external_id_field_key=seeded.lead_id_field_key, token_cost=15,
            changes=(FieldChange("first_name", "first_name", "varchar", "New", None, "New", lead),
                     FieldChange("last_name", "last_name", "varchar", f"Lead{i}", None, f"Lead{i}", lead))))
    for i, person in enumerate(persons[updates:updates + activities]):
        event = f"{9000 + i}"
        scenario.activity_markers.append(f"[coldcopy-event:{event}]")
        scenario.plan.append(PlanRow(
            WORKSPACE, f"pipedrive:activity:create:{event}", "pipedrive", "activity", "create", 3,
            coldcopy_lead_id=f"lead-a{i}", source_id=event, pipedrive_person_id=person["id"], token_cost=5,
            activity_subject="Email opened: Spring promo", activity_type="email", due_date="2026-09-01",
            due_time="10:15:00", email_event_type="opened"))
    return scenario


def client_for(sandbox: Sandbox, clock: FakeClock,
               transport: httpx.BaseTransport | None = None) -> PipedriveClient:
    return PipedriveClient.with_api_token("sandbox-token", company_domain="sandbox", plan="ultimate",
                                          transport=transport or sandbox.transport(), clock=clock.monotonic,
                                          sleep=clock.sleep, max_retries=2)


def write(scenario: Scenario, warehouse: Warehouse, plan: list[PlanRow],
          transport: httpx.BaseTransport | None = None):
    with client_for(scenario.sandbox, scenario.clock, transport) as client:
        return run_writeback(plan, warehouse=warehouse, workspace_id=WORKSPACE,
                             coldcopy_workspace_id=WORKSPACE, client=client, coldcopy_engine=None,
                             remaining_tokens=100_000)


def replan(plan: list[PlanRow], warehouse: Warehouse) -> list[PlanRow]:
    log = WritebackLog(warehouse, WORKSPACE)
    fresh = []
    for row in plan:
        entry = log.entry(row.operation_key)
        if entry is None or entry.status != SUCCEEDED:
            fresh.append(replace(row))
    return fresh


@dataclass
class Verdict:
    duplicates: int
    lost_updates: int
    missing: int
    log_rows_per_write: dict[str, int]


def verify(scenario: Scenario, warehouse: Warehouse) -> Verdict:
    with _http(scenario.sandbox) as http:
        persons = [p for page in _pages(http, "/api/v2/persons") for p in page]
        activities = [a for page in _pages(http, "/api/v2/activities") for a in page]
        deals = [d for page in _pages(http, "/api/v2/deals") for d in page]
        organizations = [o for page in _pages(http, "/api/v2/organizations") for o in page]
    by_email: dict[str, int] = {}
    for person in persons:
        for email in person.get("emails") or []:
            by_email[email["value"]] = by_email.get(email["value"], 0) + 1
    duplicates = sum(max(0, by_email.get(email, 0) - 1) for email in scenario.created_emails)
    missing = sum(1 for email in scenario.created_emails if by_email.get(email, 0) == 0)
    notes = [a.get("note") or "" for a in activities]
    for marker in scenario.activity_markers:
        found = sum(1 for note in notes if marker in note)
        duplicates += max(0, found - 1)
        missing += found == 0
    titles = [d["title"] for d in deals]
    for row in scenario.plan:
        if row.deal_title:
            duplicates += max(0, titles.count(row.deal_title) - 1)
            missing += titles.count(row.deal_title) == 0
    org_names = [o["name"] for o in organizations]
    for company in {row.company_name for row in scenario.plan if row.company_name}:
        duplicates += max(0, org_names.count(company) - 1)
    names = {p["id"]: p.get("first_name") for p in persons}
    lost = sum(1 for person_id, name in scenario.expected_names.items() if names.get(person_id) != name)
    counts = dict(warehouse.fetchall("select status, count(*) from state.writeback_log group by status"))
    return Verdict(duplicates, lost, missing, counts)


def _pages(http: httpx.Client, path: str):
    cursor = None
    while True:
        body = http.get(path, params={"limit": 500, **({"cursor": cursor} if cursor else {})}).json()
        yield body["data"]
        cursor = body["additional_data"]["next_cursor"]
        if not cursor:
            return


def crash_and_recover(tmp: Path, at: int, mode: str) -> Verdict:
    """One crash point: a fresh sandbox and warehouse, a run that crashes at request `at`, then reruns."""
    url = f"duckdb:///{tmp}/crash-{mode}-{at}.duckdb"
    warehouse = open_warehouse(url)
    scenario = build(warehouse)
    try:
        write(scenario, warehouse, scenario.plan,
              CrashingTransport(scenario.sandbox.transport(), at=at, mode=mode))
    except Killed:
        warehouse.close()  # the process is gone: whatever it had not committed is lost
        warehouse = open_warehouse(url)
    for _ in range(3):  # a later run settles what the crashed one left unknown
        plan = replan(scenario.plan, warehouse)
        if not plan:
            break
        write(scenario, warehouse, plan)
    verdict = verify(scenario, warehouse)
    warehouse.close()
    return verdict


def requests_in_a_clean_run(tmp: Path) -> int:
    with open_warehouse(f"duckdb:///{tmp}/count.duckdb") as warehouse:
        scenario = build(warehouse)
        counter = CrashingTransport(scenario.sandbox.transport(), at=None, mode="drop")
        write(scenario, warehouse, scenario.plan, counter)
        return counter.count
