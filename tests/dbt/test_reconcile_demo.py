"""Reconciliation of the demo world: the seeded sandbox Pipedrive and ColdCopy database, with their
deliberate differences (pipedrive_etl/sandbox/coldcopy.py), extracted by the real code, reconciled on both
backends."""

from __future__ import annotations

from datetime import datetime

from .conftest import Reconciled

CREATE_STATUSES = {"interested", "replied", "meeting_booked"}


def _link_states(reconciled: Reconciled) -> dict[str, tuple[str, int | None]]:
    rows = reconciled.rows(
        "select coldcopy_lead_id, link_state, pipedrive_person_id from marts.sync_status "
        "where workspace_id = 'demo'"
    )
    return {row["coldcopy_lead_id"]: (row["link_state"], row["pipedrive_person_id"]) for row in rows}


def _changes(reconciled: Reconciled, plan_key: str) -> dict[str, dict]:
    rows = reconciled.rows(
        "select changes from marts.writeback_plan where workspace_id = 'demo' and plan_key = ?", [plan_key]
    )
    return {change["field"]: change for row in rows for change in row["changes"] or []}


def test_leads_whose_email_differs_only_in_case_or_spaces_are_matched_to_their_person(
    reconciled: Reconciled,
) -> None:
    states = reconciled.remember("link_states", lambda: _link_states(reconciled))
    duplicated = {lead for pair in reconciled.seed.duplicate_email_leads for lead in pair}
    variants = [
        (lead, person) for lead, person in reconciled.seed.email_case_variant if lead not in duplicated
    ]
    assert variants and all(states[lead] == ("matched", person) for lead, person in variants)


def test_leads_sharing_an_email_are_reported_ambiguous_and_not_linked(reconciled: Reconciled) -> None:
    states = reconciled.remember("link_states", lambda: _link_states(reconciled))
    leads = {lead for pair in reconciled.seed.duplicate_email_leads for lead in pair}
    assert {states[lead][0] for lead in leads} == {"ambiguous"}
    outcomes = reconciled.rows(
        "select coldcopy_lead_id, match_outcome from marts.sync_link_candidates where workspace_id = 'demo'"
    )
    assert {row["match_outcome"] for row in outcomes if row["coldcopy_lead_id"] in leads} == {
        "ambiguous_person"
    }


def test_a_lead_whose_email_two_persons_share_is_reported_ambiguous_and_not_linked(
    reconciled: Reconciled,
) -> None:
    persons = {person for pair in reconciled.persons_sharing_an_email for person in pair}
    rows = reconciled.rows(
        "select coldcopy_lead_id, pipedrive_person_id, match_outcome "
        "from marts.sync_link_candidates where workspace_id = 'demo' and is_ambiguous"
    )
    by_lead = {
        row["coldcopy_lead_id"]: row["match_outcome"] for row in rows if row["pipedrive_person_id"] in persons
    }
    states = reconciled.remember("link_states", lambda: _link_states(reconciled))
    assert "ambiguous_lead" in by_lead.values()
    assert {states[lead][0] for lead in by_lead} == {"ambiguous"}


def test_a_different_phone_in_coldcopy_is_planned_for_pipedrive_in_canonical_form(
    reconciled: Reconciled,
) -> None:
    states = reconciled.remember("link_states", lambda: _link_states(reconciled))
    lead, person = next(
        (lead, person) for lead, person in reconciled.seed.different_phone if states[lead][0] == "matched"
    )
    phone = reconciled.value("select raw ->> 'phone' from raw.coldcopy_leads where id = ?", [lead])
    change = _changes(reconciled, f"pipedrive:person:update:{person}")["phone"]
    assert (change["target_key"], change["value"], change["baseline"]) == (
        "phones",
        "+" + "".join(ch for ch in phone if ch.isdigit()),
        change["value"],
    )


def test_pipedrives_job_title_is_planned_for_coldcopy_because_the_mapping_is_one_way(
    reconciled: Reconciled,
) -> None:
    states = reconciled.remember("link_states", lambda: _link_states(reconciled))
    titles = {
        row["id"]: row["title"]
        for row in reconciled.rows(
            "select id, raw ->> 'job_title' as title from raw.pipedrive_persons where workspace_id = 'demo'"
        )
    }
    pairs = [
        (lead, person)
        for lead, person in reconciled.seed.different_job_title
        if states[lead][0] == "matched" and titles[person]
    ]
    planned = {
        (row["coldcopy_lead_id"], row["entity"], change["field"]): change["value"]
        for row in reconciled.rows(
            "select coldcopy_lead_id, entity, changes from marts.writeback_plan where workspace_id = 'demo'"
        )
        for change in row["changes"] or []
    }
    assert pairs
    for lead, person in pairs:
        assert planned[(lead, "lead", "job_title")] == titles[person]
        assert (lead, "person", "job_title") not in planned


def test_a_lookup_transform_compares_coldcopy_values_in_pipedrives_terms(reconciled: Reconciled) -> None:
    rows = reconciled.rows(
        "select leads.custom_fields ->> 'lead_source' as source, mapped.coldcopy_value "
        "from intermediate.int_mapped_field_values as mapped inner join staging.stg_coldcopy__leads as leads "
        "on leads.workspace_id = mapped.workspace_id and leads.coldcopy_lead_id = mapped.coldcopy_lead_id "
        "where mapped.workspace_id = 'demo' and mapped.mapping_id = 'custom_fields.lead_source'"
    )
    assert {(row["source"], row["coldcopy_value"]) for row in rows} == {
        ("ColdCopy", "ColdCopy"),
        ("Import", "Outbound"),
        ("Website", "Inbound"),
    }


def test_unlinked_leads_with_a_qualifying_status_are_planned_as_creates_with_organization_and_deal(
    reconciled: Reconciled,
) -> None:
    statuses = {
        row["id"]: row["status"]
        for row in reconciled.rows(
            "select id, raw ->> 'status' as status from raw.coldcopy_leads where workspace_id = 'demo'"
        )
    }
    expected = {lead for lead in reconciled.seed.leads_only if statuses[lead] in CREATE_STATUSES}
    creates = reconciled.rows(
        "select coldcopy_lead_id, token_cost, create_organization, create_deal, deal_title, "
        "deal_pipeline_id, deal_stage_id, company_name, first_name, last_name, "
        "external_id_field_key from marts.writeback_plan "
        "where workspace_id = 'demo' and entity = 'person' and operation = 'create'"
    )
    assert expected and {row["coldcopy_lead_id"] for row in creates} == expected
    for row in creates:  # each lead-only contact has a company of its own: organization, person and deal
        assert (row["token_cost"], row["create_organization"], row["create_deal"]) == (15, True, True)
        assert row["deal_title"] == f"{row['company_name']} - {row['first_name']} {row['last_name']}"
        assert (row["deal_pipeline_id"], row["deal_stage_id"]) == (1, 1) and len(
            row["external_id_field_key"]
        ) == 40


def test_an_email_event_whose_activity_was_written_is_not_planned_again(reconciled: Reconciled) -> None:
    activity_keys = {
        row["plan_key"]
        for row in reconciled.rows(
            "select plan_key from marts.writeback_plan where workspace_id = 'demo' and entity = 'activity'"
        )
    }
    assert activity_keys and reconciled.written_activity_plan_key not in activity_keys


def test_activities_are_planned_for_the_configured_event_types_of_linked_leads(
    reconciled: Reconciled,
) -> None:
    rows = reconciled.rows(
        "select distinct plan.email_event_type, status.link_state from marts.writeback_plan as plan "
        "inner join marts.sync_status as status on status.workspace_id = plan.workspace_id "
        "and status.coldcopy_lead_id = plan.coldcopy_lead_id "
        "where plan.workspace_id = 'demo' and plan.entity = 'activity' and plan.source_kind = 'email_event'"
    )
    assert {row["email_event_type"] for row in rows} == {"sent", "replied", "bounced", "unsubscribed"}
    assert {row["link_state"] for row in rows} == {"matched"}


def test_each_call_log_of_a_linked_lead_is_planned_once_as_a_call_activity(reconciled: Reconciled) -> None:
    planned = reconciled.rows(
        "select plan_key, source_id, activity_type, activity_duration_seconds, activity_done, due_date "
        "from marts.writeback_plan where workspace_id = 'demo' and entity = 'activity' "
        "and source_kind = 'call_log'"
    )
    expected = reconciled.rows(
        "select calls.id, calls.raw ->> 'duration_seconds' as seconds from raw.coldcopy_call_logs as calls "
        "inner join marts.sync_status as status on status.workspace_id = calls.workspace_id "
        "and status.coldcopy_lead_id = calls.lead_id and status.link_state = 'matched' "
        "where calls.workspace_id = 'demo'"
    )
    assert planned and len(planned) == len(expected)
    by_id = {row["source_id"]: row for row in planned}
    for call in expected:
        row = by_id[call["id"]]
        assert row["plan_key"] == f"pipedrive:activity:create:call:{call['id']}"
        assert (row["activity_type"], row["activity_done"]) == ("call", True)
        assert row["activity_duration_seconds"] == int(call["seconds"]) and row["due_date"]


def test_pipedrive_activities_of_linked_persons_are_planned_as_timeline_entries(
    reconciled: Reconciled,
) -> None:
    planned = reconciled.rows(
        "select coldcopy_lead_id, source_id, activity_type, timeline_entry_type, operation, content_hash "
        "from marts.writeback_plan where workspace_id = 'demo' and entity = 'timeline_entry'"
    )
    expected = reconciled.rows(
        "select status.coldcopy_lead_id, cast(activities.id as varchar) as activity_id, activities.type "
        "from raw.pipedrive_activities as activities "
        "inner join marts.sync_status as status on status.workspace_id = activities.workspace_id "
        "and status.pipedrive_person_id = activities.person_id and status.link_state = 'matched' "
        "where activities.workspace_id = 'demo' and not activities.is_deleted "
        "and activities.type in ('call', 'meeting', 'task', 'deadline', 'email')"
    )
    assert planned and {(r["coldcopy_lead_id"], r["source_id"]) for r in planned} == {
        (r["coldcopy_lead_id"], r["activity_id"]) for r in expected}
    # Nothing was written yet: every entry is an upsert, typed by the default map (the same names).
    assert {r["operation"] for r in planned} == {"upsert"}
    assert all(
        r["timeline_entry_type"] == r["activity_type"] and len(r["content_hash"]) == 32 for r in planned
    )


def test_campaign_actions_follow_the_stage_their_deal_is_in(reconciled: Reconciled) -> None:
    rows = reconciled.rows(
        "select plan.campaign_action, actions.campaign_action as mapped_action "
        "from marts.writeback_plan as plan "
        "inner join raw.pipedrive_deals as deals on deals.workspace_id = plan.workspace_id "
        "and deals.id = plan.pipedrive_deal_id "
        "left join state.stage_mapping_actions as actions on actions.workspace_id = plan.workspace_id "
        "and actions.stage_id = deals.stage_id and actions.campaign_action = plan.campaign_action "
        "where plan.workspace_id = 'demo' and plan.entity = 'campaign_action'"
    )
    assert rows and all(row["campaign_action"] == row["mapped_action"] for row in rows)


def test_a_linked_deals_stage_sets_the_lead_status_it_maps_to(reconciled: Reconciled) -> None:
    mapped = {
        row["coldcopy_lead_id"]: row["mapped_status"]
        for row in reconciled.rows(
            "select coldcopy_lead_id, mapped_status from intermediate.int_lead_statuses_mapped "
            "where workspace_id = 'demo' and writes_coldcopy"
        )
    }
    planned = {
        row["coldcopy_lead_id"]: change["value"]
        for row in reconciled.rows(
            "select coldcopy_lead_id, changes from marts.writeback_plan "
            "where workspace_id = 'demo' and entity = 'lead'"
        )
        for change in row["changes"]
        if change["field"] == "status"
    }
    assert mapped and planned == mapped


def test_sync_status_has_one_row_per_lead(reconciled: Reconciled) -> None:
    leads = reconciled.value("select count(*) from raw.coldcopy_leads where workspace_id = 'demo'")
    assert reconciled.value("select count(*) from marts.sync_status where workspace_id = 'demo'") == leads


def test_enum_custom_fields_are_compared_by_their_option_labels(reconciled: Reconciled) -> None:
    rows = reconciled.rows(
        "select distinct pipedrive_value from intermediate.int_mapped_field_values "
        "where workspace_id = 'demo' "
        "and mapping_id = 'custom_fields.lead_source' and pipedrive_value is not null"
    )
    labels = {"Inbound", "Outbound", "Referral", "Event", "ColdCopy"}
    assert {row["pipedrive_value"] for row in rows} == labels


def test_an_activitys_due_date_and_time_become_one_utc_instant(reconciled: Reconciled) -> None:
    row = reconciled.rows(
        "select raw ->> 'due_date' as due_date, raw ->> 'due_time' as due_time, due_at "
        "from staging.stg_pipedrive__activities where workspace_id = 'demo' "
        "and raw ->> 'due_time' is not null order by pipedrive_activity_id limit 1"
    )[0]
    assert row["due_at"] == datetime.fromisoformat(f"{row['due_date']}T{row['due_time']}+00:00")


def test_the_plan_is_the_same_on_duckdb_and_postgres(
    reconciled_duckdb: Reconciled, reconciled_postgres: Reconciled
) -> None:
    sql = (
        "select plan_key, token_cost, change_count from marts.writeback_plan "
        "where workspace_id in ('demo', 'merges') order by plan_key"
    )
    assert reconciled_duckdb.rows(sql) == reconciled_postgres.rows(sql)
