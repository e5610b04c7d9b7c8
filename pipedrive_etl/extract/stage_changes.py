"""Deal stage changes from `/v1/deals/{id}/changelog`, read only for deals whose `stage_change_time` moved.

The changelog costs 20 tokens a page per deal, so it is read only when the deal's last stage change is newer
than the one we last read it for, most recent moves first, and only while the budget allows; the rest waits
for the next run (a first run over a large company spreads over several days rather than spending the budget
at once). The changelog has no change id: a row's key is a hash of its content, and `ordinal` keeps
Pipedrive's order (newest first) so that stage history can break ties at one-second precision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

from ..pipedrive import BudgetExhaustedError, PipedriveClient
from ..warehouse import Warehouse
from .pipedrive_runner import ExtractResult, ProgressCallback

_PENDING_DEALS = """
    select deals.id, deals.stage_change_time
    from raw.pipedrive_deals as deals
    left join state.deal_changelog_state as fetched
      on fetched.workspace_id = deals.workspace_id and fetched.deal_id = deals.id
    where deals.workspace_id = ?
      and deals.stage_change_time is not null
      and (fetched.stage_change_time is null or fetched.stage_change_time < deals.stage_change_time)
    order by deals.stage_change_time desc, deals.id
"""


def _as_int(value: object) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def extract_deal_stage_changes(client: PipedriveClient, warehouse: Warehouse, workspace_id: str, *,
                               now: Callable[[], datetime] = lambda: datetime.now(UTC),
                               on_page: ProgressCallback | None = None) -> ExtractResult:
    pending = warehouse.fetchall(_PENDING_DEALS, [workspace_id])
    result = ExtractResult("deal_stage_changes", "changed_deals")
    tokens_before = client.stats.tokens
    for done, (deal_id, stage_change_time) in enumerate(pending):
        entries = []
        try:
            for page in client.iter_deal_changelog(int(deal_id)):
                entries.extend(zip(page.items, page.raw, strict=True))
                result.pages += 1
        except BudgetExhaustedError as exc:
            result.deferred = f"{len(pending) - done} of {len(pending)} deals wait for the next run: {exc}"
            break
        extracted_at = now()
        rows = []
        for ordinal, (item, raw) in enumerate(entries):
            if not item.is_stage_change or item.time is None:
                continue
            text = json.dumps(raw, sort_keys=True, separators=(",", ":"))
            rows.append({
                "workspace_id": workspace_id, "deal_id": int(deal_id),
                "change_key": hashlib.sha1(text.encode()).hexdigest(), "changed_at": item.time,
                "old_stage_id": _as_int(item.old_value), "new_stage_id": _as_int(item.new_value),
                "ordinal": ordinal, "raw": text, "extracted_at": extracted_at,
            })
        with warehouse.transaction():
            warehouse.upsert("raw.pipedrive_deal_stage_changes", rows,
                             key=("workspace_id", "deal_id", "change_key"))
            warehouse.upsert("state.deal_changelog_state", [{
                "workspace_id": workspace_id, "deal_id": int(deal_id), "stage_change_time": stage_change_time,
                "fetched_at": extracted_at}], key=("workspace_id", "deal_id"))
        result.rows += len(rows)
        if on_page:
            on_page(result.stream, result.pages, result.rows)
    result.tokens = client.stats.tokens - tokens_before
    return result
