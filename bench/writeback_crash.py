"""The full crash campaign: every request index of a mixed writeback (PATCHes, creates of organization, person
and deal, activities), crashed in both ways — the write applied and its response dropped, or the process
killed right after the write was applied — then rerun until nothing is left. Counts duplicates (persons by
email, deals, organizations and activities by their keys) and lost updates, which must both be 0.

Prints `crash_points=N duplicates=D lost_updates=L` last. The test suite runs a reduced form of the same
campaign.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.writeback.scenario import crash_and_recover, requests_in_a_clean_run  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    tried = duplicates = lost = missing = bad_logs = 0
    with tempfile.TemporaryDirectory() as tmp:
        total = requests_in_a_clean_run(Path(tmp))
        for mode in ("drop", "kill"):
            for at in range(total):
                with tempfile.TemporaryDirectory() as point:
                    verdict = crash_and_recover(Path(point), at, mode)
                tried += 1
                duplicates += verdict.duplicates
                lost += verdict.lost_updates
                missing += verdict.missing
                bad_logs += set(verdict.log_rows_per_write) != {"succeeded"}
            print(f"mode={mode} points={total} so far: duplicates={duplicates} lost_updates={lost} "
                  f"missing={missing}", flush=True)
    print(f"requests_per_run={total} seconds={time.perf_counter() - started:.0f} missing={missing} "
          f"writes_not_logged_once={bad_logs}")
    print(f"crash_points={tried} duplicates={duplicates} lost_updates={lost}")


if __name__ == "__main__":
    main()
