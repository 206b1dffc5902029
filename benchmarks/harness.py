"""Timing helpers: alternating rounds, medians, ratios against a peer.

The machine is shared and noisy, so contenders are timed in alternating rounds (a burst of
background load hits both) and the median is reported, never a single run.

Two ways to compare:
- `compare`: both contenders in this process;
- `compare_in_fresh_processes`: each contender in new Python processes of its own, so that neither
  pays for the other's imports. This matters for graph-building code: Python's cyclic garbage
  collector walks every live object of the process in a full collection, and PyTorch alone brings
  about 165,000 of them (a full collection then takes some 75 ms here).
"""

from __future__ import annotations

import importlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeat: int, inner: int = 1) -> float:
    """Median over `repeat` rounds of the time of one call (each round averages `inner` calls)."""
    return statistics.median(round_seconds(fn, repeat, inner))


def round_seconds(fn: Callable[[], object], repeat: int, inner: int = 1) -> list[float]:
    """Seconds per call in each of `repeat` rounds of `inner` consecutive calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    return times


def compare(ours: Callable[[], object], peer: Callable[[], object], rounds: int = 7, inner: int = 1,
            warmup: int = 3) -> tuple[float, float]:
    """Median seconds per call of `ours` and of `peer`, timed in alternating rounds in this process.

    Each round starts with a few untimed calls: both numpy's BLAS and PyTorch keep worker threads
    spinning for a while after a call, and the first calls after a switch would otherwise pay for
    the other library's threads.
    """
    ours_times, peer_times = [], []
    for _ in range(rounds):
        for fn, times in ((ours, ours_times), (peer, peer_times)):
            for _ in range(warmup):
                fn()
            times.append(median_seconds(fn, 1, inner))
    return statistics.median(ours_times), statistics.median(peer_times)


def compare_in_fresh_processes(module: str, ours: str, peer: str, processes: int = 3, repeat: int = 7,
                               inner: int = 1) -> tuple[float, float]:
    """Median seconds per call of the steps made by ``module.ours()`` and ``module.peer()``, each
    timed in new processes of its own (alternating, `processes` each; `repeat` rounds of `inner`
    calls per process, after a warm-up)."""
    times: dict[str, list[float]] = {ours: [], peer: []}
    for _ in range(processes):
        for factory in (ours, peer):
            command = [sys.executable, "-m", "benchmarks.harness", module, factory, str(repeat), str(inner)]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise RuntimeError(f"benchmark worker {module}.{factory} failed:\n{result.stderr}")
            times[factory] += json.loads(result.stdout.strip().splitlines()[-1])
    return statistics.median(times[ours]), statistics.median(times[peer])


def report(name: str, ours: float, peer: float, peer_name: str, goal: str) -> str:
    """One line: both times and the ratio, e.g. ``mlp step  1.10 ms vs torch 1.00 ms  = 1.10x (goal <= 1.25x)``."""
    unit, scale = ("ms", 1e3) if max(ours, peer) < 1 else ("s", 1.0)
    line = (f"{name:<52} seedgrad {ours * scale:8.3f} {unit}   {peer_name} {peer * scale:8.3f} {unit}   "
            f"ratio {ours / peer:5.2f}x  (goal {goal})")
    print(line, flush=True)
    return line


def _worker(module: str, factory: str, repeat: int, inner: int) -> None:
    """In a fresh process: build the step, warm it up, print the per-round times as JSON."""
    step = getattr(importlib.import_module(module), factory)()
    for _ in range(3):
        step()
    print(json.dumps(round_seconds(step, repeat, inner)))


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
