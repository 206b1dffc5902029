"""Toy datasets (numpy arrays, seeded) and PyTorch's data API: `Dataset`, `TensorDataset`, `Subset`,
`random_split` and `DataLoader`.

The generators return ``X`` (float32 by default, the Tensor default; pass ``dtype=np.float64`` for
sklearn's dtype) of shape (n, 2) and integer labels ``y`` (int64) of shape (n,).
`random_state` (alias `seed`) is an int, a ``numpy.random.Generator``, or None for the generator seeded
by ``autograd.manual_seed``.

>>> X, y = make_moons(200, noise=0.1, random_state=0)
>>> train, val = random_split(TensorDataset(X, y), [0.8, 0.2], generator=autograd.Generator().manual_seed(0))
>>> for xb, yb in DataLoader(train, batch_size=32, shuffle=True):   # Tensors (32, 2) and (32,) int64
...     ...
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from autograd import Tensor
from autograd import rng as _rng_module

Seed = int | np.random.Generator | None


def _rng(random_state: Seed, seed: Seed) -> np.random.Generator:
    if seed is not None:
        if random_state is not None:
            raise ValueError("give random_state or seed (an alias), not both")
        random_state = seed
    if random_state is None:
        return _rng_module.default_generator()
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


# ---- PyTorch's data API ---------------------------------------------------------------------------------


def _numpy_rng(generator, op: str) -> np.random.Generator:
    """The numpy generator to draw from: the global one (seeded by ``autograd.manual_seed``) for None,
    that of an ``autograd.Generator`` (its ``numpy_generator()``), or a numpy Generator as it is."""
    if generator is None:
        generator = _rng_module.default_generator()
    if isinstance(generator, np.random.Generator):
        return generator
    numpy_generator = getattr(generator, "numpy_generator", None)
    if numpy_generator is not None:
        numpy_generator = numpy_generator() if callable(numpy_generator) else numpy_generator
        if isinstance(numpy_generator, np.random.Generator):
            return numpy_generator
    raise TypeError(
        f"{op}: generator must be an autograd.Generator or a numpy.random.Generator, got {type(generator).__name__}"
    )


class Dataset:
    """Base class of map-style datasets (PyTorch's ``torch.utils.data.Dataset``): a subclass defines
    ``__getitem__(index)``, returning one sample (e.g. an ``(x, y)`` pair), and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Dataset should implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Dataset should implement __len__")


class TensorDataset(Dataset):
    """Samples from tensors with a common first dimension: item i is ``(t[i] for t in tensors)``.
    Arrays and lists are made Tensors by the construction rules (an int64 label array stays int64)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        for i, t in enumerate(tensors):
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-dimensional; each tensor needs a first "
                                 "dimension that counts the samples")
        sizes = [int(t.shape[0]) for t in tensors]
        if len(set(sizes)) > 1:
            raise ValueError(f"TensorDataset: Size mismatch between tensors: they have different lengths "
                             f"(first dimensions) {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])


class Subset(Dataset):
    """The items of `dataset` at `indices`, in that order (what `random_split` returns)."""

    def __init__(self, dataset, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset, lengths: Sequence[int | float], generator=None) -> list[Subset]:
    """Split `dataset` at random into non-overlapping `Subset`s of the given `lengths`, or of the given
    fractions when they sum to 1 (``[0.8, 0.2]``: each gets ⌊n·fraction⌋ items, and what is left over
    is handed out one by one from the first split on, as PyTorch). `generator`: an
    ``autograd.Generator`` (or numpy Generator) for a reproducible split; None uses the global one."""
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty; give the sizes (or fractions) of the splits")
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        sizes = []
        for i, fraction in enumerate(lengths):
            if fraction < 0 or fraction > 1:
                raise ValueError(f"random_split: Fraction at index {i} is not between 0 and 1, got {fraction}")
            sizes.append(int(math.floor(n * fraction)))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              UserWarning, stacklevel=2)
    if sum(lengths) != n:
        raise ValueError(f"random_split: Sum of input lengths ({sum(lengths)}: {lengths}) does not equal the "
                         f"length of the input dataset ({n})!")
    if any(not isinstance(x, numbers.Integral) or isinstance(x, bool) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative integers, or fractions that sum to 1; "
                         f"got {lengths}")
    order = _numpy_rng(generator, "random_split").permutation(n).tolist()
    return [
        Subset(dataset, order[end - length : end])
        for end, length in zip(itertools.accumulate(lengths), lengths)
    ]


def _stack(batch: Sequence) -> Tensor:
    """Tensors or numpy arrays of one shape stacked along a new first axis, as one Tensor."""
    first = tuple(np.shape(batch[0]))
    for i, t in enumerate(batch):
        if tuple(np.shape(t)) != first:
            raise ValueError(f"default_collate: stack expects each tensor to be equal size, but got {list(first)} "
                             f"at entry 0 and {list(np.shape(t))} at entry {i}")
    if any(isinstance(t, Tensor) and t.requires_grad for t in batch):  # keep the graph, as torch.stack does
        import autograd

        return autograd.stack([t if isinstance(t, Tensor) else Tensor(t) for t in batch])
    return Tensor(np.stack([t.data if isinstance(t, Tensor) else t for t in batch]))


def default_collate(batch: Sequence):
    """Merge a list of samples into a batch, as PyTorch's ``default_collate``: Tensors and numpy arrays
    are stacked into a Tensor (dtype kept), numpy scalars make a Tensor of their dtype, Python ints an
    int64 Tensor, Python floats a float64 Tensor (PyTorch's rule), strings stay a list; tuples and
    lists are collated position by position (into a list), dicts key by key, named tuples field by field."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch)
    if isinstance(elem, np.ndarray):
        if elem.dtype.char in "SaUO":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                            f"lists; found an array of dtype {elem.dtype}")
        return _stack(batch)
    if isinstance(elem, np.bool_ | np.number):
        return Tensor(np.array(batch))
    if isinstance(elem, float):
        return Tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        a = np.array(batch)
        return Tensor(a.astype(np.int64) if a.dtype.kind in "iu" else a)
    if isinstance(elem, str | bytes):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise ValueError(f"default_collate: each element in list of batch should be of equal size, got "
                             f"sizes {[len(sample) for sample in batch]}")
        return [default_collate(samples) for samples in zip(*batch)]  # (a tuple of strings stays one)
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(elem).__name__}")


def _take(t: Tensor | np.ndarray, index: np.ndarray) -> Tensor:
    if isinstance(t, np.ndarray):
        return Tensor(t[index])
    return t[index] if t.requires_grad else Tensor(t.data[index])


def _fetch_fast(dataset, index: np.ndarray):
    """The collated batch of `dataset` at `index` by one indexing per tensor, for the datasets whose
    items are rows of tensors (the same result as collating the items one by one); None for others."""
    kind = type(dataset)
    if kind is TensorDataset:
        return [_take(t, index) for t in dataset.tensors]
    if kind is Subset:
        return _fetch_fast(dataset.dataset, np.asarray(dataset.indices, dtype=np.int64)[index])
    if isinstance(dataset, Tensor) or (isinstance(dataset, np.ndarray) and dataset.dtype.char not in "SaUO"):
        return _take(dataset, index)
    return None


def _to_numpy(batch):
    if isinstance(batch, Tensor):
        return batch.data
    if isinstance(batch, dict):
        return {key: _to_numpy(value) for key, value in batch.items()}
    if isinstance(batch, list | tuple) and not hasattr(batch, "_fields"):
        return type(batch)(_to_numpy(value) for value in batch)
    return batch


class DataLoader:
    """Mini-batches of a dataset, as PyTorch's ``DataLoader``: ``for xb, yb in DataLoader(dataset,
    batch_size=32, shuffle=True): ...``.

    `dataset` is anything with ``__getitem__`` and ``__len__`` whose items are samples (a `Dataset`,
    `TensorDataset`, `Subset`, a list of ``(x, y)`` pairs, a Tensor or an array of rows); a batch is
    the samples collated by `collate_fn` (default `default_collate`: ``(x, y)`` items give a list
    ``[X, Y]`` of stacked Tensors, integer targets stay int64). ``DataLoader(X, y, batch_size=...)``
    is short for ``DataLoader(TensorDataset(X, y), batch_size=...)``; as in PyTorch a number in the
    second place is the batch size (``DataLoader(dataset, 64, True)``).

    With `shuffle` the order is redrawn at every epoch (every ``iter``) from `generator` (an
    ``autograd.Generator``, e.g. ``Generator().manual_seed(0)``, or a numpy Generator), or from a new
    generator seeded with `seed`, or else from the global one seeded by ``autograd.manual_seed``.
    `drop_last` skips a final incomplete batch; ``len(loader)`` is the number of batches.
    ``as_tensors=False`` gives numpy arrays instead of Tensors. `num_workers` and `pin_memory` are
    accepted for PyTorch code; the data is always loaded in the main process (there are no devices).
    """

    def __init__(
        self,
        dataset,
        y=None,
        batch_size: int = 1,
        shuffle: bool | None = False,
        *,
        drop_last: bool = False,
        generator=None,
        collate_fn: Callable | None = None,
        num_workers: int = 0,
        pin_memory: bool = False,
        seed: int | None = None,
        as_tensors: bool = True,
    ):
        if isinstance(y, numbers.Number) and not isinstance(y, np.ndarray):
            # PyTorch's positional form DataLoader(dataset, batch_size, shuffle)
            if isinstance(batch_size, bool | np.bool_):
                if shuffle not in (False, None):
                    raise TypeError("DataLoader: give at most (dataset, batch_size, shuffle) by position; pass "
                                    "the other options by keyword")
                shuffle = batch_size
            elif batch_size != 1:
                raise TypeError(f"DataLoader: got two batch sizes, {y!r} (by position) and {batch_size!r}")
            y, batch_size = None, y
        if y is not None:
            dataset = TensorDataset(dataset, y)
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: the dataset must support len() and indexing (a Dataset, a list of "
                            f"samples, or arrays X, y), got {type(dataset).__name__}")
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size!r}")
        shuffle = False if shuffle is None else shuffle
        if shuffle not in (True, False):
            raise ValueError(f"DataLoader: shuffle should be a boolean value, but got shuffle={shuffle!r}")
        if drop_last not in (True, False):
            raise ValueError(f"DataLoader: drop_last should be a boolean value, but got drop_last={drop_last!r}")
        if not isinstance(num_workers, numbers.Integral) or num_workers < 0:
            raise ValueError("DataLoader: num_workers option should be non-negative; use num_workers=0 to "
                             f"disable multiprocessing, got {num_workers!r}")
        if seed is not None:
            if generator is not None:
                raise ValueError("DataLoader: give generator or seed, not both")
            generator = np.random.default_rng(seed)
        if generator is not None:
            _numpy_rng(generator, "DataLoader")  # a wrong type fails now, not at the first epoch
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.num_workers = int(num_workers)
        self.pin_memory = pin_memory
        self.as_tensors = as_tensors

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator:
        n = len(self.dataset)
        # (the generator is looked up at every epoch: re-seeding it between epochs takes effect)
        order = _numpy_rng(self.generator, "DataLoader").permutation(n) if self.shuffle else np.arange(n)
        for b in range(len(self)):
            index = order[b * self.batch_size : (b + 1) * self.batch_size]
            batch = _fetch_fast(self.dataset, index) if self.collate_fn is default_collate else None
            if batch is None:
                batch = self.collate_fn([self.dataset[int(i)] for i in index])
            yield batch if self.as_tensors else _to_numpy(batch)
