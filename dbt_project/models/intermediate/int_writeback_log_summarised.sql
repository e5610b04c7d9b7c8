{#- What writeback did with each plan key: the latest attempt, and whether any attempt succeeded (a plan key
that succeeded once is never planned again for creates, activities and campaign actions). -#}

with

attempts as (

    select
        *,
        row_number() over (
            partition by workspace_id, plan_key order by attempted_at desc, operation_key desc
        ) as recency

    from {{ ref('stg_state__writeback_log') }}

),

summarised as (

    select
        workspace_id,
        plan_key,
        max(case when recency = 1 then writeback_status end) as last_status,
        max(case when recency = 1 then error end) as last_error,
        max(attempted_at) as last_attempted_at,
        max(case when writeback_status = 'succeeded' then completed_at end) as last_succeeded_at,
        max(coldcopy_lead_id) as coldcopy_lead_id,
        count(*) as attempts,
        count(case when writeback_status = 'succeeded' then 1 end) > 0 as has_succeeded

    from attempts
    group by workspace_id, plan_key

)

select * from summarised
