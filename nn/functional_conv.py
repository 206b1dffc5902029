"""Convolution, pooling, padding and embedding lookups: the functional forms behind nn.Conv1d, nn.Conv2d,
nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d and nn.Embedding (PyTorch's ``torch.nn.functional``
names, signatures, defaults and semantics; re-exported by nn.functional).

Each is one `Function` (forward and backward side by side) working on strided *views* of the input:

- a convolution is one matrix product. ``im2col`` lays the receptive field of every output position out
  as a column (a strided view made with ``as_strided``, copied once into the layout the product wants),
  and the whole layer is ``W (out, in·k) @ cols (in·k, positions)`` (Chellapilla et al. 2006, "High
  performance convolutional neural networks for document processing"; Caffe's im2col). Its backward is
  two more products: dL/dW = g @ colsᵀ and dL/dcols = Wᵀ @ g, the latter scattered back onto the input
  by ``col2im``, a loop over the kernel's offsets (never over output positions);
- pooling loops over the kernel's offsets only, each pass one vectorized numpy operation on a view.

The convolution is a cross-correlation (the kernel is not flipped), as in PyTorch and in LeCun et al.
(1998), "Gradient-based learning applied to document recognition", whose LeNet-5 is the model these
layers are named after.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd import Function, Tensor, no_grad
from autograd.dtypes import DEFAULT_FLOAT

__all__ = [
    "ConvShapeError",
    "EmbeddingIndexError",
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "embedding",
    "max_pool2d",
    "pad",
]


class ConvShapeError(RuntimeError, ValueError):
    """Shapes or settings that a convolution or pooling cannot take. A RuntimeError as PyTorch raises,
    and a ValueError: bad input."""


class EmbeddingIndexError(IndexError, ValueError):
    """An embedding index that is negative, not below num_embeddings, or not an integer. An IndexError as
    PyTorch raises, and a ValueError: bad input."""


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _shape(x) -> tuple:
    return tuple(np.shape(x.data if isinstance(x, Tensor) else x))


def _ints(value, n: int, name: str, op: str, minimum: int) -> tuple[int, ...]:
    """An int or a sequence of 1 or n ints (PyTorch's _pair/_single and C++ expansion) as n ints >= minimum."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = (int(value),) * n
    elif isinstance(value, tuple | list) and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value) and len(value) in (1, n):
        values = tuple(int(v) for v in value) * (n if len(value) == 1 else 1)
    else:
        raise ConvShapeError(f"{op}: expected {name} to be a single integer value or a list of {n} values, "
                             f"got {name}={value!r}")
    if any(v < minimum for v in values):
        what = "positive" if minimum == 1 else "non-negative"
        raise ConvShapeError(f"{op}: {name} must be {what}, got {name}={value!r}")
    return values


def _float_dtype(*arrays) -> np.dtype:
    """The dtype a convolution computes in: its floating operands' promoted dtype, as PyTorch promotes
    (float32 with float64 gives float64, integers take the other's; float32 if none is floating)."""
    floats = [a.dtype for a in arrays if a is not None and a.dtype.kind == "f"]
    return np.result_type(*floats) if floats else np.dtype(DEFAULT_FLOAT)


# ---- convolution ----------------------------------------------------------------------------------


def _zero_padded(x: np.ndarray, pads: tuple) -> np.ndarray:
    """x (N, C, *spatial) with zeros around its spatial axes, pads = ((before, after), ...) per axis.
    The buffer is channel-major ((C, N, ...) in memory): the order in which im2col reads it."""
    n, c = x.shape[:2]
    shape = tuple(s + a + b for s, (a, b) in zip(x.shape[2:], pads))
    xp = np.zeros((c, n) + shape, x.dtype).swapaxes(0, 1)
    xp[(slice(None), slice(None)) + tuple(slice(a, a + s) for s, (a, _) in zip(x.shape[2:], pads))] = x
    return xp


def _im2col(xp: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, out: tuple, groups: int) -> np.ndarray:
    """cols[g, (c, i, j), (n, y, x)] = xp[n, g·Cg + c, y·s_h + i·d_h, x·s_w + j·d_w], shape (G, Cg·Πk, N·Πout).

    First a strided view (no copy: ``as_strided`` only computes strides), then one copy into the layout
    that the matrix product needs (BLAS takes a matrix with one stride per axis; the receptive field's
    axes (c, i, j) have three)."""
    n, c = xp.shape[:2]
    sn, sc, *ss = xp.strides
    view = as_strided(
        xp,
        (groups, c // groups) + kernel + (n,) + out,
        (c // groups * sc, sc) + tuple(s * d for s, d in zip(ss, dilation)) + (sn,)
        + tuple(s * st for s, st in zip(ss, stride)),
        writeable=False,
    )
    return np.ascontiguousarray(view).reshape(groups, c // groups * math.prod(kernel), n * math.prod(out))


def _offset_slices(offset: tuple, dilation: tuple, stride: tuple, out: tuple) -> tuple:
    """The input positions that kernel offset (i, j) touches, over all output positions: a strided slice."""
    return tuple(slice(i * d, i * d + s * (m - 1) + 1, s) for i, d, s, m in zip(offset, dilation, stride, out))


class _ConvNd(Function):
    """y[n, o, p] = b[o] + Σ_{c, k} W[o, c, k] · x_pad[n, g(o)·Cg + c, p·s + k·d]  (cross-correlation):
    y = W @ cols; dL/dW = g @ colsᵀ; dL/db = Σ_{n, p} g; dL/dx = col2im(Wᵀ @ g)."""

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        dtype = _float_dtype(x, w, b)
        x0, x = x, x.astype(dtype, copy=False)
        w = w.astype(dtype, copy=False)
        n = x.shape[0]
        o, kernel = w.shape[0], w.shape[2:]
        xp = _zero_padded(x, pads) if any(a or z for a, z in pads) else x
        out = tuple((p - d * (k - 1) - 1) // s + 1 for p, k, s, d in zip(xp.shape[2:], kernel, stride, dilation))
        cols = _im2col(xp, kernel, stride, dilation, out, groups)
        # ONE product for the whole batch: (G, O/G, Cg·Πk) @ (G, Cg·Πk, N·Πout) -> (G, O/G, N·Πout). The batch
        # is folded into the columns: one large product is about twice as fast as N small ones
        y = np.matmul(w.reshape(groups, o // groups, -1), cols).reshape((o, n) + out)
        if b is not None:
            y += b.reshape((o,) + (1,) * (len(out) + 1))  # in place: no second output array
        # x0 is saved for its version check only (cols can be a view of it, for a 1x1 kernel)
        ctx.save_for_backward(cols, w, x0, x.shape, xp.shape, pads, stride, dilation, groups)
        return y.swapaxes(0, 1)  # (N, O, *out), a view: the product's rows are the output channels

    @staticmethod
    def backward(ctx, g):
        cols, w, _, xshape, pshape, pads, stride, dilation, groups = ctx.saved_tensors
        need_x, need_w, need_b = (ctx.needs_input_grad + (False,) * 3)[:3]
        o, kernel, out = w.shape[0], w.shape[2:], g.shape[2:]
        g2 = g.swapaxes(0, 1).reshape(groups, o // groups, -1)  # (G, O/G, N·Πout); free if g is channel-major
        # dL/dW = g @ colsᵀ, computed as (cols @ gᵀ)ᵀ: the same numbers, but OpenBLAS on 2 threads took ~30x
        # longer for g @ colsᵀ (a long contraction axis N·Πout feeding a small output), measured here
        gw = np.matmul(cols, g2.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(w.shape) if need_w else None
        gb = g2.sum(axis=2).reshape(o) if need_b else None
        gx = None
        if need_x:
            dcols = np.matmul(w.reshape(groups, o // groups, -1).transpose(0, 2, 1), g2)  # (G, Cg·Πk, N·Πout)
            n, c = xshape[:2]
            dcols = dcols.reshape((c,) + kernel + (n,) + out)
            # col2im: every kernel offset adds its share onto the input positions it read (overlaps add up)
            dxp = np.zeros((c, n) + pshape[2:], dcols.dtype)
            for offset in np.ndindex(*kernel):
                dxp[(slice(None), slice(None)) + _offset_slices(offset, dilation, stride, out)] += \
                    dcols[(slice(None),) + offset]
            inner = tuple(slice(a, a + s) for (a, _), s in zip(pads, xshape[2:]))
            gx = dxp[(slice(None), slice(None)) + inner].swapaxes(0, 1)
        return gx, gw, gb


class Conv1d(_ConvNd):
    name = "conv1d"


class Conv2d(_ConvNd):
    name = "conv2d"


def _conv(fn: type[_ConvNd], nd: int, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    op = fn.name
    x, w = _tensor(input), _tensor(weight)
    spatial = ("L",) if nd == 1 else ("H", "W")
    shapes = f"input of shape {tuple(x.shape)}, weight of shape {tuple(w.shape)}"
    if x.ndim not in (nd + 1, nd + 2):
        raise ConvShapeError(
            f"{op}: expected a {nd + 1}-D (unbatched: C, {', '.join(spatial)}) or {nd + 2}-D (batched: N, C, "
            f"{', '.join(spatial)}) input, got {shapes}")
    if w.ndim != nd + 2:
        raise ConvShapeError(f"{op}: expected a {nd + 2}-D weight (out_channels, in_channels/groups, "
                             f"{', '.join('k' + s for s in spatial)}), got {shapes}")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ConvShapeError(f"{op}: groups must be a positive integer, got groups={groups!r}")
    stride = _ints(stride, nd, "stride", op, 1)
    dilation = _ints(dilation, nd, "dilation", op, 1)
    kernel = tuple(w.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ConvShapeError(f"{op}: padding='same' is not supported for strided convolutions "
                                     f"(stride={stride})")
            # total d·(k − 1); the odd one out goes at the end (right/bottom), as PyTorch
            pads = tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))
        else:
            raise ConvShapeError(f"{op}: invalid padding string {padding!r}, should be one of 'valid', 'same'")
    else:
        pads = tuple((p, p) for p in _ints(padding, nd, "padding", op, 0))
    unbatched = x.ndim == nd + 1
    c = x.shape[0 if unbatched else 1]
    o, cg = w.shape[:2]
    if c % groups:
        raise ConvShapeError(f"{op}: groups={groups} does not divide the input's {c} channels ({shapes})")
    if o % groups:
        raise ConvShapeError(f"{op}: groups={groups} does not divide the weight's {o} output channels ({shapes})")
    if c // groups != cg:
        raise ConvShapeError(
            f"{op}: the input has {c} channels, but the weight expects in_channels/groups x groups = {cg} x "
            f"{groups} = {cg * groups} ({shapes}, groups={groups})")
    if bias is not None and _shape(bias) != (o,):
        raise ConvShapeError(f"{op}: expected a bias of shape ({o},) (one per output channel), got bias of "
                             f"shape {_shape(bias)} ({shapes})")
    size = tuple(x.shape[-nd:])
    padded = tuple(s + a + z for s, (a, z) in zip(size, pads))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(s > p for s, p in zip(span, padded)):
        raise ConvShapeError(
            f"{op}: the kernel {kernel} (spanning {span} with dilation {dilation}) is larger than the padded "
            f"input {padded} (input {size} plus padding {tuple(a + z for a, z in pads)}); {shapes}")
    if unbatched:
        x = x.unsqueeze(0)
    y = fn.apply(x, w, None if bias is None else _tensor(bias), stride, pads, dilation, int(groups))
    return y.squeeze(0) if unbatched else y


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution (cross-correlation, as ``torch.nn.functional.conv2d``) of input (N, C_in, H, W) —
    or unbatched (C_in, H, W) — with weight (C_out, C_in/groups, kH, kW) and optional bias (C_out,):

        out[n, o, y, x] = bias[o] + Σ_c Σ_i Σ_j weight[o, c, i, j] · x_pad[n, g·C_in/groups + c,
                                                                          y·stride_h + i·dilation_h,
                                                                          x·stride_w + j·dilation_w]

    where g = o // (C_out/groups) is the group of output channel o (each group sees only its own slice
    of the input channels) and x_pad is the input with `padding` zeros on each side. Output size:

        H_out = ⌊(H + 2·padding_h − dilation_h·(kH − 1) − 1) / stride_h⌋ + 1   (and the same for W).

    `padding` is an int, a pair, ``"valid"`` (none) or ``"same"`` (output size = input size, stride 1
    only; an odd total d·(k − 1) puts the extra zero at the end). See PyTorch's ``torch.nn.Conv2d``
    documentation and LeCun et al. (1998).
    """
    return _conv(Conv2d, 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution of input (N, C_in, L) — or unbatched (C_in, L) — with weight (C_out, C_in/groups, k):

        out[n, o, t] = bias[o] + Σ_c Σ_i weight[o, c, i] · x_pad[n, g·C_in/groups + c, t·stride + i·dilation],

        L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1.

    Same arguments as `conv2d` (``torch.nn.functional.conv1d``)."""
    return _conv(Conv1d, 1, input, weight, bias, stride, padding, dilation, groups)


# ---- pooling --------------------------------------------------------------------------------------


def _pool_geometry(op: str, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode: bool):
    """Checked kernel, stride, padding, dilation, the output size and the padded size (room for every window)."""
    if x.ndim not in (3, 4):
        raise ConvShapeError(f"{op}: expected a 3-D (unbatched: C, H, W) or 4-D (batched: N, C, H, W) input, "
                             f"got input of shape {tuple(x.shape)}")
    kernel = _ints(kernel_size, 2, "kernel_size", op, 1)
    stride = kernel if stride is None or (isinstance(stride, tuple | list) and not stride) else \
        _ints(stride, 2, "stride", op, 1)
    padding = _ints(padding, 2, "padding", op, 0)
    dilation = _ints(dilation, 2, "dilation", op, 1)
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ConvShapeError(f"{op}: padding should be at most half of the kernel size, got padding={padding}, "
                             f"kernel_size={kernel}")
    size = tuple(x.shape[-2:])
    out = []
    for n, k, s, p in zip(size, span, stride, padding):
        m = (n + 2 * p - k + ((s - 1) if ceil_mode else 0)) // s + 1
        if ceil_mode and (m - 1) * s >= n + p:  # the last window must start inside the input or left padding
            m -= 1
        out.append(m)
    out = tuple(out)
    if any(m < 1 for m in out):
        raise ConvShapeError(f"{op}: the output would be empty: input of shape {tuple(x.shape)} with "
                             f"kernel_size={kernel}, stride={stride}, padding={padding}, dilation={dilation} "
                             f"gives an output of size {out}")
    padded = tuple(max(n + 2 * p, (m - 1) * s + k) for n, p, m, s, k in zip(size, padding, out, stride, span))
    return kernel, stride, padding, dilation, out, padded


def _pad_last2(x: np.ndarray, padding: tuple, padded: tuple, fill) -> np.ndarray:
    """x with its last two axes placed at offset `padding` in a buffer of size `padded` filled with `fill`."""
    if tuple(x.shape[-2:]) == padded:
        return x
    xp = np.full(x.shape[:-2] + padded, fill, x.dtype)
    (ph, pw), (h, w) = padding, x.shape[-2:]
    xp[..., ph:ph + h, pw:pw + w] = x
    return xp


def _unpad_last2(dxp: np.ndarray, padding: tuple, shape: tuple) -> np.ndarray:
    (ph, pw), (h, w) = padding, shape[-2:]
    return dxp[..., ph:ph + h, pw:pw + w]


def _offsets(kernel: tuple, dilation: tuple, stride: tuple, out: tuple):
    """(index in the window, the last two axes' slice) for every kernel offset, in PyTorch's scan order."""
    for k, offset in enumerate(np.ndindex(*kernel)):
        yield k, (Ellipsis,) + _offset_slices(offset, dilation, stride, out)


def _max_and_argmax(x: np.ndarray, kernel, stride, padding, dilation, out, padded):
    """The maximum of every window and its index in the window (row-major scan order): a loop over the
    kernel's offsets keeping the running maximum; a later value wins only if it is strictly larger (so
    the first maximum wins ties) or NaN (PyTorch's ``val > max || isnan(val)``)."""
    xp = _pad_last2(x, padding, padded, -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
    best, arg = None, np.zeros(x.shape[:-2] + out, np.uint8 if math.prod(kernel) <= 256 else np.int32)
    for k, window in _offsets(kernel, dilation, stride, out):
        value = xp[window]
        if best is None:
            best = value.copy()
            continue
        take = value > best
        if value.dtype.kind == "f":
            take |= value != value
        np.copyto(best, value, where=take)
        np.copyto(arg, k, where=take)
    return best, arg


class MaxPool2d(Function):
    """y = max over each window of x (padded with −inf); dL/dx: each window's g goes to its argmax, the
    first maximum in scan order on ties (a NaN counts as the maximum), as PyTorch."""

    name = "max_pool2d"

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out, padded):
        best, arg = _max_and_argmax(x, kernel, stride, padding, dilation, out, padded)
        ctx.save_for_backward(arg, x.shape, kernel, stride, padding, dilation, out, padded)
        return best

    @staticmethod
    def backward(ctx, g):
        arg, shape, kernel, stride, padding, dilation, out, padded = ctx.saved_tensors
        dxp = np.zeros(shape[:-2] + padded, g.dtype)
        for k, window in _offsets(kernel, dilation, stride, out):
            dxp[window] += np.where(arg == k, g, 0)  # overlapping windows add up
        return _unpad_last2(dxp, padding, shape)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling (``torch.nn.functional.max_pool2d``) of (N, C, H, W) or (C, H, W):

        out[n, c, y, x] = max_{i, j} x_pad[n, c, y·stride_h + i·dilation_h, x·stride_w + j·dilation_w],

    x_pad padded with −inf (so padding never wins); stride defaults to kernel_size. Output size
    ⌊(H + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1 (⌈·⌉ with ``ceil_mode``, keeping only windows
    that start inside the input or the left padding). The gradient goes to the argmax of each window
    (the first maximum on ties). With ``return_indices`` also returns, for every output, the index of its
    maximum in the flattened H·W input plane (int64), as PyTorch.
    """
    x = _tensor(input)
    geometry = _pool_geometry("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    y = MaxPool2d.apply(x, *geometry)
    if not return_indices:
        return y
    kernel, stride, padding, dilation, out, _ = geometry
    i, j = np.divmod(_max_and_argmax(x.data, *geometry)[1].astype(np.int64), kernel[1])
    rows = np.arange(out[0])[:, None] * stride[0] - padding[0] + i * dilation[0]
    cols = np.arange(out[1])[None, :] * stride[1] - padding[1] + j * dilation[1]
    return y, Tensor(rows * x.shape[-1] + cols)


def _avg_divisor(size: int, kernel: int, stride: int, padding: int, out: int, count_include_pad: bool):
    """PyTorch's divisor per output position along one axis: the window clipped to the padded input
    (count_include_pad) or to the input itself."""
    start = np.arange(out) * stride - padding
    end = np.minimum(start + kernel, size + padding)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


class AvgPool2d(Function):
    """y = (Σ over each window of x_pad) / divisor;  dL/dx_pad = g / divisor at every position of the window."""

    name = "avg_pool2d"

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out, padded, divisor):
        xp = _pad_last2(x, padding, padded, 0)
        y = None
        for _, window in _offsets(kernel, (1, 1), stride, out):
            if y is None:
                y = xp[window].copy()
            else:
                y += xp[window]
        y /= divisor
        ctx.save_for_backward(x.shape, kernel, stride, padding, out, padded, divisor)
        return y

    @staticmethod
    def backward(ctx, g):
        shape, kernel, stride, padding, out, padded, divisor = ctx.saved_tensors
        share = g / divisor
        dxp = np.zeros(shape[:-2] + padded, share.dtype)
        for _, window in _offsets(kernel, (1, 1), stride, out):
            dxp[window] += share
        return _unpad_last2(dxp, padding, shape)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling (``torch.nn.functional.avg_pool2d``) of (N, C, H, W) or (C, H, W):

        out[n, c, y, x] = 1/D · Σ_{i, j} x_pad[n, c, y·stride_h + i, x·stride_w + j],

    x_pad zero-padded, D = kH·kW (``count_include_pad=True``, PyTorch's default: the padding zeros count;
    with ``ceil_mode`` a window is clipped to the padded input), or the number of input (non-padding)
    elements in the window (``count_include_pad=False``), or ``divisor_override``. Output size as
    max_pool2d; stride defaults to kernel_size.
    """
    x = _tensor(input)
    if x.dtype.kind != "f":
        raise ConvShapeError(f"avg_pool2d: expected a floating point input, got dtype {x.dtype}")
    kernel, stride, padding, _, out, padded = _pool_geometry(
        "avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if not isinstance(divisor_override, numbers.Real) or divisor_override == 0:
            raise ConvShapeError(f"avg_pool2d: divisor must be not zero, got divisor_override={divisor_override!r}")
        divisor = np.asarray(divisor_override, x.dtype)
    else:
        dh, dw = (_avg_divisor(n, k, s, p, m, count_include_pad)
                  for n, k, s, p, m in zip(x.shape[-2:], kernel, stride, padding, out))
        divisor = (dh[:, None] * dw[None, :]).astype(x.dtype)
    return AvgPool2d.apply(x, kernel, stride, padding, out, padded, divisor)


class AdaptiveAvgPool2d(Function):
    """y = P_h · x · P_wᵀ (P averages each window, a row per output index): dL/dx = P_hᵀ · g · P_w."""

    name = "adaptive_avg_pool2d"

    @staticmethod
    def forward(ctx, x, ph, pw):
        ctx.save_for_backward(ph, pw)
        return np.einsum("ih,...hw,jw->...ij", ph, x, pw, optimize=True)

    @staticmethod
    def backward(ctx, g):
        ph, pw = ctx.saved_tensors
        return np.einsum("ih,...ij,jw->...hw", ph, g, pw, optimize=True)


def _adaptive_windows(size: int, out: int, dtype) -> np.ndarray:
    """The (out, size) averaging matrix: row i is 1/(end − start) on [start, end), with PyTorch's
    start = ⌊i·size/out⌋ and end = ⌈(i + 1)·size/out⌉ (windows may overlap by one)."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Average pooling to a fixed output size (``torch.nn.functional.adaptive_avg_pool2d``) of (N, C, H, W)
    or (C, H, W): output (y, x) averages rows ⌊y·H/H_out⌋ .. ⌈(y + 1)·H/H_out⌉ − 1 and columns likewise
    (PyTorch's windows). `output_size` is an int or a pair; None in it keeps the input's size."""
    x = _tensor(input)
    op = "adaptive_avg_pool2d"
    if x.ndim not in (3, 4):
        raise ConvShapeError(f"{op}: expected a 3-D (unbatched: C, H, W) or 4-D (batched: N, C, H, W) input, "
                             f"got input of shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise ConvShapeError(f"{op}: expected a floating point input, got dtype {x.dtype}")
    sizes = output_size if isinstance(output_size, tuple | list) else (output_size, output_size)
    if len(sizes) != 2:
        raise ConvShapeError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(n if m is None else m for m, n in zip(sizes, x.shape[-2:]))
    out = _ints(sizes, 2, "output_size", op, 0)
    if any(n == 0 for n in x.shape[-2:]):
        raise ConvShapeError(f"{op}: expected an input with non-zero height and width, got {tuple(x.shape)}")
    ph, pw = (_adaptive_windows(n, m, x.dtype) for n, m in zip(x.shape[-2:], out))
    return AdaptiveAvgPool2d.apply(x, ph, pw)


# ---- padding --------------------------------------------------------------------------------------

_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For every position of the padded axis, the input position it copies."""
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    period = 2 * (n - 1)  # reflect about the edges, without repeating them
    i = np.abs(i) % period if period else np.zeros_like(i)
    return np.where(i >= n, period - i, i)


class Pad(Function):
    """Constant padding: y = x placed inside a filled array, dL/dx = g sliced back. Other modes copy
    input positions (y = x[idx] per axis): dL/dx = the gradient scatter-added back to them."""

    name = "pad"

    @staticmethod
    def forward(ctx, x, pairs, mode, value):
        ctx.save_for_backward(x.shape, pairs, mode)
        if mode == "constant":
            shape = tuple(n + a + b for n, (a, b) in zip(x.shape, pairs))
            y = np.full(shape, value, x.dtype)
            src, dst = _constant_regions(x.shape, pairs)
            y[dst] = x[src]
            return y
        for axis, (n, (a, b)) in enumerate(zip(x.shape, pairs)):
            if a or b:
                x = np.take(x, _source_index(n, a, b, mode), axis=axis)
        return x

    @staticmethod
    def backward(ctx, g):
        shape, pairs, mode = ctx.saved_tensors
        if mode == "constant":
            src, dst = _constant_regions(shape, pairs)
            if all(a >= 0 and b >= 0 for a, b in pairs):
                return g[dst]
            gx = np.zeros(shape, g.dtype)
            gx[src] = g[dst]
            return gx
        for axis in reversed(range(len(shape))):
            a, b = pairs[axis]
            if a or b:
                gx = np.zeros(g.shape[:axis] + (shape[axis],) + g.shape[axis + 1:], g.dtype)
                np.add.at(gx, (slice(None),) * axis + (_source_index(shape[axis], a, b, mode),), g)
                g = gx
        return g


def _constant_regions(shape: tuple, pairs: tuple) -> tuple[tuple, tuple]:
    """The slices of x that survive (negative pads crop) and where they land in the output."""
    src, dst = [], []
    for n, (a, b) in zip(shape, pairs):
        lo, hi = max(0, -a), n - max(0, -b)
        src.append(slice(lo, max(lo, hi)))
        dst.append(slice(lo + a, max(lo, hi) + a))
    return tuple(src), tuple(dst)


def pad(input, pad, mode: str = "constant", value=None) -> Tensor:
    """Pad the last dimensions (``torch.nn.functional.pad``). `pad` lists (before, after) amounts from the
    LAST dimension backwards, as PyTorch: ``(left, right)`` pads the last axis, ``(left, right, top,
    bottom)`` the last two, and so on. Modes:

    - ``"constant"``: fill with `value` (None means 0); negative amounts crop;
    - ``"reflect"``: mirror about the edge, without repeating it (amounts < the axis' size);
    - ``"replicate"``: repeat the edge value;
    - ``"circular"``: wrap around (amounts <= the axis' size).

    The gradient of constant padding is the output gradient sliced back to the input; the other modes add
    the gradient of every copy onto the input position it came from.
    """
    x = _tensor(input)
    op = "pad"
    amounts = tuple(pad)
    if not all(isinstance(p, numbers.Integral) and not isinstance(p, bool) for p in amounts):
        raise ConvShapeError(f"{op}: padding amounts must be integers, got pad={pad!r}")
    if len(amounts) % 2:
        raise ConvShapeError(f"{op}: padding length must be divisible by 2, got pad={pad!r}")
    if len(amounts) // 2 > x.ndim:
        raise ConvShapeError(f"{op}: padding length too large: pad={pad!r} pads {len(amounts) // 2} dimensions, "
                             f"but the input of shape {tuple(x.shape)} has {x.ndim}")
    if mode not in _PAD_MODES:
        raise ConvShapeError(f"{op}: unrecognised padding mode {mode!r}, should be one of {_PAD_MODES}")
    k = len(amounts) // 2
    pairs = ((0, 0),) * (x.ndim - k) + tuple((int(amounts[2 * i]), int(amounts[2 * i + 1]))
                                             for i in reversed(range(k)))
    if mode == "constant":
        for n, (a, b) in zip(x.shape, pairs):
            if n + a + b < 0:
                raise ConvShapeError(f"{op}: the padding {pad} would make a dimension of the input of shape "
                                     f"{tuple(x.shape)} negative ({n + a + b})")
        return Pad.apply(x, pairs, mode, 0 if value is None else value)
    if value is not None and value != 0:
        raise ConvShapeError(f"{op}: padding mode {mode!r} doesn't take in value argument")
    for n, (a, b) in zip(x.shape, pairs):
        if a < 0 or b < 0:
            raise ConvShapeError(f"{op}: negative padding is only supported in 'constant' mode, got pad={pad!r}")
        if (a or b) and (n == 0 or (mode == "reflect" and max(a, b) >= n) or (mode == "circular" and max(a, b) > n)):
            rule = "smaller than" if mode == "reflect" else "at most"
            raise ConvShapeError(f"{op}: {mode} padding amounts must be {rule} the size of the padded dimension: "
                                 f"got pad={pad!r} for an input of shape {tuple(x.shape)}")
    return Pad.apply(x, pairs, mode, 0)


# ---- embedding ------------------------------------------------------------------------------------


class Embedding(Function):
    """y[..., :] = W[idx[...], :]:  dL/dW[r] = Σ over the positions holding index r of g (repeats add up;
    the padding_idx row gets none)."""

    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(idx, weight.shape, padding_idx, scale_grad_by_freq)
        return np.take(weight, idx, axis=0)

    @staticmethod
    def backward(ctx, g):
        idx, shape, padding_idx, scale_grad_by_freq = ctx.saved_tensors
        flat = idx.reshape(-1)
        rows = g.reshape(-1, shape[1])
        if scale_grad_by_freq:
            rows = rows / np.bincount(flat, minlength=shape[0])[flat][:, None].astype(rows.dtype)
        gw = np.zeros(shape, g.dtype)
        np.add.at(gw, flat, rows)  # an index used k times gets the sum of its k gradients
        if padding_idx is not None:
            gw[padding_idx] = 0
        return gw


def _indices(input, num_embeddings: int) -> np.ndarray:
    """The index array, checked: integers in [0, num_embeddings)."""
    idx = np.asarray(input.data if isinstance(input, Tensor) else input)
    if idx.dtype.kind not in "iu":
        first = f", first value {idx.flat[0].item()!r}" if idx.size else ""
        raise EmbeddingIndexError(
            f"embedding: indices must be integers in [0, {num_embeddings - 1}] (num_embeddings={num_embeddings}), "
            f"got dtype {idx.dtype}{first}; make them with dtype=autograd.long")
    bad = idx[(idx < 0) | (idx >= num_embeddings)]
    if bad.size:
        raise EmbeddingIndexError(
            f"embedding: index {bad.flat[0]} is out of range for num_embeddings={num_embeddings}: indices must "
            f"be in [0, {num_embeddings - 1}]" + (" (negative indices are not allowed)" if bad.flat[0] < 0 else ""))
    return idx


def _padding_index(padding_idx, num_embeddings: int) -> int | None:
    if padding_idx is None:
        return None
    if not isinstance(padding_idx, numbers.Integral) or not -num_embeddings <= padding_idx < num_embeddings:
        raise EmbeddingIndexError(f"embedding: padding_idx must be within num_embeddings={num_embeddings} "
                                  f"(in [{-num_embeddings}, {num_embeddings - 1}]), got {padding_idx!r}")
    return int(padding_idx) % num_embeddings


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False) -> Tensor:
    """Look up rows of `weight` (num_embeddings, embedding_dim) (``torch.nn.functional.embedding``):
    out[..., :] = weight[input[...], :], of shape input.shape + (embedding_dim,).

    The gradient of a row is the sum of the output gradients at every position that looked it up (a
    word used three times in a batch gets three contributions); the `padding_idx` row gets none.
    ``max_norm``: first rescale (in place, no gradient) every looked-up row whose `norm_type`-norm
    exceeds it to norm max_norm, as PyTorch. ``scale_grad_by_freq``: divide each row's gradient by how
    often it occurs in `input`. ``sparse`` is accepted, but gradients are always dense arrays (same
    values). Indices must be integers in [0, num_embeddings): anything else raises EmbeddingIndexError
    (an IndexError and a ValueError) and changes nothing.
    """
    w = _tensor(weight)
    if w.ndim != 2:
        raise ConvShapeError(f"embedding: 'weight' must be 2-D (num_embeddings, embedding_dim), got weight of "
                             f"shape {tuple(w.shape)}")
    num = w.shape[0]
    idx = _indices(input, num)  # checked before anything is touched
    padding_idx = _padding_index(padding_idx, num)
    if max_norm is not None:
        rows = np.unique(idx)
        with no_grad():
            norms = np.linalg.norm(w.data[rows], ord=norm_type, axis=1)
            big = norms > max_norm
            if big.any():
                scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
                w.data[rows[big]] *= scale[:, None]
                w._version += 1  # changed in place: a graph that saved the old rows refuses to backpropagate
    return Embedding.apply(w, idx, padding_idx, bool(scale_grad_by_freq))
