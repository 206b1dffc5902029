"""Convolution, pooling and padding: tables of configurations, each op checked three ways:

- against a naive reference written here with Python loops over every output position (float64),
  forward and gradients (the gradients by the chain rule written out per position);
- by autograd.gradcheck (central differences, float64);
- against PyTorch, forward and every gradient, where torch is installed (skipped cleanly otherwise).

Then the layers (weight layout, PyTorch's initialization, repr, state_dict into torch), bad input (each
error names the op and every shape involved), float32 kept throughout, version checks, and a
PyTorch-tutorial-style CNN that runs on seedgrad by changing its imports.
"""

import math
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor, gradcheck
from nn.functional_conv import ConvShapeError


def _torch():
    return pytest.importorskip("torch")


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def leaf(data):
    return Tensor(np.array(data, dtype=np.float64), requires_grad=True)


# ---- naive references: loops over every output position --------------------------------------------


def _same_pads(kernel, dilation):
    return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))


def _pads(padding, kernel, dilation):
    if padding == "same":
        return _same_pads(kernel, dilation)
    if padding == "valid":
        return ((0, 0),) * len(kernel)
    padding = (padding,) * len(kernel) if isinstance(padding, int) else padding
    return tuple((p, p) for p in padding)


def _pair(v, n=2):
    return (v,) * n if isinstance(v, int) else tuple(v)


def naive_conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, upstream=None):
    """out[n, o, y, x] = b[o] + Σ_{c, i, j} w[o, c, i, j]·xp[n, g·Cg + c, y·sh + i·dh, x·sw + j·dw], and
    with `upstream` g the gradients (dx, dw, db) of Σ g·out, accumulated position by position."""
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    kh, kw = w.shape[2:]
    pads = _pads(padding, (kh, kw), (dh, dw))
    xp = np.pad(x, ((0, 0), (0, 0)) + pads)
    n_, _, hp, wp = xp.shape
    o_, cg = w.shape[:2]
    og = o_ // groups
    oh, ow = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n_, o_, oh, ow))
    gxp, gw, gb = np.zeros_like(xp), np.zeros_like(w), np.zeros(o_)
    for n in range(n_):
        for o in range(o_):
            g = o // og
            for y in range(oh):
                for x_ in range(ow):
                    total = 0.0 if b is None else b[o]
                    up = 0.0 if upstream is None else upstream[n, o, y, x_]
                    gb[o] += up
                    for c in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                r, s = y * sh + i * dh, x_ * sw + j * dw
                                total += w[o, c, i, j] * xp[n, g * cg + c, r, s]
                                gxp[n, g * cg + c, r, s] += up * w[o, c, i, j]
                                gw[o, c, i, j] += up * xp[n, g * cg + c, r, s]
                    out[n, o, y, x_] = total
    (t, _), (l, _) = pads
    gx = gxp[:, :, t:t + x.shape[2], l:l + x.shape[3]]
    return out, gx, gw, gb


def naive_conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, upstream=None):
    """The 1-D sum out[n, o, t] = b[o] + Σ_{c, i} w[o, c, i]·xp[n, g·Cg + c, t·s + i·d], its own loops."""
    (s,), (d,) = _pair(stride, 1), _pair(dilation, 1)
    k = w.shape[2]
    ((a, z),) = _pads(padding, (k,), (d,))
    xp = np.pad(x, ((0, 0), (0, 0), (a, z)))
    n_, _, lp = xp.shape
    o_, cg = w.shape[:2]
    og = o_ // groups
    lo = (lp - d * (k - 1) - 1) // s + 1
    out = np.zeros((n_, o_, lo))
    gxp, gw, gb = np.zeros_like(xp), np.zeros_like(w), np.zeros(o_)
    for n in range(n_):
        for o in range(o_):
            g = o // og
            for t in range(lo):
                total = 0.0 if b is None else b[o]
                up = 0.0 if upstream is None else upstream[n, o, t]
                gb[o] += up
                for c in range(cg):
                    for i in range(k):
                        total += w[o, c, i] * xp[n, g * cg + c, t * s + i * d]
                        gxp[n, g * cg + c, t * s + i * d] += up * w[o, c, i]
                        gw[o, c, i] += up * xp[n, g * cg + c, t * s + i * d]
                out[n, o, t] = total
    return out, gxp[:, :, a:a + x.shape[2]], gw, gb


# (id, input shape, weight shape, bias?, keyword arguments)
CONV2D_CASES = [
    ("basic", (2, 3, 6, 5), (4, 3, 3, 3), True, {}),
    ("no_bias", (2, 3, 5, 5), (2, 3, 3, 3), False, {}),
    ("padding1", (2, 2, 5, 6), (3, 2, 3, 3), True, dict(padding=1)),
    ("padding_pair", (1, 2, 5, 4), (3, 2, 3, 2), True, dict(padding=(2, 1))),
    ("stride2", (2, 2, 7, 7), (3, 2, 3, 3), True, dict(stride=2)),
    ("stride_leftover", (1, 1, 6, 6), (2, 1, 3, 3), True, dict(stride=2)),  # the last row/column is unused
    ("stride_pair_padding", (2, 2, 7, 6), (2, 2, 3, 3), True, dict(stride=(2, 1), padding=(1, 2))),
    ("dilation2", (1, 2, 7, 7), (2, 2, 3, 3), True, dict(dilation=2, padding=2)),
    ("dilation_pair", (2, 1, 6, 8), (2, 1, 2, 3), True, dict(dilation=(1, 2))),
    ("groups2", (2, 4, 5, 5), (6, 2, 3, 3), True, dict(groups=2, padding=1)),
    ("depthwise", (2, 3, 5, 5), (3, 1, 3, 3), True, dict(groups=3)),
    ("depthwise_multiplier", (1, 3, 5, 4), (6, 1, 2, 2), True, dict(groups=3, stride=2, padding=1)),
    ("same_odd", (2, 2, 5, 6), (3, 2, 3, 3), True, dict(padding="same")),
    ("same_even_kernel", (1, 2, 5, 6), (2, 2, 2, 4), True, dict(padding="same")),  # extra zero at the end
    ("same_dilated", (1, 2, 6, 6), (2, 2, 3, 2), True, dict(padding="same", dilation=(2, 3))),
    ("valid", (2, 2, 5, 5), (2, 2, 3, 3), True, dict(padding="valid")),
    ("one_by_one", (2, 3, 4, 4), (5, 3, 1, 1), True, {}),
    ("kernel_is_input", (2, 2, 3, 3), (4, 2, 3, 3), True, {}),
    ("rectangular", (2, 2, 4, 7), (3, 2, 2, 3), True, dict(stride=(1, 2), padding=(0, 1))),
    ("everything", (2, 4, 8, 7), (4, 2, 3, 2), True, dict(stride=(2, 1), padding=(2, 1), dilation=(2, 1), groups=2)),
]

CONV1D_CASES = [
    ("basic", (2, 3, 7), (4, 3, 3), True, {}),
    ("no_bias", (2, 2, 6), (3, 2, 2), False, {}),
    ("padding_stride", (2, 2, 9), (3, 2, 3), True, dict(stride=2, padding=1)),
    ("dilation", (1, 2, 9), (2, 2, 3), True, dict(dilation=3, padding=2)),
    ("groups", (2, 4, 6), (4, 2, 3), True, dict(groups=2)),
    ("depthwise", (2, 3, 6), (3, 1, 2), True, dict(groups=3, padding=1)),
    ("same_odd", (2, 2, 5), (2, 2, 3), True, dict(padding="same")),
    ("same_even", (2, 2, 6), (2, 2, 4), True, dict(padding="same")),
    ("valid", (1, 2, 5), (2, 2, 5), True, dict(padding="valid")),
    ("everything", (2, 4, 11), (6, 2, 3), True, dict(stride=2, padding=3, dilation=2, groups=2)),
]


def _conv_inputs(xs, ws, bias, seed=0):
    x, w = rand(xs, seed), rand(ws, seed + 1)
    b = rand(ws[0], seed + 2) if bias else None
    return x, w, b


# every case of both tables: (conv function's name, its naive reference, the case)
CONV_TABLE = ([("conv2d", naive_conv2d, c) for c in CONV2D_CASES]
              + [("conv1d", naive_conv1d, c) for c in CONV1D_CASES])
CONV_IDS = ["2d-" + c[0] for c in CONV2D_CASES] + ["1d-" + c[0] for c in CONV1D_CASES]


@pytest.mark.parametrize("name, naive, case", CONV_TABLE, ids=CONV_IDS)
def test_conv_matches_naive_loops(name, naive, case):
    fn = getattr(F, name)
    _, xs, ws, bias, kwargs = case
    x, w, b = _conv_inputs(xs, ws, bias)
    X, W = leaf(x), leaf(w)
    B = leaf(b) if bias else None
    y = fn(X, W, B, **kwargs)
    upstream = rand(y.shape, 7)
    out, gx, gw, gb = naive(x, w, b, upstream=upstream, **kwargs)
    np.testing.assert_allclose(y.data, out, rtol=1e-12, atol=1e-12)
    y.backward(upstream)
    np.testing.assert_allclose(X.grad, gx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(W.grad, gw, rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(B.grad, gb, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, naive, case", CONV_TABLE, ids=CONV_IDS)
def test_conv_gradcheck(name, naive, case):
    fn = getattr(F, name)
    _, xs, ws, bias, kwargs = case
    x, w, b = _conv_inputs(xs, ws, bias, seed=3)
    inputs = [leaf(x), leaf(w)] + ([leaf(b)] if bias else [])
    assert gradcheck(lambda *t: fn(t[0], t[1], t[2] if bias else None, **kwargs), inputs)


@pytest.mark.parametrize("name, naive, case", CONV_TABLE, ids=CONV_IDS)
def test_conv_matches_torch(name, naive, case):
    torch = _torch()
    _, xs, ws, bias, kwargs = case
    x, w, b = _conv_inputs(xs, ws, bias, seed=5)
    ours = [leaf(a) for a in (x, w) + ((b,) if bias else ())]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w) + ((b,) if bias else ())]
    y = getattr(F, name)(ours[0], ours[1], ours[2] if bias else None, **kwargs)
    with warnings.catch_warnings():  # torch warns that an asymmetric 'same' padding copies the input
        warnings.simplefilter("ignore")
        t = getattr(torch.nn.functional, name)(theirs[0], theirs[1], theirs[2] if bias else None, **kwargs)
    np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = rand(y.shape, 9)
    y.backward(upstream)
    t.backward(torch.tensor(upstream))
    for a, ta in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_conv_unbatched_input_as_pytorch():
    x, w, b = _conv_inputs((3, 5, 6), (4, 3, 3, 3), True)
    y = F.conv2d(leaf(x), leaf(w), leaf(b), padding=1)
    assert y.shape == (4, 5, 6)
    np.testing.assert_allclose(y.data, naive_conv2d(x[None], w, b, padding=1)[0][0], rtol=1e-12)
    x1, w1, b1 = _conv_inputs((3, 7), (2, 3, 3), True)
    y1 = F.conv1d(leaf(x1), leaf(w1), leaf(b1), stride=2)
    np.testing.assert_allclose(y1.data, naive_conv1d(x1[None], w1, b1, stride=2)[0][0], rtol=1e-12)
    assert gradcheck(lambda a, c: F.conv2d(a, c, padding=1), [leaf(x), leaf(w)])


def test_conv_takes_views_and_empty_batches():
    x, w, b = _conv_inputs((2, 3, 9, 8), (4, 3, 3, 3), True)
    view = x[:, :, ::-1, ::2]  # negative and doubled strides: im2col's strided view is built on top of them
    np.testing.assert_allclose(F.conv2d(Tensor(view), Tensor(w), Tensor(b), padding=1).data,
                               naive_conv2d(view.copy(), w, b, padding=1)[0], rtol=1e-12)
    empty = leaf(np.zeros((0, 3, 6, 7)))
    W = leaf(w)
    y = F.conv2d(empty, W, padding=1)
    assert y.shape == (0, 4, 6, 7)
    y.sum().backward()
    assert empty.grad.shape == (0, 3, 6, 7) and not W.grad.any()
    for pool in (lambda t: F.max_pool2d(t, 2), lambda t: F.avg_pool2d(t, 2), lambda t: F.adaptive_avg_pool2d(t, 2)):
        assert pool(empty).shape[:2] == (0, 3)


def test_conv_float32_stays_float32():
    x = Tensor(rand((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    conv = nn.Conv2d(3, 4, 3, padding=1)
    y = conv(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == conv.weight.grad.dtype == conv.bias.grad.dtype == np.float32
    # an integer image is computed in the weight's dtype (PyTorch's promotion), a float64 one in float64
    assert conv(np.arange(2 * 3 * 36).reshape(2, 3, 6, 6)).dtype == np.float32
    assert F.conv2d(rand((1, 3, 4, 4)), conv.weight).dtype == np.float64


def test_conv_backward_raises_after_weight_changed_in_place():
    conv = nn.Conv2d(2, 3, 3)
    opt = optim.SGD(conv.parameters(), lr=0.1)
    loss = conv(Tensor(rand((1, 2, 5, 5)).astype(np.float32), requires_grad=True)).sum()
    conv.weight.grad = np.ones_like(conv.weight.data)
    opt.step()  # changes the weight that backward needs
    with pytest.raises(RuntimeError, match="conv2d"):
        loss.backward()


def test_conv_needs_only_the_gradients_asked_for():
    x = Tensor(rand((2, 2, 5, 5)))  # no gradient wanted for the input
    w = leaf(rand((3, 2, 3, 3), 1))
    F.conv2d(x, w, padding=1).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 2, 3, 3)


# ---- padding modes (the layer pads with F.pad, then convolves) -------------------------------------

_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv2d_padding_modes(mode, padding):
    autograd.manual_seed(0)
    conv = nn.Conv2d(2, 3, (3, 2), padding=padding, padding_mode=mode).double()
    x = rand((2, 2, 5, 6))
    pads = _pads(padding, (3, 2), (1, 1))
    expected = naive_conv2d(np.pad(x, ((0, 0), (0, 0)) + pads, mode=_NP_MODE[mode]), conv.weight.data,
                            conv.bias.data)[0]
    np.testing.assert_allclose(conv(leaf(x)).data, expected, rtol=1e-12)
    assert gradcheck(lambda t: conv(t), [leaf(x)])


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv_layers_match_torch_with_padding_modes(mode):
    torch = _torch()
    autograd.manual_seed(1)
    for ours, theirs, shape in [
        (nn.Conv2d(2, 4, 3, padding=1, padding_mode=mode),
         torch.nn.Conv2d(2, 4, 3, padding=1, padding_mode=mode), (2, 2, 6, 5)),
        (nn.Conv2d(2, 4, (2, 3), padding="same", dilation=(1, 2), padding_mode=mode, groups=2),
         torch.nn.Conv2d(2, 4, (2, 3), padding="same", dilation=(1, 2), padding_mode=mode, groups=2), (1, 2, 5, 7)),
        (nn.Conv1d(3, 2, 3, padding=2, padding_mode=mode, bias=False),
         torch.nn.Conv1d(3, 2, 3, padding=2, padding_mode=mode, bias=False), (2, 3, 7)),
    ]:
        ours.double()
        theirs.double().load_state_dict({k: torch.from_numpy(v.data.copy()) for k, v in ours.state_dict().items()})
        x = rand(shape, 2)
        a, ta = leaf(x), torch.tensor(x, requires_grad=True)
        y, t = ours(a), theirs(ta)
        np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
        up = rand(y.shape, 3)
        y.backward(up)
        t.backward(torch.tensor(up))
        np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-10, atol=1e-12)
        for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


# ---- the layers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("make, weight_shape, fan_in", [
    (lambda: nn.Conv2d(3, 8, 5), (8, 3, 5, 5), 75),
    (lambda: nn.Conv2d(4, 6, (3, 2), groups=2), (6, 2, 3, 2), 12),
    (lambda: nn.Conv1d(16, 32, 3), (32, 16, 3), 48),
    (lambda: nn.Conv2d(64, 64, 3, groups=64), (64, 1, 3, 3), 9),
])
def test_conv_weight_layout_and_default_init(make, weight_shape, fan_in):
    autograd.manual_seed(0)
    conv = make()
    assert conv.weight.shape == weight_shape and conv.bias.shape == (weight_shape[0],)
    assert conv.weight.dtype == np.float32
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=√5): gain √(2/(1+5)) · √(3/fan_in) = 1/√fan_in
    for p in (conv.weight, conv.bias):
        assert np.abs(p.data).max() <= bound
    if conv.weight.numel() >= 1000:  # U(−b, b) has std b/√3
        assert abs(conv.weight.data.std() - bound / math.sqrt(3)) < 0.1 * bound / math.sqrt(3)
        assert np.abs(conv.weight.data).max() > 0.95 * bound


def test_conv_init_draws_from_the_global_seed():
    autograd.manual_seed(3)
    a = nn.Conv2d(2, 3, 3).weight.data.copy()
    autograd.manual_seed(3)
    assert np.array_equal(nn.Conv2d(2, 3, 3).weight.data, a)


REPR_CASES = [
    (lambda m: m.Conv2d(1, 6, 5), "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"),
    (lambda m: m.Conv2d(4, 8, (3, 5), stride=2, padding=1, dilation=2, groups=2, bias=False),
     "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=2, bias=False)"),
    (lambda m: m.Conv2d(3, 3, 3, padding="same", padding_mode="reflect"),
     "Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), padding=same, padding_mode=reflect)"),
    (lambda m: m.Conv1d(3, 4, 3), "Conv1d(3, 4, kernel_size=(3,), stride=(1,))"),
    (lambda m: m.Conv1d(3, 4, 3, padding="valid"), "Conv1d(3, 4, kernel_size=(3,), stride=(1,), padding=valid)"),
    (lambda m: m.MaxPool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
    (lambda m: m.MaxPool2d((3, 2), 1, 1, ceil_mode=True),
     "MaxPool2d(kernel_size=(3, 2), stride=1, padding=1, dilation=1, ceil_mode=True)"),
    (lambda m: m.AvgPool2d(3, 2, 1), "AvgPool2d(kernel_size=3, stride=2, padding=1)"),
    (lambda m: m.AdaptiveAvgPool2d((1, 1)), "AdaptiveAvgPool2d(output_size=(1, 1))"),
    (lambda m: m.AdaptiveAvgPool2d(5), "AdaptiveAvgPool2d(output_size=5)"),
]
REPR_IDS = [f"{expected.split('(')[0]}-{i}" for i, (_, expected) in enumerate(REPR_CASES)]


@pytest.mark.parametrize("make, expected", REPR_CASES, ids=REPR_IDS)
def test_layer_repr_as_pytorch(make, expected):
    assert repr(make(nn)) == expected


@pytest.mark.parametrize("make, expected", REPR_CASES, ids=REPR_IDS)
def test_layer_repr_is_pytorchs(make, expected):
    torch = _torch()
    assert repr(make(torch.nn)) == expected


def test_conv_state_dict_loads_into_torch():
    torch = _torch()
    autograd.manual_seed(0)
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3, groups=2),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Conv2d(4, 8, 3, groups=2), torch.nn.AdaptiveAvgPool2d(1),
                                 torch.nn.Flatten(), torch.nn.Linear(8, 3))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict(nn.utils.torch_state_dict(ours.state_dict()))
    x = rand((2, 1, 10, 10)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-4,
                               atol=1e-5)


# ---- pooling: naive references ---------------------------------------------------------------------


def _pool_size(n, k, s, p, d, ceil_mode):
    span = d * (k - 1) + 1
    m = (n + 2 * p - span + ((s - 1) if ceil_mode else 0)) // s + 1
    if ceil_mode and (m - 1) * s >= n + p:
        m -= 1
    return m


def naive_max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, upstream=None):
    """Each window's max over the real input (padding never wins); the gradient goes to its first maximum
    in row-major scan order. Returns (out, grad, flat indices)."""
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride if stride is not None else kernel_size)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    h, w = x.shape[-2:]
    oh, ow = _pool_size(h, kh, sh, ph, dh, ceil_mode), _pool_size(w, kw, sw, pw, dw, ceil_mode)
    lead = x.shape[:-2]
    out, grad, where = np.zeros(lead + (oh, ow)), np.zeros_like(x), np.zeros(lead + (oh, ow), dtype=np.int64)
    for idx in np.ndindex(*lead):
        for y in range(oh):
            for x_ in range(ow):
                best, at = -np.inf, None
                for i in range(kh):
                    for j in range(kw):
                        r, c = y * sh - ph + i * dh, x_ * sw - pw + j * dw
                        if 0 <= r < h and 0 <= c < w and x[idx + (r, c)] > best:
                            best, at = x[idx + (r, c)], (r, c)
                out[idx + (y, x_)] = best
                where[idx + (y, x_)] = at[0] * w + at[1]
                if upstream is not None:
                    grad[idx + at] += upstream[idx + (y, x_)]
    return out, grad, where


def naive_avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                     divisor_override=None, upstream=None):
    """PyTorch's average: sum over the window's real elements / (window clipped to the padded input, or
    the number of real elements, or divisor_override)."""
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride if stride is not None else kernel_size)
    ph, pw = _pair(padding)
    h, w = x.shape[-2:]
    oh, ow = _pool_size(h, kh, sh, ph, 1, ceil_mode), _pool_size(w, kw, sw, pw, 1, ceil_mode)
    lead = x.shape[:-2]
    out, grad = np.zeros(lead + (oh, ow)), np.zeros_like(x)
    for idx in np.ndindex(*lead):
        for y in range(oh):
            for x_ in range(ow):
                r0, c0 = y * sh - ph, x_ * sw - pw
                r1, c1 = min(r0 + kh, h + ph), min(c0 + kw, w + pw)
                size = (r1 - r0) * (c1 - c0)
                rows = range(max(r0, 0), min(r1, h))
                cols = range(max(c0, 0), min(c1, w))
                divisor = divisor_override or (size if count_include_pad else len(rows) * len(cols))
                out[idx + (y, x_)] = sum(x[idx + (r, c)] for r in rows for c in cols) / divisor
                if upstream is not None:
                    for r in rows:
                        for c in cols:
                            grad[idx + (r, c)] += upstream[idx + (y, x_)] / divisor
    return out, grad


def naive_adaptive_avg_pool2d(x, output_size, upstream=None):
    """Output (i, j) averages rows floor(i·H/OH) .. ceil((i+1)·H/OH) − 1 and the same for columns."""
    h, w = x.shape[-2:]
    oh, ow = _pair(output_size)
    oh, ow = oh or h, ow or w
    lead = x.shape[:-2]
    out, grad = np.zeros(lead + (oh, ow)), np.zeros_like(x)
    for idx in np.ndindex(*lead):
        for i in range(oh):
            r0, r1 = math.floor(i * h / oh), math.ceil((i + 1) * h / oh)
            for j in range(ow):
                c0, c1 = math.floor(j * w / ow), math.ceil((j + 1) * w / ow)
                n = (r1 - r0) * (c1 - c0)
                out[idx + (i, j)] = sum(x[idx + (r, c)] for r in range(r0, r1) for c in range(c0, c1)) / n
                if upstream is not None:
                    for r in range(r0, r1):
                        for c in range(c0, c1):
                            grad[idx + (r, c)] += upstream[idx + (i, j)] / n
    return out, grad


# (id, input shape, keyword arguments)
MAX_POOL_CASES = [
    ("k2", (2, 3, 6, 6), dict(kernel_size=2)),
    ("k2_odd_input", (2, 2, 7, 5), dict(kernel_size=2)),
    ("k3_s2_p1", (2, 2, 7, 8), dict(kernel_size=3, stride=2, padding=1)),
    ("overlapping", (1, 2, 6, 6), dict(kernel_size=3, stride=1)),
    ("rect", (2, 1, 6, 9), dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 1))),
    ("dilation", (1, 2, 8, 8), dict(kernel_size=3, stride=1, dilation=2, padding=1)),
    ("ceil_mode", (2, 2, 7, 7), dict(kernel_size=2, ceil_mode=True)),
    ("ceil_mode_padding", (1, 2, 8, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("unbatched", (3, 6, 5), dict(kernel_size=2, stride=1)),
    ("global", (2, 3, 4, 4), dict(kernel_size=4)),
]

AVG_POOL_CASES = [
    ("k2", (2, 3, 6, 6), dict(kernel_size=2)),
    ("k3_s2_p1", (2, 2, 7, 8), dict(kernel_size=3, stride=2, padding=1)),
    ("exclude_pad", (2, 2, 7, 8), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("overlapping", (1, 2, 6, 5), dict(kernel_size=(3, 2), stride=1)),
    ("ceil_mode", (2, 2, 7, 7), dict(kernel_size=2, ceil_mode=True)),
    ("ceil_mode_padding", (1, 2, 8, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("ceil_exclude_pad", (1, 2, 8, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                            count_include_pad=False)),
    ("divisor_override", (2, 2, 6, 6), dict(kernel_size=3, padding=1, divisor_override=4)),
    ("unbatched", (3, 6, 5), dict(kernel_size=2, stride=1)),
]

ADAPTIVE_CASES = [
    ("global", (2, 3, 5, 7), 1),
    ("divides", (2, 2, 8, 6), (4, 3)),
    ("uneven", (2, 2, 7, 5), (3, 4)),  # overlapping windows
    ("larger_than_input", (1, 2, 3, 2), (5, 4)),
    ("none_keeps_size", (2, 1, 6, 5), (None, 2)),
    ("identity", (1, 2, 4, 4), 4),
    ("unbatched", (3, 7, 6), (2, 3)),
]


def _table(cases):
    """parametrize's argvalues and ids from rows (id, *values)."""
    return dict(argvalues=[c[1:] for c in cases], ids=[c[0] for c in cases])


@pytest.mark.parametrize("shape, kwargs", **_table(MAX_POOL_CASES))
def test_max_pool2d_matches_naive_loops(shape, kwargs):
    x = rand(shape)
    X = leaf(x)
    y = F.max_pool2d(X, **kwargs)
    upstream = rand(y.shape, 1)
    out, grad, where = naive_max_pool2d(x, upstream=upstream, **kwargs)
    np.testing.assert_array_equal(y.data, out)
    y.backward(upstream)
    np.testing.assert_allclose(X.grad, grad, rtol=1e-12, atol=1e-15)
    _, indices = F.max_pool2d(X, return_indices=True, **kwargs)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.data, where)


@pytest.mark.parametrize("shape, kwargs", **_table(AVG_POOL_CASES))
def test_avg_pool2d_matches_naive_loops(shape, kwargs):
    x = rand(shape)
    X = leaf(x)
    y = F.avg_pool2d(X, **kwargs)
    upstream = rand(y.shape, 1)
    out, grad = naive_avg_pool2d(x, upstream=upstream, **kwargs)
    np.testing.assert_allclose(y.data, out, rtol=1e-12, atol=1e-15)
    y.backward(upstream)
    np.testing.assert_allclose(X.grad, grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("shape, output_size", **_table(ADAPTIVE_CASES))
def test_adaptive_avg_pool2d_matches_naive_loops(shape, output_size):
    x = rand(shape)
    X = leaf(x)
    y = F.adaptive_avg_pool2d(X, output_size)
    upstream = rand(y.shape, 1)
    out, grad = naive_adaptive_avg_pool2d(x, output_size, upstream=upstream)
    np.testing.assert_allclose(y.data, out, rtol=1e-12, atol=1e-15)
    y.backward(upstream)
    np.testing.assert_allclose(X.grad, grad, rtol=1e-12, atol=1e-15)


POOL_GRADCHECK = ([(F.max_pool2d, s, k) for _, s, k in MAX_POOL_CASES]
                  + [(F.avg_pool2d, s, k) for _, s, k in AVG_POOL_CASES]
                  + [(F.adaptive_avg_pool2d, s, dict(output_size=o)) for _, s, o in ADAPTIVE_CASES])
POOL_IDS = (["max-" + c[0] for c in MAX_POOL_CASES] + ["avg-" + c[0] for c in AVG_POOL_CASES]
            + ["adaptive-" + c[0] for c in ADAPTIVE_CASES])


@pytest.mark.parametrize("fn, shape, kwargs", POOL_GRADCHECK, ids=POOL_IDS)
def test_pool_gradcheck(fn, shape, kwargs):
    x = leaf(rand(shape, 4))  # continuous values: no ties, so max pooling is differentiable here
    assert gradcheck(lambda t: fn(t, **kwargs), [x])


@pytest.mark.parametrize("fn, shape, kwargs", POOL_GRADCHECK, ids=POOL_IDS)
def test_pool_matches_torch(fn, shape, kwargs):
    torch = _torch()
    x = rand(shape, 6)
    a, t = leaf(x), torch.tensor(x, requires_grad=True)
    y, ty = fn(a, **kwargs), getattr(torch.nn.functional, fn.__name__)(t, **kwargs)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    upstream = rand(y.shape, 8)
    y.backward(upstream)
    ty.backward(torch.tensor(upstream))
    np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)
    if fn is F.max_pool2d:
        _, ours = F.max_pool2d(a, return_indices=True, **kwargs)
        _, theirs = torch.nn.functional.max_pool2d(t, return_indices=True, **kwargs)
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def _tied():
    """Windows full of equal values, a plateau across windows, and NaNs."""
    x = np.zeros((1, 2, 4, 6))
    x[0, 0, :2, :2] = 5.0
    x[0, 0, 2:, 2:4] = [[1.0, 3.0], [3.0, 3.0]]
    x[0, 1] = 7.0
    x[0, 1, 1, 1] = np.nan
    x[0, 1, 2, 4:] = np.nan
    return x


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                    dict(kernel_size=2, stride=1)])
def test_max_pool2d_ties_go_to_the_first_max_and_nan_wins(kwargs):
    x = _tied()
    X = leaf(x)
    y = F.max_pool2d(X, **kwargs)
    y.backward(np.arange(1.0, y.numel() + 1).reshape(y.shape))
    finite = ~np.isnan(x)
    _, grad, _ = naive_max_pool2d(np.where(finite, x, -1.0)[:, :1], upstream=np.arange(1.0, y.numel() + 1)
                                  .reshape(y.shape)[:, :1], **kwargs)
    np.testing.assert_array_equal(X.grad[:, :1], grad)  # channel 0 has no NaN: the naive rule applies
    assert np.isnan(y.data[0, 1]).any()  # NaN propagates
    try:
        torch = __import__("torch")
    except ImportError:
        return
    t = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.max_pool2d(t, **kwargs)
    ty.backward(torch.arange(1.0, ty.numel() + 1, dtype=torch.float64).reshape(ty.shape))
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    np.testing.assert_array_equal(X.grad, t.grad.numpy())


def test_pool_layers_match_functions():
    x = leaf(rand((2, 3, 7, 6)))
    np.testing.assert_array_equal(nn.MaxPool2d(3, 2, 1)(x).data, F.max_pool2d(x, 3, 2, 1).data)
    y, i = nn.MaxPool2d(2, return_indices=True)(x)
    assert i.dtype == np.int64 and y.shape == i.shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(nn.AvgPool2d(3, 2, 1, count_include_pad=False)(x).data,
                                  F.avg_pool2d(x, 3, 2, 1, count_include_pad=False).data)
    np.testing.assert_array_equal(nn.AdaptiveAvgPool2d((2, 3))(x).data, F.adaptive_avg_pool2d(x, (2, 3)).data)
    assert nn.MaxPool2d(2).stride == 2 and nn.AvgPool2d((2, 3)).stride == (2, 3)


def test_pools_keep_float32():
    x = Tensor(rand((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    for y in (F.max_pool2d(x, 2), F.avg_pool2d(x, 3, 1, 1), F.adaptive_avg_pool2d(x, 4)):
        assert y.dtype == np.float32
        x.grad = None
        y.sum().backward()
        assert x.grad.dtype == np.float32


# ---- F.pad -----------------------------------------------------------------------------------------

PAD_CASES = [
    ("last_dim", (2, 3, 4), (1, 2), "constant", None),
    ("last_two", (2, 3, 4, 5), (1, 0, 2, 3), "constant", None),
    ("three_dims_value", (2, 3, 4), (1, 1, 0, 2, 1, 0), "constant", -1.5),
    ("negative_crops", (2, 3, 5, 6), (-1, 2, 1, -2), "constant", None),
    ("all_dims", (3, 4), (1, 1, 2, 0), "constant", 0.5),
    ("reflect", (2, 3, 5, 6), (2, 1, 1, 3), "reflect", None),
    ("reflect_1d", (2, 3, 5), (3, 4), "reflect", None),
    ("replicate", (2, 3, 4, 5), (2, 3, 1, 0), "replicate", None),
    ("replicate_wide", (1, 2, 2, 3), (4, 4, 3, 3), "replicate", None),
    ("circular", (2, 3, 4, 5), (2, 5, 1, 4), "circular", None),
    ("circular_1d", (2, 2, 6), (1, 3), "circular", None),
]


def naive_pad(x, pad, mode, value):
    """numpy's np.pad with PyTorch's order of amounts (the last dimension first); negative amounts crop."""
    k = len(pad) // 2
    pairs = [(0, 0)] * (x.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    crop = tuple(slice(max(0, -a), x.shape[d] - max(0, -b)) for d, (a, b) in enumerate(pairs))
    pairs = [(max(a, 0), max(b, 0)) for a, b in pairs]
    if mode == "constant":
        return np.pad(x[crop], pairs, mode="constant", constant_values=value or 0.0)
    return np.pad(x, pairs, mode=_NP_MODE[mode])


@pytest.mark.parametrize("shape, pad, mode, value", **_table(PAD_CASES))
def test_pad_matches_numpy_and_gradcheck(shape, pad, mode, value):
    x = rand(shape)
    y = F.pad(leaf(x), pad, mode=mode, value=value)
    np.testing.assert_array_equal(y.data, naive_pad(x, pad, mode, value))
    assert gradcheck(lambda t: F.pad(t, pad, mode=mode, value=value), [leaf(x)])


def test_constant_pad_gradient_slices_back():
    x = leaf(rand((2, 3, 4)))
    y = F.pad(x, (1, 2, 0, 1))
    g = rand(y.shape, 1)
    y.backward(g)
    np.testing.assert_array_equal(x.grad, g[:, 0:3, 1:5])


@pytest.mark.parametrize("shape, pad, mode, value", **_table(PAD_CASES))
def test_pad_matches_torch(shape, pad, mode, value):
    torch = _torch()
    x = rand(shape, 2)
    a, t = leaf(x), torch.tensor(x, requires_grad=True)
    y, ty = F.pad(a, pad, mode=mode, value=value), torch.nn.functional.pad(t, pad, mode=mode, value=value)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    g = rand(y.shape, 3)
    y.backward(g)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)


# ---- bad input: the error names the op and every shape ---------------------------------------------

# (id, call, words the message must contain)
BAD_INPUT = [
    ("conv2d_ndim", lambda: F.conv2d(rand((28, 28)), rand((6, 1, 5, 5))), ["conv2d", "(28, 28)", "(6, 1, 5, 5)"]),
    ("conv2d_weight_ndim", lambda: F.conv2d(rand((1, 1, 8, 8)), rand((6, 5, 5))),
     ["conv2d", "(1, 1, 8, 8)", "(6, 5, 5)"]),
    ("conv2d_channels", lambda: F.conv2d(rand((2, 5, 6, 6)), rand((4, 3, 3, 3))),
     ["conv2d", "(2, 5, 6, 6)", "(4, 3, 3, 3)", "5 channels", "3"]),
    ("conv2d_channels_groups", lambda: F.conv2d(rand((2, 6, 6, 6)), rand((4, 2, 3, 3)), groups=2),
     ["conv2d", "(2, 6, 6, 6)", "(4, 2, 3, 3)", "groups=2", "4"]),
    ("conv2d_groups_input", lambda: F.conv2d(rand((1, 4, 5, 5)), rand((6, 2, 3, 3)), groups=3),
     ["conv2d", "groups=3", "4 channels", "(1, 4, 5, 5)", "(6, 2, 3, 3)"]),
    ("conv2d_groups_output", lambda: F.conv2d(rand((1, 6, 5, 5)), rand((4, 2, 3, 3)), groups=3),
     ["conv2d", "groups=3", "4 output channels", "(1, 6, 5, 5)", "(4, 2, 3, 3)"]),
    ("conv2d_kernel_too_large", lambda: F.conv2d(rand((1, 1, 2, 2)), rand((1, 1, 5, 5)), padding=1),
     ["conv2d", "(5, 5)", "(4, 4)", "(2, 2)", "(1, 1, 2, 2)", "(1, 1, 5, 5)"]),
    ("conv2d_dilated_kernel_too_large", lambda: F.conv2d(rand((1, 1, 4, 4)), rand((1, 1, 3, 3)), dilation=2),
     ["conv2d", "(5, 5)", "(4, 4)", "dilation (2, 2)"]),
    ("conv2d_bias", lambda: F.conv2d(rand((1, 2, 4, 4)), rand((3, 2, 3, 3)), rand(4)),
     ["conv2d", "bias", "(4,)", "(3,)", "(3, 2, 3, 3)"]),
    ("conv2d_stride0", lambda: F.conv2d(rand((1, 1, 4, 4)), rand((1, 1, 3, 3)), stride=0), ["conv2d", "stride"]),
    ("conv2d_negative_padding", lambda: F.conv2d(rand((1, 1, 4, 4)), rand((1, 1, 3, 3)), padding=-1),
     ["conv2d", "padding"]),
    ("conv2d_same_strided", lambda: F.conv2d(rand((1, 1, 4, 4)), rand((1, 1, 3, 3)), stride=2, padding="same"),
     ["conv2d", "same", "strided"]),
    ("conv2d_padding_string", lambda: F.conv2d(rand((1, 1, 4, 4)), rand((1, 1, 3, 3)), padding="full"),
     ["conv2d", "'full'"]),
    ("conv2d_groups0", lambda: F.conv2d(rand((1, 1, 4, 4)), rand((1, 1, 3, 3)), groups=0), ["conv2d", "groups"]),
    ("conv2d_stride_length", lambda: F.conv2d(rand((1, 1, 4, 4)), rand((1, 1, 3, 3)), stride=(1, 1, 1)),
     ["conv2d", "stride", "2 values"]),
    ("conv1d_ndim", lambda: F.conv1d(rand((1, 2, 3, 8)), rand((4, 2, 3))), ["conv1d", "(1, 2, 3, 8)", "(4, 2, 3)"]),
    ("conv1d_kernel", lambda: F.conv1d(rand((1, 2, 3)), rand((4, 2, 5))), ["conv1d", "(5,)", "(3,)"]),
    ("layer_channels", lambda: nn.Conv2d(3, 6, 5)(rand((8, 1, 28, 28))),
     ["Conv2d(3, 6, kernel_size=(5, 5)", "(8, 1, 28, 28)", "3"]),
    ("layer1d_channels", lambda: nn.Conv1d(3, 6, 5)(rand((8, 1, 28))), ["Conv1d(3, 6", "(8, 1, 28)"]),
    ("max_pool_ndim", lambda: F.max_pool2d(rand((4, 4)), 2), ["max_pool2d", "(4, 4)"]),
    ("max_pool_empty", lambda: F.max_pool2d(rand((1, 1, 2, 2)), 3), ["max_pool2d", "(1, 1, 2, 2)", "(0, 0)"]),
    ("max_pool_padding", lambda: F.max_pool2d(rand((1, 1, 6, 6)), 2, padding=2), ["max_pool2d", "padding", "half"]),
    ("avg_pool_ndim", lambda: F.avg_pool2d(rand((2, 1, 1, 4, 4)), 2), ["avg_pool2d", "(2, 1, 1, 4, 4)"]),
    ("avg_pool_padding", lambda: F.avg_pool2d(rand((1, 1, 6, 6)), 3, padding=2), ["avg_pool2d", "padding"]),
    ("avg_pool_divisor", lambda: F.avg_pool2d(rand((1, 1, 6, 6)), 3, divisor_override=0), ["avg_pool2d", "divisor"]),
    ("adaptive_ndim", lambda: F.adaptive_avg_pool2d(rand((6, 6)), 2), ["adaptive_avg_pool2d", "(6, 6)"]),
    ("adaptive_size", lambda: F.adaptive_avg_pool2d(rand((1, 6, 6)), (1, 2, 3)), ["adaptive_avg_pool2d", "(1, 2, 3)"]),
    ("pad_odd", lambda: F.pad(rand((2, 3)), (1, 2, 3)), ["pad", "divisible by 2"]),
    ("pad_too_long", lambda: F.pad(rand((2, 3)), (1, 1, 1, 1, 1, 1)), ["pad", "too large", "(2, 3)"]),
    ("pad_mode", lambda: F.pad(rand((2, 3)), (1, 1), mode="mirror"), ["pad", "'mirror'"]),
    ("pad_reflect_too_wide", lambda: F.pad(rand((1, 2, 3)), (3, 0), mode="reflect"), ["pad", "reflect", "(1, 2, 3)"]),
    ("pad_circular_too_wide", lambda: F.pad(rand((1, 2, 3)), (0, 4), mode="circular"), ["pad", "circular"]),
    ("pad_value_with_reflect", lambda: F.pad(rand((1, 2, 3)), (1, 1), mode="reflect", value=2.0), ["pad", "value"]),
    ("pad_crop_too_much", lambda: F.pad(rand((1, 2, 3)), (-2, -2)), ["pad", "(1, 2, 3)", "negative"]),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_names_the_op_and_shapes(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert isinstance(info.value, ConvShapeError) and isinstance(info.value, RuntimeError)  # as PyTorch raises
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("make, words", [
    (lambda: nn.Conv2d(4, 6, 3, groups=3), ["in_channels", "divisible by groups"]),
    (lambda: nn.Conv2d(6, 4, 3, groups=3), ["out_channels", "divisible by groups"]),
    (lambda: nn.Conv2d(2, 2, 3, groups=0), ["groups must be a positive integer"]),
    (lambda: nn.Conv2d(2, 2, 3, padding_mode="mirror"), ["padding_mode", "'mirror'"]),
    (lambda: nn.Conv2d(2, 2, 3, padding="full"), ["Invalid padding string 'full'"]),
    (lambda: nn.Conv1d(2, 2, 3, stride=2, padding="same"), ["padding='same'", "strided"]),
    (lambda: nn.Conv2d(2, 2, 0), ["kernel_size"]),
])
def test_bad_layer_arguments(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_torch_rejects_what_we_reject():
    torch = _torch()
    for call in (lambda: torch.nn.functional.conv2d(torch.zeros(2, 5, 6, 6), torch.zeros(4, 3, 3, 3)),
                 lambda: torch.nn.functional.conv2d(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 5, 5), padding=1),
                 lambda: torch.nn.functional.max_pool2d(torch.zeros(1, 1, 6, 6), 2, padding=2)):
        with pytest.raises(RuntimeError):
            call()
    with pytest.raises(ValueError):
        torch.nn.Conv2d(4, 6, 3, groups=3)


# ---- a PyTorch tutorial CNN, ported by changing its imports ------------------------------------------

TUTORIAL = """
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(6, 12, kernel_size=3),
    nn.ReLU(),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Flatten(),
    nn.Linear(12 * 2 * 2, 10),
)
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x = torch.randn(16, 1, 12, 12)
y = torch.randint(0, 10, (16,))
losses = []
for step in range(30):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
with torch.no_grad():
    accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
"""


def _run_tutorial(imports: str) -> dict:
    scope: dict = {}
    exec(imports, scope)
    exec(TUTORIAL, scope)
    return scope


SEEDGRAD_IMPORTS = "import autograd as torch\nimport nn\nimport nn.functional as F\nimport optim\n"
TORCH_IMPORTS = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport torch.optim as optim\n"


def test_tutorial_cnn_runs_on_seedgrad_by_changing_imports():
    scope = _run_tutorial(SEEDGRAD_IMPORTS)
    losses = scope["losses"]
    assert all(np.isfinite(losses)) and losses[-1] < 0.2 * losses[0]  # it learns the 16 examples
    assert scope["accuracy"] == 1.0


def test_tutorial_cnn_same_weights_same_outputs_and_gradients_as_torch():
    torch = _torch()
    ours = _run_tutorial(SEEDGRAD_IMPORTS)
    theirs = _run_tutorial(TORCH_IMPORTS)
    assert theirs["accuracy"] > 0.5 and len(theirs["losses"]) == len(ours["losses"])  # the same script runs in torch
    # the same weights (ours, loaded into torch's model) and the same batch give the same step
    model, tmodel = ours["model"], theirs["model"]
    tmodel.load_state_dict(nn.utils.torch_state_dict(model.state_dict()))
    x = rand((8, 1, 12, 12)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 10, 8)
    out, tout = model(Tensor(x)), tmodel(torch.from_numpy(x))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-4, atol=1e-5)
    loss, tloss = F.cross_entropy(out, y), torch.nn.functional.cross_entropy(tout, torch.from_numpy(y))
    model.zero_grad()
    tmodel.zero_grad()
    loss.backward()
    tloss.backward()
    assert abs(loss.item() - tloss.item()) < 1e-5
    for (name, p), tp in zip(model.named_parameters(), tmodel.parameters()):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)
