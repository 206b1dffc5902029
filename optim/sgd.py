"""Stochastic gradient descent, with momentum and Nesterov momentum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), exactly as ``torch.optim.SGD``.

    For t = 1, 2, ...  (g = ∇θ f(θ), γ = lr, μ = momentum, τ = dampening, λ = weight_decay)::

        if maximize:   g ← −g
        if λ ≠ 0:      g ← g + λθ
        if μ ≠ 0:
            b ← g                         if t = 1
            b ← μ·b + (1 − τ)·g           otherwise
            g ← g + μ·b   if nesterov,  else  g ← b
        θ ← θ − γ·g

    Momentum keeps a running sum of past gradients: along a direction where the gradient keeps its
    sign the steps grow (up to 1/(1 − μ) times), along one where it flips sign they cancel out.
    Nesterov momentum ("look ahead" before stepping) is from Sutskever, Martens, Dahl & Hinton,
    "On the importance of initialization and momentum in deep learning", ICML 2013.

    Note: this is PyTorch's convention. Some texts (and CMU's needle) use b ← μ·b + (1 − μ)·g, or
    put γ inside the buffer; the trajectories differ by a constant factor in the step size.

    Args:
        params: parameters (Tensors or Values) or parameter groups (dicts).
        lr: learning rate γ (default 1e-3).
        momentum: momentum factor μ (default 0).
        dampening: dampening τ of the momentum (default 0).
        weight_decay: L2 penalty λ (default 0).
        nesterov: use Nesterov momentum (needs μ > 0 and τ = 0).
        maximize: maximize the objective instead of minimizing it.

    >>> opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False):
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={momentum}, dampening={dampening})")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        # None until the first step with momentum sets b₁ = g (PyTorch's state: None without momentum)
        return {"momentum_buffer": None}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        mu = group["momentum"]
        if mu != 0:
            b = state.get("momentum_buffer")  # absent in state dicts saved before it was part of the state
            if b is None:
                b = state["momentum_buffer"] = g.copy()  # b₁ = g
            else:
                b *= mu
                b += (1 - group["dampening"]) * g
            g = g + mu * b if group["nesterov"] else b
        p -= group["lr"] * g
