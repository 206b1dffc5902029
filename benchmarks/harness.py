"""Timing helpers: interleaved rounds, medians, ratios against a peer run in the same process.

The machine is shared and noisy, so each contender is timed in alternating rounds (a burst of
background load hits both) and the median of the rounds is reported, never a single run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeat: int, inner: int = 1) -> float:
    """Median over `repeat` rounds of the time of one call (each round averages `inner` calls)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    return statistics.median(times)


def compare(ours: Callable[[], object], peer: Callable[[], object], rounds: int = 7, inner: int = 1,
            warmup: int = 2) -> tuple[float, float]:
    """Median seconds per call of `ours` and of `peer`, timed in alternating rounds."""
    for _ in range(warmup):
        ours()
        peer()
    ours_times, peer_times = [], []
    for _ in range(rounds):
        ours_times.append(median_seconds(ours, 1, inner))
        peer_times.append(median_seconds(peer, 1, inner))
    return statistics.median(ours_times), statistics.median(peer_times)


def report(name: str, ours: float, peer: float, peer_name: str, goal: str) -> str:
    """One line: both times and the ratio, e.g. ``mlp step  1.10 ms vs torch 1.00 ms  = 1.10x (goal <= 1.25x)``."""
    unit, scale = ("ms", 1e3) if max(ours, peer) < 1 else ("s", 1.0)
    line = (f"{name:<44} seedgrad {ours * scale:8.3f} {unit}   {peer_name} {peer * scale:8.3f} {unit}   "
            f"ratio {ours / peer:6.2f}x  (goal {goal})")
    print(line, flush=True)
    return line
