"""Small graphs, big processes: what Python's cyclic garbage collector costs, side by side with the peers.

Every figure of the "one object per node" issue, as a ratio (seedgrad / peer, lower is better, except
where it says "x faster"):

- tiny ops: 2000 tiny Tensor ops + backward, (a) both libraries in one process, (b) each alone in
  fresh processes. Full collections are periodic, so each figure is the *mean* over >= 30 calls
  (a median of single calls would hide them), and the rounds alternate;
- a 10^5-iteration Tensor chain (y = y*1.0001 + 0.0001) + backward with torch imported in both;
- micrograd's demo step inside a Jupyter kernel that imported matplotlib (through nbclient);
- scalar cost per node: an MLP of width 64 against width 8 (time per graph node; ideally flat);
- backward of a 10^5-op Value chain against micrograd's (the graph is built untimed);
- peak memory of a 784-256-128-10 Adam step at batch 512, with the loss still referenced, against
  PyTorch (peak resident memory of the step in fresh processes: VmHWM reset before the step).

The library never changes the interpreter's GC settings; the speed comes from one GC-tracked object
per node (autograd/function.py). Two lines marked "bound" switch the collector off for their own
timing, to show what it alone costs: the kernel step and the growth per node without it.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time

import numpy as np

from .harness import compare_in_fresh_processes, report

MODULE = "benchmarks.bench_gc"
TINY_OPS = 1000  # x (mul, add): 2000 ops


# ---- tiny ops ----------------------------------------------------------------------------------------


def tiny_ours():
    from autograd import Tensor

    y0 = Tensor(np.ones(10, dtype=np.float32), requires_grad=True)

    def run():
        y = y0
        for _ in range(TINY_OPS):
            y = y * 1.0001 + 0.0001
        y.sum().backward()

    return run


def tiny_torch():
    import torch

    torch.set_num_threads(2)
    y0 = torch.ones(10, requires_grad=True)

    def run():
        y = y0
        for _ in range(TINY_OPS):
            y = y * 1.0001 + 0.0001
        y.sum().backward()

    return run


def _mean_alternating(fns: list, rounds: int, calls: int) -> list[float]:
    """Mean seconds per call of each function: `rounds` alternating rounds of `calls` calls each."""
    totals = [0.0] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            fn()
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            totals[i] += time.perf_counter() - start
    return [t / (rounds * calls) for t in totals]


def chain(depth: int = 100_000):
    """A 10^5-iteration chain + backward, in a process that imported torch (as both do here)."""
    import torch  # noqa: F401

    from autograd import Tensor

    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)

    def run():
        y = x
        for _ in range(depth):
            y = y * 1.0001 + 0.0001
        y.sum().backward()

    return run


def chain_torch(depth: int = 100_000):
    import torch

    torch.set_num_threads(2)
    x = torch.ones(3, requires_grad=True)

    def run():
        y = x
        for _ in range(depth):
            y = y * 1.0001 + 0.0001
        y.sum().backward()

    return run


# ---- scalar engine -----------------------------------------------------------------------------------


def _scalar_step_seconds(width: int, steps: int = 3) -> float:
    """Seconds per graph node of a forward+backward of MLP(2, [width, width, 1]) over 20 points."""
    import autograd
    import nn.scalar

    autograd.manual_seed(0)
    model = nn.scalar.MLP(2, [width, width, 1])
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2)).tolist()
    best = []
    for _ in range(steps):
        start = time.perf_counter()
        loss = sum((model([autograd.Value(a) for a in row]) - 1.0) ** 2 for row in X)
        model.zero_grad()
        loss.backward()
        best.append(time.perf_counter() - start)
        nodes = len(autograd.topological_order(loss))
    return statistics.median(best) / nodes


def per_node_growth(collector: bool = True) -> float:
    """Cost per node at width 64 over width 8 (1.0: a node costs the same in a bigger graph). With
    `collector` False the benchmark itself switches the garbage collector off for the measurement, to
    show what the collector alone adds (the library never does)."""
    ratios = []
    for _ in range(3):
        if not collector:
            gc.disable()
        try:
            small = _scalar_step_seconds(8, steps=9)
            big = _scalar_step_seconds(64)
        finally:
            gc.enable()
        ratios.append(big / small)
    return statistics.median(ratios)


def value_chain_backward(engine: str, depth: int = 100_000, repeat: int = 3) -> float:
    """Seconds for backward() of a depth-long Value chain (x*1.0001 + 0.0001 repeated), built untimed:
    the median of `repeat` chains, each built and differentiated once."""
    if engine == "micrograd":
        from micrograd.engine import Value
    else:
        from autograd import Value
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * depth))  # micrograd's sort is recursive
    times = []
    for _ in range(repeat):
        x = Value(1.0)
        y = x
        for _ in range(depth // 2):
            y = y * 1.0001 + 0.0001
        start = time.perf_counter()
        y.backward()
        times.append(time.perf_counter() - start)
        del x, y  # the next chain is built where this one is freed, as in a training loop
    return statistics.median(times)


def _in_fresh_process(code: str, env: dict | None = None) -> float:
    import os

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return float(out.stdout.strip().splitlines()[-1])


def value_chain_ratio(processes: int = 5) -> tuple[float, float]:
    ours, theirs = [], []
    for _ in range(processes):
        for engine, times in (("seedgrad", ours), ("micrograd", theirs)):
            times.append(_in_fresh_process(
                f"import threading, sys; threading.stack_size(512 * 1024 * 1024)\n"
                f"from benchmarks.bench_gc import value_chain_backward\n"
                f"box = []\n"
                f"t = threading.Thread(target=lambda: box.append(value_chain_backward({engine!r})))\n"
                f"t.start(); t.join(); print(box[0])"))
    return statistics.median(ours), statistics.median(theirs)


# ---- in a Jupyter kernel ------------------------------------------------------------------------------

KERNEL_CELL = """
import matplotlib.pyplot  # a notebook's usual imports: many more objects for every full collection
import json, statistics, time
from benchmarks.bench_scalar import step_ours, step_micrograd
ours, theirs = step_ours(), step_micrograd()
times = {"ours": [], "theirs": []}
for _ in range(3):
    for name, step in (("ours", ours), ("theirs", theirs)):
        step()
        start = time.perf_counter()
        for _ in range(3 if name == "theirs" else 20):
            step()
        times[name].append((time.perf_counter() - start) / (3 if name == "theirs" else 20))
print(json.dumps({k: statistics.median(v) for k, v in times.items()}))
"""


# The same step of ours in the same kernel with the collector on and, switched off by this benchmark
# for its own timing, off: what no design of the nodes can remove.
KERNEL_CELL_WITHOUT_COLLECTOR = """
import matplotlib.pyplot
import gc, json, statistics, time
from benchmarks.bench_scalar import step_ours
step = step_ours()
times = {"on": [], "off": []}
for _ in range(3):
    for state in ("on", "off"):
        if state == "off":
            gc.disable()
        step()
        start = time.perf_counter()
        for _ in range(10):
            step()
        times[state].append((time.perf_counter() - start) / 10)
        gc.enable()
print(json.dumps({k: statistics.median(v) for k, v in times.items()}))
"""


def in_kernel() -> tuple[float, float]:
    """micrograd's demo step timed inside a Jupyter kernel (nbclient), seedgrad and micrograd alternating."""
    result = _run_in_kernel(KERNEL_CELL)
    return result["ours"], result["theirs"]


def in_kernel_without_collector() -> tuple[float, float]:
    """Our step in a Jupyter kernel: seconds with the garbage collector on, and off."""
    result = _run_in_kernel(KERNEL_CELL_WITHOUT_COLLECTOR)
    return result["on"], result["off"]


def _run_in_kernel(cell: str) -> dict:
    """Run one cell in a fresh Jupyter kernel (nbclient) and return the JSON its last line prints."""
    import os

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    env_path = os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])
    os.environ["PYTHONPATH"] = env_path
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": os.getcwd()}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stdout")
    return json.loads(text.strip().splitlines()[-1])


# ---- peak memory --------------------------------------------------------------------------------------


def _peak_step(library: str) -> int:
    """Bytes of resident memory the step needed above what was resident before it (fresh process)."""
    code = f"""
import numpy as np
from benchmarks.bench_gc import _memory_step
step = _memory_step({library!r})
def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
before = status('VmRSS')
open('/proc/self/clear_refs', 'w').write('5')  # resets the peak (VmHWM) to the current size
loss = step()  # kept: the graph of the step stays referenced
print(status('VmHWM') - before)
"""
    # glibc's malloc keeps freed blocks resident and raises its mmap threshold as it goes, so the peak
    # of a step would depend on the steps before it: fixed thresholds make resident memory follow the
    # live arrays of both libraries.
    return int(_in_fresh_process(code, env={"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "0"}))


def _memory_step(library: str):
    sizes, batch = (784, 256, 128, 10), 512
    rng = np.random.default_rng(0)
    xb = rng.standard_normal((batch, 784)).astype(np.float32)
    yb = rng.integers(0, 10, batch)
    if library == "torch":
        import torch

        torch.set_num_threads(2)
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x, y, F = torch.tensor(xb), torch.tensor(yb), torch.nn.functional
    else:
        import autograd
        import nn
        import optim

        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        model = nn.Sequential(*layers[:-1])
        opt = optim.Adam(model.parameters(), lr=1e-3)
        x, y, F = autograd.tensor(xb), autograd.tensor(yb), nn.functional

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    step()  # the optimizer's state and the gradients exist from here on, in both
    return step


def peak_memory_ratio(processes: int = 3) -> tuple[float, float]:
    ours = statistics.median(_peak_step("seedgrad") for _ in range(processes))
    theirs = statistics.median(_peak_step("torch") for _ in range(processes))
    return ours, theirs


# ---- all figures --------------------------------------------------------------------------------------


def _line(name: str, text: str) -> str:
    line = f"{name:<52} {text}"
    print(line, flush=True)
    return line


def main() -> list[str]:
    lines = []
    try:
        import torch  # noqa: F401
    except ImportError:
        print("bench_gc: PyTorch is not installed (pip install '.[bench]'); skipped")
        return lines
    ours, peer = _mean_alternating([tiny_ours(), tiny_torch()], rounds=5, calls=30)
    lines.append(report("gc: 2000 tiny ops + backward, one process (mean)", ours, peer, "torch", "<= 1.0x"))
    ours, peer = compare_in_fresh_processes(MODULE, "tiny_ours", "tiny_torch", processes=5, repeat=5, inner=30)
    lines.append(report("gc: the same, each library alone (mean)", ours, peer, "torch", "<= 0.65x"))
    ours, peer = compare_in_fresh_processes(MODULE, "chain", "chain_torch", processes=3, repeat=2, inner=1)
    lines.append(report("gc: 10^5-iteration chain, torch imported", ours, peer, "torch", "<= 1.0x"))
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print("bench_gc: micrograd is not installed; the scalar figures are skipped")
        return lines
    ours, peer = in_kernel()
    lines.append(_line("gc: micrograd demo step in a Jupyter kernel",
                       f"seedgrad {ours * 1e3:8.1f} ms   micrograd {peer * 1e3:8.1f} ms   "
                       f"{peer / ours:5.1f}x faster  (goal >= 15x)"))
    on, off = in_kernel_without_collector()
    lines.append(_line("gc: the same step, collector on / off (bound)",
                       f"seedgrad {on * 1e3:8.1f} ms / {off * 1e3:6.1f} ms   15x needs <= {peer / 15 * 1e3:6.1f} ms"))
    growth = per_node_growth()
    lines.append(_line("gc: scalar cost per node, width 64 / width 8", f"growth {growth:5.2f}x  (goal <= 1.3x)"))
    growth = per_node_growth(collector=False)
    lines.append(_line("gc: the same, collector off (bound)", f"growth {growth:5.2f}x"))
    ours, peer = value_chain_ratio()
    lines.append(report("gc: backward of a 10^5-op Value chain", ours, peer, "micrograd", "<= 0.6x"))
    ours, peer = peak_memory_ratio()
    lines.append(_line("gc: peak memory, Adam step 784-256-128-10, b=512",
                       f"seedgrad {ours / 2**20:7.1f} MiB   torch {peer / 2**20:7.1f} MiB   "
                       f"ratio {ours / peer:5.2f}x  (goal <= 2.0x)"))
    return lines


if __name__ == "__main__":
    main()
