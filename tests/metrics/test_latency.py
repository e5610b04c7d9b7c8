"""The latency histogram: exact mean, p95 within one bucket above, and histograms that add up across steps."""

from __future__ import annotations

import math
import random

import pytest

from pipedrive_etl.metrics.latency import BUCKET_GROWTH, LatencyHistogram, bucket_of, bucket_upper_bound


def exact_quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered)) - 1]


@pytest.fixture
def latencies() -> list[float]:
    rng = random.Random(7)
    return [rng.lognormvariate(-3, 1.2) for _ in range(5_000)]  # ~50 ms median, a long tail, like an API


@pytest.mark.parametrize("q", [0.5, 0.9, 0.95, 0.99])
def test_a_quantile_is_never_below_the_exact_one_and_at_most_one_bucket_above(latencies, q):
    estimate = LatencyHistogram.of(latencies).quantile_seconds(q)
    exact = exact_quantile(latencies, q)
    assert exact <= estimate <= exact * BUCKET_GROWTH


def test_the_mean_is_exact(latencies):
    assert LatencyHistogram.of(latencies).mean_seconds == pytest.approx(sum(latencies) / len(latencies))


def test_histograms_of_two_steps_merge_into_the_histogram_of_all_their_latencies(latencies):
    first, second = LatencyHistogram.of(latencies[:1200]), LatencyHistogram.of(latencies[1200:])
    merged, whole = first.merge(second), LatencyHistogram.of(latencies)
    assert merged.buckets == whole.buckets and merged.count == whole.count
    assert merged.quantile_seconds(0.95) == whole.quantile_seconds(0.95)


def test_a_stored_histogram_reads_back_equal(latencies):
    histogram = LatencyHistogram.of(latencies)
    stored = LatencyHistogram.from_record(histogram.count, histogram.total_seconds, histogram.to_json())
    assert stored == histogram


def test_the_quantile_never_exceeds_the_largest_latency_seen():
    assert LatencyHistogram.of([0.2, 0.2, 0.2]).quantile_seconds(0.95) == 0.2


def test_each_latency_falls_in_the_bucket_whose_bounds_hold_it(latencies):
    for seconds in latencies[:500]:
        index = bucket_of(seconds)
        assert bucket_upper_bound(index - 1) < seconds <= bucket_upper_bound(index) or index == 0


def test_no_requests_have_no_mean_or_p95():
    empty = LatencyHistogram()
    assert (empty.mean_seconds, empty.quantile_seconds(0.95)) == (None, None)
