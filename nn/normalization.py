"""Normalization layers: BatchNorm1d, BatchNorm2d (statistics over the batch) and LayerNorm (over
each sample's features)."""

from __future__ import annotations

import numbers

import numpy as np

from autograd import Tensor

from . import functional as F
from .module import Module, Parameter


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d: y = (x − mean) / √(var + eps) · weight + bias per channel (axis 1).

    Training: batch statistics (biased variance), and the running ones are updated as
    running ← (1 − momentum)·running + momentum·batch (the *unbiased* variance is stored);
    ``momentum=None`` makes them the cumulative average over all batches seen (factor
    1/num_batches_tracked). Evaluation: the running statistics. With ``track_running_stats=False``
    there are none, and batch statistics are used in both modes.

    From "Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate
    Shift", Ioffe & Szegedy (2015).
    """

    _expected_dims: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype=None,
        *,
        bias: bool = True,
    ):
        super().__init__()
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got {momentum}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = np.float32 if dtype is None else dtype
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0
            for buffer in (self.running_mean, self.running_var, self.num_batches_tracked):
                buffer._version += 1  # changed in place

    def forward(self, x: Tensor) -> Tensor:
        x = x if isinstance(x, Tensor) else Tensor(x)
        name = type(self).__name__
        if x.ndim not in self._expected_dims:
            dims = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"{name}: expected {dims} input, got {x.ndim}D input of shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"{name}({self.num_features}): expected {self.num_features} channels (axis 1), "
                f"got input of shape {x.shape}"
            )
        # Batch statistics in training, and always when there are no running ones (as PyTorch).
        use_batch_stats = self.training or self.running_mean is None
        update = self.training and self.running_mean is not None
        if self.momentum is None:  # cumulative moving average: the n-th batch gets weight 1/n
            momentum = 1.0 / (int(self.num_batches_tracked.data) + 1) if update else 0.0
        else:
            momentum = self.momentum
        y = F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                         training=use_batch_stats, momentum=momentum, eps=self.eps)
        if update:  # only after a successful forward: a rejected input changes nothing
            self.num_batches_tracked.data += 1
            self.num_batches_tracked._version += 1  # (F.batch_norm bumps the running statistics it updates)
        return y

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) inputs; statistics over N (and L)."""

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) inputs; statistics over N, H and W."""

    _expected_dims = (4,)


class LayerNorm(Module):
    """y = (x − mean) / √(var + eps) · weight + bias over the last ``len(normalized_shape)`` axes of each
    sample (biased variance; the same in training and evaluation).

    From "Layer Normalization", Ba, Kiros & Hinton (2016).
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype=None,
    ):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = np.float32 if dtype is None else dtype
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )
