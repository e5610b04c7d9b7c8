"""Reconciliation at scale: `dbt build` time and peak RSS at 10k, 100k and 1M leads × persons, 10 mapped
fields.

A synthetic workspace is generated straight into a DuckDB warehouse (raw and state tables as extraction and
the sync_config asset leave them): N persons and N leads, 95% linked in state.sync_links with baselines for
all 10 mappings, the other 5% left to email matching; 5% of pairs changed in ColdCopy, 4% in Pipedrive, 1% on
both sides differently (a conflict), plus deals with stage changes and email events. Then:

- `dbt build` with the Dagster asset's own arguments (pipedrive_etl/dbt_command.py: models and data tests;
  unit tests are left to CI), wall and CPU time and the peak resident memory of the dbt process (DuckDB runs
  inside it), after an untimed `dbt parse`: each round starts from a saved manifest as deployed runs do;
- the floor: one hand-written DuckDB query computing the same field diffs (sync_field_diffs' rows), timed in a
  process of its own on the same warehouse; its row count must equal the mart's.

Each size is generated once, then measured in three rounds (`--rounds`), each on a fresh copy of the generated
warehouse with the page cache's dirty pages written out before each timed part; the figures are the rounds'
medians, the ratio the median of the rounds' own ratios.

Run: `python bench/reconcile.py [--sizes 10000,100000,1000000] [--rounds 3]`; the last line is
`seconds_1m=S ratio_to_floor=R` (the largest size run).

Figures (2 cores, 23 GB, DuckDB 2.0.1, dbt 1.11; a machine shared with other agents' runs, whose speed moves
by a factor of two between sessions and by a third within minutes: the same floor query took 23.3 s and 29.9 s
in one run, so one round proves little and ratios measured side by side are the figures to trust):

    size   dbt build   dbt CPU   peak RSS   floor   ratio   CPU ratio   the rounds' ratios
    10k       6.8 s      7.5 s     292 MB   0.3 s    28.5      19.3     28.5 / 16.5 / 31.1  (fixed cost)
    100k      7.7 s      9.2 s     594 MB   1.2 s     6.2       4.3      6.2 / 6.3 / 5.9
    1M       21.2 s     36.9 s    3.5 GB   12.7 s     1.66      1.43     1.42 / 1.79 / 1.66
    1M       23.0 s     39.4 s    3.6 GB   14.9 s     1.57      1.40     1.57 / 1.54 / 1.82 (before)
    1M       25.6 s     43.6 s    3.6 GB   14.0 s     1.86      1.65     1.86 / 1.84 / 1.92 (1 h later)

Those are 8bfae25 on 2026-11-28, a fast day; the two last rows measured 1M alone, the last at c79d2f6 (the
same models). The same models measured on the session before's machine, twice as slow, put R at 2 (52.3 s
against a 26.7 s floor, 1.96; half an hour later 46.6 s, 2.14, CPU ratio 1.72-1.89): dbt's fixed cost is
Python (start-up, compiling and logging each of 134 nodes) and slows more than DuckDB's scans on a slower
machine (10k: 15.4 s there, 6.8 s here). Side by side, alternating three 1M builds each on copies of one
warehouse, 2ca7cc5 then aa037ba: 50.3 s / 87.1 CPU-s against 46.7 s / 80.7 (7% less).

What moved the build, each measured alternating against the commit before:
- stg_state__sync_baseline's key checked in the catalog (the view renames state.sync_baseline, whose
  primary key the database enforces) instead of grouping 9.5M rows: 50.8 s / 88.4 to 48.4 s / 83.0;
- the lookup and enum-option joins of int_mapped_field_values probing with NULL for other fields' rows: the
  model alone 15.4 s to 14.2 s (medians of three);
- the Pipedrive fields read as text on DuckDB, so a scalar is not parsed twice: the model alone 14.5 s to
  14.3 s;
earlier sessions: unit tests left out of production builds (dbt Labs' advice), stg_coldcopy__leads a table
(eight models read it), person emails unnested from one typed read of each array.
Tried and dropped (no gain measured): phone digits by replace() before the regex (faster alone, slower in the
model: DuckDB evaluates the repeated text expression again), per-mapping canonicalisation branches instead
of the field type's CASE, a person's emails read by one json_transform of the whole record instead of
`raw -> 'emails'` (no faster: 1.5 CPU-s either way at 1M), an anti-join with the baselines before the
baseline join, the build/probe-side optimizer off for the whole build (1 s faster, no less CPU, and global:
DuckDB cannot set it per query); earlier: integer type codes in the canonicalisation's CASE, the workspace
column out of the baseline join, the pair's timestamps joined back after the filter, preserve_insertion_order
off, 1 or 4 dbt threads.

Where the 1M build goes (timeline of one build on the slow machine, 45 s): dbt starts in 5.9 s; the lead
table (5.2 s) and the person emails (4.4 s) first; int_mapped_field_values 15.9 s (about 26 CPU seconds: the
baseline join over 10M field rows 6, canonical values 9 of which phones 2-3, Pipedrive JSON 3.4); stage
intervals 4.2 s beside it; then the merge, the diffs, the plan (2.9 s) and sync_status (2.2 s) in sequence.
`diff_models_s` on the detail line sums the run times of the models between the raw rows and sync_field_diffs,
the floor's own work (34.0 s at 1M on the slow machine, 14.2 s on the fast one, each timed while the other dbt
thread ran): the rest of the build is the plan, the stage history, sync_status, 86 data tests and dbt's fixed
cost. That fixed cost, sampled with py-spy at 10k on the fast day: the main thread 2.7 s before the first node
(imports 1.0 s, loading the saved manifest 0.5 s), then each worker thread about 2.8 s, a fifth of it dbt's
event logging and a sixth building each node's Jinja context; none of it is in the project's hands short of
fewer nodes or no debug log file (which operators read).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WORKSPACE = "bench"
MAPPINGS = [  # mapping id, entity attribute or custom key, field type, direction, rule, transform kind
    ("first_name", "first_name", "varchar", "both", "latest_wins", None),
    ("last_name", "last_name", "varchar", "both", "latest_wins", None),
    ("phone", "phones", "phone", "both", "coldcopy_wins", None),
    ("job_title", "job_title", "varchar", "to_coldcopy", "latest_wins", None),
    ("custom_fields.lead_score", "a" * 40, "double", "both", "coldcopy_wins", None),
    ("custom_fields.lead_source", "b" * 40, "enum", "to_pipedrive", "latest_wins", "lookup"),
    ("custom_fields.nickname", "c" * 40, "varchar", "both", "latest_wins", None),
    ("custom_fields.linkedin_url", "d" * 40, "varchar", "both", "pipedrive_wins", None),
    ("custom_fields.region", "e" * 40, "varchar_auto", "both", "latest_wins", None),
    ("custom_fields.last_event_date", "f" * 40, "date", "both", "latest_wins", None),
]
FILLER_KEYS = [f"{n:x}" * 40 for n in range(10)] + [
    "9" * 39 + "0"
]  # unmapped custom fields, as real ones are


_PEOPLE = """
create or replace temp table people as
select
    i,
    ['Anna', 'Ben', 'Carla', 'Dev', 'Eva', 'Finn', 'Gita', 'Hugo', 'Ines', 'Jon'][1 + i % 10]
        || case when i % 3 = 0 then 'lina' else '' end as first_name,
    ['Smith', 'Jones', 'Garcia', 'Kim', 'Novak', 'Berg', 'Rossi', 'Tamm', 'Silva', 'Meyer',
        'Ivanova'][1 + i % 11]
        as last_name,
    'person' || i || '@bench.example' as email,
    lpad(cast(i % 1000 as varchar), 3, '0') as phone_a,
    lpad(cast(i % 10000 as varchar), 4, '0') as phone_b,
    ['CEO', 'CTO', 'Head of Sales', 'Engineer', 'Analyst', 'Designer', 'Marketing Manager',
        'Recruiter'][1 + i % 8]
        as job_title,
    i % 100 as score,
    ['ColdCopy', 'Import', 'Website'][1 + i % 3] as lead_source,
    ['ColdCopy', 'Outbound', 'Inbound'][1 + i % 3] as source_label,
    [501, 502, 503][1 + i % 3] as source_option,
    'NI-' || i as nickname,
    'https://www.linkedin.com/in/p' || i as linkedin,
    ['EMEA', 'NA', 'APAC'][1 + i % 3] as region,
    cast(date '2025-01-01' + cast(i % 365 as integer) as varchar) as event_date,
    i % 20 = 0 as is_unlinked,
    i % 20 = 2 as is_coldcopy_changed,
    i % 25 = 1 as is_pipedrive_changed,
    i % 100 = 3 as is_conflict
from range(1, $n + 1) as numbers (i)
"""

_PERSONS = """
insert into raw.pipedrive_persons
    (workspace_id, id, add_time, update_time, is_deleted, org_id, owner_id, raw, extracted_at)
select
    'bench', i, timestamptz '2024-01-01 00:00:00+00',
        timestamptz '2025-06-01 00:00:00+00' + to_seconds(i % 86400),
    false, null, 1,
    json_object(
        'id', i, 'name', first_name || ' ' || last_name, 'first_name', first_name, 'last_name', last_name,
        'owner_id', 1, 'org_id', null, 'add_time', '2024-01-01T00:00:00Z', 'update_time',
            '2025-06-01T00:00:00Z',
        'emails', case when i % 5 = 0
            then json_array(json_object('value', email, 'primary', true, 'label', 'work'),
                            json_object('value', 'alt' || i || '@bench.example', 'primary', false, 'label',
                                'home'))
            else json_array(json_object('value', email, 'primary', true, 'label', 'work')) end,
        'phones', json_array(json_object('value', '+372 5' || phone_a || ' ' || phone_b, 'primary', true,
                                         'label', 'work')),
        'is_deleted', false, 'visible_to', 3, 'label_ids', json_array(), 'picture_id', null,
        'custom_fields', json_object(
            'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', case when is_conflict then 102 else score end,
            'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', source_option,
            'cccccccccccccccccccccccccccccccccccccccc',
                nickname || case when is_pipedrive_changed then '-pd' else '' end,
            'dddddddddddddddddddddddddddddddddddddddd', linkedin,
            'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', case when is_conflict then 'EMEA2' else region end,
            'ffffffffffffffffffffffffffffffffffffffff', event_date,
            {fillers}),
        'notes', null, 'im', json_array(), 'birthday', null,
        'job_title', case when is_pipedrive_changed then 'Changed title' else job_title end, 'postal_address',
            null),
    now()
from people
"""

_LEADS = """
insert into raw.coldcopy_leads (workspace_id, id, email, updated_at, is_deleted, raw, extracted_at)
select
    'bench', lead_id, email_written, timestamptz '2025-07-01 00:00:00+00' + to_seconds(i % 86400), false,
    json_object(
        'id', lead_id, 'workspace_id', 'bench', 'email', email_written,
        'first_name', first_name || case when is_coldcopy_changed then 'x' else '' end, 'last_name',
            last_name,
        'phone', '+372-5' || phone_a || '-' || phone_b, 'job_title', job_title, 'company_id', null,
        'company_name', 'Company ' || (i % 5000), 'status', ['contacted', 'interested', 'replied'][1 + i % 3],
        'custom_fields', cast(json_object(
            'lead_score', case when is_conflict then 101 else score end, 'lead_source', lead_source,
            'nickname', nickname,
            'linkedin_url', linkedin || case when is_coldcopy_changed then '/cc' else '' end,
            'region', case when is_conflict then 'APAC2' else region end, 'last_event_date', event_date)
            as varchar),
        'created_at', '2024-06-01T00:00:00+00:00', 'updated_at', '2025-07-01T00:00:00+00:00'),
    now()
from (
    select *, 'lead-' || i as lead_id,
           case when i % 7 = 0 then ' ' || upper(email) || ' ' else email end as email_written
    from people
    union all  -- leads with no person yet: some qualify for a create
    select *, 'new-lead-' || i, 'new' || i || '@bench.example' from people where i <= $n // 100
) as leads
"""

_STATE = """
insert into state.sync_links
select 'bench', 'lead-' || i, i, null, null, 'created', timestamptz '2025-05-01 00:00:00+00', null
from people where not is_unlinked;

insert into state.sync_baseline
select 'bench', 'lead-' || i, unnest($fields), unnest([
    first_name, last_name, '+3725' || phone_a || phone_b, job_title, cast(score as varchar), source_label,
        nickname,
    linkedin, region, event_date]), timestamptz '2025-05-01 00:00:00+00'
from people where not is_unlinked;

insert into raw.pipedrive_deals
    (workspace_id, id, add_time, update_time, is_deleted, person_id, org_id, pipeline_id, stage_id, status,
     stage_change_time, raw, extracted_at)
select 'bench', i // 10, timestamptz '2025-01-01 00:00:00+00', timestamptz '2025-06-01 00:00:00+00', false, i,
    null, 1,
       1 + (i // 10) % 5, ['open', 'open', 'won', 'lost'][1 + i % 4],
       case when (i // 10) % 5 > 0 then timestamptz '2025-01-01 00:00:00+00' + to_days((i // 10) % 5 * 7) end,
       json_object('id', i // 10, 'title', 'Deal ' || i, 'status', ['open', 'open', 'won', 'lost'][1 + i % 4],
                   'custom_fields', json_object()), now()
from people where i % 10 = 0;

insert into raw.pipedrive_deal_stage_changes
select 'bench', i // 10, md5(cast(i as varchar) || ':' || step),
    timestamptz '2025-01-01 00:00:00+00' + to_days(step * 7),
       step, step + 1, 10 - step, json_object('time', 'x'), now()
from people, range(1, 5) as steps (step)
where i % 10 = 0 and step <= (i // 10) % 5;

insert into raw.coldcopy_email_events
select 'bench', cast(i as varchar), 'lead-' || i, 'sent', timestamptz '2025-07-01 00:00:00+00',
       json_object('id', i, 'lead_id', 'lead-' || i, 'campaign_id', 'c1', 'event_type', 'sent',
                   'subject', 'Hello', 'occurred_at', '2025-07-01T00:00:00+00:00'), now()
from people where i % 5 = 0;
"""


def _config_rows(connection) -> None:
    now = "now()"
    for position, (mapping_id, key, field_type, direction, rule, transform) in enumerate(MAPPINGS):
        custom = len(key) == 40
        connection.execute(
            "insert into state.field_mappings values (?, ?, ?, ?, ?, ?, 'person', ?, ?, ?, ?, ?, ?, ?, ?, "
            "'field', "
            f"?, ?, null, null, null, null, {now})",
            [
                "bench",
                mapping_id,
                position,
                mapping_id,
                None if custom else mapping_id,
                mapping_id.removeprefix("custom_fields.") if custom else None,
                key,
                "phone" if key == "phones" else key,
                mapping_id,
                field_type,
                field_type,
                custom,
                direction,
                rule,
                '{"lookup": {}}' if transform else None,
                transform,
            ],
        )
        if custom:
            options = (
                (
                    '[{"id": 501, "label": "ColdCopy"}, {"id": 502, "label": "Outbound"}, '
                    '{"id": 503, "label": "Inbound"}]'
                )
                if field_type == "enum"
                else "null"
            )
            connection.execute(
                f"insert into raw.pipedrive_fields values ('bench', 'person', ?, ?, ?, true, "
                f"json_object('field_code', ?, 'field_name', ?, 'field_type', ?, "
                f"'options', json('{options}')), {now})",
                [key, mapping_id, field_type, key, mapping_id, field_type],
            )
    connection.execute(
        "insert into state.field_mapping_lookups values ('bench', 'custom_fields.lead_source', "
        "'ColdCopy', 'ColdCopy'), ('bench', 'custom_fields.lead_source', 'Import', 'Outbound'), "
        "('bench', 'custom_fields.lead_source', 'Website', 'Inbound')"
    )
    connection.execute(
        f"insert into state.workspaces values ('bench', 'latest_wins', true, true, 1, 1, "
        f"'{{company}} - {{first_name}} {{last_name}}', 'f{'0' * 39}', 'ColdCopy lead id', {now})"
    )
    connection.execute("insert into state.creation_statuses values ('bench', 'interested')")
    connection.execute(
        f"insert into raw.pipedrive_pipelines select 'bench', 1, null, null, false, null, "
        f"json_object('id', 1, 'name', 'Sales', 'order_nr', 1), {now}"
    )
    connection.execute(
        f"insert into raw.pipedrive_stages select 'bench', s, null, null, false, null, 1, "
        f"json_object('id', s, 'name', 'Stage ' || s, 'order_nr', s), {now} from range(1, 6) t(s)"
    )
    connection.execute(
        "insert into state.stage_mappings values ('bench', 2, 1, 'Sales', 'Stage 2', 'interested', 0),"
        " ('bench', 3, 1, 'Sales', 'Stage 3', 'meeting_booked', 1)"
    )
    connection.execute("insert into state.stage_mapping_actions values ('bench', 2, 'stop_campaign', 0)")


def populate(connection, size: int) -> None:
    """Add the synthetic `bench` workspace (size persons and leads) to an open DuckDB warehouse."""
    fillers = ", ".join(
        f"'{key}', case when i % {n + 2} = 0 then null else 'filler ' || (i % {n + 7}) end"
        for n, key in enumerate(FILLER_KEYS)
    )
    fields = "[" + ", ".join(f"'{mapping[0]}'" for mapping in MAPPINGS) + "]"
    connection.execute("set TimeZone = 'UTC'")
    for sql in (_PEOPLE, _PERSONS.replace("{fillers}", fillers), _LEADS, _STATE.replace("$fields", fields)):
        for statement in filter(str.strip, sql.replace("$n", str(size)).split(";")):
            connection.execute(statement)
    _config_rows(connection)


def generate(warehouse: Path, size: int) -> None:
    """A new DuckDB warehouse holding only the synthetic workspace (about 1 GB at a million)."""
    import duckdb

    from pipedrive_etl.warehouse import open_warehouse

    warehouse.unlink(missing_ok=True)
    open_warehouse(f"duckdb:///{warehouse}").close()  # the schemas and tables, as Python creates them
    with duckdb.connect(str(warehouse)) as connection:
        populate(connection, size)
        connection.execute("checkpoint")


# The floor: the same diffs (one row per linked pair and mapped field whose canonical values differ, with the
# baseline and who changed) written by hand for this data set's ten fields, as one DuckDB query.
FLOOR_QUERY = """
with
leads as (
    select id as lead_id, lower(trim(email)) as email, raw, cast(raw ->> 'custom_fields' as json) as custom
    from raw.coldcopy_leads where workspace_id = 'bench' and not is_deleted
),
persons as (
    select id as person_id, raw, raw -> 'custom_fields' as custom, lower(trim(coalesce(
        list_filter(json_extract(raw, '$.emails[*]'), lambda e: (e ->> 'primary') = 'true')[1] ->> 'value',
        raw -> 'emails' -> 0 ->> 'value'))) as email
    from raw.pipedrive_persons where workspace_id = 'bench' and not is_deleted and swept_deleted_at is null
),
stored as (
    select coldcopy_lead_id as lead_id, pipedrive_person_id as person_id from state.sync_links
    where workspace_id = 'bench'
),
matches as (
    select leads.lead_id, persons.person_id,
           count(*) over (partition by leads.lead_id) as per_lead,
           count(*) over (partition by persons.person_id) as per_person
    from leads join persons using (email)
    where leads.lead_id not in (select lead_id from stored)
        and persons.person_id not in (select person_id from stored)
),
links as (
    select lead_id, person_id from stored
    union all
    select lead_id, person_id from matches where per_lead = 1 and per_person = 1
),
wide as (
    select
        links.lead_id,
        nullif(trim(leads.raw ->> 'first_name'), '') as cc_first_name,
        nullif(trim(persons.raw ->> 'first_name'), '') as pd_first_name,
        nullif(trim(leads.raw ->> 'last_name'), '') as cc_last_name,
        nullif(trim(persons.raw ->> 'last_name'), '') as pd_last_name,
        nullif(case when trim(leads.raw ->> 'phone') like '+%' then '+' else '' end
               || regexp_replace(leads.raw ->> 'phone', '[^0-9]', '', 'g'), '') as cc_phone,
        nullif(case when trim(persons.raw -> 'phones' -> 0 ->> 'value') like '+%' then '+' else '' end
               || regexp_replace(persons.raw -> 'phones' -> 0 ->> 'value', '[^0-9]', '', 'g'),
                   '') as pd_phone,
        nullif(trim(leads.raw ->> 'job_title'), '') as cc_job_title,
        nullif(trim(persons.raw ->> 'job_title'), '') as pd_job_title,
        rtrim(rtrim(cast(cast(leads.custom ->> 'lead_score' as decimal(38, 10)) as varchar), '0'),
            '.') as cc_score,
        rtrim(rtrim(cast(cast(persons.custom ->> 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' as decimal(38,
            10))
                         as varchar), '0'), '.') as pd_score,
        case trim(leads.custom ->> 'lead_source') when 'Import' then 'Outbound' when 'Website' then 'Inbound'
            else trim(leads.custom ->> 'lead_source') end as cc_source,
        case persons.custom ->> 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' when '501' then 'ColdCopy'
            when '502' then 'Outbound' when '503' then 'Inbound' end as pd_source,
        nullif(trim(leads.custom ->> 'nickname'), '') as cc_nickname,
        nullif(trim(persons.custom ->> 'cccccccccccccccccccccccccccccccccccccccc'), '') as pd_nickname,
        nullif(trim(leads.custom ->> 'linkedin_url'), '') as cc_linkedin,
        nullif(trim(persons.custom ->> 'dddddddddddddddddddddddddddddddddddddddd'), '') as pd_linkedin,
        nullif(trim(leads.custom ->> 'region'), '') as cc_region,
        nullif(trim(persons.custom ->> 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'), '') as pd_region,
        left(trim(leads.custom ->> 'last_event_date'), 10) as cc_date,
        left(trim(persons.custom ->> 'ffffffffffffffffffffffffffffffffffffffff'), 10) as pd_date
    from links join leads using (lead_id) join persons using (person_id)
),
long as (
    select lead_id,
        unnest(['first_name', 'last_name', 'phone', 'job_title', 'custom_fields.lead_score',
                'custom_fields.lead_source', 'custom_fields.nickname', 'custom_fields.linkedin_url',
                'custom_fields.region', 'custom_fields.last_event_date']) as field,
        unnest([cc_first_name, cc_last_name, cc_phone, cc_job_title, cc_score, cc_source, cc_nickname,
            cc_linkedin,
                cc_region, cc_date]) as coldcopy_value,
        unnest([pd_first_name, pd_last_name, pd_phone, pd_job_title, pd_score, pd_source, pd_nickname,
            pd_linkedin,
                pd_region, pd_date]) as pipedrive_value
    from wide
)
select
    long.*, baseline.value as baseline_value,
    case when baseline.field is null then 'first_link'
         when long.coldcopy_value is distinct from baseline.value
              and long.pipedrive_value is distinct from baseline.value then 'both'
         when long.coldcopy_value is distinct from baseline.value then 'coldcopy'
         else 'pipedrive' end as changed_side
from long
left join state.sync_baseline as baseline
    on baseline.workspace_id = 'bench' and baseline.coldcopy_lead_id = long.lead_id
        and baseline.field = long.field
where long.coldcopy_value is distinct from long.pipedrive_value
"""


def _dbt(command: str, warehouse: Path, scratch: Path, *, threads: int) -> subprocess.Popen[bytes]:
    from pipedrive_etl.dbt_command import dbt_args, dbt_vars, standalone_dbt

    # The build's arguments are the Dagster asset's own (unit tests left to CI); parse gets the same vars.
    command_args = dbt_args(WORKSPACE) if command == "build" else [command, *dbt_vars(WORKSPACE)]
    arguments, env = standalone_dbt(command_args, f"duckdb:///{warehouse}", scratch, DBT_THREADS=str(threads))
    return subprocess.Popen(arguments, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def dbt_parse(warehouse: Path, scratch: Path, *, threads: int = 2) -> None:
    """`dbt parse`, untimed: every size's build then starts from a saved manifest (dbt parses only what
    changed), as a deployment's runs do, whether it is the first size run or not."""
    process = _dbt("parse", warehouse, scratch, threads=threads)
    output, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{output.decode()[-4000:]}")


def dbt_build(warehouse: Path, scratch: Path, *, threads: int = 2) -> tuple[float, float, int, dict]:
    """`dbt build` of the workspace as Dagster runs it: (seconds, CPU seconds, peak RSS MiB, run results)."""
    started = time.perf_counter()
    process = _dbt("build", warehouse, scratch, threads=threads)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)  # the rusage of this child alone
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"dbt build failed:\n{output[-4000:]}")
    results = json.loads((scratch / "target" / "run_results.json").read_text())
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, results


def floor_query(warehouse: Path) -> tuple[float, float, int]:
    """The floor's (seconds, CPU seconds, rows), in a process of its own like dbt's: this one stays small, so
    the dbt process forked from it next round does not start with its pages (ru_maxrss would count them)."""
    code = "import json, sys, reconcile; print(json.dumps(reconcile.floor_in_this_process(sys.argv[1])))"
    child = subprocess.run(
        [sys.executable, "-c", code, str(warehouse)],
        cwd=Path(__file__).parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, cpu, rows = json.loads(child.stdout.splitlines()[-1])
    return seconds, cpu, rows


def floor_in_this_process(warehouse: str) -> tuple[float, float, int]:
    import duckdb

    with duckdb.connect(warehouse) as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute("set enable_progress_bar = false")
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        rows = connection.execute(f"select count(*) from ({FLOOR_QUERY}) as diffs").fetchone()[0]
        seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), rows


def mart_rows(warehouse: Path) -> int:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select count(*) from marts.sync_field_diffs where workspace_id = 'bench'"
        ).fetchone()[0]


# The models on the way from raw rows to sync_field_diffs, the floor's own work: their summed run times (each
# measured while the other dbt thread ran too) against the floor show what the rest of the build costs.
DIFF_MODELS = {
    "stg_coldcopy__leads",
    "stg_pipedrive__persons",
    "int_pipedrive_person_emails_unnested",
    "int_lead_person_candidates",
    "int_links",
    "int_mapped_field_values",
    "int_field_merge_outcomes",
    "sync_field_diffs",
}


def timed_round(pristine: Path, directory: Path, *, threads: int) -> dict[str, Any]:
    """One round on a fresh copy of the generated warehouse: `dbt build`, then the floor on what it left (the
    floor reads only raw and state tables, which the build does not change). The page cache's dirty pages are
    written out before each timed part, so neither pays for the other's (or the generator's) writes."""
    # One path for every round and size: dbt's partial parse keys on the profile, as in production.
    warehouse = directory / "bench.duckdb"
    warehouse.unlink(missing_ok=True)
    shutil.copyfile(pristine, warehouse)
    dbt_parse(warehouse, directory, threads=threads)
    os.sync()
    seconds, cpu, rss, results = dbt_build(warehouse, directory, threads=threads)
    os.sync()
    floor_seconds, floor_cpu, floor_rows = floor_query(warehouse)
    rows = mart_rows(warehouse)
    if rows != floor_rows:
        raise AssertionError(f"sync_field_diffs has {rows} rows, the floor query {floor_rows}")
    diff_models_s = sum(
        result["execution_time"]
        for result in results["results"]
        if result["unique_id"].split(".")[-1] in DIFF_MODELS
    )
    slowest = sorted(results["results"], key=lambda result: -result["execution_time"])[:5]
    slowest_text = ", ".join(f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.1f}s" for r in slowest)
    print(f"  slowest: {slowest_text}", file=sys.stderr)
    return {
        "dbt_build_s": seconds,
        "dbt_cpu_s": cpu,
        "peak_rss_mib": rss,
        "floor_s": floor_seconds,
        "floor_cpu_s": floor_cpu,
        "diff_rows": rows,
        "diff_models_s": diff_models_s,
        "ratio_to_floor": seconds / floor_seconds,
        "cpu_ratio_to_floor": cpu / floor_cpu,
    }


def run(size: int, directory: Path, *, threads: int = 2, rounds: int = 3) -> dict[str, Any]:
    """Generate once, then `rounds` rounds (build and floor each); the figures are the rounds' medians, the
    ratio is the median of the rounds' own ratios (each measured minutes apart on a noisy machine)."""
    pristine = directory / "generated" / "bench.duckdb"
    pristine.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(pristine, size)
    generated = time.perf_counter() - started
    measured = []
    for round_number in range(1, rounds + 1):
        figures = timed_round(pristine, directory, threads=threads)
        measured.append(figures)
        print(
            f"  round {round_number}: build {figures['dbt_build_s']:.1f} s, floor {figures['floor_s']:.1f} s,"
            f" ratio {figures['ratio_to_floor']:.2f}",
            file=sys.stderr,
        )
    result: dict[str, Any] = {"size": size, "generate_s": generated, "rounds": rounds}
    result.update({name: statistics.median(figures[name] for figures in measured) for name in measured[0]})
    result["diff_rows"] = measured[0]["diff_rows"]
    result["peak_rss_mib"] = max(figures["peak_rss_mib"] for figures in measured)
    print(
        " ".join(
            f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}"
            for key, value in result.items()
        ),
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per size (medians reported)")
    parser.add_argument("--keep", help="directory to keep the warehouses in (default: a temporary one)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as scratch:
        directory = Path(args.keep or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        results = [run(size, directory, threads=args.threads, rounds=args.rounds) for size in sizes]
    last = results[-1]
    size = last["size"]
    label = (
        f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1000}k" if size >= 1000 else str(size)
    )
    print(f"seconds_{label}={last['dbt_build_s']:.1f} ratio_to_floor={last['ratio_to_floor']:.2f}")


if __name__ == "__main__":
    main()
