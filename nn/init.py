"""Weight initialization schemes (PyTorch's ``torch.nn.init``, plus LeCun's).

Each function fills ``tensor.data`` in place (no graph is recorded; the tensor's ``_version`` is
bumped, so a graph that used the old values refuses to backpropagate) and returns the tensor. Random
ones draw from `generator` (a ``numpy.random.Generator``) or, by default, from the generator seeded
by ``autograd.manual_seed``.

Fans: for a weight of shape (out, in, *kernel), rf = Π kernel (1 for a Linear weight),
fan_in = in·rf and fan_out = out·rf. The schemes keep the variance of activations (fan_in) or of
gradients (fan_out) roughly constant from layer to layer:

=====================  ==============================  ==============================
scheme                 normal std                      uniform bound (U(−b, b))
=====================  ==============================  ==============================
LeCun                  √(1/fan_in)                     √(3/fan_in)
Xavier/Glorot          gain·√(2/(fan_in + fan_out))    gain·√(6/(fan_in + fan_out))
He/Kaiming             gain/√fan                       gain·√(3/fan)
=====================  ==============================  ==============================

(A uniform U(−b, b) has std b/√3, which is why every bound is √3 times the matching std.)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from autograd import Tensor, no_grad
from autograd.rng import default_generator


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: the factor that restores the variance it removes.

    ================= ====================================
    nonlinearity      gain
    ================= ====================================
    linear / conv*    1
    sigmoid           1
    tanh              5/3
    relu              √2
    leaky_relu        √(2 / (1 + negative_slope²))
    selu              3/4
    ================= ====================================

    `param` is leaky_relu's negative slope (default 0.01).
    """
    linear_fns = [
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
    ]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape {shape})"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values) -> Tensor:
    """Write `values` into the tensor's array in place (keeping its dtype), outside any graph, and
    bump its version: a graph that saved the old values then raises at backward() instead of
    computing a gradient from values that are gone."""
    with no_grad():
        tensor.data[...] = values
    tensor._version += 1
    return tensor


def _rng(generator: np.random.Generator | None) -> np.random.Generator:
    return default_generator() if generator is None else generator


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill with samples of U(a, b)."""
    return _fill(tensor, _rng(generator).uniform(a, b, tensor.shape))


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Fill with samples of N(mean, std²)."""
    return _fill(tensor, _rng(generator).normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val`."""
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1)


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None
) -> Tensor:
    """Xavier/Glorot uniform: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)).

    From "Understanding the difficulty of training deep feedforward neural networks", Glorot &
    Bengio (2010): averaging the forward (fan_in) and backward (fan_out) conditions gives
    Var(w) = 2 / (fan_in + fan_out). Also known as Glorot initialization.

    >>> w = xavier_uniform_(Tensor(np.empty((3, 5))), gain=calculate_gain("tanh"))
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Xavier/Glorot normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).

    From "Understanding the difficulty of training deep feedforward neural networks", Glorot &
    Bengio (2010). Also known as Glorot initialization.
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """He/Kaiming uniform: U(−b, b) with b = gain·√(3 / fan), gain = calculate_gain(nonlinearity, a).

    From "Delving deep into rectifiers: Surpassing human-level performance on ImageNet
    classification", He et al. (2015): a ReLU zeroes half its inputs, so Var(w) = 2 / fan_in keeps
    the activations' variance constant. Also known as He initialization.

    `a` is the negative slope of the rectifier after this layer (leaky_relu only); `mode` "fan_in"
    preserves the forward variance, "fan_out" the backward one.
    Linear's default is ``kaiming_uniform_(w, a=√5)``, i.e. b = 1/√fan_in.

    >>> w = kaiming_uniform_(Tensor(np.empty((3, 5))), mode="fan_in", nonlinearity="relu")
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: np.random.Generator | None = None,
) -> Tensor:
    """He/Kaiming normal: N(0, std²) with std = gain / √fan, gain = calculate_gain(nonlinearity, a)
    (√(2/fan_in) for ReLU).

    From "Delving deep into rectifiers: Surpassing human-level performance on ImageNet
    classification", He et al. (2015). Also known as He initialization.
    """
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def lecun_uniform_(tensor: Tensor, generator: np.random.Generator | None = None) -> Tensor:
    """LeCun uniform: U(−b, b) with b = √(3 / fan_in), i.e. Var(w) = 1 / fan_in.

    From "Efficient BackProp", LeCun, Bottou, Orr & Müller (1998): with inputs of unit variance,
    weights of variance 1/fan_in give pre-activations of unit variance (the sigmoid's linear range).
    """
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0 / fan_in)
    return uniform_(tensor, -bound, bound, generator)


def lecun_normal_(tensor: Tensor, generator: np.random.Generator | None = None) -> Tensor:
    """LeCun normal: N(0, std²) with std = √(1 / fan_in).

    From "Efficient BackProp", LeCun, Bottou, Orr & Müller (1998).
    """
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, math.sqrt(1.0 / fan_in), generator)
