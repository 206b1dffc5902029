"""Every Tensor op in one table, written in PyTorch's spelling (dim=, keepdim=, positional dims).

Each row is ``(name, fn, reference, inputs)``: ``fn(T, *tensors)`` is called with ``T`` the module,
``autograd`` or ``torch`` (the same code runs on both, as a learner's code should), ``reference`` is an
independent numpy computation of the forward value. For every row:

- forward against numpy (float64);
- backward against finite differences (``autograd.gradcheck``, float64) for differentiable rows;
- float32 stays float32 (result and gradients, each gradient in its input's shape);
- against PyTorch, where installed: values, output dtype and shape, gradients and their dtypes,
  in float32 and float64.

The whole module runs with warnings turned into errors: no stray numpy RuntimeWarning may leak.
Rows whose output is a tuple (split, chunk, meshgrid) are compared piece by piece and checked
through their flattened concatenation.
"""

import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor, Value, gradcheck

try:
    import torch
except ImportError:  # the cross-checks skip; everything else runs
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
pytestmark = pytest.mark.filterwarnings("error")


# ---- inputs ------------------------------------------------------------------------------------


def anywhere(rng, shape):
    return rng.standard_normal(shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def above_minus_one(rng, shape):
    return rng.uniform(-0.9, 2.0, shape)


def away_from_zero(rng, shape):
    """Kinks (relu, abs, clamp) are checked away from the kink, where the derivative exists."""
    return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def away_from_integers(rng, shape):
    """floor/ceil/round/trunc/%: piecewise, checked away from their jumps."""
    return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape) + rng.choice([0.0, 0.5], shape)


def distinct(rng, shape):
    """max/min/sort checked where there is one winner; ties are tested separately."""
    n = int(np.prod(shape, dtype=int))
    return (rng.permutation(n).reshape(shape) - n / 2) * 0.1 + rng.uniform(0, 0.01, shape)


def booleans(rng, shape):
    return rng.random(shape) > 0.5


MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
ROWS = np.array([True, False, True])
IDX = [0, 2, 0]  # repeated on purpose: gradients of repeated picks add up
GATHER = np.array([[0, 3, 0], [1, 1, 2], [3, 2, 1]])
LEFT = [[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0, 0.0]]  # a plain list on the left of @ (Tensor.__rmatmul__)


def softplus(T, x, **kw):
    """softplus is a Tensor method in seedgrad; PyTorch has it in torch.nn.functional only."""
    return x.softplus(**kw) if T is ag else T.nn.functional.softplus(x, **kw)


def one_hot(T, x, n):
    return ag.one_hot(x, n) if T is ag else T.nn.functional.one_hot(x, n)


def topk_np(a, k, largest=True):
    s = np.sort(a, axis=1)
    return s[:, ::-1][:, :k] if largest else s[:, :k]


def lse_np(a, axis):
    m = a.max(axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.exp(a - m).sum(axis=axis))


def op(name, fn, reference, generate=anywhere, *shapes, grad=True):
    return pytest.param(name, fn, reference, generate, list(shapes) or [(3, 4)], grad, id=name)


# name, fn(T, *inputs) in PyTorch's spelling, numpy reference, input generator, input shapes
OPS = [
    # -- functions of one value
    op("exp", lambda T, a: a.exp(), np.exp),
    op("log", lambda T, a: a.log(), np.log, positive),
    op("log1p", lambda T, a: T.log1p(a), np.log1p, above_minus_one),
    op("sqrt", lambda T, a: a.sqrt(), np.sqrt, positive),
    op("rsqrt", lambda T, a: a.rsqrt(), lambda a: 1 / np.sqrt(a), positive),
    op("abs", lambda T, a: a.abs(), np.abs, away_from_zero),
    op("abs builtin", lambda T, a: abs(a), np.abs, away_from_zero),
    op("sign", lambda T, a: a.sign(), np.sign, away_from_zero),
    op("sin", lambda T, a: T.sin(a), np.sin),
    op("cos", lambda T, a: a.cos(), np.cos),
    op("tanh", lambda T, a: a.tanh(), np.tanh),
    op("sigmoid", lambda T, a: T.sigmoid(a), lambda a: 1 / (1 + np.exp(-a))),
    op("relu", lambda T, a: a.relu(), lambda a: np.maximum(a, 0), away_from_zero),
    op("softplus", lambda T, a: softplus(T, a), lambda a: np.log1p(np.exp(a))),
    op("softplus beta", lambda T, a: softplus(T, a * 8, beta=2.0), lambda a: np.where(
        16 * a > 20, 8 * a, np.log1p(np.exp(16 * a)) / 2)),
    op("clamp", lambda T, a: a.clamp(min=-0.5, max=0.5), lambda a: np.clip(a, -0.5, 0.5), away_from_zero),
    op("clamp min only", lambda T, a: T.clamp(a, min=0.3), lambda a: np.maximum(a, 0.3), away_from_zero),
    op("clamp max positional", lambda T, a: a.clamp(None, 0.3), lambda a: np.minimum(a, 0.3), away_from_zero),
    op("clip", lambda T, a: a.clip(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), away_from_zero),
    op("floor", lambda T, a: a.floor(), np.floor, away_from_integers),
    op("ceil", lambda T, a: T.ceil(a), np.ceil, away_from_integers),
    op("round", lambda T, a: a.round(), np.round, away_from_integers),
    op("round half to even", lambda T, a: (a * 0 + T.tensor([0.5, 1.5, 2.5, -0.5], dtype=a.dtype)).round(),
       lambda a: a * 0 + np.array([0.0, 2.0, 2.0, -0.0])),
    op("trunc", lambda T, a: a.trunc(), np.trunc, away_from_integers),
    op("isnan", lambda T, a: ((a - a) / (a - a)).isnan(), lambda a: np.ones(a.shape, bool), grad=False),
    op("isinf", lambda T, a: T.isinf(a / (a * 0)), lambda a: np.ones(a.shape, bool), grad=False),
    op("isfinite", lambda T, a: (a / a.round()).isfinite(), lambda a: a.round() != 0, away_from_integers,
       grad=False),
    # -- arithmetic (broadcasting, Python numbers, reflected forms)
    op("add", lambda T, a, b: a + b, np.add, anywhere, (3, 4), (3, 4)),
    op("add broadcast", lambda T, a, b: a + b, np.add, anywhere, (2, 3, 4), (3, 1)),
    op("add scalar", lambda T, a: a + 2.5, lambda a: a + 2.5),
    op("radd scalar", lambda T, a: 2.5 + a, lambda a: 2.5 + a),
    op("add alpha", lambda T, a, b: T.add(a, b, alpha=2), lambda a, b: a + 2 * b, anywhere, (3, 4), (4,)),
    op("sub broadcast", lambda T, a, b: a - b, np.subtract, anywhere, (3, 4), (4,)),
    op("rsub scalar", lambda T, a: 1.0 - a, lambda a: 1.0 - a),
    op("sub list", lambda T, a: a - T.tensor([1.0, 2.0, 3.0, 4.0], dtype=a.dtype),
       lambda a: a - np.array([1.0, 2.0, 3.0, 4.0])),
    op("mul broadcast", lambda T, a, b: a * b, np.multiply, anywhere, (3, 1), (1, 4)),
    op("rmul scalar", lambda T, a: 3.0 * a, lambda a: 3.0 * a),
    op("mul int scalar", lambda T, a: a * 3, lambda a: a * 3),
    op("div", lambda T, a, b: a / b, np.divide, positive, (3, 4), (3, 4)),
    op("div broadcast", lambda T, a, b: T.div(a, b), np.divide, positive, (3, 4), (1, 4)),
    op("rdiv scalar", lambda T, a: 2.0 / a, lambda a: 2.0 / a, positive),
    op("neg", lambda T, a: -a, np.negative),
    op("pos", lambda T, a: +a, lambda a: a),
    op("floordiv", lambda T, a, b: a // b, np.floor_divide, positive, (3, 4), (4,), grad=False),
    op("floordiv scalar", lambda T, a: a // 0.3, lambda a: np.floor_divide(a, 0.3), positive, grad=False),
    op("remainder", lambda T, a, b: a % b, np.remainder, away_from_integers, (3, 4), (4,)),
    op("remainder scalar", lambda T, a: a % 1.5, lambda a: np.remainder(a, 1.5), away_from_integers),
    op("pow scalar", lambda T, a: a**3, lambda a: a**3),
    op("pow negative", lambda T, a: a**-2, lambda a: a**-2.0, positive),
    op("pow fractional", lambda T, a: a**1.5, lambda a: a**1.5, positive),
    op("pow tensor", lambda T, a, b: a**b, np.power, positive, (3, 4), (4,)),
    op("pow method", lambda T, a: a.pow(2), np.square),
    op("rpow", lambda T, b: 2.0**b, lambda b: 2.0**b),
    op("matmul 2d", lambda T, a, b: a @ b, np.matmul, anywhere, (3, 4), (4, 5)),
    op("matmul vec-mat", lambda T, a, b: a @ b, np.matmul, anywhere, (4,), (4, 5)),
    op("matmul mat-vec", lambda T, a, b: a @ b, np.matmul, anywhere, (3, 4), (4,)),
    op("matmul vec-vec", lambda T, a, b: T.matmul(a, b), np.matmul, anywhere, (4,), (4,)),
    op("matmul batched", lambda T, a, b: a @ b, np.matmul, anywhere, (2, 3, 4), (2, 4, 5)),
    op("matmul batch broadcast", lambda T, a, b: a.matmul(b), np.matmul, anywhere, (2, 3, 4), (4, 5)),
    op("matmul vec-batch", lambda T, a, b: a @ b, np.matmul, anywhere, (4,), (2, 4, 5)),
    op("rmatmul list", lambda T, b: T.tensor(LEFT, dtype=b.dtype) @ b, lambda b: np.array(LEFT) @ b,
       anywhere, (4, 5)),
    # -- reductions
    op("sum all", lambda T, a: a.sum(), np.sum),
    op("sum dim", lambda T, a: a.sum(dim=1), lambda a: a.sum(axis=1), anywhere, (2, 3, 4)),
    op("sum positional dim keepdim", lambda T, a: a.sum(1, True), lambda a: a.sum(axis=1, keepdims=True),
       anywhere, (2, 3, 4)),
    op("sum dims keepdim", lambda T, a: T.sum(a, dim=(0, 2), keepdim=True),
       lambda a: a.sum(axis=(0, 2), keepdims=True), anywhere, (2, 3, 4)),
    op("sum negative dim", lambda T, a: a.sum(-1), lambda a: a.sum(axis=-1), anywhere, (2, 3, 4)),
    op("mean all", lambda T, a: a.mean(), np.mean),
    op("mean dim", lambda T, a: a.mean(dim=0), lambda a: a.mean(axis=0)),
    op("mean dims keepdim", lambda T, a: T.mean(a, (0, -1), keepdim=True),
       lambda a: a.mean(axis=(0, 2), keepdims=True), anywhere, (2, 3, 4)),
    op("prod all", lambda T, a: a.prod(), np.prod, positive),
    op("prod dim", lambda T, a: a.prod(dim=1), lambda a: a.prod(axis=1)),
    op("prod dim keepdim", lambda T, a: T.prod(a, 0, keepdim=True), lambda a: a.prod(axis=0, keepdims=True)),
    op("var all (unbiased)", lambda T, a: a.var(), lambda a: np.var(a, ddof=1)),
    op("var dim", lambda T, a: a.var(dim=0), lambda a: a.var(axis=0, ddof=1)),
    op("var correction=0", lambda T, a: a.var(dim=1, correction=0), lambda a: a.var(axis=1)),
    op("var unbiased=False keepdim", lambda T, a: a.var(1, unbiased=False, keepdim=True),
       lambda a: a.var(axis=1, keepdims=True)),
    op("std all", lambda T, a: a.std(), lambda a: np.std(a, ddof=1)),
    op("std dim keepdim", lambda T, a: T.std(a, dim=1, keepdim=True), lambda a: a.std(axis=1, ddof=1, keepdims=True)),
    op("std correction=0", lambda T, a: a.std(dim=(0, 1), correction=0), lambda a: a.std(axis=(0, 1)),
       anywhere, (2, 3, 4)),
    op("max all", lambda T, a: a.max(), np.max, distinct),
    op("max dim values", lambda T, a: a.max(dim=1).values, lambda a: a.max(axis=1), distinct),
    op("max dim [0]", lambda T, a: a.max(1)[0], lambda a: a.max(axis=1), distinct),
    op("max dim keepdim", lambda T, a: T.max(a, dim=0, keepdim=True).values,
       lambda a: a.max(axis=0, keepdims=True), distinct),
    op("max dim indices", lambda T, a: a.max(dim=1).indices, lambda a: a.argmax(axis=1), distinct, grad=False),
    op("max elementwise", lambda T, a, b: T.max(a, b), np.maximum, distinct, (3, 4), (3, 4)),
    op("min all", lambda T, a: a.min(), np.min, distinct),
    op("min dim", lambda T, a: a.min(dim=-1).values, lambda a: a.min(axis=-1), distinct, (2, 3, 4)),
    op("min dim indices", lambda T, a: T.min(a, -1)[1], lambda a: a.argmin(axis=-1), distinct, (2, 3, 4),
       grad=False),
    op("amax", lambda T, a: a.amax(), np.max, distinct),
    op("amax dims", lambda T, a: a.amax(dim=(0, 2)), lambda a: a.max(axis=(0, 2)), distinct, (2, 3, 4)),
    op("amax keepdim", lambda T, a: T.amax(a, 1, keepdim=True), lambda a: a.max(axis=1, keepdims=True), distinct),
    op("amin dim", lambda T, a: a.amin(dim=0), lambda a: a.min(axis=0), distinct),
    op("argmax", lambda T, a: a.argmax(), np.argmax, distinct, grad=False),
    op("argmax dim", lambda T, a: a.argmax(dim=1), lambda a: a.argmax(axis=1), distinct, grad=False),
    op("argmax keepdim", lambda T, a: T.argmax(a, dim=0, keepdim=True), lambda a: a.argmax(axis=0)[None],
       distinct, grad=False),
    op("argmin dim", lambda T, a: a.argmin(-1), lambda a: a.argmin(axis=-1), distinct, grad=False),
    op("logsumexp", lambda T, a: a.logsumexp(dim=1), lambda a: lse_np(a, 1)),
    op("logsumexp dims keepdim", lambda T, a: T.logsumexp(a, (0, 1), keepdim=True),
       lambda a: lse_np(a.reshape(1, 1, -1), 2), anywhere, (3, 4)),
    op("logsumexp large", lambda T, a: (a * 1e4).logsumexp(0), lambda a: lse_np(a * 1e4, 0), distinct),
    op("any", lambda T, a: (a > 1).any(), lambda a: np.any(a > 1), anywhere, grad=False),
    op("any dim", lambda T, a: (a > 1).any(dim=1), lambda a: np.any(a > 1, axis=1), anywhere, grad=False),
    op("all dim keepdim", lambda T, a: T.all(a > -1, 0, keepdim=True), lambda a: np.all(a > -1, 0, keepdims=True),
       anywhere, grad=False),
    op("cumsum", lambda T, a: a.cumsum(dim=1), lambda a: np.cumsum(a, axis=1)),
    op("cumsum dim 0", lambda T, a: T.cumsum(a, 0), lambda a: np.cumsum(a, axis=0), anywhere, (3, 2, 2)),
    # -- shape
    op("reshape", lambda T, a: a.reshape(4, 3), lambda a: a.reshape(4, 3)),
    op("reshape tuple", lambda T, a: T.reshape(a, (2, -1)), lambda a: a.reshape(2, -1)),
    op("view", lambda T, a: a.view(2, 6), lambda a: a.reshape(2, 6)),
    op("view -1", lambda T, a: a.view(-1), lambda a: a.reshape(-1)),
    op("flatten", lambda T, a: a.flatten(), lambda a: a.reshape(-1), anywhere, (2, 3, 4)),
    op("flatten start_dim", lambda T, a: T.flatten(a, 1), lambda a: a.reshape(2, 12), anywhere, (2, 3, 4)),
    op("flatten middle", lambda T, a: a.flatten(start_dim=0, end_dim=1), lambda a: a.reshape(6, 4), anywhere,
       (2, 3, 4)),
    op("unflatten", lambda T, a: a.unflatten(1, (2, 2)), lambda a: a.reshape(3, 2, 2)),
    op("unflatten -1", lambda T, a: T.unflatten(a, -1, (2, -1)), lambda a: a.reshape(3, 2, 2)),
    op("squeeze", lambda T, a: a.squeeze(), np.squeeze, anywhere, (3, 1, 4, 1)),
    op("squeeze dim", lambda T, a: a.squeeze(1), lambda a: np.squeeze(a, 1), anywhere, (3, 1, 1)),
    op("squeeze non-1 dim", lambda T, a: a.squeeze(0), lambda a: a, anywhere, (3, 1)),
    op("unsqueeze", lambda T, a: a.unsqueeze(1), lambda a: a[:, None]),
    op("unsqueeze -1", lambda T, a: T.unsqueeze(a, -1), lambda a: a[..., None]),
    op("transpose 2d", lambda T, a: a.transpose(0, 1), lambda a: a.T),
    op("transpose negative dims", lambda T, a: T.transpose(a, -1, 0), lambda a: a.transpose(2, 1, 0), anywhere,
       (2, 3, 4)),
    op("permute", lambda T, a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), anywhere, (2, 3, 4)),
    op("permute tuple", lambda T, a: T.permute(a, (0, -1, 1)), lambda a: a.transpose(0, 2, 1), anywhere, (2, 3, 4)),
    op("t", lambda T, a: a.t(), lambda a: a.T),
    op("t 1-D", lambda T, a: T.t(a), lambda a: a, anywhere, (4,)),
    op("T", lambda T, a: a.T, lambda a: a.T),
    op("mT", lambda T, a: a.mT, lambda a: a.transpose(0, 2, 1), anywhere, (2, 3, 4)),
    op("expand", lambda T, a: a.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4)), anywhere, (3, 1)),
    op("expand -1", lambda T, a: a.expand(-1, 4), lambda a: np.broadcast_to(a, (3, 4)), anywhere, (3, 1)),
    op("broadcast_to", lambda T, a: T.broadcast_to(a, (2, 3, 4)), lambda a: np.broadcast_to(a, (2, 3, 4)),
       anywhere, (4,)),
    op("repeat", lambda T, a: a.repeat(2, 1), lambda a: np.tile(a, (2, 1))),
    op("repeat new dim", lambda T, a: a.repeat(2, 1, 3), lambda a: np.tile(a, (2, 1, 3))),
    op("flip", lambda T, a: a.flip(0), lambda a: a[::-1]),
    op("flip dims", lambda T, a: T.flip(a, dims=(0, 1)), lambda a: a[::-1, ::-1]),
    op("roll", lambda T, a: a.roll(1, 0), lambda a: np.roll(a, 1, 0)),
    op("roll flat", lambda T, a: a.roll(5), lambda a: np.roll(a, 5)),
    op("roll dims", lambda T, a: T.roll(a, shifts=(1, -1), dims=(0, 1)), lambda a: np.roll(a, (1, -1), (0, 1))),
    op("split size", lambda T, a: a.split(3, dim=1), lambda a: (a[:, :3], a[:, 3:]), anywhere, (2, 5)),
    op("split sections", lambda T, a: T.split(a, [1, 3], dim=1), lambda a: (a[:, :1], a[:, 1:])),
    op("chunk", lambda T, a: a.chunk(2), lambda a: (a[:2], a[2:])),
    op("chunk dim", lambda T, a: T.chunk(a, 3, dim=1), lambda a: (a[:, :2], a[:, 2:4], a[:, 4:]), anywhere, (2, 5)),
    # -- indexing
    op("getitem int", lambda T, a: a[1], lambda a: a[1]),
    op("getitem negative int", lambda T, a: a[-1, 2], lambda a: a[-1, 2]),
    op("getitem slices", lambda T, a: a[1:, ::2], lambda a: a[1:, ::2]),
    op("getitem None", lambda T, a: a[None, :, None], lambda a: a[None, :, None]),
    op("getitem Ellipsis", lambda T, a: a[..., 1], lambda a: a[..., 1], anywhere, (2, 3, 4)),
    op("getitem mixed", lambda T, a: a[:, None, 1:3], lambda a: a[:, None, 1:3]),
    op("getitem int list", lambda T, a: a[IDX], lambda a: a[IDX]),
    op("getitem int tensor", lambda T, a: a[T.tensor(IDX)], lambda a: a[IDX]),
    op("getitem two int tensors", lambda T, a: a[T.tensor(IDX), T.tensor([1, 3, 1])], lambda a: a[IDX, [1, 3, 1]]),
    op("getitem int tensor and slice", lambda T, a: a[1:, T.tensor([3, 0])], lambda a: a[1:, [3, 0]]),
    op("getitem bool mask", lambda T, a: a[T.tensor(MASK)], lambda a: a[MASK]),
    op("getitem bool rows", lambda T, a: a[T.tensor(ROWS)], lambda a: a[ROWS]),
    op("getitem comparison mask", lambda T, a: a[a > 0], lambda a: a[a > 0]),
    op("gather", lambda T, a: a.gather(1, T.tensor(GATHER)), lambda a: np.take_along_axis(a, GATHER, 1)),
    op("gather dim 0", lambda T, a: T.gather(a, 0, T.tensor([[2, 0, 1, 2]])),
       lambda a: a[[2, 0, 1, 2], [0, 1, 2, 3]][None]),
    op("masked_fill", lambda T, a: a.masked_fill(T.tensor(MASK), 0.5), lambda a: np.where(MASK, 0.5, a)),
    op("masked_fill broadcast", lambda T, a: T.masked_fill(a, T.tensor([True, False, False, True]), -3.0),
       lambda a: np.where([True, False, False, True], -3.0, a)),
    op("where", lambda T, a, b: T.where(T.tensor(MASK), a, b), lambda a, b: np.where(MASK, a, b), anywhere,
       (3, 4), (4,)),
    op("where scalar", lambda T, a: T.where(a > 0, a, 0.0), lambda a: np.where(a > 0, a, 0.0)),
    op("where method", lambda T, a, b: a.where(a < b, b), lambda a, b: np.where(a < b, a, b), anywhere,
       (3, 4), (3, 4)),
    op("tril", lambda T, a: a.tril(), np.tril),
    op("tril -1", lambda T, a: T.tril(a, -1), lambda a: np.tril(a, -1)),
    op("triu 1", lambda T, a: a.triu(1), lambda a: np.triu(a, 1)),
    op("triu batched", lambda T, a: T.triu(a, diagonal=0), np.triu, anywhere, (2, 3, 4)),
    op("sort", lambda T, a: a.sort(dim=1).values, lambda a: np.sort(a, 1), distinct),
    op("sort descending", lambda T, a: T.sort(a, 0, descending=True)[0], lambda a: np.sort(a, 0)[::-1], distinct),
    op("sort indices", lambda T, a: a.sort().indices, lambda a: np.argsort(a, -1), distinct, grad=False),
    op("argsort", lambda T, a: a.argsort(dim=0), lambda a: np.argsort(a, 0), distinct, grad=False),
    op("argsort descending", lambda T, a: T.argsort(a, descending=True), lambda a: np.argsort(-a, -1), distinct,
       grad=False),
    op("topk", lambda T, a: a.topk(2, dim=1).values, lambda a: topk_np(a, 2), distinct),
    op("topk smallest", lambda T, a: T.topk(a, 3, largest=False)[0], lambda a: topk_np(a, 3, largest=False),
       distinct),
    op("topk indices", lambda T, a: a.topk(2).indices, lambda a: np.argsort(-a, 1)[:, :2], distinct, grad=False),
    # -- several tensors
    op("cat", lambda T, a, b: T.cat([a, b]), lambda a, b: np.concatenate([a, b]), anywhere, (3, 4), (2, 4)),
    op("cat dim", lambda T, a, b: T.cat((a, b), dim=1), lambda a, b: np.concatenate([a, b], 1), anywhere,
       (3, 4), (3, 2)),
    op("cat -1 of three", lambda T, a, b: T.cat([a, b, a], -1), lambda a, b: np.concatenate([a, b, a], -1),
       anywhere, (3, 1), (3, 2)),
    op("stack", lambda T, a, b: T.stack([a, b]), lambda a, b: np.stack([a, b]), anywhere, (3, 4), (3, 4)),
    op("stack dim", lambda T, a, b: T.stack([a, b], dim=1), lambda a, b: np.stack([a, b], 1), anywhere,
       (3, 4), (3, 4)),
    op("stack -1", lambda T, a, b: T.stack((a, b, b), -1), lambda a, b: np.stack([a, b, b], -1), anywhere,
       (3, 4), (3, 4)),
    op("maximum", lambda T, a, b: T.maximum(a, b), np.maximum, anywhere, (3, 4), (3, 4)),
    op("maximum broadcast", lambda T, a, b: a.maximum(b), np.maximum, anywhere, (3, 4), (4,)),
    op("minimum broadcast", lambda T, a, b: T.minimum(a, b), np.minimum, anywhere, (3, 4), (3, 1)),
    op("einsum matmul", lambda T, a, b: T.einsum("ij,jk->ik", a, b), np.matmul, anywhere, (3, 4), (4, 5)),
    op("einsum batched", lambda T, a, b: T.einsum("bij,bjk->bik", a, b), np.matmul, anywhere, (2, 3, 4), (2, 4, 5)),
    op("einsum dot", lambda T, a, b: T.einsum("i,i->", a, b), np.dot, anywhere, (4,), (4,)),
    op("einsum outer", lambda T, a, b: T.einsum("i,j->ij", a, b), np.outer, anywhere, (3,), (4,)),
    op("einsum transpose", lambda T, a: T.einsum("ij->ji", a), lambda a: a.T),
    op("einsum sum", lambda T, a: T.einsum("ij->", a), np.sum),
    op("einsum implicit", lambda T, a, b: T.einsum("ij,jk", a, b), np.matmul, anywhere, (3, 4), (4, 5)),
    op("meshgrid", lambda T, a, b: T.meshgrid(a, b, indexing="ij"), lambda a, b: np.meshgrid(a, b, indexing="ij"),
       anywhere, (3,), (4,)),
    op("meshgrid xy", lambda T, a, b: T.meshgrid(a, b, indexing="xy"), lambda a, b: np.meshgrid(a, b, indexing="xy"),
       anywhere, (3,), (4,)),
    op("one_hot", lambda T, a: one_hot(T, (a > 0).long() + (a > 1).long(), 4),
       lambda a: np.eye(4, dtype=np.int64)[(a > 0).astype(int) + (a > 1)], anywhere, grad=False),
    # -- compositions a learner writes
    op("softmax by hand", lambda T, a: (a - a.amax(dim=1, keepdim=True)).exp() / (
        a - a.amax(dim=1, keepdim=True)).exp().sum(dim=1, keepdim=True),
       lambda a: np.exp(a - lse_np(a, 1)[:, None])),
    op("layer norm by hand", lambda T, a: (a - a.mean(-1, keepdim=True)) / (a.var(-1, keepdim=True, unbiased=False)
                                                                             + 1e-5).sqrt(),
       lambda a: (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + 1e-5)),
    op("mse by hand", lambda T, a, b: ((a - b) ** 2).mean(), lambda a, b: np.mean((a - b) ** 2), anywhere,
       (3, 4), (3, 4)),
]


# ---- helpers -----------------------------------------------------------------------------------


def arrays(name, generate, shapes):
    """The row's inputs (float64), the same in every check of the row."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return [generate(rng, s) for s in shapes]


def ours(arrays_, dtype=np.float64, grad=True):
    return [Tensor(a.astype(dtype), requires_grad=grad) for a in arrays_]


def pieces(out):
    return list(out) if isinstance(out, tuple | list) else [out]


def joined(T, out):
    """A tuple result as one tensor (its pieces flattened and concatenated)."""
    if isinstance(out, tuple | list):
        return T.cat([p.reshape(-1) for p in out])
    return out


def torch_dtype_name(dtype) -> str:
    return str(dtype).removeprefix("torch.")


# ---- the checks --------------------------------------------------------------------------------


@pytest.mark.parametrize("name, fn, reference, generate, shapes, grad", OPS)
def test_forward_matches_numpy(name, fn, reference, generate, shapes, grad):
    xs = arrays(name, generate, shapes)
    out = fn(ag, *ours(xs, grad=grad))
    with np.errstate(all="ignore"):
        expected = reference(*xs)
    for got, want in zip(pieces(out), pieces(expected), strict=True):
        assert isinstance(got, Tensor)
        assert tuple(got.shape) == np.shape(want)
        np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, fn, reference, generate, shapes, grad", OPS)
def test_backward_matches_finite_differences(name, fn, reference, generate, shapes, grad):
    if not grad:
        pytest.skip("no gradient: the output is integer or bool")
    inputs = ours(arrays(name, generate, shapes))
    assert gradcheck(lambda *xs: joined(ag, fn(ag, *xs)), inputs)


@pytest.mark.parametrize("name, fn, reference, generate, shapes, grad", OPS)
def test_float32_stays_float32(name, fn, reference, generate, shapes, grad):
    """Python numbers never upcast; a gradient has its tensor's dtype and shape."""
    inputs = ours(arrays(name, generate, shapes), np.float32, grad=grad)
    out = joined(ag, fn(ag, *inputs))
    assert out.dtype in (np.float32, np.int64, np.bool_)
    if not grad:
        assert not out.requires_grad
        return
    assert out.dtype == np.float32
    (out * 1.0).sum().backward()
    for t in inputs:
        assert t.grad.dtype == np.float32 and t.grad.shape == t.shape


@needs_torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, fn, reference, generate, shapes, grad", OPS)
def test_matches_torch(name, fn, reference, generate, shapes, grad, dtype):
    xs = [a.astype(dtype) for a in arrays(name, generate, shapes)]
    mine = [Tensor(a, requires_grad=grad) for a in xs]
    theirs = [torch.tensor(a, requires_grad=grad) for a in xs]
    out, expected = fn(ag, *mine), fn(torch, *theirs)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=2e-5, atol=1e-5)
    for got, want in zip(pieces(out), pieces(expected), strict=True):
        assert tuple(got.shape) == tuple(want.shape)
        assert str(got.dtype) == torch_dtype_name(want.dtype)
        np.testing.assert_allclose(got.data, want.detach().numpy(), **tol)
    if not grad:
        assert not joined(ag, out).requires_grad
        return
    out, expected = joined(ag, out), joined(torch, expected)
    weights = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(dtype)
    (out * Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for m, t in zip(mine, theirs):
        want = np.zeros(t.shape, dtype) if t.grad is None else t.grad.numpy()
        assert m.grad is not None and m.grad.dtype == want.dtype and m.grad.shape == want.shape
        np.testing.assert_allclose(m.grad, want, **tol)


# ---- the two engines agree; broadcasting; sub-gradients at kinks -------------------------------

ELEMENTWISE = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a**b, "rdiv": lambda a, b: 2.0 / a + b,
    "exp": lambda a, b: a.exp() * b, "log": lambda a, b: a.log() + b, "tanh": lambda a, b: a.tanh() * b,
    "sigmoid": lambda a, b: a.sigmoid() - b, "relu": lambda a, b: (a - 1.0).relu() * b,
    "pow scalar": lambda a, b: a**3 - b**-2, "abs": lambda a, b: abs(a - 1.0) * b,
}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_value_and_tensor_agree(name):
    """The scalar engine and the Tensor engine agree entry by entry."""
    fn = ELEMENTWISE[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    a, b = rng.uniform(0.5, 2.0, 6), rng.uniform(0.5, 2.0, 6)
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = fn(ta, tb)
    out.sum().backward()
    for i in range(6):
        va, vb = Value(a[i]), Value(b[i])
        v = fn(va, vb)
        v.backward()
        assert v.data == pytest.approx(out.data[i], rel=1e-12)
        assert va.grad == pytest.approx(ta.grad[i], rel=1e-12)
        assert vb.grad == pytest.approx(tb.grad[i], rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       st.sampled_from(["add", "mul", "sub", "div", "maximum", "pow"]))
def test_broadcasting_gradients_come_back_in_the_input_shape(shapes, op):
    rng = np.random.default_rng(0)
    a = Tensor(rng.uniform(0.5, 2.0, shapes.input_shapes[0]), requires_grad=True)
    b = Tensor(rng.uniform(0.5, 2.0, shapes.input_shapes[1]), requires_grad=True)
    fn = {"add": lambda x, y: x + y, "mul": lambda x, y: x * y, "sub": lambda x, y: x - y,
          "div": lambda x, y: x / y, "maximum": ag.maximum, "pow": lambda x, y: x**y}[op]
    assert fn(a, b).shape == shapes.result_shape
    assert gradcheck(fn, [a, b])
    assert a.grad is None and b.grad is None  # gradcheck leaves the gradients as it found them


# fn, input, the gradient PyTorch gives (written out by hand: the convention is the point)
KINKS = [
    pytest.param(lambda T, t: t.max(), [1.0, 3.0, 3.0], [0.0, 0.5, 0.5], id="max() ties split evenly"),
    pytest.param(lambda T, t: t.amax(), [3.0, 1.0, 3.0, 3.0], [1 / 3, 0.0, 1 / 3, 1 / 3], id="amax ties split"),
    pytest.param(lambda T, t: t.min(), [2.0, 2.0, 2.0, 5.0], [1 / 3, 1 / 3, 1 / 3, 0.0], id="min() ties split"),
    pytest.param(lambda T, t: t.amin(dim=0).sum(), [[1.0, 2.0], [1.0, 0.0]], [[0.5, 0.0], [0.5, 1.0]],
                 id="amin(dim) ties split"),
    pytest.param(lambda T, t: t.max(dim=0).values, [2.0, 1.0, 2.0], [1.0, 0.0, 0.0],
                 id="max(dim) gives it to the returned index"),
    pytest.param(lambda T, t: t.min(dim=1).values.sum(), [[2.0, 1.0, 1.0], [0.0, 0.0, 3.0]],
                 [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], id="min(dim) gives it to the returned index"),
    pytest.param(lambda T, t: T.maximum(t, T.tensor([3.0, 0.0, 1.0], dtype=t.dtype)).sum(), [3.0, 1.0, 0.0],
                 [0.5, 1.0, 0.0], id="maximum tie halves"),
    pytest.param(lambda T, t: T.minimum(t, T.tensor([3.0, 0.0, 1.0], dtype=t.dtype)).sum(), [3.0, 1.0, 0.0],
                 [0.5, 0.0, 1.0], id="minimum tie halves"),
    pytest.param(lambda T, t: t.relu().sum(), [0.0, -1.0, 2.0], [0.0, 0.0, 1.0], id="relu at 0"),
    pytest.param(lambda T, t: t.abs().sum(), [0.0, -1.0, 2.0], [0.0, -1.0, 1.0], id="abs at 0"),
    pytest.param(lambda T, t: t.sign().sum(), [0.0, -1.0, 2.0], [0.0, 0.0, 0.0], id="sign"),
    pytest.param(lambda T, t: t.floor().sum(), [1.0, -1.5, 2.0], [0.0, 0.0, 0.0], id="floor"),
    pytest.param(lambda T, t: (t.ceil() + t.round() + t.trunc()).sum(), [1.0, -1.5, 2.5], [0.0, 0.0, 0.0],
                 id="ceil round trunc"),
    pytest.param(lambda T, t: t.clamp(0.0, 1.0).sum(), [0.0, 1.0, 2.0, -1.0], [1.0, 1.0, 0.0, 0.0],
                 id="clamp passes at the bounds"),
    pytest.param(lambda T, t: t.clamp(min=1.0).sum(), [1.0, 0.5, 2.0], [1.0, 0.0, 1.0], id="clamp min bound"),
    pytest.param(lambda T, t: t[T.tensor([1, 1, 1])].sum(), [1.0, 2.0], [0.0, 3.0], id="repeated picks add"),
    pytest.param(lambda T, t: (t**0).sum(), [0.0, 2.0], [0.0, 0.0], id="x^0 flat at 0"),
    pytest.param(lambda T, t: (t ** T.tensor([0.0, 0.0], dtype=t.dtype)).sum(), [0.0, 2.0], [0.0, 0.0],
                 id="x^tensor 0 flat at 0"),
    pytest.param(lambda T, t: (t**2).sum(), [0.0, -3.0], [0.0, -6.0], id="x^2 at 0"),
    pytest.param(lambda T, t: t.sort().values[0], [2.0, 1.0, 1.0], [0.0, 1.0, 0.0], id="sort stable ties"),
]


@pytest.mark.parametrize("fn, x, expected_grad", KINKS)
def test_subgradient_conventions(fn, x, expected_grad):
    t = Tensor(x, requires_grad=True, dtype=np.float64)
    fn(ag, t).backward()
    np.testing.assert_allclose(t.grad, expected_grad)


@needs_torch
@pytest.mark.parametrize("fn, x, expected_grad", KINKS)
def test_subgradient_conventions_are_pytorchs(fn, x, expected_grad):
    t = torch.tensor(x, requires_grad=True, dtype=torch.float64)
    fn(torch, t).backward()
    np.testing.assert_allclose(t.grad.numpy(), expected_grad)


@pytest.mark.parametrize("x", [1e4, -1e4])
def test_logsumexp_is_stable(x):
    t = Tensor([x, x - 1.0, x - 2.0], requires_grad=True, dtype=np.float64)
    out = t.logsumexp(dim=0)
    assert out.item() == pytest.approx(x + np.log(1 + np.exp(-1) + np.exp(-2)), rel=1e-12)
    out.backward()
    w = np.exp([0.0, -1.0, -2.0])
    np.testing.assert_allclose(t.grad, w / w.sum())
    assert ag.logsumexp(Tensor([x, -x]), 0).item() == pytest.approx(max(x, -x))


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e4, -1e4])
def test_sigmoid_tanh_softplus_are_finite_at_extremes(x):
    t = Tensor([x], requires_grad=True)
    (t.sigmoid() + t.tanh() + t.softplus()).sum().backward()
    assert np.all(np.isfinite(t.grad))


def test_division_follows_numpy_and_pytorch():
    x = Tensor([1.0, -2.0, 0.0])
    assert (x / 0.0).data.tolist()[:2] == [np.inf, -np.inf] and np.isnan((x / 0.0).data[2])
    assert (x[:2] / Tensor(np.array([2, 4]))).data.tolist() == [0.5, -0.5]  # integer divisor: true division
    assert (Tensor([7, -7]) // 2).tolist() == [3, -4] and (Tensor([7, -7]) % 3).tolist() == [1, 2]  # Python's


def test_numpy_array_of_a_tensor():
    t = Tensor([1.0, 2.0])
    copy = np.array(t, copy=True)
    copy[0] = 99.0
    assert t.data[0] == 1.0
    assert np.asarray(t) is t.data  # no copy asked: numpy shares the tensor's array


# ---- NaN propagates ----------------------------------------------------------------------------

NAN = float("nan")
# fn(T, x) with x = [[1, nan, -2, 0.5], [3, 0, -1, 2]]; what PyTorch gives (nan where the nan went)
NAN_CASES = [
    pytest.param(lambda T, x: x.relu(), [[1, NAN, 0, 0.5], [3, 0, 0, 2]], id="relu"),
    pytest.param(lambda T, x: x.clamp(-1, 1), [[1, NAN, -1, 0.5], [1, 0, -1, 1]], id="clamp"),
    pytest.param(lambda T, x: x.clamp(min=0), [[1, NAN, 0, 0.5], [3, 0, 0, 2]], id="clamp min"),
    pytest.param(lambda T, x: x.abs()[0], [1, NAN, 2, 0.5], id="abs"),
    pytest.param(lambda T, x: (x.exp().log() - x).isnan()[0], [False, True, False, False], id="exp log"),
    pytest.param(lambda T, x: x.sigmoid()[0, 1:2], [NAN], id="sigmoid"),
    pytest.param(lambda T, x: softplus(T, x)[0, 1:2], [NAN], id="softplus"),
    pytest.param(lambda T, x: x.tanh()[0, 1:2], [NAN], id="tanh"),
    pytest.param(lambda T, x: x.floor()[0, :2], [1, NAN], id="floor"),
    pytest.param(lambda T, x: x.round()[0, :2], [1, NAN], id="round"),
    pytest.param(lambda T, x: x.max(), NAN, id="max"),
    pytest.param(lambda T, x: x.min(), NAN, id="min"),
    pytest.param(lambda T, x: x.amax(dim=1), [NAN, 3], id="amax dim"),
    pytest.param(lambda T, x: x.max(dim=1).values, [NAN, 3], id="max dim values"),
    pytest.param(lambda T, x: x.max(dim=1).indices, [1, 0], id="max dim index of the nan"),
    pytest.param(lambda T, x: x.min(dim=1).indices, [1, 2], id="min dim index of the nan"),
    pytest.param(lambda T, x: x.argmax(), 1, id="argmax"),
    pytest.param(lambda T, x: T.maximum(x, T.zeros(2, 4, dtype=x.dtype))[0], [1, NAN, 0, 0.5], id="maximum"),
    pytest.param(lambda T, x: T.minimum(T.zeros(4, dtype=x.dtype), x)[0], [0, NAN, -2, 0], id="minimum"),
    pytest.param(lambda T, x: x.sum(dim=1), [NAN, 4], id="sum"),
    pytest.param(lambda T, x: x.mean(dim=1), [NAN, 1], id="mean"),
    pytest.param(lambda T, x: x.prod(dim=1), [NAN, 0], id="prod"),
    pytest.param(lambda T, x: x.var(dim=1).isnan(), [True, False], id="var"),
    pytest.param(lambda T, x: x.std(dim=1).isnan(), [True, False], id="std"),
    pytest.param(lambda T, x: x.logsumexp(dim=1).isnan(), [True, False], id="logsumexp"),
    pytest.param(lambda T, x: (x * 1e4).logsumexp(dim=1).isnan(), [True, False], id="logsumexp large"),
    pytest.param(lambda T, x: x.cumsum(dim=1)[0], [1, NAN, NAN, NAN], id="cumsum"),
    pytest.param(lambda T, x: x.sort(dim=1).values[0], [-2, 0.5, 1, NAN], id="sort puts nan last"),
    pytest.param(lambda T, x: x.sort(dim=1, descending=True).values[0], [NAN, 1, 0.5, -2],
                 id="sort descending puts nan first"),
    pytest.param(lambda T, x: x.argsort(dim=1, descending=True)[0], [1, 0, 3, 2], id="argsort descending"),
    pytest.param(lambda T, x: x.topk(2).values[0], [NAN, 1], id="topk: nan is the largest"),
    pytest.param(lambda T, x: x.topk(2, largest=False).values[0], [-2, 0.5], id="topk smallest"),
    pytest.param(lambda T, x: (x @ T.ones(4, dtype=x.dtype)), [NAN, 4], id="matmul"),
    pytest.param(lambda T, x: T.where(x > 0, x, 0.0)[0], [1, 0, 0, 0.5], id="where (nan > 0 is False)"),
    pytest.param(lambda T, x: T.where(x > 0, 0.0, x)[0], [0, NAN, -2, 0], id="where keeps nan"),
    pytest.param(lambda T, x: x.masked_fill(x.isnan(), 0.0)[0], [1, 0, -2, 0.5], id="masked_fill replaces nan"),
    pytest.param(lambda T, x: (x == x)[0], [True, False, True, True], id="nan != nan"),
    pytest.param(lambda T, x: x.isnan().any(dim=1), [True, False], id="isnan any"),
    pytest.param(lambda T, x: ((x - x.amax(1, keepdim=True)).exp() / (x - x.amax(1, keepdim=True)).exp()
                               .sum(1, keepdim=True)).isnan()[:, 0], [True, False], id="softmax by hand"),
]
NAN_INPUT = [[1.0, NAN, -2.0, 0.5], [3.0, 0.0, -1.0, 2.0]]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("fn, expected", NAN_CASES)
def test_nan_propagates(fn, expected, dtype):
    out = fn(ag, Tensor(NAN_INPUT, dtype=dtype))
    np.testing.assert_array_equal(out.data, np.array(expected, dtype=out.dtype))


@needs_torch
@pytest.mark.parametrize("fn, expected", NAN_CASES)
def test_nan_cases_are_pytorchs(fn, expected):
    out = fn(torch, torch.tensor(NAN_INPUT))
    np.testing.assert_array_equal(out.numpy(), np.array(expected, dtype=out.numpy().dtype))


NAN_DIFFERS = {"sign": "sign(nan) is nan here (NaN propagates through every op); PyTorch gives 0"}


@needs_torch
@pytest.mark.parametrize("name, fn, reference, generate, shapes, grad", OPS)
def test_nan_in_every_row_as_torch(name, fn, reference, generate, shapes, grad):
    """Every row of the table with a NaN in its first input: PyTorch's values, no warning."""
    if name in NAN_DIFFERS:
        pytest.skip(NAN_DIFFERS[name])
    xs = arrays(name, generate, shapes)
    xs[0] = xs[0].copy()
    xs[0].flat[1] = np.nan
    out = fn(ag, *[Tensor(a, requires_grad=grad) for a in xs])
    expected = fn(torch, *[torch.tensor(a, requires_grad=grad) for a in xs])
    for got, want in zip(pieces(out), pieces(expected), strict=True):
        np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-10, atol=1e-12, equal_nan=True)


def test_sign_of_nan_is_nan():
    assert np.isnan(Tensor([NAN]).sign().item())


# ---- empty tensors -----------------------------------------------------------------------------

INF = float("inf")
# fn(T, x) on x of shape (0, 3) (an empty batch of 3 features): PyTorch's shape and values
EMPTY_CASES = [
    pytest.param(lambda T, x: x.sum(), (), [0.0], id="sum"),
    pytest.param(lambda T, x: x.sum(dim=0), (3,), [0.0] * 3, id="sum over the empty dim"),
    pytest.param(lambda T, x: x.sum(dim=1), (0,), [], id="sum over a non-empty dim"),
    pytest.param(lambda T, x: x.mean(), (), [NAN], id="mean of nothing is nan"),
    pytest.param(lambda T, x: x.mean(dim=0), (3,), [NAN] * 3, id="mean over the empty dim"),
    pytest.param(lambda T, x: x.mean(dim=1, keepdim=True), (0, 1), [], id="mean over a non-empty dim"),
    pytest.param(lambda T, x: x.prod(), (), [1.0], id="prod"),
    pytest.param(lambda T, x: x.prod(dim=0), (3,), [1.0] * 3, id="prod over the empty dim"),
    pytest.param(lambda T, x: x.var(dim=1), (0,), [], id="var"),
    pytest.param(lambda T, x: x.std(dim=1, correction=0), (0,), [], id="std"),
    pytest.param(lambda T, x: x.amax(dim=1), (0,), [], id="amax"),
    pytest.param(lambda T, x: x.max(dim=1).values, (0,), [], id="max dim"),
    pytest.param(lambda T, x: x.argmax(dim=1), (0,), [], id="argmax dim"),
    pytest.param(lambda T, x: x.logsumexp(dim=0), (3,), [-INF] * 3, id="logsumexp over the empty dim"),
    pytest.param(lambda T, x: x.logsumexp(dim=1), (0,), [], id="logsumexp"),
    pytest.param(lambda T, x: x.cumsum(dim=0), (0, 3), [], id="cumsum"),
    pytest.param(lambda T, x: (x > 0).any(), (), [False], id="any"),
    pytest.param(lambda T, x: (x > 0).all(), (), [True], id="all"),
    pytest.param(lambda T, x: x.relu(), (0, 3), [], id="relu"),
    pytest.param(lambda T, x: x.exp() / x.exp().sum(1, keepdim=True), (0, 3), [], id="softmax by hand"),
    pytest.param(lambda T, x: x @ T.ones(3, 2, dtype=x.dtype), (0, 2), [], id="matmul"),
    pytest.param(lambda T, x: x.T @ x, (3, 3), [0.0] * 9, id="matmul over the empty dim"),
    pytest.param(lambda T, x: x.reshape(3, 0), (3, 0), [], id="reshape"),
    pytest.param(lambda T, x: x.view(-1, 3), (0, 3), [], id="view -1"),
    pytest.param(lambda T, x: T.cat([x, x]), (0, 3), [], id="cat"),
    pytest.param(lambda T, x: T.stack([x, x], dim=1), (0, 2, 3), [], id="stack"),
    pytest.param(lambda T, x: x.sort(dim=0).values, (0, 3), [], id="sort"),
    pytest.param(lambda T, x: x[x > 0], (0,), [], id="bool mask"),
    pytest.param(lambda T, x: x.chunk(2, dim=1)[1], (0, 1), [], id="chunk"),
]


@pytest.mark.parametrize("fn, shape, expected", EMPTY_CASES)
def test_empty_tensors(fn, shape, expected):
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    out = fn(ag, x)
    assert tuple(out.shape) == shape
    np.testing.assert_array_equal(out.data.reshape(-1), np.array(expected, dtype=out.dtype))
    if out.dtype.kind == "f":
        out.sum().backward()
        assert x.grad.shape == (0, 3)


@needs_torch
@pytest.mark.parametrize("fn, shape, expected", EMPTY_CASES)
def test_empty_cases_are_pytorchs(fn, shape, expected):
    with warnings.catch_warnings():  # torch warns on var of a (0, 3) batch ("degrees of freedom is <= 0")
        warnings.simplefilter("ignore", UserWarning)
        out = fn(torch, torch.zeros(0, 3, dtype=torch.float64))
    assert tuple(out.shape) == shape
    np.testing.assert_array_equal(out.numpy().reshape(-1), np.array(expected, dtype=out.numpy().dtype))


@pytest.mark.parametrize("fn", [lambda x: x.max(), lambda x: x.amax(dim=0), lambda x: x.max(dim=0),
                                lambda x: x.argmax()], ids=["max()", "amax over the empty dim", "max(dim)",
                                                            "argmax()"])
def test_extremum_of_nothing_is_an_error(fn):
    """No identity: PyTorch raises (IndexError or RuntimeError); here an IndexError naming the op."""
    with pytest.raises(IndexError, match="max"):
        fn(Tensor(np.zeros((0, 3))))


# ---- creation ----------------------------------------------------------------------------------


def ones64(T):
    return T.ones(2, 3, dtype=T.float64)


# fn(T), the shape, dtype and (for deterministic ones) values PyTorch gives
CREATION = [
    pytest.param(lambda T: T.tensor([1, 2, 3]), (3,), "int64", [1, 2, 3], id="tensor ints are int64"),
    pytest.param(lambda T: T.tensor([1.0]), (1,), "float32", [1.0], id="tensor floats are float32"),
    pytest.param(lambda T: T.tensor([True, False]), (2,), "bool", [True, False], id="tensor bools are bool"),
    pytest.param(lambda T: T.tensor([1, 2.5]), (2,), "float32", [1.0, 2.5], id="tensor mixed"),
    pytest.param(lambda T: T.tensor(3), (), "int64", 3, id="tensor 0-d"),
    pytest.param(lambda T: T.tensor([[1, 2], [3, 4]], dtype=T.float64), (2, 2), "float64", [[1, 2], [3, 4]],
                 id="tensor dtype"),
    pytest.param(lambda T: T.tensor([T.tensor(1.0), T.tensor(2.0)]), (2,), "float32", [1, 2],
                 id="tensor of 0-d tensors"),
    pytest.param(lambda T: T.tensor(np.array([1.0])), (1,), "float64", [1], id="tensor keeps numpy float64"),
    pytest.param(lambda T: T.tensor(np.array([1], dtype=np.int32)), (1,), "int32", [1], id="tensor keeps int32"),
    pytest.param(lambda T: T.as_tensor([1.0, 2.0]), (2,), "float32", [1, 2], id="as_tensor"),
    pytest.param(lambda T: T.from_numpy(np.array([1, 2])), (2,), "int64", [1, 2], id="from_numpy"),
    pytest.param(lambda T: T.zeros(2, 3), (2, 3), "float32", [[0] * 3] * 2, id="zeros *size"),
    pytest.param(lambda T: T.zeros((2, 3)), (2, 3), "float32", [[0] * 3] * 2, id="zeros tuple"),
    pytest.param(lambda T: T.zeros([2]), (2,), "float32", [0, 0], id="zeros list"),
    pytest.param(lambda T: T.zeros(()), (), "float32", 0, id="zeros 0-d"),
    pytest.param(lambda T: T.zeros(T.ones(2, 3).shape), (2, 3), "float32", [[0] * 3] * 2, id="zeros of a shape"),
    pytest.param(lambda T: T.zeros(2, dtype=T.long), (2,), "int64", [0, 0], id="zeros dtype"),
    pytest.param(lambda T: T.ones(3), (3,), "float32", [1, 1, 1], id="ones"),
    pytest.param(lambda T: T.ones(2, 2, dtype=T.double), (2, 2), "float64", [[1, 1], [1, 1]], id="ones dtype"),
    pytest.param(lambda T: T.full((2, 3), 7.0), (2, 3), "float32", [[7] * 3] * 2, id="full"),
    pytest.param(lambda T: T.full((2,), 7), (2,), "int64", [7, 7], id="full int value"),
    pytest.param(lambda T: T.full((2,), True), (2,), "bool", [True, True], id="full bool value"),
    pytest.param(lambda T: T.full((2,), 7, dtype=T.float32), (2,), "float32", [7, 7], id="full dtype"),
    pytest.param(lambda T: T.empty(2, 3), (2, 3), "float32", None, id="empty"),
    pytest.param(lambda T: T.empty((2, 0)), (2, 0), "float32", None, id="empty with a 0"),
    pytest.param(lambda T: T.arange(5), (5,), "int64", [0, 1, 2, 3, 4], id="arange"),
    pytest.param(lambda T: T.arange(2, 10, 3), (3,), "int64", [2, 5, 8], id="arange start end step"),
    pytest.param(lambda T: T.arange(5, 0, -2), (3,), "int64", [5, 3, 1], id="arange down"),
    pytest.param(lambda T: T.arange(0, 1, 0.25), (4,), "float32", [0, 0.25, 0.5, 0.75], id="arange float step"),
    pytest.param(lambda T: T.arange(3.0), (3,), "float32", [0, 1, 2], id="arange float end"),
    pytest.param(lambda T: T.arange(5, dtype=T.float32), (5,), "float32", [0, 1, 2, 3, 4], id="arange dtype"),
    pytest.param(lambda T: T.linspace(0, 1, 5), (5,), "float32", [0, 0.25, 0.5, 0.75, 1], id="linspace"),
    pytest.param(lambda T: T.linspace(0, 1, steps=1), (1,), "float32", [0], id="linspace one step"),
    pytest.param(lambda T: T.linspace(-1, 1, 3, dtype=T.float64), (3,), "float64", [-1, 0, 1], id="linspace dtype"),
    pytest.param(lambda T: T.eye(3), (3, 3), "float32", np.eye(3), id="eye"),
    pytest.param(lambda T: T.eye(2, 3), (2, 3), "float32", np.eye(2, 3), id="eye n m"),
    pytest.param(lambda T: T.eye(2, dtype=T.int64), (2, 2), "int64", np.eye(2), id="eye dtype"),
    pytest.param(lambda T: T.zeros_like(ones64(T)), (2, 3), "float64", np.zeros((2, 3)), id="zeros_like"),
    pytest.param(lambda T: T.zeros_like(ones64(T), dtype=T.float32), (2, 3), "float32", np.zeros((2, 3)),
                 id="zeros_like dtype"),
    pytest.param(lambda T: T.ones_like(T.tensor([1, 2])), (2,), "int64", [1, 1], id="ones_like int"),
    pytest.param(lambda T: T.full_like(ones64(T), 2.5), (2, 3), "float64", np.full((2, 3), 2.5), id="full_like"),
    pytest.param(lambda T: T.full_like(T.tensor([1, 2]), 2.7), (2,), "int64", [2, 2], id="full_like int truncates"),
    pytest.param(lambda T: T.empty_like(ones64(T)), (2, 3), "float64", None, id="empty_like"),
    pytest.param(lambda T: T.randn(2, 3), (2, 3), "float32", None, id="randn"),
    pytest.param(lambda T: T.randn((4,), dtype=T.float64), (4,), "float64", None, id="randn tuple dtype"),
    pytest.param(lambda T: T.rand(2, 3), (2, 3), "float32", None, id="rand"),
    pytest.param(lambda T: T.randn_like(ones64(T)), (2, 3), "float64", None, id="randn_like"),
    pytest.param(lambda T: T.rand_like(ones64(T)), (2, 3), "float64", None, id="rand_like"),
    pytest.param(lambda T: T.randint(0, 5, (3,)), (3,), "int64", None, id="randint low high"),
    pytest.param(lambda T: T.randint(5, (3, 2)), (3, 2), "int64", None, id="randint high"),
    pytest.param(lambda T: T.randint(3, 10, size=(2,)), (2,), "int64", None, id="randint size="),
    pytest.param(lambda T: T.randperm(4), (4,), "int64", None, id="randperm"),
    pytest.param(lambda T: T.multinomial(T.tensor([0.2, 0.8]), 3, replacement=True), (3,), "int64", None,
                 id="multinomial"),
    pytest.param(lambda T: T.multinomial(T.ones(2, 4), 2), (2, 2), "int64", None, id="multinomial rows"),
    pytest.param(lambda T: one_hot(T, T.tensor([0, 2]), 3), (2, 3), "int64", [[1, 0, 0], [0, 0, 1]], id="one_hot"),
    pytest.param(lambda T: one_hot(T, T.tensor([0, 2]), -1), (2, 3), "int64", [[1, 0, 0], [0, 0, 1]],
                 id="one_hot classes from the data"),
    pytest.param(lambda T: T.meshgrid(T.arange(2), T.arange(3), indexing="ij")[1], (2, 3), "int64",
                 [[0, 1, 2], [0, 1, 2]], id="meshgrid ij"),
    pytest.param(lambda T: T.meshgrid([T.arange(2), T.arange(3)], indexing="xy")[0], (3, 2), "int64",
                 [[0, 1], [0, 1], [0, 1]], id="meshgrid xy list"),
]


@pytest.mark.parametrize("fn, shape, dtype, values", CREATION)
def test_creation(fn, shape, dtype, values):
    out = fn(ag)
    assert isinstance(out, Tensor) and tuple(out.shape) == shape and str(out.dtype) == dtype
    assert out.is_leaf and not out.requires_grad
    if values is not None:
        np.testing.assert_array_equal(out.data, np.array(values, dtype=dtype))


@needs_torch
@pytest.mark.parametrize("fn, shape, dtype, values", CREATION)
def test_creation_is_pytorchs(fn, shape, dtype, values):
    out = fn(torch)
    assert tuple(out.shape) == shape and torch_dtype_name(out.dtype) == dtype
    if values is not None:
        np.testing.assert_array_equal(out.numpy(), np.array(values, dtype=dtype))


@pytest.mark.parametrize("make", [
    lambda g: ag.randn(2, 3, requires_grad=True, generator=g),
    lambda g: ag.rand(4, requires_grad=True, generator=g, dtype=ag.float64),
    lambda g: ag.zeros(2, requires_grad=True), lambda g: ag.ones(2, 2, requires_grad=True),
    lambda g: ag.full((2,), 1.5, requires_grad=True), lambda g: ag.arange(3.0, requires_grad=True),
    lambda g: ag.linspace(0, 1, 5, requires_grad=True), lambda g: ag.eye(2, requires_grad=True),
    lambda g: ag.tensor([1.0], requires_grad=True), lambda g: ag.zeros_like(ag.ones(2), requires_grad=True),
    lambda g: ag.randn_like(ag.ones(2), requires_grad=True, generator=g),
])
def test_created_leaves_can_require_grad(make):
    t = make(ag.Generator().manual_seed(0))
    assert t.requires_grad and t.is_leaf and t.grad_fn is None
    (t * t).sum().backward()
    np.testing.assert_allclose(t.grad, 2 * t.data)


RANDOM = {
    "randn": lambda g: ag.randn(3, 4, generator=g), "rand": lambda g: ag.rand(5, generator=g),
    "randint": lambda g: ag.randint(0, 100, (6,), generator=g), "randperm": lambda g: ag.randperm(7, generator=g),
    "randn_like": lambda g: ag.randn_like(ag.zeros(3), generator=g),
    "multinomial": lambda g: ag.multinomial(ag.ones(10), 4, generator=g),
    "multinomial with replacement": lambda g: ag.multinomial(ag.ones(3), 20, True, generator=g),
    "normal": lambda g: ag.normal(0.0, 2.0, (3,), generator=g),
}


@pytest.mark.parametrize("name", RANDOM)
def test_random_functions_are_reproducible(name):
    draw = RANDOM[name]
    a, b = draw(ag.Generator().manual_seed(42)), draw(ag.Generator().manual_seed(42))
    np.testing.assert_array_equal(a.data, b.data)
    g = ag.Generator().manual_seed(42)
    first, second = draw(g), draw(g)
    assert not np.array_equal(first.data, second.data) or name == "randperm" and first.numel() == 1
    ag.manual_seed(3)
    c = draw(None)
    ag.manual_seed(3)
    np.testing.assert_array_equal(draw(None).data, c.data)


def test_generator_is_pytorchs_pattern():
    g = ag.Generator().manual_seed(42)
    assert isinstance(g, ag.Generator) and g.initial_seed() == 42
    ag.manual_seed(0)
    x = ag.randn(3, generator=g)
    ag.manual_seed(0)
    ag.randn(5)  # the global generator moves; the own one does not
    np.testing.assert_array_equal(ag.randn(3, generator=ag.Generator().manual_seed(42)).data, x.data)


def test_multinomial_frequencies_match_the_weights():
    """With replacement, each category's count is Binomial(n, p): within 4 standard errors."""
    weights = np.array([1.0, 2.0, 0.0, 5.0, 2.0])  # unnormalized, one impossible category
    p = weights / weights.sum()
    n = 20000
    draws = ag.multinomial(ag.tensor(weights), n, replacement=True, generator=ag.Generator().manual_seed(0))
    counts = np.bincount(draws.data, minlength=len(p))
    assert counts[2] == 0
    np.testing.assert_array_less(np.abs(counts - n * p), 4 * np.sqrt(n * p * (1 - p)) + 1e-9)


def test_multinomial_rows_are_separate_distributions():
    w = ag.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    out = ag.multinomial(w, 5, replacement=True, generator=ag.Generator().manual_seed(0))
    assert out.tolist() == [[0] * 5, [2] * 5]


def test_multinomial_without_replacement_never_repeats():
    g = ag.Generator().manual_seed(1)
    for _ in range(200):
        row = ag.multinomial(ag.tensor([0.1, 5.0, 1.0, 0.5, 2.0, 0.0]), 5, generator=g).tolist()
        assert len(set(row)) == 5 and 5 not in row  # every possible category once; the 0-weight one never
    rows = ag.multinomial(ag.rand(50, 8, generator=g) + 0.01, 8, generator=g).data
    assert all(sorted(r) == list(range(8)) for r in rows.tolist())


def test_multinomial_without_replacement_favours_heavy_categories():
    """The first draw without replacement is distributed as the weights."""
    g = ag.Generator().manual_seed(2)
    firsts = np.array([ag.multinomial(ag.tensor([1.0, 3.0]), 2, generator=g)[0].item() for _ in range(4000)])
    p = 0.75
    assert abs(firsts.mean() - p) < 4 * np.sqrt(p * (1 - p) / 4000)


@pytest.mark.parametrize("weights, n, replacement", [
    ([0.5, -0.1], 1, True), ([0.0, 0.0], 1, True), ([1.0, NAN], 1, True), ([1.0, 0.0], 2, False),
    ([[[1.0]]], 1, True),
])
def test_multinomial_bad_input(weights, n, replacement):
    with pytest.raises((ValueError, RuntimeError), match="multinomial"):
        ag.multinomial(ag.tensor(weights), n, replacement)


# fn(T, x), x = [nan, 1, -1, 0]: the gradient PyTorch gives at a NaN input (written out by hand)
NAN_GRADIENTS = [
    pytest.param(lambda T, x: x.relu(), [1, 1, 0, 0], id="relu passes at nan"),
    pytest.param(lambda T, x: x.clamp(-0.5, 0.5), [0, 0, 0, 1], id="clamp stops at nan"),
    pytest.param(lambda T, x: x.clamp(min=0), [0, 1, 0, 1], id="clamp min"),
    pytest.param(lambda T, x: T.maximum(x, T.zeros(4, dtype=x.dtype)), [1, 1, 0, 0.5], id="maximum"),
    pytest.param(lambda T, x: T.maximum(T.zeros(4, dtype=x.dtype), x), [1, 1, 0, 0.5], id="maximum reflected"),
    pytest.param(lambda T, x: T.minimum(x, T.zeros(4, dtype=x.dtype)), [1, 0, 1, 0.5], id="minimum"),
    pytest.param(lambda T, x: x.max(dim=0).values, [1, 0, 0, 0], id="max(dim) to the nan"),
    pytest.param(lambda T, x: x.exp(), [NAN, np.e, np.exp(-1), 1], id="exp"),
]


@pytest.mark.parametrize("fn, expected", NAN_GRADIENTS)
def test_gradients_at_nan_as_pytorch(fn, expected):
    x = Tensor([NAN, 1.0, -1.0, 0.0], requires_grad=True, dtype=np.float64)
    fn(ag, x).sum().backward()
    np.testing.assert_allclose(x.grad, expected)


@needs_torch
@pytest.mark.parametrize("fn, expected", NAN_GRADIENTS)
def test_gradients_at_nan_are_pytorchs(fn, expected):
    x = torch.tensor([NAN, 1.0, -1.0, 0.0], requires_grad=True, dtype=torch.float64)
    fn(torch, x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected)


# ---- no numpy RuntimeWarning where IEEE arithmetic makes inf or nan (PyTorch warns never) ------------

# each makes a nan or inf from finite-or-inf inputs, silently in PyTorch
IEEE_FORWARD = [
    pytest.param(lambda: ag.tensor([INF, -INF]).sum(), id="sum inf - inf"),
    pytest.param(lambda: ag.tensor([INF, -INF]).mean(), id="mean"),
    pytest.param(lambda: ag.tensor([INF]) * 0, id="inf * 0"),
    pytest.param(lambda: ag.tensor([INF]) - ag.tensor([INF]), id="inf - inf"),
    pytest.param(lambda: ag.tensor([INF]) + -INF, id="inf + -inf"),
    pytest.param(lambda: ag.tensor([INF]).sin(), id="sin(inf)"),
    pytest.param(lambda: ag.tensor([INF]).cos(), id="cos(inf)"),
    pytest.param(lambda: ag.tensor([[INF, 1.0]]) @ ag.tensor([0.0, 1.0]), id="matmul"),
    pytest.param(lambda: ag.tensor([INF, -INF]).cumsum(0), id="cumsum"),
    pytest.param(lambda: ag.tensor([INF, 1.0]).var(), id="var"),
    pytest.param(lambda: ag.tensor([INF, 0.0]).prod(), id="prod"),
    pytest.param(lambda: ag.tensor([3e38]) * 10, id="float32 overflow"),
]
IEEE_BACKWARD = [
    pytest.param(lambda x: x.sin(), id="d sin"), pytest.param(lambda x: x.logsumexp(0), id="d logsumexp"),
    pytest.param(lambda x: x.prod(), id="d prod"),
]


@pytest.mark.parametrize("fn", IEEE_FORWARD)
def test_ieee_specials_raise_no_numpy_warning_forward(fn):
    fn()


@pytest.mark.parametrize("fn", IEEE_BACKWARD)
def test_ieee_specials_raise_no_numpy_warning_backward(fn):
    x = ag.tensor([INF, -INF, 0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the forward pass (above); here only backward counts
        out = fn(x).sum()
    out.backward()


@pytest.mark.parametrize("fn", [
    pytest.param(lambda x: x.reshape(4, 1) * ag.tensor([[INF, -INF]]), id="broadcast sum of inf and -inf"),
    pytest.param(lambda x: x * INF + x * -INF, id="accumulating inf and -inf"),
])
def test_ieee_specials_raise_no_numpy_warning_handing_gradients_on(fn):
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(x).sum()
    out.backward()
