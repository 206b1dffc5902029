"""Gradient clipping, for Tensor parameters and for scalar `Value` parameters alike, and
`torch_state_dict`, the way from a seedgrad state_dict to a PyTorch model."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping

import numpy as np

from autograd import Tensor, Value

Params = Tensor | Value | Iterable[Tensor | Value]


def _with_grads(parameters: Params) -> list[Tensor | Value]:
    if isinstance(parameters, Tensor | Value):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Params, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> float:
    """Rescale all gradients together so that their joint norm is at most `max_norm`.

    total = ‖(‖g₁‖, ‖g₂‖, …)‖ (the p-norm of all gradient entries taken as one vector; p = `norm_type`,
    2, 1 or ``math.inf``), then every g ← g·min(1, max_norm / (total + 1e-6)) in place. Clipping by
    the norm keeps the gradient's direction and only shortens a step that would be too long (Pascanu,
    Mikolov & Bengio 2013, "On the difficulty of training recurrent neural networks").

    Returns the total norm *before* clipping (a numpy float64: usable as a float, has ``.item()``).
    """
    params = _with_grads(parameters)
    norm_type = float(norm_type)
    if norm_type <= 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive, got {norm_type}")
    norms = [abs(p.grad) if isinstance(p, Value) else _norm(p.grad, norm_type) for p in params]
    if not norms:
        return np.float64(0.0)
    norms = np.array(norms, dtype=np.float64)
    total = np.float64(norms.max() if norm_type == math.inf else _norm(norms, norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}; "
            "pass error_if_nonfinite=False to clip anyway"
        )
    coef = min(1.0, max_norm / (float(total) + 1e-6))
    for p in params:
        if isinstance(p, Value):
            p.grad = p.grad * coef
        else:
            p.grad *= coef
    return total


def _norm(g: np.ndarray, p: float) -> float:
    a = np.abs(np.asarray(g, dtype=np.float64))
    if p == math.inf:
        return float(a.max()) if a.size else 0.0
    if p == 1:
        return float(a.sum())
    if p == 2:
        return float(np.sqrt(np.vdot(a, a)))
    return float((a**p).sum() ** (1.0 / p))


def clip_grad_value_(parameters: Params, clip_value: float) -> None:
    """Clamp every gradient entry to [−clip_value, clip_value] in place."""
    c = float(clip_value)
    if c < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be non-negative, got {clip_value}")
    for p in _with_grads(parameters):
        if isinstance(p, Value):
            p.grad = max(-c, min(c, p.grad))
        else:
            np.clip(p.grad, -c, c, out=p.grad)


def torch_state_dict(state_dict: Mapping) -> OrderedDict:
    """A copy of `state_dict` (a seedgrad ``model.state_dict()``: names to Tensors or arrays) with
    ``torch.Tensor`` values, in the same order and dtypes, which PyTorch's ``load_state_dict`` takes:

    >>> torch_model.load_state_dict(torch_state_dict(model.state_dict()))

    Our names and layouts are PyTorch's (a Linear weight is (out_features, in_features), BatchNorm's
    ``num_batches_tracked`` a 0-d int64), so the equivalent PyTorch model loads it strictly. The other
    way needs nothing: ``model.load_state_dict(torch_model.state_dict())`` reads torch tensors.
    PyTorch is imported here, and only here; it is not a dependency of seedgrad.
    """
    from .module import Module

    if isinstance(state_dict, Module):
        raise TypeError("torch_state_dict: got a Module; pass its state: torch_state_dict(model.state_dict())")
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"torch_state_dict: expected a state_dict (a mapping of names to tensors), got "
                        f"{type(state_dict).__name__}")
    try:
        import torch
    except ImportError as e:
        raise ImportError("torch_state_dict needs PyTorch, which is not installed (the CPU build is enough: "
                          "pip install torch --index-url https://download.pytorch.org/whl/cpu)") from e
    out = OrderedDict()
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"torch_state_dict: keys are parameter names (strings), got {key!r}")
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"torch_state_dict: {key} is an array of dtype {array.dtype}; expected numbers")
        out[key] = torch.from_numpy(np.array(array, copy=True, order="C"))  # a copy: training goes on apart
    return out
