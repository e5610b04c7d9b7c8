{#- The lead status a linked deal's current stage maps to (sync.yaml stage_mappings), where it differs from the
status last applied (baseline field `status`). Applied once per change of mapped status: a ColdCopy user's own
status edit stands until the deal moves again. A field mapping of `status` takes precedence over stage mappings. -#}

with

links as (

    select * from {{ ref('int_links') }}
    where not is_lead_deleted and pipedrive_deal_id is not null

),

deals as (

    select * from {{ ref('stg_pipedrive__deals') }}
    where not is_deleted

),

stage_mappings as (

    select * from {{ ref('stg_state__stage_mappings') }}

),

field_mappings as (

    select * from {{ ref('stg_state__field_mappings') }}

),

leads as (

    select * from {{ ref('stg_coldcopy__leads') }}

),

baselines as (

    select * from {{ ref('stg_state__sync_baseline') }}
    where mapping_id = 'status'

),

mapped as (

    select
        links.workspace_id,
        links.coldcopy_lead_id,
        links.pipedrive_deal_id,
        deals.stage_id,
        stage_mappings.lead_status as mapped_status,
        leads.lead_status as current_status,
        baselines.baseline_value,
        baselines.coldcopy_lead_id is not null as has_baseline

    from links
    inner join deals
        on deals.workspace_id = links.workspace_id
        and deals.pipedrive_deal_id = links.pipedrive_deal_id
    inner join stage_mappings
        on stage_mappings.workspace_id = deals.workspace_id
        and stage_mappings.stage_id = deals.stage_id
    inner join leads
        on leads.workspace_id = links.workspace_id
        and leads.coldcopy_lead_id = links.coldcopy_lead_id
    left join baselines
        on baselines.workspace_id = links.workspace_id
        and baselines.coldcopy_lead_id = links.coldcopy_lead_id
    where not exists (
        select 1 from field_mappings
        where field_mappings.workspace_id = links.workspace_id and field_mappings.mapping_id = 'status'
    )

),

final as (

    select
        *,
        mapped_status is distinct from current_status as writes_coldcopy

    from mapped
    where not has_baseline or baseline_value is distinct from mapped_status

)

select * from final
