"""Convolution and pooling layers: Conv1d, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d (PyTorch's names,
arguments, defaults, weight layout, initialization and repr). The math lives in nn.functional_conv.

A convolution slides a small learned filter over the input and takes a dot product at every position:
the same few weights are reused everywhere (weight sharing), so a feature detector learned at one place
works at all of them. LeCun et al. (1998), "Gradient-based learning applied to document recognition",
built LeNet-5 from exactly these pieces: convolutions, subsampling (pooling) and a classifier on top.
"""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor

from . import functional as F
from . import init
from .functional_conv import ConvShapeError, _ints
from .module import Module, Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: arguments, parameters, initialization, repr. A subclass names its
    number of spatial dims (`_nd`) and its functional form (`_functional`, e.g. F.conv2d)."""

    _nd = 0
    _functional = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", dtype=None):
        super().__init__()
        nd, name = self._nd, type(self).__name__
        if not isinstance(groups, int) or isinstance(groups, bool) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError(f"in_channels must be divisible by groups (in_channels={in_channels}, groups={groups})")
        if out_channels % groups != 0:
            raise ValueError(f"out_channels must be divisible by groups (out_channels={out_channels}, "
                             f"groups={groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        op = name.lower()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _tuple(kernel_size, nd, "kernel_size", op, 1)
        self.stride = _tuple(stride, nd, "stride", op, 1)
        self.dilation = _tuple(dilation, nd, "dilation", op, 1)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = _tuple(padding, nd, "padding", op, 0)
        self.groups = groups
        self.padding_mode = padding_mode
        # (left, right) amounts per axis, last axis first: F.pad's order, for padding modes other than zeros
        pairs = []
        for k, d, p in zip(self.kernel_size, self.dilation,
                           self.padding if not isinstance(self.padding, str) else (0,) * nd):
            if self.padding == "same":
                total = d * (k - 1)
                pairs.append((total // 2, total - total // 2))
            else:
                pairs.append((p, p))
        self._reversed_padding_repeated_twice = tuple(a for pair in reversed(pairs) for a in pair)
        dtype = np.float32 if dtype is None else dtype
        self.weight = Parameter(np.empty((out_channels, in_channels // groups) + self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: W by ``kaiming_uniform_(a=√5)``, i.e. U(−1/√fan_in, 1/√fan_in), and b ~
        U(−1/√fan_in, 1/√fan_in), with fan_in = in_channels/groups · Πkernel_size."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(np.shape(input.data if isinstance(input, Tensor) else input))
        nd, c = self._nd, self.in_channels
        if len(shape) not in (nd + 1, nd + 2) or shape[-nd - 1] != c:
            axes = "L" if nd == 1 else "H, W"
            raise ConvShapeError(f"{self!r}: expected an input of shape (N, {c}, {axes}) or ({c}, {axes}) "
                                 f"({c} = in_channels), got input of shape {shape}")
        if self.padding_mode != "zeros":
            input = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return self._functional(input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return self._functional(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                                self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


def _tuple(value, n: int, name: str, op: str, minimum: int) -> tuple[int, ...]:
    """A module argument as n ints (a bad one is a ValueError, as PyTorch's constructors raise)."""
    try:
        return _ints(value, n, name, op, minimum)
    except ConvShapeError as e:
        raise ValueError(str(e)) from None


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) or (C_in, L) inputs, weight (C_out, C_in/groups, k):

        out[n, o, t] = bias[o] + Σ_c Σ_i weight[o, c, i] · x_pad[n, c, t·stride + i·dilation],

        L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1

    (c ranging over the input channels of o's group). Arguments as ``torch.nn.Conv1d``; see `Conv2d`.
    """

    _nd = 1
    _functional = staticmethod(F.conv1d)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) inputs (``torch.nn.Conv2d``):

        out[n, o, y, x] = bias[o] + Σ_c Σ_i Σ_j weight[o, c, i, j] · x_pad[n, c, y·s_h + i·d_h, x·s_w + j·d_w],

        H_out = ⌊(H + 2·padding_h − dilation_h·(kH − 1) − 1) / stride_h⌋ + 1   (W likewise),

    c ranging over the C_in/groups input channels of output channel o's group. The weight has PyTorch's
    layout (C_out, C_in/groups, kH, kW), the bias (C_out,).

    - `kernel_size`, `stride`, `dilation`: an int or a pair; `padding`: an int, a pair, ``"valid"`` or
      ``"same"`` (output size = input size; stride 1 only);
    - `groups`: split the channels into groups convolved separately (groups = C_in: depthwise);
    - `padding_mode`: ``"zeros"`` (default), ``"reflect"``, ``"replicate"`` or ``"circular"``.

    Initialized as PyTorch: ``kaiming_uniform_(weight, a=√5)`` and bias ~ U(−1/√fan_in, 1/√fan_in),
    fan_in = C_in/groups · kH · kW.

    >>> conv = Conv2d(1, 6, kernel_size=5)          # LeNet-5's first layer
    >>> conv
    Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
    """

    _nd = 2
    _functional = staticmethod(F.conv2d)


class MaxPool2d(Module):
    """2-D max pooling (``torch.nn.MaxPool2d``): the maximum of each kernel_size window, windows `stride`
    apart (default: kernel_size, non-overlapping), the input padded with −inf. The gradient flows to each
    window's maximum (the first one on ties). See ``nn.functional.max_pool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """2-D average pooling (``torch.nn.AvgPool2d``): the mean of each kernel_size window (zero padding counts
    in the mean by default, ``count_include_pad=True``, as PyTorch). See ``nn.functional.avg_pool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (``torch.nn.AdaptiveAvgPool2d``), whatever the input's size:
    output row i averages input rows ⌊i·H/H_out⌋ .. ⌈(i + 1)·H/H_out⌉ − 1 (columns likewise).
    ``AdaptiveAvgPool2d(1)`` is global average pooling."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
