"""Adadelta: Adagrad with a moving window of squared gradients and self-correcting units."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer


class Adadelta(Optimizer):
    r"""Adadelta, exactly as ``torch.optim.Adadelta``.

    Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, 2012.

    With v₀ = u₀ = 0, for t = 1, 2, ...  (γ = lr, ρ = rho, λ = weight_decay)::

        if maximize:   g ← −g
        if λ ≠ 0:      g ← g + λθ
        v ← ρ·v + (1 − ρ)·g²                    (moving average of squared gradients)
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ·u + (1 − ρ)·Δ²                    (moving average of squared updates)
        θ ← θ − γ·Δ

    The "window of the last w gradients" of the lecture notes is this exponential moving average
    (it weighs the past by ρ^k, an effective window of about 1/(1 − ρ) steps). The numerator
    √(u + ε) gives Δ the units of θ, so the method needs no learning rate (γ = 1 by default).

    Args:
        params: parameters (Tensors or Values) or parameter groups (dicts).
        lr: coefficient γ that scales Δ (default 1.0).
        rho: decay ρ of the moving averages, in [0, 1] (default 0.9).
        eps: ε inside the square roots (default 1e-6).
        weight_decay: L2 penalty λ (default 0).
        maximize: maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"square_avg": np.zeros_like(p), "acc_delta": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        rho, eps = group["rho"], group["eps"]
        v, u = state["square_avg"], state["acc_delta"]
        v *= rho
        v += (1 - rho) * g * g
        delta = np.sqrt(u + eps)
        delta /= np.sqrt(v + eps)
        delta *= g
        u *= rho
        u += (1 - rho) * delta * delta
        delta *= group["lr"]
        p -= delta
