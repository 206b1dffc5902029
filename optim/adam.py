"""Adam and AdamW: momentum + RMSprop + bias correction."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer


class Adam(Optimizer):
    r"""Adam, exactly as ``torch.optim.Adam`` (plus a teaching switch, ``bias_correction``).

    Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015 (arXiv:1412.6980, 2014).
    AMSGrad: Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.

    With m₀ = v₀ = v̂max₀ = 0, for t = 1, 2, ...  (γ = lr, λ = weight_decay)::

        if maximize:   g ← −g
        if λ ≠ 0:      g ← g + λθ          (decoupled_weight_decay: θ ← θ − γλθ instead, = AdamW)
        m ← β₁·m + (1 − β₁)·g              (momentum: a moving average of gradients)
        v ← β₂·v + (1 − β₂)·g²             (RMSprop: a moving average of squared gradients)
        m̂ ← m / (1 − β₁ᵗ)                  (bias correction: m and v start at 0, so early
        if amsgrad:                          averages are too small by the factor 1 − βᵗ)
            vmax ← max(vmax, v),   v̂ ← vmax / (1 − β₂ᵗ)
        else:
            v̂ ← v / (1 − β₂ᵗ)
        θ ← θ − γ·m̂ / (√v̂ + ε)

    ``bias_correction=False`` (not in PyTorch; for teaching) uses m̂ = m and v̂ = v directly. The
    first steps are then too *large*, not too small: m₁ = (1 − β₁)·g shrinks the numerator by 10, but
    √v₁ = √(1 − β₂)·|g| shrinks the denominator by about 32, so the first step is
    (1 − β₁)/√(1 − β₂) ≈ 3.16 times the corrected one. In optax's terms
    Adam is a chain of two transformations: scale the gradient by the moments (m̂ / (√v̂ + ε)), then
    by the step size −γ.

    Args:
        params: parameters (Tensors or Values) or parameter groups (dicts).
        lr: learning rate γ (default 1e-3).
        betas: (β₁, β₂), decay rates of the two moving averages, each in [0, 1) (default (0.9, 0.999)).
        eps: ε added to the denominator (default 1e-8).
        weight_decay: weight decay λ (default 0).
        amsgrad: use the running maximum of v (AMSGrad).
        maximize: maximize the objective instead of minimizing it.
        decoupled_weight_decay: decay θ directly instead of through the gradient (AdamW).
        bias_correction: divide m and v by 1 − βᵗ (default True; False only for teaching).
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False, bias_correction: bool = True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      bias_correction=bias_correction))

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        state = {"exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(p)
        return state

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        (beta1, beta2), t = group["betas"], state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        tmp = np.multiply(g, 1 - beta1)  # one scratch array, reused below
        m *= beta1
        m += tmp  # m ← β₁m + (1 − β₁)g
        np.multiply(g, g, out=tmp)
        tmp *= 1 - beta2
        v *= beta2
        v += tmp  # v ← β₂v + (1 − β₂)g²
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        step_size, denom = group["lr"], np.sqrt(v, out=tmp)
        if group["bias_correction"]:
            step_size /= 1 - beta1**t
            denom /= math.sqrt(1 - beta2**t)  # √v̂ = √v / √(1 − β₂ᵗ)
        denom += group["eps"]
        np.divide(m, denom, out=tmp)
        tmp *= step_size
        p -= tmp  # θ ← θ − γ m̂ / (√v̂ + ε)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, exactly as ``torch.optim.AdamW``.

    Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019 (arXiv:1711.05101, 2017).

    For t = 1, 2, ...::

        θ ← θ − γλθ          (the decay acts on θ directly; nothing is added to g)
        then one Adam step with g (see `Adam`).

    With Adam's L2 penalty, λθ is divided by √v̂ like the rest of the gradient, so weights with
    large gradients are barely regularized; decoupling makes the decay the same for all weights.

    Args: as `Adam`, except ``weight_decay`` λ defaults to 1e-2 and is always decoupled.
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, bias_correction: bool = True):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True, bias_correction=bias_correction)
