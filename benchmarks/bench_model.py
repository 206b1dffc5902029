"""nn + optim vs PyTorch: a full training step of
Sequential(Linear(784, 256), ReLU, Linear(256, 128), ReLU, Linear(128, 10)) + cross_entropy + Adam,
batch 128, float32, 2 threads, same process (goal: <= 1.25x PyTorch's step time)."""

from __future__ import annotations

import numpy as np

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor

from .bench_tensor import BATCH, SIZES, _batch
from .harness import compare, report


def _copy_weights(model, torch_model) -> None:
    """Start both from the same weights (our Linear has PyTorch's (out, in) layout)."""
    import torch

    with torch.no_grad():
        for (_, ours), (_, theirs) in zip(model.named_parameters(), torch_model.named_parameters()):
            theirs.copy_(torch.from_numpy(ours.data))


def step_pair(optimizer: str = "Adam"):
    import torch

    autograd.manual_seed(0)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers += [nn.Linear(fan_in, fan_out)] + ([nn.ReLU()] if i < len(SIZES) - 2 else [])
    model = nn.Sequential(*layers)
    torch_layers = []
    for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        torch_layers += [torch.nn.Linear(fan_in, fan_out)] + ([torch.nn.ReLU()] if i < len(SIZES) - 2 else [])
    torch_model = torch.nn.Sequential(*torch_layers)
    _copy_weights(model, torch_model)
    opt = getattr(optim, optimizer)(model.parameters(), lr=1e-3)
    torch_opt = getattr(torch.optim, optimizer)(torch_model.parameters(), lr=1e-3, foreach=False)
    xb, yb = _batch()
    x, y = Tensor(xb), yb
    tx, ty = torch.from_numpy(xb), torch.from_numpy(yb)

    def ours():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    def theirs():
        loss = torch.nn.functional.cross_entropy(torch_model(tx), ty)
        torch_opt.zero_grad()
        loss.backward()
        torch_opt.step()
        return loss

    # Same weights, same batch: the first losses agree (a check that both run the same model).
    assert abs(float(ours().item()) - float(theirs().item())) < 1e-4
    return ours, theirs


def main() -> list[str]:
    try:
        import torch
    except ImportError:
        print("bench_model: PyTorch is not installed (pip install '.[bench]'); skipped")
        return []
    torch.set_num_threads(2)
    lines = []
    for name in ("SGD", "Adam"):
        ours, theirs = step_pair(name)
        t_ours, t_theirs = compare(ours, theirs, rounds=15, inner=20)
        lines.append(report(f"nn+optim: MLP 784-256-128-10 + CE + {name}, b{BATCH}", t_ours, t_theirs,
                            "torch", "<= 1.25x"))
    return lines


if __name__ == "__main__":
    np.seterr(all="raise")
    main()
