"""nn + optim vs PyTorch: a full training step of
Sequential(Linear(784, 256), ReLU, Linear(256, 128), ReLU, Linear(128, 10)) + cross_entropy + an
optimizer, batch 128, float32, 2 threads, each library in fresh processes of its own
(goal: <= 1.25x PyTorch's step time). Both start from the same weights and batch."""

from __future__ import annotations

import functools

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor

from .bench_tensor import BATCH, SIZES, _batch
from .harness import compare_in_fresh_processes, report


def _model() -> nn.Sequential:
    autograd.manual_seed(0)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers += [nn.Linear(fan_in, fan_out)] + ([nn.ReLU()] if i < len(SIZES) - 2 else [])
    return nn.Sequential(*layers)


def step_ours(optimizer: str):
    model = _model()
    opt = getattr(optim, optimizer)(model.parameters(), lr=1e-3)
    xb, y = _batch()
    x = Tensor(xb)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def step_torch(optimizer: str):
    import torch

    torch.set_num_threads(2)
    # Our state_dict has PyTorch's keys and layouts: the same weights load straight in.
    model = torch.nn.Sequential(*[
        layer for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:]))
        for layer in [torch.nn.Linear(fan_in, fan_out)] + ([torch.nn.ReLU()] if i < len(SIZES) - 2 else [])
    ])
    model.load_state_dict({k: torch.from_numpy(v.data) for k, v in _model().state_dict().items()})
    opt = getattr(torch.optim, optimizer)(model.parameters(), lr=1e-3, foreach=False)
    xb, yb = _batch()
    x, y = torch.from_numpy(xb), torch.from_numpy(yb)

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


sgd_ours, sgd_torch = functools.partial(step_ours, "SGD"), functools.partial(step_torch, "SGD")
adam_ours, adam_torch = functools.partial(step_ours, "Adam"), functools.partial(step_torch, "Adam")


def same_losses() -> None:
    """Both libraries compute the same losses for the first steps (they run the same model)."""
    for name in ("SGD", "Adam"):
        ours, theirs = step_ours(name), step_torch(name)
        for _ in range(3):
            a, b = ours().item(), theirs().item()
            assert abs(a - b) < 1e-4 * max(1.0, abs(b)), (name, a, b)


def main() -> list[str]:
    try:
        import torch  # noqa: F401
    except ImportError:
        print("bench_model: PyTorch is not installed (pip install '.[bench]'); skipped")
        return []
    same_losses()
    lines = []
    for name in ("sgd", "adam"):
        ours, peer = compare_in_fresh_processes("benchmarks.bench_model", f"{name}_ours", f"{name}_torch",
                                                repeat=9, inner=20)
        lines.append(report(f"nn+optim: MLP 784-256-128-10 + CE + {name}, batch {BATCH}", ours, peer, "torch",
                            "<= 1.25x"))
    return lines


if __name__ == "__main__":
    main()
