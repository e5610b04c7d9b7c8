"""The warehouse's tables: `raw.*` (what was extracted, typed keys beside the raw JSON) and `state.*`.

Only Python writes these; dbt reads them and builds `marts.*`. Raw JSON is kept whole so models can be rebuilt
without calling Pipedrive again. Every table carries `workspace_id`. The DDL is written once with two type
placeholders, `{json}` and `{ts}`, filled per backend.
"""

from __future__ import annotations

from typing import Literal

SCHEMAS = ("raw", "state", "marts")

# Pipedrive entities: key columns typed, everything in `raw`. `swept_deleted_at` is set when the id sweep no
# longer finds a record that was never reported deleted (hard-deleted after the 30-day purge, or invisible to
# the token).
_ENTITY_COLUMNS = """
    workspace_id varchar not null,
    id bigint not null,
    add_time {ts},
    update_time {ts},
    is_deleted boolean not null default false,
    swept_deleted_at {ts},
    {extra}
    raw {json} not null,
    extracted_at {ts} not null,
    primary key (workspace_id, id)
"""

PIPEDRIVE_ENTITY_EXTRA = {
    "persons": "org_id bigint, owner_id bigint,",
    "organizations": "owner_id bigint,",
    "deals": "person_id bigint, org_id bigint, pipeline_id bigint, stage_id bigint, status varchar, "
             "stage_change_time {ts},",
    "activities": "person_id bigint, deal_id bigint, org_id bigint, type varchar, done boolean,",
    "pipelines": "",
    "stages": "pipeline_id bigint,",
}

TABLES: dict[str, str] = {
    **{f"raw.pipedrive_{entity}": _ENTITY_COLUMNS.replace("{extra}", extra)
       for entity, extra in PIPEDRIVE_ENTITY_EXTRA.items()},
    "raw.pipedrive_fields": """
        workspace_id varchar not null, entity varchar not null, field_code varchar not null,
        field_name varchar, field_type varchar, is_custom_field boolean,
        raw {json} not null, extracted_at {ts} not null,
        primary key (workspace_id, entity, field_code)""",
    # One row per stage change read from /v1/deals/{id}/changelog. The changelog has no change id: the key is
    # a hash of the row, and `ordinal` keeps Pipedrive's order (newest first) to break ties at
    # one-second precision.
    "raw.pipedrive_deal_stage_changes": """
        workspace_id varchar not null, deal_id bigint not null, change_key varchar not null,
        changed_at {ts} not null, old_stage_id bigint, new_stage_id bigint, ordinal integer not null,
        raw {json} not null, extracted_at {ts} not null,
        primary key (workspace_id, deal_id, change_key)""",
    "raw.coldcopy_leads": """
        workspace_id varchar not null, id varchar not null, email varchar, updated_at {ts}, is_deleted boolean
        not null default false, raw {json} not null, extracted_at {ts} not null,
        primary key (workspace_id, id)""",
    "raw.coldcopy_companies": """
        workspace_id varchar not null, id varchar not null, updated_at {ts},
        is_deleted boolean not null default false, raw {json} not null, extracted_at {ts} not null,
        primary key (workspace_id, id)""",
    "raw.coldcopy_email_events": """
        workspace_id varchar not null, id varchar not null, lead_id varchar, event_type varchar,
        occurred_at {ts}, raw {json} not null, extracted_at {ts} not null,
        primary key (workspace_id, id)""",
    # ColdCopy's call logs (a call a salesperson logged against a lead); editable, read by updated_at.
    "raw.coldcopy_call_logs": """
        workspace_id varchar not null, id varchar not null, lead_id varchar, started_at {ts}, updated_at {ts},
        raw {json} not null, extracted_at {ts} not null,
        primary key (workspace_id, id)""",
    # sync.yaml's `activities:` per workspace (pipedrive_etl/mappings/activity_settings.py).
    "state.activity_sync": """
        workspace_id varchar not null, to_pipedrive boolean not null, call_logs boolean not null,
        to_coldcopy boolean not null, stored_at {ts} not null,
        primary key (workspace_id)""",
    "state.activity_type_map": """
        workspace_id varchar not null, direction varchar not null, source_type varchar not null,
        target_type varchar not null,
        primary key (workspace_id, direction, source_type)""",
    # Extraction cursors: one row per workspace and stream. `cursor` is Pipedrive's page cursor of a run in
    # progress (null between runs); `high_watermark` the largest update_time stored, the next
    # run's updated_since.
    "state.sync_state": """
        workspace_id varchar not null, stream varchar not null, high_watermark {ts}, run_mode varchar,
        run_started_at {ts}, run_updated_since {ts}, cursor varchar, last_sweep_at {ts}, updated_at {ts},
        primary key (workspace_id, stream)""",
    # Which stage_change_time of a deal its changelog was last read for: read again only when it moves.
    "state.deal_changelog_state": """
        workspace_id varchar not null, deal_id bigint not null, stage_change_time {ts},
        fetched_at {ts} not null, primary key (workspace_id, deal_id)""",
    "state.token_usage": """
        account varchar not null, day date not null, used bigint not null, updated_at {ts},
        primary key (account, day)""",
    "state.sync_links": """
        workspace_id varchar not null, coldcopy_lead_id varchar not null, pipedrive_person_id bigint,
        pipedrive_organization_id bigint, pipedrive_deal_id bigint, linked_by varchar not null, linked_at {ts}
        not null, updated_at {ts}, primary key (workspace_id, coldcopy_lead_id)""",
    "state.sync_baseline": """
        workspace_id varchar not null, coldcopy_lead_id varchar not null, field varchar not null,
        value varchar, agreed_at {ts} not null, primary key (workspace_id, coldcopy_lead_id, field)""",
    # Webhook events copied from the receiver's inbox (SQLite or Postgres) so dbt can read them: hints for
    # targeted runs, and exact stage transitions (a deal `change` whose `previous` holds stage_id). `action`
    # is normalised over both payload versions (create | change | delete | merge); `new_stage_id` is set when
    # the event put a deal in a stage (its creation, or a move from `old_stage_id`) at `occurred_at`;
    # `inbox_seq` is the copy's cursor.
    "state.webhook_events": """
        workspace_id varchar not null, event_id varchar not null,
        version varchar not null, action varchar not null,
        entity varchar not null, entity_id bigint, occurred_at {ts}, received_at {ts} not null,
        merged_to_id bigint, payload {json} not null,
        old_stage_id bigint, new_stage_id bigint, inbox_seq bigint,
        primary key (workspace_id, event_id)""",
    # Deliveries the receiver refused (bad credentials, malformed, too large, unknown workspace), copied from
    # its inbox; `inbox_id` is the inbox row. Never holds a credential.
    "state.webhook_rejects": """
        workspace_id varchar not null, inbox_id bigint not null, received_at {ts} not null,
        status integer not null, reason varchar not null, remote_addr varchar, body_sample varchar,
        primary key (workspace_id, inbox_id)""",
    "state.conflict_resolutions": """
        workspace_id varchar not null, coldcopy_lead_id varchar not null, field varchar not null,
        chosen_side varchar, chosen_value varchar, resolved_by varchar, resolved_at {ts} not null,
        primary key (workspace_id, coldcopy_lead_id, field, resolved_at)""",
    # sync.yaml resolved against the workspace's Pipedrive (pipedrive_etl.mappings), replaced per workspace by
    # the sync_config asset: names become keys and ids here, so dbt models never parse YAML or guess at names.
    "state.workspaces": """
        workspace_id varchar not null, conflict_strategy varchar not null,
        create_organizations boolean not null, create_deals boolean not null, deal_pipeline_id bigint,
        deal_stage_id bigint, deal_title_template varchar,
        external_id_field_key varchar, external_id_field_name varchar, resolved_at {ts} not null,
        primary key (workspace_id)""",
    "state.creation_statuses": """
        workspace_id varchar not null, lead_status varchar not null,
        primary key (workspace_id, lead_status)""",
    # One row per mapping; `mapping_id` is the ColdCopy field (one mapping each), the `field`
    # of sync_baseline.
    "state.field_mappings": """
        workspace_id varchar not null, mapping_id varchar not null, position integer not null,
        coldcopy_field varchar not null, coldcopy_column varchar, coldcopy_custom_key varchar,
        pipedrive_entity varchar not null, pipedrive_field_key varchar not null, pipedrive_field_code varchar,
        pipedrive_field_name varchar,
        pipedrive_field_type varchar, field_type varchar not null, is_custom_field boolean not null,
        direction varchar not null, rule varchar not null, rule_source varchar not null,
        transform {json}, transform_kind varchar, transform_format varchar, transform_calculation varchar,
        transform_operand double precision, transform_default varchar, resolved_at {ts} not null,
        primary key (workspace_id, mapping_id)""",
    # Lookup and conditional transforms as rows (ColdCopy value -> Pipedrive value, both canonical text).
    "state.field_mapping_lookups": """
        workspace_id varchar not null, mapping_id varchar not null, from_value varchar not null,
        to_value varchar, primary key (workspace_id, mapping_id, from_value)""",
    "state.stage_mappings": """
        workspace_id varchar not null, stage_id bigint not null, pipeline_id bigint not null,
        pipeline_name varchar, stage_name varchar, lead_status varchar not null, position integer not null,
        primary key (workspace_id, stage_id)""",
    "state.stage_mapping_actions": """
        workspace_id varchar not null, stage_id bigint not null, campaign_action varchar not null,
        position integer not null, primary key (workspace_id, stage_id, campaign_action)""",
    # One row per write attempt. A create is logged `pending` before it is sent; the plan never repeats a
    # plan_key whose latest attempt succeeded (activities, creates, campaign actions).
    "state.writeback_log": """
        workspace_id varchar not null, operation_key varchar not null, plan_key varchar not null,
        target_system varchar, entity varchar, operation varchar,
        coldcopy_lead_id varchar, pipedrive_id bigint,
        status varchar not null, error varchar, tokens integer, request {json}, attempted_at {ts} not null,
        completed_at {ts}, primary key (workspace_id, operation_key)""",
    # One row per run, workspace and step (an asset), written by the step (pipedrive_etl.metrics): what it did
    # and how the API behaved. `run_id` is the Dagster run, the original one when a run is re-executed.
    # Latencies are a histogram (metrics/latency.py) so a run's mean and p95 add up across its steps.
    "state.run_metrics": """
        run_id varchar not null, workspace_id varchar not null,
        step varchar not null, source varchar not null,
        job_name varchar, started_at {ts} not null, finished_at {ts} not null, rows_extracted bigint not null,
        api_requests bigint not null, api_retries bigint not null, api_rate_limited bigint not null,
        tokens_used bigint not null, latency_count bigint not null,
        latency_total_seconds double precision not null,
        latency_histogram {json}, writes_planned bigint not null, writes_by_outcome {json},
        is_complete boolean not null, stop_reason varchar, is_dry_run boolean not null,
        primary key (run_id, workspace_id, step)""",
    # One row per run and workspace for analysts and dashboards, written by the last asset of a run (or by the
    # failure sensor when a run fails) from state.run_metrics, the marts, the ledger and the webhook tables.
    # Columns are described in the README's table catalog.
    "marts.sync_runs": """
        run_id varchar not null, workspace_id varchar not null, job_name varchar, status varchar not null,
        started_at {ts} not null, finished_at {ts} not null, duration_seconds double precision not null,
        previous_run_started_at {ts}, steps integer not null, rows_extracted bigint not null,
        pipedrive_rows_extracted bigint not null, coldcopy_rows_extracted bigint not null,
        streams_deferred integer not null, field_diffs bigint, conflicts_raised bigint, conflicts_open bigint,
        conflicts_resolved bigint not null, writes_planned bigint not null, writes_succeeded bigint not null,
        writes_failed bigint not null, writes_unknown bigint not null, writes_deferred bigint not null,
        writes_by_outcome {json}, is_dry_run boolean not null, tokens_used bigint not null,
        tokens_left_today bigint, daily_token_budget bigint, api_requests bigint not null,
        api_retries bigint not null, api_rate_limited bigint not null, latency_mean_ms double precision,
        latency_p95_ms double precision, webhook_events_received bigint not null,
        webhook_events_rejected bigint not null, recorded_at {ts} not null,
        primary key (run_id, workspace_id)""",
    # Pipedrive credentials, Fernet ciphertext only (pipedrive_etl.secrets): one row per OAuth connection
    # (kind 'oauth', name = the connection in sync.yaml) or per workspace API token (kind 'api_token', name =
    # the workspace id). expires_at, api_domain and scope are not secret and stay readable.
    "state.pipedrive_auth": """
        kind varchar not null, name varchar not null, workspace_id varchar,
        encrypted_access_token varchar not null, encrypted_refresh_token varchar, expires_at {ts},
        api_domain varchar, scope varchar, updated_at {ts} not null,
        primary key (kind, name)""",
    # Who did what, when (pipedrive_etl.audit): configuration changes, conflict resolutions, writeback runs,
    # webhook registrations, token refreshes, key rotations. Details never hold a credential.
    "state.audit_log": """
        id varchar not null, recorded_at {ts} not null, actor varchar not null, action varchar not null,
        workspace_id varchar, subject varchar, details {json},
        primary key (id)""",
}


def render_ddl(backend: Literal["duckdb", "postgres"]) -> list[str]:
    types = {"json": "json" if backend == "duckdb" else "jsonb", "ts": "timestamp with time zone"}
    statements = [f"create schema if not exists {schema}" for schema in SCHEMAS]
    for table, columns in TABLES.items():
        statements.append(f"create table if not exists {table} ({columns.format(**types)})")
    return statements
