"""The token ledger in `state.token_usage`, so extraction, writeback and webhook runs share one daily total.

Implements `pipedrive.budget.TokenLedger`: check and add in one statement, so two processes charging at once
cannot both squeeze under the cap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from .engine import Warehouse


class WarehouseLedger:
    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse

    def try_charge(self, account: str, day: date, cost: int, cap: int) -> int | None:
        now = datetime.now(UTC)
        with self._warehouse.transaction():
            self._warehouse.execute(
                "insert into state.token_usage (account, day, used, updated_at) values (?, ?, 0, ?) "
                "on conflict (account, day) do nothing", [account, day, now])
            row = self._warehouse.fetchone(
                "update state.token_usage set used = used + ?, updated_at = ? "
                "where account = ? and day = ? and used + ? <= ? returning used",
                [cost, now, account, day, cost, cap])
        return int(row[0]) if row else None

    def used(self, account: str, day: date) -> int:
        row = self._warehouse.fetchone(
            "select used from state.token_usage where account = ? and day = ?", [account, day])
        return int(row[0]) if row else 0
