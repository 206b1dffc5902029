"""Dropout: randomly silence units while training (a regularizer)."""

from __future__ import annotations

from autograd import Tensor

from . import functional as F
from .module import Module


class Dropout(Module):
    """Inverted dropout (Srivastava et al. 2014): in training y = x·m/(1−p) with m ~ Bernoulli(1−p),
    so E[y] = x; in evaluation y = x. `p` is the probability to DROP a unit (as in PyTorch; CS231n's
    notes use the keep probability). p = 1 gives zeros; p outside [0, 1] is a ValueError.
    Masks are drawn from the generator seeded by ``autograd.manual_seed``.

    ``inplace`` is accepted so PyTorch code runs unchanged, but seedgrad has no in-place operations:
    the result is always a new tensor and the input is left as it was (the values are the same).
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        F._check_probability(p)
        self.p = p
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
