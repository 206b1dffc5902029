"""Stateless functions behind the layers and losses (PyTorch's ``torch.nn.functional``).

Most are *composites* of the engine's primitives and so need no backward of their own. Five are
fused primitives with their own vector-Jacobian products (each says why in a ``# NOTE:``):
`linear`, `gelu`, `cross_entropy`, `nll_loss` and `binary_cross_entropy_with_logits`.
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
    return e / e.sum(dim=axis, keepdim=True)


def log_softmax(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """log softmax(x)_i = (x_i − m) − log Σ_j e^(x_j − m), m = max x (log-sum-exp: finite for any x)."""
    x = _tensor(x)
    axis = normalize_dim(_axis(axis, dim, "log_softmax"), x.ndim, "log_softmax")
    z = x - x.data.max(axis=axis, keepdims=True)
    return z - z.exp().sum(dim=axis, keepdim=True).log()


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
        mean = x.mean(axes, keepdim=True)
        d = x - mean
        var = (d * d).mean(axes, keepdim=True)
        y = d * (var + eps) ** -0.5
        mean.label, d.label, var.label, y.label = "mean", "centred", "var", "x_hat"  # named in drawings
        if training and running_mean is not None:
            with no_grad():
                running_mean.data *= 1.0 - momentum
                running_mean.data += momentum * mean.data.reshape(-1)
                running_var.data *= 1.0 - momentum
                running_var.data += momentum * var.data.reshape(-1) * (n / (n - 1))
            running_mean._version += 1  # in-place writes: a backward that saved them must notice
            running_var._version += 1
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
    mean = x.mean(axes, keepdim=True)
    d = x - mean
    var = (d * d).mean(axes, keepdim=True)
    y = d * (var + eps) ** -0.5
    mean.label, d.label, var.label, y.label = "mean", "centred", "var", "x_hat"  # named in drawings
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


# ---- losses ------------------------------------------------------------------------------------
# PyTorch's signatures, defaults and semantics, including the deprecated `size_average`/`reduce`.
# Every argument is checked before any work is done, so a call that raises changes nothing.


class TargetTypeError(TypeError, ValueError):
    """Targets of the wrong kind for their shape (float class indices, integer probabilities). A TypeError
    (the dtype is wrong) and a ValueError (bad input), like `TargetError`."""


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


def _floating_input(input, op: str) -> Tensor:
    x = _tensor(input)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: input must be a floating point tensor (logits or log-probabilities), got dtype "
                        f"{x.dtype}")
    return x


def _num_classes(x: Tensor, op: str) -> int:
    """C: the size of the class axis, 1 of (N, C, d1, ...), or 0 of an unbatched (C,) input."""
    if x.ndim == 0:
        raise ValueError(f"{op}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    c = x.shape[0 if x.ndim == 1 else 1]
    if c == 0:
        raise ValueError(f"{op}: input of shape {x.shape} has no classes (its class axis {int(x.ndim > 1)} is empty)")
    return c


def _class_weight(weight, x: Tensor, c: int, op: str):
    """None, or the per-class rescaling weight (C,) (a Tensor, kept as given so it can have a gradient)."""
    if weight is None:
        return None
    if not isinstance(weight, Tensor):
        weight = np.asarray(weight, dtype=x.dtype)
    elif weight.dtype.kind != "f":
        raise TypeError(f"{op}: weight must be a floating point tensor, got dtype {weight.dtype}")
    if tuple(weight.shape) != (c,):
        raise ValueError(f"{op}: weight should have one entry for each of the {c} classes of the input of shape "
                         f"{x.shape}, but got a weight of shape {tuple(weight.shape)}")
    return weight


def _target_array(target) -> np.ndarray:
    return np.asarray(target.data if isinstance(target, Tensor) else target)


def _class_targets(x: Tensor, target, c: int, ignore_index: int, op: str) -> tuple[np.ndarray, np.ndarray]:
    """Check integer class targets against the input: (N, d1, ...) for an (N, C, d1, ...) input, a scalar
    (or one element) for an unbatched (C,) input; each in [0, C) or equal to `ignore_index`.
    Returns (t, valid): the targets with ignored ones replaced by 0 (safe to index with), and the mask of
    targets that count, or True when they all do."""
    t = _target_array(target)
    expected = () if x.ndim == 1 else (x.shape[0],) + tuple(x.shape[2:])
    if t.dtype.kind not in "iu":
        if t.dtype.kind == "f":
            raise TargetTypeError(
                f"{op}: float targets are read as class probabilities, which must have the input's shape "
                f"{x.shape}, but got a target of shape {t.shape}; for class indices of shape {expected} use an "
                "integer dtype (pass them as integers, or make them with dtype=autograd.long)")
        raise TargetTypeError(f"{op}: targets must be integer class indices, got dtype {t.dtype} "
                              "(pass them as integers, or make them with dtype=autograd.long)")
    if x.ndim == 1 and t.shape == (1,):  # PyTorch accepts one target in a 1-element vector here too
        t = t.reshape(())
    if t.shape != expected:
        raise ValueError(
            f"{op}: expected a target of shape {expected} for the input of shape {x.shape} (class indices: the "
            f"input's shape without its class axis), but got a target of shape {t.shape}")
    valid = t != ignore_index
    if t.size and (t.min() < 0 or t.max() >= c):  # (one cheap test first: the hot path)
        bad = t[valid & ((t < 0) | (t >= c))]
        if bad.size:
            raise TargetError(
                f"{op}: target {bad.flat[0]} is out of bounds: there are {c} classes, so targets must be in "
                f"[0, {c - 1}] (or equal ignore_index={ignore_index})")
    if valid.all():
        return t, True
    return np.where(valid, t, 0), valid


def _as_rows(a: np.ndarray) -> np.ndarray:
    """An (N, C), (N, C, d1, ...) or unbatched (C,) array as rows of class scores (M, C), M = N·d1·..."""
    if a.ndim == 2:
        return a
    if a.ndim == 1:
        return a[None]
    return np.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


def _from_rows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """The inverse of `_as_rows`: (M, C) back to the input's `shape`."""
    if len(shape) == 2:
        return rows
    if len(shape) == 1:
        return rows[0]
    return np.moveaxis(rows.reshape(shape[:1] + shape[2:] + shape[1:2]), -1, 1)


def _reduced(losses: np.ndarray, reduction: str, denominator, out_shape: tuple, dtype) -> np.ndarray:
    """Σℓ/denominator (mean; 0/0 = nan when nothing counts, as PyTorch), Σℓ (sum) or ℓ of `out_shape`."""
    if reduction == "none":
        return losses.reshape(out_shape).astype(dtype, copy=False)
    total = losses.sum()
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            total = total / denominator
    return np.asarray(total, dtype=dtype)


def _upstream(g: np.ndarray, reduction: str, denominator):
    """dL/dℓ: g/denominator (mean), g (sum), or a column of g per row (none), to broadcast against (M, C)."""
    if reduction == "none":
        return g.reshape(-1, 1)
    if reduction == "sum" or denominator == 1:
        return g
    if denominator:
        return g / denominator
    with np.errstate(invalid="ignore", divide="ignore"):  # nothing counts: inf (the callers mask it)
        return g / denominator


def _class_bincount(t: np.ndarray, valid, c: int, weights=None) -> np.ndarray:
    """Σ over the targets that count, per class: of `weights`, or a count."""
    if valid is not True:
        t = t[valid]
        weights = None if weights is None else weights[valid]
    return np.bincount(t, weights=weights, minlength=c)


def _check_smoothing(label_smoothing: float, op: str) -> None:
    if not isinstance(label_smoothing, numbers.Real) or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")


def cross_entropy(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits x of shape (N, C), (N, C, d1, ...) or unbatched (C,), with the classes on
    axis 1 (0 unbatched), against

    - class indices t of shape (N,), (N, d1, ...) or a scalar (an integer dtype), or
    - class probabilities y of the input's own shape (a floating dtype).

    With log p = log softmax(x) along the class axis (max-subtracted log-sum-exp: finite for logits of ±1e4),
    per-class weights w (default 1) and α = label_smoothing, each element's loss is

        class indices:  ℓ = (1 − α)·w_t·(−log p_t) + (α/C)·Σ_c w_c·(−log p_c),   ℓ = 0 where t = ignore_index
        probabilities:  ℓ = −Σ_c w_c·((1 − α)·y_c + α/C)·log p_c

    (the smoothing term is weighted too, as PyTorch). ``reduction="sum"`` adds them; ``"mean"`` divides the
    sum by Σ w_t over the targets that are not ignored (class indices: a weighted mean; nan when every
    target is ignored) or by the number of elements N·d1·... (probabilities); ``"none"`` returns ℓ of the
    target's shape. Both kinds are ℓ = −Σ_c q_c·log p_c for a q made from the target and w, so
    dℓ/dx = softmax(x)·Σ_c q_c − q  (= softmax(x) − q without weights).
    """
    # NOTE: fused into one primitive. Composed (log_softmax, gather, weights, mean) it makes about ten nodes
    # and a scatter in the backward; fused, the backward is the closed form softmax·Σq − q above, stable for
    # any finite logits, and the all-ignored case gives PyTorch's zero gradient rather than 0·∞ = nan.
    op = "cross_entropy"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_smoothing(label_smoothing, op)
    x = _floating_input(input, op)
    c = _num_classes(x, op)
    w = _class_weight(weight, x, c, op)
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.shape == x.shape:  # the target has the input's own shape: class probabilities (PyTorch's rule)
        if t.dtype.kind != "f":
            raise TargetTypeError(
                f"{op}: a target of the input's shape {x.shape} holds class probabilities, which must be "
                f"floating point, but got dtype {t.dtype}; class indices have the input's shape without its "
                f"class axis, here {(x.shape[0],) + x.shape[2:] if x.ndim > 1 else ()}")
        if ignore_index >= 0:
            raise ValueError(f"{op}: ignore_index={ignore_index} is not supported for class-probability "
                             "(float) targets; leave it at its default -100")
        y = target if isinstance(target, Tensor) else t
        return CrossEntropy.apply(x, y, w, None, label_smoothing, reduction)
    t, valid = _class_targets(x, t, c, ignore_index, op)
    return CrossEntropy.apply(x, t, w, valid, label_smoothing, reduction)


class CrossEntropy(Function):
    """ℓ = −Σ_c q_c·log softmax(x)_c (q made from the target, the weights and the smoothing):
    dℓ/dx = softmax(x)·Σ_c q_c − q,  dℓ/dy_c = −(1 − α)·w_c·log p_c,  dℓ/dw_c = ℓ's coefficient of w_c."""

    name = "cross_entropy"

    @staticmethod
    def forward(ctx, x, target, weight, valid, label_smoothing, reduction):
        """`target`: class indices (the ignored ones already 0) with `valid` the mask of those that count (True
        when all do), or class probabilities with `valid` None. Worked on as rows (M, C) of class scores."""
        shape, dtype, a = x.shape, x.dtype, label_smoothing
        out_shape = shape[:1] + shape[2:] if x.ndim > 1 else ()
        x = _as_rows(x)
        m, c = x.shape
        log_p = x - x.max(axis=1, keepdims=True)
        p = np.exp(log_p)
        s = p.sum(axis=1, keepdims=True)
        p /= s
        log_p -= np.log(s)
        w = None if weight is None else weight.astype(dtype, copy=False)
        if valid is not None:  # class indices: the target's log p is picked, never summed as 0·log p
            t = target.reshape(-1)
            if valid is not True:
                valid = valid.reshape(-1)
            nll = -log_p[np.arange(m), t]
            if valid is not True:
                nll = np.where(valid, nll, 0)  # an ignored position adds 0, even where its log p is −inf
            w_t = (None if valid is True else valid.astype(dtype)) if w is None else w[t]
            if w is not None and valid is not True:
                w_t = np.where(valid, w_t, 0)
            losses = nll if w_t is None else nll * w_t
            if a:
                spread = -(log_p.sum(axis=1) if w is None else log_p @ w)
                if valid is not True:
                    spread = np.where(valid, spread, 0)
                losses = (1.0 - a) * losses + (a / c) * spread
            denominator = m if w_t is None else w_t.sum()
        else:  # probabilities: the mean is over the M = N·d1·... elements, whatever the weights
            t, w_t = None, None
            q = _as_rows(target).astype(dtype, copy=False)
            if a:
                q = (1.0 - a) * q + a / c
            losses = -((q if w is None else q * w) * log_p).sum(axis=1)
            denominator = m
        out = _reduced(losses, reduction, denominator, out_shape, dtype)
        ctx.save_for_backward(shape, p, log_p, t, target if t is None else None, w, valid, w_t, a, reduction,
                              denominator, out)
        return out

    @staticmethod
    def backward(ctx, g):
        shape, p, log_p, t, y, w, valid, w_t, a, reduction, denominator, out = ctx.saved_tensors
        need_x, need_y, need_w = (ctx.needs_input_grad + (False, False))[:3]
        m, c = p.shape
        G = _upstream(g, reduction, denominator)  # dL/dℓ
        gx = gy = gw = None
        if t is not None:  # class indices: q = (1 − α)·w_t·onehot(t) + (α/C)·w, 0 where ignored
            mask = None if valid is True else valid[:, None]
            rows = np.arange(m)
            if need_x:
                total = (1.0 - a) * (1.0 if w_t is None else w_t)  # Σ_c q_c ...
                if a:
                    total = total + (a / c) * (c if w is None else w.sum()) * (1.0 if mask is None else valid)
                gx = p * (total[:, None] if np.ndim(total) else total)  # ... times softmax
                gx[rows, t] -= (1.0 - a) * (1.0 if w_t is None else w_t)  # − q
                if a:
                    gx -= (a / c) * (1.0 if w is None else w) * (1.0 if mask is None else mask)
                if reduction == "mean" and denominator == 0:  # nothing counts: G = inf
                    with np.errstate(invalid="ignore"):
                        gx *= G  # nan where a target of weight 0 counts, as PyTorch ...
                    if mask is not None:
                        gx[~valid] = 0  # ... and 0, not 0·inf, where it is ignored
                else:
                    gx *= G
            if need_w:  # dℓ/dw_c = (1 − α)·[t = c]·(−log p_t) + (α/C)·(−log p_c), where t counts
                share = (1.0 - a) * -log_p[rows, t] * (G[:, 0] if reduction == "none" else G)
                gw = _class_bincount(t, valid, c, share).astype(p.dtype)
                if a:
                    spread = -log_p * G
                    gw += (a / c) * (spread if mask is None else spread[valid]).sum(axis=0)
                if reduction == "mean":  # and D = Σ w_t: d(S/D)/dw_c = (dS/dw_c − L·#[t = c])/D
                    with np.errstate(invalid="ignore", divide="ignore"):
                        gw -= (g * out / denominator) * _class_bincount(t, valid, c)
        else:  # probabilities: q = ((1 − α)·y + α/C)·w
            r = _as_rows(y).astype(p.dtype, copy=False)
            if a:
                r = (1.0 - a) * r + a / c
            if need_x:
                q = r if w is None else r * w
                gx = (p * q.sum(axis=1, keepdims=True) - q) * G
            if need_y:
                gy = -log_p * ((1.0 - a) * G)
                if w is not None:
                    gy *= w
                gy = _from_rows(gy, shape)
            if need_w:
                gw = (-log_p * r * G).sum(axis=0)
        return None if gx is None else _from_rows(gx, shape), gy, gw, None, None, None


def nll_loss(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities x — (N, C), (N, C, d1, ...) or unbatched (C,), classes on
    axis 1 (0 unbatched) — at integer class indices t of shape (N,), (N, d1, ...) or a scalar:

        ℓ = −w_t·x_t,   ℓ = 0 where t = ignore_index,

    with per-class weights w (default 1). ``"mean"`` divides Σℓ by Σ w_t over the targets that are not
    ignored (nan when all are), ``"sum"`` adds, ``"none"`` returns ℓ of the target's shape.
    dℓ/dx_c = −w_t·[c = t]. `cross_entropy` is ``nll_loss(log_softmax(x, 1), t)``, fused.
    """
    # NOTE: a primitive, as PyTorch's. Composed (gather, weights, sum, divide by Σ w_t) every target that is
    # ignored would get 0·(1/0) = nan in the all-ignored case, where PyTorch's gradient is 0; fused, the
    # backward is one scatter of −w_t.
    op = "nll_loss"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    x = _floating_input(input, op)
    c = _num_classes(x, op)
    w = _class_weight(weight, x, c, op)
    t, valid = _class_targets(x, target, c, ignore_index, op)
    return NLL.apply(x, t, w, valid, reduction)


class NLL(Function):
    """ℓ = −w_t·x_t:  dℓ/dx_c = −w_t·[c = t],  dℓ/dw_c = −x_t·[c = t]."""

    name = "nll_loss"

    @staticmethod
    def forward(ctx, x, t, weight, valid, reduction):
        """`t`: class indices (the ignored ones already 0), `valid` the mask of those that count (True if all)."""
        shape, dtype = x.shape, x.dtype
        out_shape = shape[:1] + shape[2:] if x.ndim > 1 else ()
        x = _as_rows(x)
        t = t.reshape(-1)
        if valid is not True:
            valid = valid.reshape(-1)
        picked = -x[np.arange(len(t)), t]
        if valid is not True:
            picked = np.where(valid, picked, 0)  # an ignored position adds 0, even where x is −inf
        w_t = (None if valid is True else valid.astype(dtype)) if weight is None else weight.astype(dtype)[t]
        if weight is not None and valid is not True:
            w_t = np.where(valid, w_t, 0)
        losses = picked if w_t is None else picked * w_t
        denominator = len(t) if w_t is None else w_t.sum()
        out = _reduced(losses, reduction, denominator, out_shape, dtype)
        ctx.save_for_backward(shape, dtype, t, valid, w_t, picked, reduction, denominator, out)
        return out

    @staticmethod
    def backward(ctx, g):
        shape, dtype, t, valid, w_t, picked, reduction, denominator, out = ctx.saved_tensors
        need_x, _, need_w = (ctx.needs_input_grad + (False, False))[:3]
        G = _upstream(g, reduction, denominator)
        if reduction == "none":
            G = G[:, 0]
        c = shape[0 if len(shape) == 1 else 1]
        gx = gw = None
        if need_x:
            gx = np.zeros((len(t), c), dtype=dtype)
            with np.errstate(invalid="ignore"):  # G = inf when nothing counts
                share = -G * (1.0 if w_t is None else w_t)
            if valid is not True:
                share = np.where(valid, share, 0)  # an ignored target gets nothing (not 0·inf)
            gx[np.arange(len(t)), t] = share
            gx = _from_rows(gx, shape)
        if need_w:
            gw = _class_bincount(t, valid, c, picked * G).astype(dtype)
            if reduction == "mean":  # and D = Σ w_t (see CrossEntropy)
                with np.errstate(invalid="ignore", divide="ignore"):
                    gw -= (g * out / denominator) * _class_bincount(t, valid, c)
        return gx, None, gw, None, None


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


def _elementwise_weight(weight, x: Tensor, name: str, op: str):
    """None, or a weight that broadcasts to the target's (= the input's) shape, as a Tensor (data arrays take
    the input's precision)."""
    if weight is None:
        return None
    if not isinstance(weight, Tensor):
        weight = np.asarray(weight)
        weight = Tensor(weight.astype(x.dtype) if x.dtype.kind == "f" else weight)
    try:
        fits = np.broadcast_shapes(tuple(weight.shape), tuple(x.shape)) == tuple(x.shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{op}: {name} of shape {tuple(weight.shape)} does not broadcast to the target's shape "
                         f"{tuple(x.shape)}")
    return weight


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

    the clamp at −100 (PyTorch's) keeps ℓ finite at p = 0 or 1. Then averaged over the elements
    (``reduction="mean"``), summed or returned per element (``"none"``); `weight` w broadcasts to the
    target's shape. dℓ/dp = w·(p − y)/(p(1 − p)) inside the clamp. For logits use
    `binary_cross_entropy_with_logits`: it is stable where σ saturates.
    """
    # NOTE: composed. Where p is exactly 0 or 1 the clamped term gets a zero gradient, where PyTorch's
    # fused backward divides by max(p(1 − p), 1e-12) (so its gradient is also damped wherever
    # p(1 − p) < 1e-12); through a sigmoid that saturates to exactly 1 both give 0.
    op = "binary_cross_entropy"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    p = _tensor(input)
    y = _same_shape(p, target, op)
    w = _elementwise_weight(weight, y, "weight", op)
    bad = p.data[(p.data < 0) | (p.data > 1)]
    if bad.size:
        raise InputRangeError(
            f"{op}: all elements of input should be between 0 and 1, got {bad.flat[0]} "
            "(apply sigmoid first, or use binary_cross_entropy_with_logits on the logits)"
        )
    loss = -(y * _log_at_least_minus_100(p) + (1.0 - y) * _log_at_least_minus_100(p, complement=True))
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight=None,
) -> Tensor:
    """Binary cross-entropy of logits x against targets y ∈ [0, 1] (same shape), with `weight` w (broadcast
    to the target's shape) and `pos_weight` p (the weight of the positive term, broadcast likewise: one per
    class along the last axis):

        ℓ = −w·[p·y·log σ(x) + (1 − y)·log(1 − σ(x))] = w·[(1 − y)·x + (1 + (p − 1)·y)·softplus(−x)],

    softplus(−x) = max(−x, 0) + log(1 + e^(−|x|)) never overflows. Averaged over the elements (``"mean"``),
    summed, or per element (``"none"``). dℓ/dx = w·[(1 − y)·σ(x) − p·y·σ(−x)] (= w·(σ(x) − y) for p = 1),
    dℓ/dy = w·[(p − 1)·softplus(−x) − x], dℓ/dp = w·y·softplus(−x), dℓ/dw = ℓ/w.
    """
    # NOTE: fused: composing the stable form from relu and abs gives the wrong derivative at x = 0
    # (their subgradients there are 0, so −y instead of σ(0) − y = 1/2 − y).
    op = "binary_cross_entropy_with_logits"
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    x = _floating_input(input, op)
    y = _same_shape(x, target, op)
    w = _elementwise_weight(weight, x, "weight", op)
    pw = _elementwise_weight(pos_weight, x, "pos_weight", op)
    return BCEWithLogits.apply(x, y, w, pw, reduction)


class BCEWithLogits(Function):
    """ℓ = w·[(1 − y)·x + (1 + (p − 1)·y)·softplus(−x)]:  dℓ/dx = w·[(1 − y)·σ(x) − p·y·σ(−x)],
    dℓ/dy = w·[(p − 1)·softplus(−x) − x],  dℓ/dw = ℓ/w,  dℓ/dp = w·y·softplus(−x)."""

    name = "binary_cross_entropy_with_logits"

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        dtype = x.dtype
        y = y.astype(dtype, copy=False)
        sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # softplus(−x) = −log σ(x)
        if pos_weight is None:
            losses = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))  # = (1 − y)·x + softplus(−x)
        else:
            losses = (1.0 - y) * x + (1.0 + (pos_weight.astype(dtype, copy=False) - 1.0) * y) * sp
        unweighted = losses
        if weight is not None:
            losses = losses * weight.astype(dtype, copy=False)
        ctx.save_for_backward(x, y, weight, pos_weight, sp, unweighted, reduction)
        return _reduced(losses, reduction, losses.size, losses.shape, dtype)

    @staticmethod
    def backward(ctx, g):
        x, y, weight, pos_weight, sp, unweighted, reduction = ctx.saved_tensors
        need_x, need_y, need_w, need_p = (ctx.needs_input_grad + (False,) * 3)[:4]
        dtype = x.dtype
        G = g / max(x.size, 1) if reduction == "mean" else g
        if weight is not None:
            Gw = G * weight.astype(dtype, copy=False)
        else:
            Gw = G
        gx = gy = gw = gp = None
        if need_x:
            e = np.exp(-np.abs(x))
            big, small = 1 / (1 + e), e / (1 + e)  # σ(|x|) and σ(−|x|), without overflow
            sig = np.where(x >= 0, big, small)  # σ(x)
            if pos_weight is None:
                gx = Gw * (sig - y)
            else:  # (1 − y)·σ(x) − p·y·σ(−x), σ(−x) computed directly (not 1 − σ(x): exact when tiny)
                gx = Gw * ((1.0 - y) * sig - pos_weight.astype(dtype, copy=False) * y * np.where(x >= 0, small, big))
        if need_y:
            gy = Gw * (-x if pos_weight is None else (pos_weight.astype(dtype, copy=False) - 1.0) * sp - x)
        if need_w:
            gw = G * unweighted
        if need_p:
            gp = Gw * y * sp
        return gx, gy, gw, gp, None


# ==== activations added for nn.SiLU / ELU / Softplus ===========================================
# Composites of existing Tensor ops (no backward of their own). Kept as one block, apart from the
# losses above, so that other changes to this file do not collide with it. (binary_cross_entropy, added
# with them for nn.BCELoss, now lives with the other losses.)


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


# Re-exported: the convolution family lives in its own file; one_hot is autograd's (as torch.nn.functional's).
from autograd import one_hot  # noqa: E402, F401

from .functional_conv import (  # noqa: E402, F401
    adaptive_avg_pool2d,
    avg_pool2d,
    conv1d,
    conv2d,
    embedding,
    max_pool2d,
    pad,
)
