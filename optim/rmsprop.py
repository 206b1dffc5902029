"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer


class RMSprop(Optimizer):
    r"""RMSprop, exactly as ``torch.optim.RMSprop``.

    Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e (Coursera,
    2012) — never published as a paper. The centered version is from Graves, "Generating Sequences
    With Recurrent Neural Networks", arXiv:1308.0850, 2013.

    With v₀ = ḡ₀ = b₀ = 0, for t = 1, 2, ...  (γ = lr, α = alpha, μ = momentum, λ = weight_decay)::

        if maximize:   g ← −g
        if λ ≠ 0:      g ← g + λθ
        v ← α·v + (1 − α)·g²
        if centered:   ḡ ← α·ḡ + (1 − α)·g,   ṽ ← v − ḡ²      (a variance instead of a 2nd moment)
        else:          ṽ ← v
        if μ > 0:      b ← μ·b + g / (√ṽ + ε),   θ ← θ − γ·b
        else:          θ ← θ − γ·g / (√ṽ + ε)

    Like Adagrad every coordinate gets its own step size, but v forgets old gradients (by α per
    step), so the step size does not shrink to zero.

    Args:
        params: parameters (Tensors or Values) or parameter groups (dicts).
        lr: learning rate γ (default 1e-2).
        alpha: smoothing constant α (default 0.99).
        eps: ε added to the denominator (default 1e-8).
        weight_decay: L2 penalty λ (default 0).
        momentum: momentum factor μ (default 0).
        centered: normalize by an estimate of the gradient's variance.
        maximize: maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"square_avg": np.zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(p)
        return state

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha = group["alpha"]
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * g * g
        if group["centered"]:
            g_avg = state["grad_avg"]
            g_avg *= alpha
            g_avg += (1 - alpha) * g
            avg = np.sqrt(v - g_avg * g_avg)
        else:
            avg = np.sqrt(v)
        avg += group["eps"]
        step = np.divide(g, avg, out=avg)  # g / (√ṽ + ε), in avg's array (in-place numpy is faster)
        if group["momentum"] > 0:
            b = state["momentum_buffer"]
            b *= group["momentum"]
            b += step  # b ← μb + g / (√ṽ + ε)
            np.multiply(b, group["lr"], out=step)
        else:
            step *= group["lr"]
        p -= step
