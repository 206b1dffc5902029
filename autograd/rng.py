"""The one random number generator behind every random function of autograd, nn and optim."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random function of seedgrad (random tensors, initializers, Dropout, data shuffling,
    nn.scalar's weights), like ``torch.manual_seed``. Returns the generator."""
    global _generator
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an integer, got {type(seed).__name__}")
    _generator = np.random.default_rng(seed)
    return _generator


def default_generator() -> np.random.Generator:
    """The generator seeded by `manual_seed`."""
    return _generator
