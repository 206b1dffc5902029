"""Loss functions as modules (each wraps the function of the same name in nn.functional)."""

from __future__ import annotations

from autograd import Tensor

from . import functional as F
from .module import Module


class _Loss(Module):
    """Base of the losses: PyTorch's `reduction` (and its deprecated ``size_average``/``reduce``)."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        reduction = F._legacy_reduction(size_average, reduce, reduction)
        F._check_reduction(reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with a rescaling `weight`: a buffer, saved in the state_dict as PyTorch's (when not None)."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_tensor(weight))


def _as_tensor(value):
    return value if value is None or isinstance(value, Tensor) else Tensor(value)


class MSELoss(_Loss):
    """mean (x − y)²."""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """mean |x − y|."""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits (N, C), (N, C, d1, ...) or (C,) against class indices (N,), (N, d1, ...) or a
    scalar, or against class probabilities of the input's shape; with per-class `weight` (C,),
    `ignore_index` (class-index targets equal to it count for nothing, also in the mean's denominator) and
    `label_smoothing`. See `nn.functional.cross_entropy` for the formulas."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        F._check_smoothing(label_smoothing, "CrossEntropyLoss")
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (N, C), (N, C, d1, ...) or (C,) at class indices (N,),
    (N, d1, ...) or a scalar, with per-class `weight` and `ignore_index` as `CrossEntropyLoss`."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits, in the stable form (1 − y)·x + (1 + (p − 1)·y)·softplus(−x), times
    `weight`; `pos_weight` p weighs the positive term (one per class, broadcast along the last axis). Both
    are buffers, saved in the state_dict as PyTorch's."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_tensor(weight))
        self.register_buffer("pos_weight", _as_tensor(pos_weight))

    def forward(self, input: Tensor, target) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities p ∈ [0, 1] (e.g. after a Sigmoid) against targets y:
    −w·[y·log p + (1 − y)·log(1 − p)], each log clamped at −100 as PyTorch. `weight` (a rescaling of
    each element, broadcast to the target's shape) is a buffer, saved in the state_dict as PyTorch.
    For logits, `BCEWithLogitsLoss` is the stable choice."""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)
