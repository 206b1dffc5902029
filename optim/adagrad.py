"""Adagrad: per-coordinate learning rates from the sum of all past squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer


class Adagrad(Optimizer):
    r"""Adagrad, exactly as ``torch.optim.Adagrad``.

    Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
    Optimization", JMLR 12, 2011.

    With s₀ = initial_accumulator_value, for t = 1, 2, ...  (γ = lr, η = lr_decay, λ = weight_decay)::

        if maximize:   g ← −g
        if λ ≠ 0:      g ← g + λθ
        γ̃ ← γ / (1 + (t − 1)·η)
        s ← s + g²
        θ ← θ − γ̃ · g / (√s + ε)

    Each coordinate gets its own step size γ/√(Σ g²): coordinates with rare (sparse) gradients keep
    large steps, frequent ones get small steps. Because s only grows, the effective learning rate
    shrinks forever — which Adadelta and RMSprop fix with a moving average.

    Args:
        params: parameters (Tensors or Values) or parameter groups (dicts).
        lr: learning rate γ (default 1e-2).
        lr_decay: learning-rate decay η (default 0).
        weight_decay: L2 penalty λ (default 0).
        initial_accumulator_value: s₀ (default 0).
        eps: ε added to √s for numerical stability (default 1e-10).
        maximize: maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *, maximize: bool = False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize))

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        return {"sum": np.full_like(p, group["initial_accumulator_value"])}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        s = state["sum"]
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s += g * g
        step = np.sqrt(s)
        step += group["eps"]
        np.divide(g, step, out=step)  # in-place numpy: no temporary arrays
        step *= lr
        p -= step
