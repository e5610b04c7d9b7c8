with

stays as (

    select * from {{ ref('int_deal_stage_intervals') }}
    where {{ in_workspace_scope() }}

),

deals as (

    select * from {{ ref('stg_pipedrive__deals') }}
    where {{ in_workspace_scope() }}

),

stages as (

    select * from {{ ref('stg_pipedrive__stages') }}
    where {{ in_workspace_scope() }}

),

pipelines as (

    select * from {{ ref('stg_pipedrive__pipelines') }}
    where {{ in_workspace_scope() }}

),

placed as (

    -- A stay's pipeline is its stage's; a stage deleted and gone from the stage list keeps its id, and its
    -- pipeline comes from the event that entered it, or from the deal if it is the deal's stage today.
    select
        stays.*,
        stages.stage_name,
        stages.order_nr as stage_order_nr,
        stages.stage_id is null or stages.is_deleted as is_stage_deleted,
        coalesce(stages.pipeline_id, stays.event_pipeline_id,
                 case when stays.stage_id = deals.stage_id then deals.pipeline_id end) as pipeline_id,
        coalesce(next_stages.pipeline_id, stays.next_event_pipeline_id,
                 case when stays.next_stage_id = deals.stage_id then deals.pipeline_id end) as next_pipeline_id,
        deals.deal_status as current_deal_status,
        deals.is_deleted as is_deal_deleted

    from stays
    inner join deals
        on deals.workspace_id = stays.workspace_id
        and deals.pipedrive_deal_id = stays.pipedrive_deal_id
    left join stages
        on stages.workspace_id = stays.workspace_id
        and stages.stage_id = stays.stage_id
    left join stages as next_stages
        on next_stages.workspace_id = stays.workspace_id
        and next_stages.stage_id = stays.next_stage_id

),

with_previous as (

    select
        *,
        lag(pipeline_id) over (
            partition by workspace_id, pipedrive_deal_id order by boundary_number
        ) as previous_pipeline_id

    from placed

),

final as (

    select
        with_previous.workspace_id,
        with_previous.pipedrive_deal_id,
        with_previous.stage_change_key,
        with_previous.stage_id,
        with_previous.stage_name,
        with_previous.stage_order_nr,
        with_previous.is_stage_deleted,
        with_previous.pipeline_id,
        pipelines.pipeline_name,
        with_previous.entered_at,
        with_previous.exited_at,
        with_previous.duration_seconds,
        with_previous.is_current,
        case
            when with_previous.entry_reason = 'stage_change'
                and with_previous.previous_pipeline_id is distinct from with_previous.pipeline_id
                and with_previous.previous_pipeline_id is not null then 'pipeline_move'
            else with_previous.entry_reason
        end as entry_reason,
        case
            when with_previous.exit_reason = 'stage_change'
                and with_previous.next_pipeline_id is distinct from with_previous.pipeline_id
                and with_previous.next_pipeline_id is not null then 'pipeline_move'
            else with_previous.exit_reason
        end as exit_reason,
        with_previous.entry_source,
        with_previous.entry_change_key,
        with_previous.current_deal_status,
        with_previous.is_deal_deleted

    from with_previous
    left join pipelines
        on pipelines.workspace_id = with_previous.workspace_id
        and pipelines.pipeline_id = with_previous.pipeline_id

)

select * from final
