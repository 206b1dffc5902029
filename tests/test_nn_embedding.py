"""Embedding: lookups vs a naive loop, gradients that add up over repeated indices, padding_idx, PyTorch's
init, max_norm and scale_grad_by_freq, bad indices refused with nothing changed, and torch cross-checks
(skipped cleanly without torch)."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor, gradcheck
from nn.functional_conv import EmbeddingIndexError


def _torch():
    return pytest.importorskip("torch")


def weight(num=7, dim=3, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal((num, dim)), requires_grad=True)


def naive_embedding(w, idx, upstream, padding_idx=None, scale_grad_by_freq=False):
    """out[p] = w[idx[p]] position by position; each position adds its upstream gradient to its row."""
    idx = np.asarray(idx)
    out = np.zeros(idx.shape + (w.shape[1],))
    grad = np.zeros_like(w)
    counts = {}
    for p in np.ndindex(*idx.shape):
        counts[idx[p]] = counts.get(idx[p], 0) + 1
    for p in np.ndindex(*idx.shape):
        out[p] = w[idx[p]]
        if idx[p] != padding_idx:
            grad[idx[p]] += upstream[p] / (counts[idx[p]] if scale_grad_by_freq else 1)
    return out, grad


# (id, indices, keyword arguments)
CASES = [
    ("vector", [1, 4, 2], {}),
    ("repeats", [3, 3, 0, 3, 6], {}),
    ("matrix", [[0, 1, 2], [2, 1, 0]], {}),
    ("3d", np.arange(24).reshape(2, 3, 4) % 7, {}),
    ("scalar", 5, {}),
    ("empty", np.zeros(0, dtype=np.int64), {}),
    ("padding_idx", [[0, 2, 0], [5, 0, 2]], dict(padding_idx=0)),
    ("negative_padding_idx", [6, 1, 6, 6], dict(padding_idx=-1)),
    ("scale_grad_by_freq", [1, 1, 1, 4, 4, 2], dict(scale_grad_by_freq=True)),
    ("freq_and_padding", [[1, 1, 0], [0, 4, 1]], dict(scale_grad_by_freq=True, padding_idx=0)),
    ("int32", np.array([[3, 1], [1, 3]], dtype=np.int32), {}),
]


def _ids(cases):
    return dict(argvalues=[c[1:] for c in cases], ids=[c[0] for c in cases])


@pytest.mark.parametrize("idx, kwargs", **_ids(CASES))
def test_embedding_matches_naive_loop(idx, kwargs):
    w = weight()
    out = F.embedding(idx, w, **kwargs)
    assert out.shape == np.shape(idx) + (3,)
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    padding_idx = kwargs.get("padding_idx")
    padding_idx = None if padding_idx is None else padding_idx % 7
    expected, grad = naive_embedding(w.data, idx, upstream, padding_idx, kwargs.get("scale_grad_by_freq", False))
    np.testing.assert_array_equal(out.data, expected)
    out.backward(upstream)
    np.testing.assert_allclose(w.grad, grad, rtol=1e-12, atol=1e-15)


# padding_idx and scale_grad_by_freq change the gradient on purpose (it is no longer the derivative, as in
# PyTorch): those cases are checked against the naive loop and torch only.
@pytest.mark.parametrize("idx, kwargs", **_ids([c for c in CASES if c[0] != "empty" and not c[2]]))
def test_embedding_gradcheck(idx, kwargs):
    assert gradcheck(lambda w: F.embedding(idx, w, **kwargs), [weight(seed=2)])


def test_repeated_index_gradient_adds_up():
    w = weight()
    F.embedding([2, 2, 2], w).sum().backward()
    np.testing.assert_array_equal(w.grad[2], [3.0, 3.0, 3.0])
    assert not w.grad[np.arange(7) != 2].any()


def test_indices_as_tensor_and_module_call():
    autograd.manual_seed(0)
    emb = nn.Embedding(10, 4)
    idx = autograd.tensor([[1, 2], [3, 9]])
    assert idx.dtype == np.int64
    out = emb(idx)
    assert out.shape == (2, 2, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out.data, emb.weight.data[idx.data])
    out.sum().backward()
    assert emb.weight.grad.dtype == np.float32


def test_init_is_standard_normal_and_padding_row_is_zero():
    autograd.manual_seed(0)
    emb = nn.Embedding(1000, 64, padding_idx=3)
    w = emb.weight.data
    assert emb.weight.shape == (1000, 64) and emb.weight.requires_grad
    assert not w[3].any()
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1.0) < 0.01  # N(0, 1), as PyTorch
    autograd.manual_seed(0)
    assert np.array_equal(nn.Embedding(1000, 64, padding_idx=3).weight.data, w)  # the global seed
    assert nn.Embedding(5, 2, padding_idx=-2).padding_idx == 3


def test_padding_row_never_learns():
    autograd.manual_seed(0)
    emb = nn.Embedding(5, 2, padding_idx=0)
    opt = optim.SGD(emb.parameters(), lr=0.5, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        (emb(np.array([[0, 1, 0], [2, 0, 4]])) ** 2).sum().backward()
        assert not emb.weight.grad[0].any()
        opt.step()
    assert not emb.weight.data[0].any()


def test_max_norm_renormalizes_looked_up_rows_in_place():
    w = Tensor(np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]), requires_grad=True)
    version = w._version
    out = F.embedding([0, 1, 0], w, max_norm=1.0)
    np.testing.assert_allclose(np.linalg.norm(out.data, axis=1), [1.0, 0.5, 1.0], rtol=1e-6)
    np.testing.assert_allclose(w.data[2], [6.0, 8.0])  # not looked up: unchanged
    assert w._version == version + 1


def test_repr_and_from_pretrained():
    assert repr(nn.Embedding(10, 3)) == "Embedding(10, 3)"
    assert repr(nn.Embedding(10, 3, padding_idx=0, max_norm=2.0)) == "Embedding(10, 3, padding_idx=0, max_norm=2.0)"
    table = np.arange(6.0).reshape(3, 2)
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(np.array([2, 0])).data, table[[2, 0]])
    table[0, 0] = 100.0
    assert frozen.weight.data[0, 0] == 0.0  # a copy
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    assert list(nn.Embedding(4, 2).state_dict()) == ["weight"]


# (id, indices, the offending value the message must name)
BAD_INDICES = [
    ("too_large", [1, 7, 2], "7"),
    ("far_too_large", [[0, 1], [100, 2]], "100"),
    ("negative", [0, -1], "-1"),
    ("float", [0.0, 1.0], "float64, first value 0.0"),
    ("float_tensor", Tensor([1.5, 2.0]), "float32, first value 1.5"),
    ("bool", np.array([True, False]), "bool"),
]


@pytest.mark.parametrize("idx, value", **_ids(BAD_INDICES))
def test_bad_index_raises_and_changes_nothing(idx, value):
    autograd.manual_seed(0)
    emb = nn.Embedding(7, 3, max_norm=0.5)
    before, version = emb.weight.data.copy(), emb.weight._version
    with pytest.raises(EmbeddingIndexError) as info:
        emb(idx)
    assert isinstance(info.value, IndexError) and isinstance(info.value, ValueError)
    message = str(info.value)
    assert "embedding" in message and value in message and "num_embeddings=7" in message
    np.testing.assert_array_equal(emb.weight.data, before)  # max_norm did not run
    assert emb.weight._version == version and emb.weight.grad is None


def test_bad_padding_idx_and_weight():
    with pytest.raises(EmbeddingIndexError, match="padding_idx"):
        nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(EmbeddingIndexError, match="padding_idx"):
        F.embedding([0], weight(5), padding_idx=-6)
    with pytest.raises(ValueError, match="2-D"):
        F.embedding([0], Tensor(np.zeros(5)))
    with pytest.raises(ValueError, match="2-dimensional"):
        nn.Embedding.from_pretrained(np.zeros(5))


# ---- against PyTorch ---------------------------------------------------------------------------------


@pytest.mark.parametrize("idx, kwargs", **_ids([c for c in CASES if c[0] not in ("empty", "scalar")]))
def test_embedding_matches_torch(idx, kwargs):
    torch = _torch()
    w = weight(seed=4)
    tw = torch.tensor(w.data, requires_grad=True)
    out = F.embedding(idx, w, **kwargs)
    tout = torch.nn.functional.embedding(torch.as_tensor(np.asarray(idx)), tw, **kwargs)
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    up = np.random.default_rng(5).standard_normal(out.shape)
    out.backward(up)
    tout.backward(torch.tensor(up))
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_max_norm_matches_torch():
    torch = _torch()
    w = weight(6, 4, seed=6)
    tw = torch.tensor(w.data.copy())
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    out = F.embedding(idx, w, max_norm=1.2, norm_type=1.0)
    tout = torch.nn.functional.embedding(torch.from_numpy(idx), tw, max_norm=1.2, norm_type=1.0)
    np.testing.assert_allclose(out.data, tout.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.data, tw.numpy(), rtol=1e-12)  # both renormalized the same rows in place


def test_torch_rejects_the_same_indices():
    torch = _torch()
    w = torch.zeros(7, 3)
    for idx in ([1, 7, 2], [0, -1]):
        with pytest.raises(IndexError):
            torch.nn.functional.embedding(torch.tensor(idx), w)
    with pytest.raises(RuntimeError):
        torch.nn.functional.embedding(torch.tensor([0.0, 1.0]), w)
