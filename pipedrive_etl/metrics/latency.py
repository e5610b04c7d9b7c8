"""Request latencies kept as a compact histogram, so a run's mean and p95 can be had from its steps' records.

A full extraction can send tens of thousands of requests: storing every latency per step would be large, and
a mean and a p95 cannot be combined from per-step means and p95s. Counts per logarithmic bucket (each bucket
2^(1/8) ≈ 9% wider than the one before, from 1 ms) add up across steps and give the p95 to within one bucket;
the mean is exact (count and sum are kept).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SMALLEST_BUCKET_SECONDS = 0.001
BUCKET_GROWTH = 2 ** (1 / 8)


def bucket_of(seconds: float) -> int:
    """Bucket i holds latencies in (1 ms × growth^(i-1), 1 ms × growth^i]; bucket 0 everything up to 1 ms."""
    if seconds <= SMALLEST_BUCKET_SECONDS:
        return 0
    return math.ceil(math.log(seconds / SMALLEST_BUCKET_SECONDS, BUCKET_GROWTH) - 1e-9)


def bucket_upper_bound(index: int) -> float:
    return SMALLEST_BUCKET_SECONDS * BUCKET_GROWTH**index


@dataclass
class LatencyHistogram:
    count: int = 0
    total_seconds: float = 0.0
    max_seconds: float = 0.0
    buckets: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, latencies: Iterable[float]) -> LatencyHistogram:
        histogram = cls()
        for seconds in latencies:
            histogram.add(seconds)
        return histogram

    def add(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.count += 1
        self.total_seconds += seconds
        self.max_seconds = max(self.max_seconds, seconds)
        index = bucket_of(seconds)
        self.buckets[index] = self.buckets.get(index, 0) + 1

    def merge(self, other: LatencyHistogram) -> LatencyHistogram:
        merged = LatencyHistogram(self.count + other.count, self.total_seconds + other.total_seconds,
                                  max(self.max_seconds, other.max_seconds), dict(self.buckets))
        for index, count in other.buckets.items():
            merged.buckets[index] = merged.buckets.get(index, 0) + count
        return merged

    @property
    def mean_seconds(self) -> float | None:
        return self.total_seconds / self.count if self.count else None

    def quantile_seconds(self, q: float) -> float | None:
        """The nearest-rank quantile, as the upper bound of its bucket (never above the largest latency seen):
        at most one bucket (~9%) above the exact value, never below it."""
        if not 0 < q <= 1:
            raise ValueError(f"a quantile is in (0, 1], got {q}")
        if not self.count:
            return None
        rank = math.ceil(q * self.count)
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                return min(bucket_upper_bound(index), self.max_seconds)
        return self.max_seconds

    def to_json(self) -> dict[str, Any]:
        buckets = {str(index): count for index, count in sorted(self.buckets.items())}
        return {"max_seconds": self.max_seconds, "buckets": buckets}

    @classmethod
    def from_record(cls, count: int | None, total_seconds: float | None,
                    stored: dict[str, Any] | None) -> LatencyHistogram:
        stored = stored or {}
        return cls(int(count or 0), float(total_seconds or 0.0), float(stored.get("max_seconds") or 0.0),
                   {int(i): int(n) for i, n in (stored.get("buckets") or {}).items()})
