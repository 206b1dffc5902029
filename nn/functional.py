"""Stateless functions behind the layers and losses (PyTorch's ``torch.nn.functional``).

Most are *composites* of the engine's primitives and so need no backward of their own. Four are
fused primitives with their own vector-Jacobian products (each says why in a ``# NOTE:``):
`linear`, `gelu`, `cross_entropy` and `binary_cross_entropy_with_logits`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from autograd import Function, Tensor, no_grad, where
from autograd.rng import default_generator
from autograd.shape import normalize_dim

_REDUCTIONS = ("mean", "sum", "none")


class TargetError(IndexError, ValueError):
    """A class index outside [0, C). An IndexError as in PyTorch, and a ValueError: bad input."""


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction!r} is not a valid value for reduction; use one of {_REDUCTIONS}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _axis(axis: int | None, dim: int | None, op: str) -> int:
    """`axis` (numpy's name) or `dim` (PyTorch's); default the last axis."""
    if dim is not None:
        if axis is not None and axis != dim:
            raise ValueError(f"{op}: give axis or dim (an alias), not both")
        return dim
    return -1 if axis is None else axis


# ---- layers ------------------------------------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b, with W of shape (out_features, in_features) and x of shape (..., in_features).

    Backward: dL/dx = g W,  dL/dW = gᵀ x,  dL/db = Σ_rows g   (g = dL/dy, rows = all leading axes).
    """
    # NOTE: fused into one primitive. Composed, ``x @ W.T + b`` makes three nodes (transpose,
    # matmul, add) and the add's backward reduces a broadcast gradient; fused, the whole layer is one
    # node whose three vjps are the three matrix formulas above. Clearer, and faster on the hot path.
    x, W = _tensor(input), weight
    if x.shape[-1:] != W.shape[-1:]:
        raise ValueError(
            f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features, "
            f"but the weight of shape {W.shape} expects {W.shape[-1]}"
        )
    return Linear.apply(x, W, bias)


class Linear(Function):
    """y = x Wᵀ + b: dL/dx = g W,  dL/dW = gᵀ x,  dL/db = Σ_rows g."""

    @staticmethod
    def forward(ctx, x, W, b):
        ctx.save_for_backward(x, W)
        out = x @ W.T
        if b is not None:
            out += b  # in place: no second output array
        return out

    @staticmethod
    def backward(ctx, g):
        x, W = ctx.saved_tensors
        n_out, n_in = W.shape
        need_x, need_W, need_b = (ctx.needs_input_grad + (False,))[:3]
        rows = g.reshape(-1, n_out)
        return (g @ W if need_x else None,
                rows.T @ x.reshape(-1, n_in) if need_W else None,
                rows.sum(axis=0) if need_b else None)


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(0, x); relu'(0) = 0 as in PyTorch. ``inplace`` is accepted for PyTorch compatibility, but
    the result is always a new tensor (seedgrad has no in-place operations; same values)."""
    return _tensor(x).relu()


def tanh(x: Tensor) -> Tensor:
    return _tensor(x).tanh()


def sigmoid(x: Tensor) -> Tensor:
    return _tensor(x).sigmoid()


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope·x (the slope at 0 is negative_slope, as PyTorch). ``inplace``
    is accepted but computed out of place (see `relu`)."""
    x = _tensor(x)
    return where(x.data > 0, x, x * negative_slope)


_erf = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf; math.erf is exact to double precision


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x·Φ(x) = x/2·(1 + erf(x/√2)), Φ the standard normal CDF (Hendrycks & Gimpel 2016,
    "Gaussian Error Linear Units"). d/dx = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).

    ``approximate="tanh"``: x/2·(1 + tanh(√(2/π)·(x + 0.044715·x³))), composed from primitives.
    """
    x = _tensor(x)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + (math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)).tanh())
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    # NOTE: a primitive because the engine has no erf to compose it from.
    return Gelu.apply(x)


class Gelu(Function):
    """GELU(x) = x·Φ(x): d/dx = Φ(x) + x·φ(x)."""

    @staticmethod
    def forward(ctx, x):
        cdf = (0.5 * (1.0 + _erf(x / math.sqrt(2.0)))).astype(x.dtype)
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x, cdf = ctx.saved_tensors
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        return g * (cdf + x * pdf)


def softmax(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """softmax(x)_i = e^(x_i − m) / Σ_j e^(x_j − m) along `axis` (alias `dim`; default −1), m = max x.

    Subtracting m changes nothing mathematically and keeps e^(·) ≤ 1, so it never overflows.
    """
    x = _tensor(x)
    axis = normalize_dim(_axis(axis, dim, "softmax"), x.ndim, "softmax")
    e = (x - x.data.max(axis=axis, keepdims=True)).exp()
    return e / e.sum(axis, keepdims=True)


def log_softmax(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """log softmax(x)_i = (x_i − m) − log Σ_j e^(x_j − m), m = max x (log-sum-exp: finite for any x)."""
    x = _tensor(x)
    axis = normalize_dim(_axis(axis, dim, "log_softmax"), x.ndim, "log_softmax")
    z = x - x.data.max(axis=axis, keepdims=True)
    return z - z.exp().sum(axis, keepdims=True).log()


def dropout(
    x: Tensor,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: np.random.Generator | None = None,
) -> Tensor:
    """Inverted dropout (Srivastava et al. 2014, "Dropout: A Simple Way to Prevent Neural Networks from
    Overfitting"): y = x·m/(1−p), m ~ Bernoulli(1−p); `p` is the probability to DROP. E[y] = x, so
    evaluation (``training=False``) is the identity. p = 1 gives zeros. ``inplace`` is accepted (it is
    PyTorch's fourth argument) but computed out of place (see `relu`).
    """
    _check_probability(p)
    x = _tensor(x)
    if not training or p == 0:
        return x
    rng = default_generator() if generator is None else generator
    keep = rng.random(x.shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    dtype = x.dtype if x.dtype.kind == "f" else np.float32
    return x * np.multiply(keep, scale, dtype=dtype)


def _check_probability(p: float) -> None:
    if not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def batch_norm(
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization (Ioffe & Szegedy 2015): per channel c (axis 1), over all other axes,

        y = (x − μ_B) / √(σ²_B + ε) · γ + β,   σ²_B the *biased* batch variance,

    in training (or without running statistics); in evaluation μ_B, σ²_B are the running ones.
    In training the running statistics are updated in place:
    running ← (1 − momentum)·running + momentum·batch, storing the *unbiased* variance σ²_B·n/(n−1).
    """
    x = _tensor(x)
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)  # broadcasts a per-channel vector against x
    if training or running_mean is None:
        n = x.data.size // x.shape[1]
        if training and n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {x.shape}"
            )
        mean = x.mean(axes, keepdims=True)
        d = x - mean
        var = (d * d).mean(axes, keepdims=True)
        y = d * (var + eps) ** -0.5
        if training and running_mean is not None:
            with no_grad():
                running_mean.data *= 1.0 - momentum
                running_mean.data += momentum * mean.data.reshape(-1)
                running_var.data *= 1.0 - momentum
                running_var.data += momentum * var.data.reshape(-1) * (n / (n - 1))
    else:
        scale = (1.0 / np.sqrt(running_var.data + eps)).astype(x.dtype).reshape(shape)
        y = (x - running_mean.data.astype(x.dtype).reshape(shape)) * scale
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def layer_norm(
    x: Tensor,
    normalized_shape: tuple[int, ...],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization (Ba, Kiros & Hinton 2016): over the last ``len(normalized_shape)`` axes of
    each sample, y = (x − μ) / √(σ² + ε) · γ + β with the biased variance σ²."""
    x = _tensor(x)
    k = len(normalized_shape)
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != tuple(normalized_shape):
        raise ValueError(
            f"layer_norm: expected input with shape (*, {', '.join(map(str, normalized_shape))}), "
            f"got {x.shape}"
        )
    axes = tuple(range(x.ndim - k, x.ndim))
    d = x - x.mean(axes, keepdims=True)
    y = d * ((d * d).mean(axes, keepdims=True) + eps) ** -0.5
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


# ---- losses ------------------------------------------------------------------------------------


def _class_targets(input: Tensor, target, op: str) -> np.ndarray:
    """Check logits/log-probabilities (N, C) against integer class targets (N,) in [0, C)."""
    if input.ndim != 2:
        raise ValueError(f"{op}: expected input of shape (N, C), got {input.shape}")
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: targets must be integer class indices, got dtype {t.dtype} "
                        "(pass them as integers, or make them with dtype=autograd.long)")
    n, c = input.shape
    if t.shape != (n,):
        raise ValueError(
            f"{op}: expected targets of shape ({n},) for input of shape {input.shape}, got {t.shape}"
        )
    bad = t[(t < 0) | (t >= c)]
    if bad.size:
        raise TargetError(
            f"{op}: target {bad[0]} is out of bounds: there are {c} classes, so targets must be "
            f"in [0, {c - 1}]"
        )
    return t


def cross_entropy(input: Tensor, target, *, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits x (N, C) against class indices t (N,):

        ℓ_n = −Σ_c q_nc · log softmax(x_n)_c,   q_n = (1 − α)·onehot(t_n) + α/C   (α = label_smoothing),

    with log softmax by the max-subtracted log-sum-exp (finite for logits of ±1e4), then averaged
    (``reduction="mean"``), summed or returned per sample (``"none"``). dℓ_n/dx_n = softmax(x_n) − q_n.
    """
    # NOTE: fused into one primitive. Composed (log_softmax, then gather, then mean) it makes about ten
    # nodes and a scatter in the backward; fused, the backward is the one-line softmax − q above, and
    # the forward never forms log-probabilities it does not need.
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = _tensor(input)
    t = _class_targets(x, target, "cross_entropy")
    return CrossEntropy.apply(x, t, label_smoothing, reduction)


class CrossEntropy(Function):
    """ℓ_n = −Σ_c q_nc · log softmax(x_n)_c:  dℓ_n/dx_n = softmax(x_n) − q_n."""

    name = "cross_entropy"

    @staticmethod
    def forward(ctx, x, t, label_smoothing, reduction):
        n, c = x.shape
        rows = np.arange(n)
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        log_s = np.log(s[:, 0])
        losses = log_s - z[rows, t]
        if label_smoothing:
            losses = (1.0 - label_smoothing) * losses + label_smoothing * (log_s - z.mean(axis=1))
        ctx.save_for_backward(e / s, t, label_smoothing, reduction)
        out = losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses
        return np.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        softmax, t, label_smoothing, reduction = ctx.saved_tensors
        n, c = softmax.shape
        grad = softmax.copy()  # a fresh array: the saved one stays intact for retain_graph
        grad[np.arange(n), t] -= 1.0 - label_smoothing
        if label_smoothing:
            grad -= label_smoothing / c
        grad *= g / n if reduction == "mean" else g if reduction == "sum" else g[:, None]
        return grad


def nll_loss(input: Tensor, target, *, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities (N, C) at class indices t (N,): ℓ_n = −input[n, t_n]."""
    _check_reduction(reduction)
    x = _tensor(input)
    t = _class_targets(x, target, "nll_loss")
    return _reduce(-x[np.arange(len(t)), t], reduction)


def _same_shape(input: Tensor, target, op: str) -> Tensor:
    if not isinstance(target, Tensor):  # data targets take the input's precision (no silent upcast)
        target = np.asarray(target)
        target = Tensor(target.astype(input.dtype) if input.dtype.kind == "f" else target)
    if target.shape != input.shape:
        raise ValueError(f"{op}: target size {target.shape} must be the same as input size {input.shape}")
    return target


def mse_loss(input: Tensor, target, *, reduction: str = "mean") -> Tensor:
    """Mean squared error ℓ_i = (x_i − y_i)²."""
    _check_reduction(reduction)
    x = _tensor(input)
    d = x - _same_shape(x, target, "mse_loss")
    return _reduce(d * d, reduction)


def l1_loss(input: Tensor, target, *, reduction: str = "mean") -> Tensor:
    """Mean absolute error ℓ_i = |x_i − y_i| (subgradient 0 at x = y)."""
    _check_reduction(reduction)
    x = _tensor(input)
    return _reduce((x - _same_shape(x, target, "l1_loss")).abs(), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target, *, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of logits x against targets y ∈ [0, 1]:

        ℓ = −[y·log σ(x) + (1 − y)·log(1 − σ(x))] = max(x, 0) − x·y + log(1 + e^(−|x|)),

    the right-hand form never overflows. dℓ/dx = σ(x) − y, dℓ/dy = −x.
    """
    # NOTE: fused: composing the stable form from relu and abs gives the wrong derivative at x = 0
    # (their subgradients there are 0, so −y instead of σ(0) − y = 1/2 − y).
    _check_reduction(reduction)
    x = _tensor(input)
    y = _same_shape(x, target, "binary_cross_entropy_with_logits")
    return BCEWithLogits.apply(x, y, reduction)


class BCEWithLogits(Function):
    """ℓ = max(x, 0) − x·y + log(1 + e^(−|x|)):  dℓ/dx = σ(x) − y,  dℓ/dy = −x."""

    name = "bce_with_logits"

    @staticmethod
    def forward(ctx, x, y, reduction):
        losses = (np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y, reduction)
        if reduction == "mean":
            return np.asarray(losses.mean(), dtype=x.dtype)
        if reduction == "sum":
            return np.asarray(losses.sum(), dtype=x.dtype)
        return losses

    @staticmethod
    def backward(ctx, g):
        x, y, reduction = ctx.saved_tensors
        scale = 1.0 / max(x.size, 1) if reduction == "mean" else 1.0
        e = np.exp(-np.abs(x))
        sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return g * scale * (sig - y), g * scale * -x


# ==== activations and BCE added for nn.SiLU / ELU / Softplus / BCELoss ==========================
# Composites of existing Tensor ops (no backward of their own). Kept as one block, apart from the
# losses above, so that other changes to this file do not collide with it.


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU (swish): x·σ(x); d/dx = σ(x)·(1 + x·(1 − σ(x))). ``inplace`` is accepted but computed
    out of place (see `relu`)."""
    x = _tensor(input)
    return x * x.sigmoid()


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU: x if x > 0 else α·(eˣ − 1) (Clevert, Unterthiner & Hochreiter 2016); the slope at 0 is α,
    as PyTorch. ``inplace`` is accepted but computed out of place (see `relu`)."""
    x = _tensor(input)
    # eˣ of min(x, 0): the branch not taken never overflows, so its zero gradient stays 0 (not 0·∞).
    return where(x.data > 0, x, alpha * (x.clip(max=0.0).exp() - 1.0))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """softplus(x) = (1/β)·log(1 + e^(βx)), and x itself where βx > threshold (as PyTorch: there the
    two agree to rounding); d/dx = σ(βx)."""
    x = _tensor(input)
    if hasattr(x, "softplus"):  # the engine's primitive (log1p-accurate for very negative βx)
        return x.softplus(beta, threshold)
    z = x * beta
    # e^(βx) of min(βx, threshold): the branch not taken stays finite, so its zero gradient stays 0.
    return where(z.data > threshold, x, (1.0 + z.clip(max=threshold).exp()).log() * (1.0 / beta))


class InputRangeError(RuntimeError, ValueError):
    """An input outside the values an op accepts (probabilities outside [0, 1]). A RuntimeError as in
    PyTorch, and a ValueError: bad input."""


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` arguments, mapped to `reduction` as PyTorch does."""
    if size_average is None and reduce is None:
        return reduction
    import warnings

    warnings.warn("size_average and reduce args will be deprecated, please use reduction instead.",
                  UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "mean" if size_average and reduce else "sum" if reduce else "none"


def _log_at_least_minus_100(p: Tensor, complement: bool = False) -> Tensor:
    """max(log p, −100), or with `complement` max(log(1 − p), −100) (by log1p(−p) where the engine has
    it, exact for tiny p, as PyTorch), PyTorch's clamp in binary_cross_entropy. Where the log's argument
    is 0 the gradient is zero, not NaN (0·∞); NaN stays NaN."""
    positive = ~((1.0 - p.data if complement else p.data) <= 0)
    if complement:
        safe = where(positive, p, 0.0)
        log = (-safe).log1p() if hasattr(safe, "log1p") else (1.0 - safe).log()
    else:
        log = where(positive, p, 1.0).log()
    return where(positive, log.clip(min=-100.0), -100.0)


def binary_cross_entropy(
    input: Tensor, target, weight=None, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities p ∈ [0, 1] against targets y (same shape):

        ℓ = −w·[y·max(log p, −100) + (1 − y)·max(log(1 − p), −100)],

    the clamp at −100 (PyTorch's) keeps ℓ finite at p = 0 or 1. Then averaged (``reduction="mean"``),
    summed or returned per element (``"none"``); `weight` w broadcasts to the target's shape.
    dℓ/dp = w·(p − y)/(p(1 − p)) inside the clamp. For logits use `binary_cross_entropy_with_logits`:
    it is stable where σ saturates.
    """
    # NOTE: composed. Where p is exactly 0 or 1 the clamped term gets a zero gradient, where PyTorch's
    # fused backward divides by max(p(1 − p), 1e-12); through a saturated sigmoid both give 0.
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    p = _tensor(input)
    y = _same_shape(p, target, "binary_cross_entropy")
    bad = p.data[(p.data < 0) | (p.data > 1)]
    if bad.size:
        raise InputRangeError(
            f"binary_cross_entropy: all elements of input should be between 0 and 1, got {bad.flat[0]} "
            "(apply sigmoid first, or use binary_cross_entropy_with_logits on the logits)"
        )
    loss = -(y * _log_at_least_minus_100(p) + (1.0 - y) * _log_at_least_minus_100(p, complement=True))
    if weight is not None:
        if not isinstance(weight, Tensor):
            weight = np.asarray(weight)
            weight = Tensor(weight.astype(p.dtype) if p.dtype.kind == "f" else weight)
        try:
            fits = np.broadcast_shapes(tuple(weight.shape), tuple(y.shape)) == tuple(y.shape)
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"binary_cross_entropy: weight of shape {tuple(weight.shape)} does not broadcast "
                             f"to the target's shape {tuple(y.shape)}")
        loss = loss * weight
    return _reduce(loss, reduction)
from .functional_conv import adaptive_avg_pool2d, avg_pool2d, conv1d, conv2d, embedding, max_pool2d, pad  # noqa: E402
