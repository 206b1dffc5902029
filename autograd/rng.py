"""The random number generators behind every random function of autograd, nn and optim.

One global generator, seeded by `manual_seed` (as ``torch.manual_seed``), and `Generator` objects for
PyTorch's pattern ``g = Generator().manual_seed(42); randn(3, generator=g)``. Underneath each is a
numpy ``np.random.Generator`` (PCG64): seeded runs repeat exactly, but the numbers differ from
PyTorch's (a different algorithm).
"""

from __future__ import annotations

import numpy as np


def _check_seed(seed, op: str) -> int:
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"{op}: seed must be an integer, got {type(seed).__name__}")
    return int(seed)


class Generator:
    """A random number generator of its own (PyTorch's ``torch.Generator``)."""

    def __init__(self, device: str = "cpu"):
        self._seed = int(np.random.SeedSequence().entropy % 2**63)
        self._numpy = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Re-seed; returns the generator itself, so ``Generator().manual_seed(0)`` is one expression."""
        self._seed = _check_seed(seed, "Generator.manual_seed")
        self._numpy = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def numpy_generator(self) -> np.random.Generator:
        return self._numpy

    def __repr__(self) -> str:
        return f"Generator(seed={self._seed})"


_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random function of seedgrad (random tensors, initializers, Dropout, data shuffling,
    nn.scalar's weights), like ``torch.manual_seed``. Returns the (numpy) generator."""
    global _generator
    _generator = np.random.default_rng(_check_seed(seed, "manual_seed"))
    return _generator


def default_generator() -> np.random.Generator:
    """The generator seeded by `manual_seed`."""
    return _generator


def numpy_generator(generator=None) -> np.random.Generator:
    """The numpy generator to draw from: the global one for None, else that of a `Generator` (a numpy
    Generator is accepted as it is)."""
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator.numpy_generator()
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator: expected an autograd.Generator, got {type(generator).__name__}")
