"""Layers without state beyond their parameters: Linear, Flatten, Unflatten, Identity and the activations."""

from __future__ import annotations

import math
import warnings

import numpy as np

from autograd import Tensor

from . import functional as F
from . import init
from .module import Module, Parameter


class Linear(Module):
    """y = x Wᵀ + b, W of shape (out_features, in_features), for inputs of shape (..., in_features).

    Initialized as PyTorch: W by ``kaiming_uniform_(a=√5)``, which is U(−1/√fan_in, 1/√fan_in), and
    b ~ U(−1/√fan_in, 1/√fan_in).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = np.float32 if dtype is None else dtype
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        shape = np.shape(x)
        if not shape or shape[-1] != self.in_features:
            raise ValueError(
                f"{self!r}: expected input with last dimension {self.in_features} "
                f"(in_features), got input of shape {shape}"
            )
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
        )


class Flatten(Module):
    """Merge the axes start_dim..end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Tensor) -> Tensor:
        shape = x.shape
        start, end = self.start_dim % max(len(shape), 1), self.end_dim % max(len(shape), 1)
        if start > end:
            raise ValueError(f"{self!r}: start_dim comes after end_dim for input of shape {shape}")
        return x.reshape(shape[:start] + (-1,) + shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis `dim` into the axes `unflattened_size` (at most one −1, inferred), the inverse of
    Flatten: ``Unflatten(1, (2, 5))`` maps (N, 10) to (N, 2, 5)."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]):
        super().__init__()
        if not isinstance(unflattened_size, tuple | list):
            raise TypeError(
                f"unflattened_size must be a tuple of ints, but found type {type(unflattened_size).__name__}"
            )
        for i, size in enumerate(unflattened_size):
            if not isinstance(size, int | np.integer) or isinstance(size, bool):
                raise TypeError(
                    f"unflattened_size must be tuple of ints, but found element of type {type(size).__name__} "
                    f"at pos {i}"
                )
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, x: Tensor) -> Tensor:
        shape = tuple(x.shape)
        if not -len(shape) <= self.dim < len(shape):  # an IndexError and a ValueError, as numpy's
            raise np.exceptions.AxisError(
                f"{self!r}: dim {self.dim} is out of range for input of shape {shape} "
                + (f"(expected a dim in [{-len(shape)}, {len(shape) - 1}])" if shape else "(it has no dimensions)")
            )
        dim = self.dim % len(shape)
        sizes = [int(s) for s in self.unflattened_size]
        n = shape[dim]
        if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
            raise ValueError(f"{self!r}: unflattened_size {self.unflattened_size} may hold at most one -1 "
                             "and no other negative size")
        known = math.prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if known == 0 or n % known:
                raise ValueError(f"{self!r}: cannot infer the -1 in {self.unflattened_size} for dim {self.dim} "
                                 f"of size {n} in the input of shape {shape}")
            sizes[sizes.index(-1)] = n // known
        elif known != n:
            raise ValueError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim "
                             f"{self.dim} ({n}) in the input tensor of shape {shape}")
        return x.reshape(shape[:dim] + tuple(sizes) + shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Identity(Module):
    """y = x (a placeholder, e.g. to switch a layer off)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x: Tensor) -> Tensor:
        return x


class ReLU(Module):
    """max(0, x).

    ``inplace`` is accepted so PyTorch code runs unchanged, but seedgrad has no in-place operations:
    the result is always a new tensor and the input is left as it was (the values are the same).
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """tanh x."""

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Sigmoid(Module):
    """1 / (1 + e^(−x))."""

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope·x. ``inplace`` is accepted but computed out of place (see ReLU)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x·Φ(x) (exact, erf form) or its tanh approximation (``approximate="tanh"``)."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """softmax along `dim` (default −1, the last axis; PyTorch's implicit default is deprecated)."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


def _implicit_softmax_dim(name: str, ndim: int) -> int:
    """PyTorch's deprecated choice of axis when none is given: 0 for 0-, 1- and 3-d inputs, else 1."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
        "as an argument.",
        UserWarning,
        stacklevel=4,  # the caller of model(x)
    )
    return 0 if ndim in (0, 1, 3) else 1


class LogSoftmax(Module):
    """log softmax along `dim` (pairs with NLLLoss). With ``dim=None`` the axis is PyTorch's
    deprecated implicit choice (0 for 1-d and 3-d inputs, else 1) and a warning says to give it."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        dim = self.dim if self.dim is not None else _implicit_softmax_dim("LogSoftmax", np.ndim(x))
        return F.log_softmax(x, dim=dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class SiLU(Module):
    """x·σ(x), the sigmoid-weighted linear unit (also called swish). ``inplace`` is accepted but
    computed out of place (see ReLU)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ELU(Module):
    """x if x > 0 else α·(eˣ − 1). ``inplace`` is accepted but computed out of place (see ReLU)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """(1/β)·log(1 + e^(βx)), a smooth ReLU; x itself where βx > threshold (for numerical stability)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"
