"""Embedding: a lookup table of learned vectors, one row per token id (``torch.nn.Embedding``).

An embedding is a Linear layer applied to one-hot vectors, ``onehot(i) @ W = W[i]``, computed as the
lookup it is. Its gradient reaches only the rows that were looked up, and a row looked up k times in a
batch gets the sum of its k gradients (Bengio et al. 2003, "A neural probabilistic language model").
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor, no_grad

from . import functional as F
from . import init
from .functional_conv import _padding_index
from .module import Module, Parameter


class Embedding(Module):
    """Rows of a (num_embeddings, embedding_dim) weight: ``Embedding(10, 3)(idx)`` has shape idx.shape + (3,).

    - the weight is initialized N(0, 1), as PyTorch;
    - `padding_idx`: that row starts at 0 and never gets a gradient (a "no token" id for padded
      sequences); negative values count from the end;
    - `max_norm`, `norm_type`, `scale_grad_by_freq`, `sparse`: as ``nn.functional.embedding``.

    Indices must be integers in [0, num_embeddings): any other raises EmbeddingIndexError (an IndexError
    and a ValueError) naming the value and num_embeddings, and changes nothing.

    >>> emb = Embedding(10, 3, padding_idx=0)
    >>> emb
    Embedding(10, 3, padding_idx=0)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight=None, _freeze: bool = False, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            dtype = np.float32 if dtype is None else dtype
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            weight = np.array(_weight.data if isinstance(_weight, Tensor) else _weight, dtype=dtype)
            if weight.shape != (num_embeddings, embedding_dim):
                raise ValueError(f"Shape of weight does not match num_embeddings and embedding_dim: got "
                                 f"{weight.shape}, expected {(num_embeddings, embedding_dim)}")
            self.weight = Parameter(weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight.data[self.padding_idx] = 0
            self.weight._version += 1

    def forward(self, input) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding holding a copy of `embeddings` (2-D); frozen (no gradient) unless ``freeze=False``."""
        shape = np.shape(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if len(shape) != 2:
            raise ValueError(f"Embeddings parameter is expected to be 2-dimensional, got shape {tuple(shape)}")
        return cls(shape[0], shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)
