"""Timing shared by the benchmarks: the median of repeated runs (each run a fresh call)."""

import statistics
import time


def median_time(run, repeat):
    """(median seconds of `repeat` calls of run, what the last call returned)."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
