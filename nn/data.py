"""Toy datasets (numpy arrays, seeded) and a minimal `DataLoader`.

The generators return ``X`` (float32 by default, the Tensor default; pass ``dtype=np.float64`` for
sklearn's dtype) of shape (n, 2) and integer labels ``y`` (int64) of shape (n,).
`random_state` (alias `seed`) is an int, a ``numpy.random.Generator``, or None for the generator seeded
by ``autograd.manual_seed``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from autograd import Tensor
from autograd.rng import default_generator

Seed = int | np.random.Generator | None


def _rng(random_state: Seed, seed: Seed) -> np.random.Generator:
    if seed is not None:
        if random_state is not None:
            raise ValueError("give random_state or seed (an alias), not both")
        random_state = seed
    if random_state is None:
        return default_generator()
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def _split(n_samples: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(n_samples, tuple):
        return n_samples
    if n_samples < 0:
        raise ValueError(f"n_samples must be non-negative, got {n_samples}")
    return n_samples // 2, n_samples - n_samples // 2


def _finish(X, y, rng, shuffle, noise, dtype):
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise is not None:
        X = X + rng.normal(0.0, noise, X.shape)
    return X.astype(dtype), y.astype(np.int64)


def make_moons(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: Seed = None,
    seed: Seed = None,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as ``sklearn.datasets.make_moons``: the upper one (label 0)
    centred at (0, 0), the lower one (label 1) at (1, 0.5), radius 1; plus N(0, noise²) noise."""
    n_out, n_in = _split(n_samples)
    outer = np.linspace(0, math.pi, n_out)
    inner = np.linspace(0, math.pi, n_in)
    X = np.vstack(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            np.column_stack([1 - np.cos(inner), 1 - np.sin(inner) - 0.5]),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, _rng(random_state, seed), shuffle, noise, dtype)


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: Seed = None,
    seed: Seed = None,
    factor: float = 0.8,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle (radius 1, label 0) around a small one (radius `factor`, label 1), as
    ``sklearn.datasets.make_circles``; plus N(0, noise²) noise."""
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor has to be in [0, 1), got {factor}")
    n_out, n_in = _split(n_samples)
    outer = np.linspace(0, 2 * math.pi, n_out, endpoint=False)
    inner = np.linspace(0, 2 * math.pi, n_in, endpoint=False)
    X = np.vstack(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            factor * np.column_stack([np.cos(inner), np.sin(inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(X, y, _rng(random_state, seed), shuffle, noise, dtype)


def make_spirals(
    n_per_class: int = 100,
    n_classes: int = 3,
    *,
    noise: float = 0.2,
    shuffle: bool = False,
    random_state: Seed = None,
    seed: Seed = None,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """CS231n's spiral data: `n_classes` arms of `n_per_class` points each; arm j has radius
    r ∈ linspace(0, 1) and angle θ ∈ linspace(4j, 4(j+1)) + N(0, noise²), point (r sin θ, r cos θ).
    Not linearly separable: the classic case for a hidden layer. Ordered by class unless `shuffle`."""
    rng = _rng(random_state, seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes)
    for j in range(n_classes):
        rows = slice(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1.0, n_per_class)
        theta = np.linspace(j * 4.0, (j + 1) * 4.0, n_per_class) + rng.normal(0.0, 1.0, n_per_class) * noise
        X[rows] = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
        y[rows] = j
    return _finish(X, y, rng, shuffle, None, dtype)


class DataLoader:
    """Mini-batches over arrays with a common first axis: ``for X, y in DataLoader(X, y, batch_size=32,
    shuffle=True): ...``.

    Each batch is a tuple with one entry per array, as seedgrad `Tensor`s (``as_tensors=True``, the
    default: ready for a model and for ``F.cross_entropy``) or as numpy arrays. With `shuffle` the order
    is redrawn at every epoch (every ``iter``) from `generator` (or a new generator seeded with `seed`,
    or the one seeded by ``autograd.manual_seed``). `drop_last` skips a final incomplete batch.
    """

    def __init__(
        self,
        *arrays,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
        seed: int | None = None,
        as_tensors: bool = True,
    ):
        if not arrays:
            raise ValueError("DataLoader: give at least one array")
        self.arrays = [np.asarray(a.data if isinstance(a, Tensor) else a) for a in arrays]
        lengths = {len(a) for a in self.arrays}
        if len(lengths) != 1:
            raise ValueError(f"DataLoader: arrays have different lengths {[len(a) for a in self.arrays]}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size should be a positive integer, got {batch_size}")
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.as_tensors = as_tensors
        self._generator = (
            generator if generator is not None else None if seed is None else np.random.default_rng(seed)
        )

    def __len__(self) -> int:
        n = len(self.arrays[0])
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple]:
        n = len(self.arrays[0])
        order = None
        if self.shuffle:
            rng = self._generator if self._generator is not None else default_generator()
            order = rng.permutation(n)
        for b in range(len(self)):
            rows = slice(b * self.batch_size, (b + 1) * self.batch_size)
            index = rows if order is None else order[rows]
            batch = tuple(a[index] for a in self.arrays)
            yield tuple(Tensor(a) for a in batch) if self.as_tensors else batch
