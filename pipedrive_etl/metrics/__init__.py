"""Run metrics: what each step of a run did (`state.run_metrics`) and one row per run (`marts.sync_runs`).

- `StepFigures`, `extraction_figures`, `writeback_figures`, `reconcile_figures`, `record_step` (steps.py): a
  step's figures from the results and client stats it already has, stored per (run, workspace, step).
- `summarise_run`, `write_sync_run`, `SyncRun`, `last_synced_at` (sync_runs.py): the run's row for analysts,
  dashboards and the health check.
- `LatencyHistogram` (latency.py): latencies that add up across steps into a mean and a p95.

Never imports dagster: `defs/` records the figures and turns them into asset metadata.
"""

from .latency import LatencyHistogram
from .steps import StepFigures, extraction_figures, reconcile_figures, record_step, utc_now, writeback_figures
from .sync_runs import (
           FAILED_RUN,
           PARTIAL_RUN,
           SUCCEEDED_RUN,
           SyncRun,
           last_synced_at,
           summarise_run,
           write_sync_run,
)

__all__ = ["FAILED_RUN", "PARTIAL_RUN", "SUCCEEDED_RUN", "LatencyHistogram", "StepFigures", "SyncRun",
           "extraction_figures", "last_synced_at", "reconcile_figures", "record_step", "summarise_run",
           "utc_now", "writeback_figures", "write_sync_run"]
