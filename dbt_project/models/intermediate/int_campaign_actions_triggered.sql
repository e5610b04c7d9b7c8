{#- Campaign actions (sync.yaml stage_mappings) due for linked leads whose deal is now in a mapped stage: one per
lead, action, deal and stay in the stage, so re-entering the stage later triggers them again. -#}

with

links as (

    select * from {{ ref('int_links') }}
    where not is_lead_deleted and pipedrive_deal_id is not null

),

stays as (

    select * from {{ ref('int_deal_stage_intervals') }}
    where is_current

),

actions as (

    select * from {{ ref('stg_state__stage_mapping_actions') }}

),

final as (

    select
        links.workspace_id,
        links.coldcopy_lead_id,
        actions.campaign_action,
        links.pipedrive_deal_id,
        stays.stage_id,
        stays.stage_change_key,
        stays.entered_at as stage_entered_at,
        actions.action_position

    from links
    inner join stays
        on stays.workspace_id = links.workspace_id
        and stays.pipedrive_deal_id = links.pipedrive_deal_id
    inner join actions
        on actions.workspace_id = stays.workspace_id
        and actions.stage_id = stays.stage_id

)

select * from final
