{#- Time in stage counts only closed stays (an open stay has no duration yet). A deal moved onward from a stay
when its next stay is in a later stage (higher order) of the same pipeline, or when it was won from it. -#}

with

history as (

    select * from {{ ref('deal_stage_history') }}
    where {{ in_workspace_scope() }} and stage_id is not null and not is_deal_deleted

),

stages as (

    select * from {{ ref('stg_pipedrive__stages') }}
    where {{ in_workspace_scope() }}

),

pipelines as (

    select * from {{ ref('stg_pipedrive__pipelines') }}
    where {{ in_workspace_scope() }}

),

ordered as (

    select
        history.*,
        lead(history.stage_order_nr) over deal_stays as next_stage_order_nr,
        lead(history.pipeline_id) over deal_stays as next_pipeline_id

    from history
    window deal_stays as (partition by history.workspace_id, history.pipedrive_deal_id order by history.entered_at,
                          history.stage_change_key)

),

stage_pipelines as (

    -- A deleted stage's pipeline, as its stays knew it.
    select workspace_id, stage_id, max(pipeline_id) as pipeline_id
    from history
    group by workspace_id, stage_id

),

flagged as (

    select
        *,
        exit_reason = 'won'
            or (exit_reason = 'stage_change' and next_pipeline_id = pipeline_id
                and next_stage_order_nr > stage_order_nr) as is_moved_onward

    from ordered

),

aggregated as (

    select
        workspace_id,
        stage_id,
        count(distinct pipedrive_deal_id) as deals_entered,
        count(*) as stays,
        count(duration_seconds) as completed_stays,
        count(case when is_current then 1 end) as deals_in_stage_now,
        percentile_cont(0.5) within group (order by duration_seconds) as median_duration_seconds,
        percentile_cont(0.9) within group (order by duration_seconds) as p90_duration_seconds,
        count(distinct case when is_moved_onward then pipedrive_deal_id end) as deals_moved_onward

    from flagged
    group by workspace_id, stage_id

),

final as (

    select
        aggregated.workspace_id,
        aggregated.stage_id,
        coalesce(stages.pipeline_id, stage_pipelines.pipeline_id) as pipeline_id,
        pipelines.pipeline_name,
        stages.stage_name,
        stages.order_nr as stage_order_nr,
        stages.stage_id is null or stages.is_deleted as is_stage_deleted,
        aggregated.deals_entered,
        aggregated.stays,
        aggregated.completed_stays,
        aggregated.deals_in_stage_now,
        aggregated.median_duration_seconds,
        aggregated.p90_duration_seconds,
        aggregated.deals_moved_onward,
        cast(aggregated.deals_moved_onward as double precision) / aggregated.deals_entered as conversion_rate

    from aggregated
    left join stages
        on stages.workspace_id = aggregated.workspace_id
        and stages.stage_id = aggregated.stage_id
    left join stage_pipelines
        on stage_pipelines.workspace_id = aggregated.workspace_id
        and stage_pipelines.stage_id = aggregated.stage_id
    left join pipelines
        on pipelines.workspace_id = aggregated.workspace_id
        and pipelines.pipeline_id = coalesce(stages.pipeline_id, stage_pipelines.pipeline_id)

)

select * from final
