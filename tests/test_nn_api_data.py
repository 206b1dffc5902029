"""nn.data's PyTorch API: Dataset, TensorDataset, Subset, random_split, default_collate and DataLoader over
any dataset; worked-out tables, and torch's behaviour where it is installed."""

from collections import namedtuple

import numpy as np
import pytest

import autograd
from autograd import Tensor, manual_seed
from nn.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


class NumpyGenerator:
    """Stands for autograd.Generator: an object with a numpy_generator() method."""

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)

    def numpy_generator(self):
        return self._rng


def generators():
    """Reproducible generators of every accepted kind, seeded with 0, by name."""
    makers = {"numpy": lambda: np.random.default_rng(0), "numpy_generator()": lambda: NumpyGenerator(0)}
    if hasattr(autograd, "Generator"):
        makers["autograd.Generator"] = lambda: autograd.Generator().manual_seed(0)
    return makers


GENERATORS = list(generators())


class Squares(Dataset):
    """A map-style dataset of (x, y) items: x a float32 row (i, i²), y the int label i % 3."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return np.array([i, i * i], dtype=np.float32), i % 3

    def __len__(self):
        return self.n


# ---- Dataset, TensorDataset, Subset -------------------------------------------------------------------

def test_dataset_base_needs_getitem_and_len():
    with pytest.raises(NotImplementedError, match="Dataset should implement __getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Dataset())


def test_tensor_dataset_items_are_tuples_of_rows():
    X, y = np.arange(12.0, dtype=np.float32).reshape(6, 2), np.arange(6)
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x3, y3 = ds[3]
    assert isinstance(x3, Tensor) and x3.data.tolist() == [6.0, 7.0] and x3.dtype == np.float32
    assert y3.dtype == np.int64 and int(y3.data) == 3
    assert [t.dtype for t in ds.tensors] == [np.float32, np.int64]
    xs, ys = ds[np.array([0, 5])]
    assert xs.shape == (2, 2) and ys.data.tolist() == [0, 5]


@pytest.mark.parametrize("tensors, match", [
    ((np.zeros((4, 2)), np.zeros(3)), r"different lengths \(first dimensions\) \[4, 3\]"),
    ((np.zeros(2), np.zeros(2), np.zeros(5)), r"\[2, 2, 5\]"),
    ((np.zeros(()),), "tensor 0 is 0-dimensional"),
    ((), "at least one tensor"),
])
def test_tensor_dataset_errors_name_the_sizes(tensors, match):
    with pytest.raises(ValueError, match=match):
        TensorDataset(*tensors)


def test_subset_maps_indices():
    sub = Subset(Squares(10), [7, 2, 5])
    assert len(sub) == 3 and sub[0][1] == 7 % 3 and sub[2][0].tolist() == [5.0, 25.0]


# ---- random_split -----------------------------------------------------------------------------------

# (dataset length, lengths, sizes worked out: ⌊n·f⌋ each, the remainder handed out from the first split)
SPLITS = [
    (10, [3, 7], [3, 7]),
    (10, [0, 10], [0, 10]),
    (10, [0.5, 0.5], [5, 5]),
    (10, [0.3, 0.3, 0.4], [3, 3, 4]),
    (11, [0.5, 0.5], [6, 5]),
    (10, [0.33, 0.33, 0.34], [4, 3, 3]),
    (7, [0.1, 0.9], [1, 6]),
    (5, [0.2, 0.2, 0.2, 0.2, 0.2], [1, 1, 1, 1, 1]),
    (3, [0.25, 0.25, 0.25, 0.25], [1, 1, 1, 0]),
    (4, [1], [4]),  # a single 1 reads as a fraction, as in PyTorch
]


@pytest.mark.parametrize("n, lengths, sizes", SPLITS)
def test_random_split_sizes_and_disjoint_cover(n, lengths, sizes):
    manual_seed(0)
    with pytest.warns(UserWarning, match="is 0") if 0 in sizes and isinstance(lengths[0], float) else _nothing():
        parts = random_split(Squares(n), lengths)
    assert [len(p) for p in parts] == sizes
    assert all(isinstance(p, Subset) for p in parts)
    assert sorted(i for p in parts for i in p.indices) == list(range(n))


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("n, lengths, sizes", SPLITS)
def test_random_split_sizes_match_torch(n, lengths, sizes):
    torch = pytest.importorskip("torch")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert [len(p) for p in torch.utils.data.random_split(range(n), lengths)] == sizes


@pytest.mark.parametrize("kind", GENERATORS)
def test_random_split_is_reproducible_with_a_seeded_generator(kind):
    make = generators()[kind]
    a = [p.indices for p in random_split(Squares(20), [0.7, 0.3], generator=make())]
    b = [p.indices for p in random_split(Squares(20), [0.7, 0.3], generator=make())]
    assert a == b and a != [list(range(14)), list(range(14, 20))]
    manual_seed(3)
    c = [p.indices for p in random_split(Squares(20), [14, 6])]
    manual_seed(3)
    assert c == [p.indices for p in random_split(Squares(20), [14, 6])]


@pytest.mark.parametrize("lengths, match", [
    ([3, 3], r"Sum of input lengths \(6: \[3, 3\]\) does not equal the length of the input dataset \(10\)"),
    ([0.5, 0.6], "does not equal"),
    ([1.5, -0.5], "Fraction at index 0 is not between 0 and 1, got 1.5"),
    ([12, -2], "non-negative integers"),
    ([5.0, 5.0], "non-negative integers"),
    ([], "empty"),
])
def test_random_split_errors(lengths, match):
    with pytest.raises(ValueError, match=match):
        random_split(Squares(10), lengths)


def test_random_split_rejects_a_non_generator():
    with pytest.raises(TypeError, match="random_split: generator must be an autograd.Generator.*got int"):
        random_split(Squares(4), [2, 2], generator=0)


# ---- default_collate -----------------------------------------------------------------------------------

Pair = namedtuple("Pair", "x y")

# (id, samples, check of the batch) — PyTorch's rules
COLLATE = [
    ("tensors", [Tensor([1.0, 2.0]), Tensor([3.0, 4.0])],
     lambda b: isinstance(b, Tensor) and b.shape == (2, 2) and b.dtype == np.float32),
    ("arrays_keep_dtype", [np.zeros(3, dtype=np.float64), np.ones(3, dtype=np.float64)],
     lambda b: isinstance(b, Tensor) and b.shape == (2, 3) and b.dtype == np.float64),
    ("python_ints_int64", [1, 2, 3], lambda b: b.dtype == np.int64 and b.data.tolist() == [1, 2, 3]),
    ("python_floats_float64", [0.5, 1.5], lambda b: b.dtype == np.float64),
    ("python_bools", [True, False], lambda b: b.dtype == np.bool_),
    ("numpy_scalars", [np.float32(1), np.float32(2)], lambda b: b.dtype == np.float32 and b.shape == (2,)),
    ("numpy_int32", [np.int32(1), np.int32(2)], lambda b: b.dtype == np.int32),
    ("strings", ["a", "b"], lambda b: b == ["a", "b"]),
    ("pairs_to_a_list", [(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 0)],
     lambda b: isinstance(b, list) and b[0].shape == (2, 2) and b[1].dtype == np.int64),
    ("dicts", [{"x": 1.0, "y": 2}, {"x": 3.0, "y": 4}],
     lambda b: set(b) == {"x", "y"} and b["x"].dtype == np.float64 and b["y"].data.tolist() == [2, 4]),
    ("namedtuples", [Pair(1, 2.0), Pair(3, 4.0)],
     lambda b: isinstance(b, Pair) and b.x.data.tolist() == [1, 3] and b.y.dtype == np.float64),
    ("nested", [([1, 2], "s"), ([3, 4], "t")],
     lambda b: b[0][0].data.tolist() == [1, 3] and b[0][1].data.tolist() == [2, 4] and b[1] == ("s", "t")),
]


@pytest.mark.parametrize("samples, check", [c[1:] for c in COLLATE], ids=[c[0] for c in COLLATE])
def test_default_collate_rules(samples, check):
    assert check(default_collate(samples))


def _dtype_tree(batch):
    if hasattr(batch, "dtype"):
        return str(batch.dtype).replace("torch.", "")
    if isinstance(batch, dict):
        return {k: _dtype_tree(v) for k, v in batch.items()}
    if isinstance(batch, list | tuple):
        return [type(batch).__name__, [_dtype_tree(v) for v in batch]]
    return type(batch).__name__


@pytest.mark.parametrize("samples", [c[1] for c in COLLATE if c[0] != "tensors"],
                         ids=[c[0] for c in COLLATE if c[0] != "tensors"])
def test_default_collate_matches_torch(samples):
    torch = pytest.importorskip("torch")
    ours = _dtype_tree(default_collate(samples))
    theirs = _dtype_tree(torch.utils.data.default_collate(samples))
    assert ours == theirs


@pytest.mark.parametrize("samples, error, match", [
    ([np.zeros(2), np.zeros(3)], ValueError, r"equal size, but got \[2\] at entry 0 and \[3\] at entry 1"),
    ([(1, 2), (1,)], ValueError, r"each element in list of batch should be of equal size.*\[2, 1\]"),
    ([np.array(["a"]), np.array(["b"])], TypeError, "found an array of dtype <U1"),
    ([object(), object()], TypeError, "found object"),
])
def test_default_collate_errors(samples, error, match):
    with pytest.raises(error, match=match):
        default_collate(samples)


def test_collating_tensors_that_require_grad_keeps_the_graph():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    ds = TensorDataset(w * 3.0)
    (batch,) = next(iter(DataLoader(ds, batch_size=2)))
    batch.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


# ---- DataLoader ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, batch_size, drop_last, expected", [
    (10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3), (9, 3, True, 3), (2, 5, False, 1), (2, 5, True, 0),
    (0, 4, False, 0), (1, 1, True, 1),
])
def test_len_is_the_number_of_batches(n, batch_size, drop_last, expected):
    loader = DataLoader(Squares(n), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected == len(list(loader))
    try:
        import torch
    except ImportError:
        return
    assert len(torch.utils.data.DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)) == expected


def test_a_map_style_dataset_of_pairs_batches_like_torch():
    loader = DataLoader(Squares(7), batch_size=3)
    batches = list(loader)
    assert [type(b).__name__ for b in batches] == ["list"] * 3
    xs, ys = batches[0]
    assert xs.dtype == np.float32 and xs.data.tolist() == [[0, 0], [1, 1], [2, 4]]
    assert ys.dtype == np.int64 and ys.data.tolist() == [0, 1, 2]
    assert [tuple(b[0].shape) for b in batches] == [(3, 2), (3, 2), (1, 2)]
    try:
        import torch
    except ImportError:
        return
    for (x, y), (tx, ty) in zip(batches, torch.utils.data.DataLoader(Squares(7), batch_size=3)):
        np.testing.assert_array_equal(x.data, tx.numpy())
        np.testing.assert_array_equal(y.data, ty.numpy())
        assert str(ty.dtype) == "torch.int64"


def test_arrays_form_is_a_tensor_dataset():
    X, y = np.arange(20.0, dtype=np.float32).reshape(10, 2), np.arange(10)
    a = [[t.data.tolist() for t in b] for b in DataLoader(X, y, batch_size=4)]
    b = [[t.data.tolist() for t in b] for b in DataLoader(TensorDataset(X, y), batch_size=4)]
    assert a == b and len(a) == 3
    assert isinstance(DataLoader(X, y).dataset, TensorDataset)


def test_a_tensor_or_array_alone_yields_row_batches():
    for data in (np.arange(6.0).reshape(3, 2), Tensor(np.arange(6.0).reshape(3, 2))):
        batches = list(DataLoader(data, batch_size=2))
        assert all(isinstance(b, Tensor) for b in batches) and [b.shape for b in batches] == [(2, 2), (1, 2)]


def test_a_list_of_samples_is_a_dataset():
    samples = [(np.array([i, i], dtype=np.float32), i) for i in range(5)]
    xs, ys = next(iter(DataLoader(samples, batch_size=5)))
    assert xs.shape == (5, 2) and ys.data.tolist() == [0, 1, 2, 3, 4]


def test_torch_positional_form():
    ds = Squares(9)
    ordered = [b[1].data.tolist() for b in DataLoader(ds, 4)]
    assert ordered == [[0, 1, 2, 0], [1, 2, 0, 1], [2]]
    a = [b[0].data.tolist() for b in DataLoader(ds, 4, True, generator=np.random.default_rng(1))]
    b = [b[0].data.tolist() for b in DataLoader(ds, batch_size=4, shuffle=True, generator=np.random.default_rng(1))]
    assert a == b
    assert DataLoader(ds, 4, shuffle=True).shuffle and not DataLoader(ds, 4, False).shuffle


@pytest.mark.parametrize("kind", GENERATORS)
def test_shuffle_is_reproducible_and_redrawn_every_epoch(kind):
    make = generators()[kind]

    def epochs(loader, k=3):
        return [np.concatenate([b[1].data for b in loader]).tolist() for _ in range(k)]

    X, y = np.arange(10.0)[:, None], np.arange(10)
    first = epochs(DataLoader(X, y, batch_size=3, shuffle=True, generator=make()))
    assert first == epochs(DataLoader(X, y, batch_size=3, shuffle=True, generator=make()))
    assert all(sorted(e) == list(range(10)) for e in first)
    assert first[0] != first[1] != first[2]
    for xb, yb in DataLoader(X, y, batch_size=3, shuffle=True, generator=make()):
        np.testing.assert_array_equal(xb.data[:, 0], yb.data)  # rows stay paired


def test_shuffle_without_a_generator_follows_manual_seed():
    def order():
        return [b[1].data.tolist() for b in DataLoader(Squares(8), batch_size=8, shuffle=True)]

    manual_seed(5)
    a = order()
    manual_seed(5)
    assert a == order()


def test_autograd_generator_reseeded_between_epochs_restarts_the_order():
    if not hasattr(autograd, "Generator"):
        pytest.skip("autograd.Generator is not there yet")
    g = autograd.Generator().manual_seed(0)
    loader = DataLoader(Squares(8), batch_size=8, shuffle=True, generator=g)
    first = next(iter(loader))[1].data.tolist()
    g.manual_seed(0)
    assert next(iter(loader))[1].data.tolist() == first


def test_subsets_batch_the_same_by_the_fast_path_and_item_by_item():
    X, y = np.random.default_rng(0).standard_normal((12, 3)).astype(np.float32), np.arange(12)
    train, _ = random_split(TensorDataset(X, y), [8, 4], generator=np.random.default_rng(0))

    def item_by_item(samples):
        return default_collate(samples)

    fast = [[t.data for t in b] for b in DataLoader(train, batch_size=3)]
    slow = [[t.data for t in b] for b in DataLoader(train, batch_size=3, collate_fn=item_by_item)]
    for a, b in zip(fast, slow, strict=True):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v)
            assert u.dtype == v.dtype
    np.testing.assert_array_equal(np.concatenate([b[1] for b in fast]), np.array(train.indices))


def test_custom_collate_fn_and_numpy_batches():
    loader = DataLoader(Squares(4), batch_size=2, collate_fn=lambda samples: [s[1] for s in samples])
    assert list(loader) == [[0, 1], [2, 0]]
    xb, yb = next(iter(DataLoader(Squares(4), batch_size=2, as_tensors=False)))
    assert isinstance(xb, np.ndarray) and isinstance(yb, np.ndarray) and yb.dtype == np.int64


def test_torch_options_without_workers_are_accepted():
    loader = DataLoader(Squares(4), batch_size=2, num_workers=2, pin_memory=True)
    assert len(list(loader)) == 2


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((Squares(4),), {"batch_size": 0}, ValueError,
     "batch_size should be a positive integer value, but got batch_size=0"),
    ((Squares(4),), {"batch_size": 1.5}, ValueError, "batch_size=1.5"),
    ((Squares(4),), {"batch_size": True}, ValueError, "batch_size=True"),
    ((Squares(4), -2), {}, ValueError, "batch_size=-2"),
    ((Squares(4),), {"drop_last": "yes"}, ValueError, "drop_last should be a boolean value, but got drop_last='yes'"),
    ((Squares(4),), {"shuffle": "yes"}, ValueError, "shuffle should be a boolean value"),
    ((Squares(4),), {"num_workers": -1}, ValueError, "num_workers option should be non-negative"),
    ((Squares(4),), {"generator": 42}, TypeError, "DataLoader: generator must be .*got int"),
    ((Squares(4),), {"generator": np.random.default_rng(0), "seed": 1}, ValueError, "generator or seed"),
    ((Squares(4), 2, True, True), {}, TypeError, r"at most \(dataset, batch_size, shuffle\) by position"),
    ((Squares(4), 2), {"batch_size": 3}, TypeError, "two batch sizes"),
    ((42,), {}, TypeError, "must support len"),
    ((np.zeros((4, 2)), np.zeros(3)), {}, ValueError, r"different lengths \(first dimensions\) \[4, 3\]"),
])
def test_dataloader_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        DataLoader(*args, **kwargs)
