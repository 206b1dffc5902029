"""nn.data: toy datasets (shapes, dtypes, geometry, seeding) and DataLoader."""

import numpy as np
import pytest

from autograd import Tensor, manual_seed
from nn.data import DataLoader, make_circles, make_moons, make_spirals

GENERATORS = [
    ("moons", lambda **kw: make_moons(100, noise=0.1, **kw), 100, 2),
    ("circles", lambda **kw: make_circles(100, noise=0.05, **kw), 100, 2),
    ("spirals", lambda **kw: make_spirals(50, 4, **kw), 200, 4),
]


@pytest.mark.parametrize("make, n, classes", [g[1:] for g in GENERATORS], ids=[g[0] for g in GENERATORS])
def test_shapes_dtypes_and_seeding(make, n, classes):
    X, y = make(random_state=0)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert sorted(set(y.tolist())) == list(range(classes))
    X2, y2 = make(random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(seed=0)
    np.testing.assert_array_equal(X, X3)
    assert not np.array_equal(X, make(random_state=1)[0])
    manual_seed(4)
    a = make()[0]
    manual_seed(4)
    np.testing.assert_array_equal(a, make()[0])


def test_moons_geometry_without_noise():
    X, y = make_moons(101, noise=None, shuffle=False, dtype=np.float64)
    assert (y[:50] == 0).all() and (y[50:] == 1).all()
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)  # upper moon: unit circle around (0, 0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)  # lower: around (1, 0.5)
    assert (X[y == 0, 1] >= -1e-12).all() and (X[y == 1, 1] <= 0.5 + 1e-12).all()


def test_circles_geometry_without_noise():
    X, y = make_circles(100, factor=0.5, random_state=0, dtype=np.float64)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.5)
    with pytest.raises(ValueError, match="factor"):
        make_circles(factor=1.0)


def test_spirals_like_cs231n():
    X, y = make_spirals(100, 3, noise=0.0, dtype=np.float64)
    r = np.hypot(*X.T)
    np.testing.assert_allclose(r[:100], np.linspace(0, 1, 100), atol=1e-12)
    theta = np.linspace(4, 8, 100)[1:]  # class 1, noise-free: (r sin t, r cos t)
    np.testing.assert_allclose(X[101:200], np.column_stack([np.sin(theta), np.cos(theta)]) * r[101:200, None])
    assert (y[:100] == 0).all() and (y[200:] == 2).all()


def test_dataloader_batches_in_order():
    X, y = np.arange(20.0).reshape(10, 2).astype(np.float32), np.arange(10)
    loader = DataLoader(X, y, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    assert all(isinstance(t, Tensor) for b in batches for t in b)
    np.testing.assert_array_equal(np.concatenate([b[1].data for b in batches]), y)
    assert len(DataLoader(X, y, batch_size=4, drop_last=True)) == 2
    assert [b[0].shape[0] for b in DataLoader(X, y, batch_size=4, drop_last=True)] == [4, 4]


def test_dataloader_shuffle_is_a_seeded_permutation_redrawn_every_epoch():
    X, y = np.arange(10.0)[:, None], np.arange(10)
    loader = DataLoader(X, y, batch_size=3, shuffle=True, seed=0)
    epoch1 = np.concatenate([b[1].data for b in loader])
    epoch2 = np.concatenate([b[1].data for b in loader])
    assert sorted(epoch1) == list(range(10)) and not np.array_equal(epoch1, epoch2)
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.data[:, 0], yb.data)  # rows stay paired
    again = DataLoader(X, y, batch_size=3, shuffle=True, seed=0)
    np.testing.assert_array_equal(np.concatenate([b[1].data for b in again]), epoch1)
    manual_seed(2)
    a = [b[1].data.tolist() for b in DataLoader(X, y, batch_size=5, shuffle=True)]
    manual_seed(2)
    assert a == [b[1].data.tolist() for b in DataLoader(X, y, batch_size=5, shuffle=True)]


def test_dataloader_arrays_mode_and_errors():
    X, y = np.zeros((4, 2)), np.zeros(4, dtype=np.int64)
    xb, yb = next(iter(DataLoader(X, y, batch_size=2, as_tensors=False)))
    assert isinstance(xb, np.ndarray) and isinstance(yb, np.ndarray)
    with pytest.raises(ValueError, match="different lengths"):
        DataLoader(X, y[:3])
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(X, y, batch_size=0)
