"""Pure decisions of a writeback run: the blocking check, and which Pipedrive writes today's budget can
pay for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .plan import DEFAULT_PRIORITY_ORDER, PlanRow

DEFAULT_MAX_CHANGED_SHARE = 0.2


def blocking_reason(rows: Sequence[PlanRow], linked_records: int, max_share: float) -> str | None:
    """A plan that would change more than `max_share` of the linked records stops before writing: a broken
    mapping must not overwrite a CRM. Creates and activities touch no existing record and do not count."""
    if linked_records <= 0:
        return None
    changed = {row.coldcopy_lead_id for row in rows if row.operation == "update" and row.target_system in
               ("pipedrive", "coldcopy") and row.changes}
    share = len(changed) / linked_records
    if share <= max_share:
        return None
    return (f"the plan would change {len(changed)} of {linked_records} linked records ({share:.0%}), "
            f"more than the allowed {max_share:.0%}; check the field mappings, "
            "or rerun with allow_large_change for this run")


@dataclass(frozen=True)
class BudgetSplit:
    affordable: list[PlanRow]
    deferred: list[PlanRow]
    cost: int


def fit_budget(rows: Sequence[PlanRow], remaining_tokens: int,
               priority_order: Sequence[int] = DEFAULT_PRIORITY_ORDER) -> BudgetSplit:
    """Take Pipedrive rows in priority order while their cost fits; the rest waits for the next run. A cheaper
    row after an expensive one that did not fit is still taken: nothing is gained by leaving tokens unused."""
    rank = {priority: position for position, priority in enumerate(priority_order)}
    ordered = sorted(rows, key=lambda row: (rank.get(row.priority, len(rank)), row.plan_key))
    affordable, deferred, cost = [], [], 0
    for row in ordered:
        if cost + row.token_cost <= remaining_tokens:
            affordable.append(row)
            cost += row.token_cost
        else:
            deferred.append(row)
    return BudgetSplit(affordable, deferred, cost)
