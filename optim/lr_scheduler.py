"""Learning-rate schedulers: change each parameter group's ``lr`` once per epoch (PyTorch's API).

>>> opt = SGD(params, lr=0.1)
>>> scheduler = StepLR(opt, step_size=30, gamma=0.1)   # lr = 0.1 for epochs 0-29, 0.01 for 30-59, ...
>>> for epoch in range(100):
...     train_one_epoch(opt)                           # calls opt.step() for every batch
...     scheduler.step()                               # after the optimizer, once per epoch

Each scheduler here is a closed-form function of the epoch t = ``last_epoch`` and each group's
starting rate (``base_lrs``): lr(t) = f(base_lr, t).
"""

from __future__ import annotations

import abc
import math
from typing import Any

from .optimizer import Optimizer


class LRScheduler(abc.ABC):
    """Base class: keeps ``last_epoch`` (t, 0 after construction) and each group's ``base_lrs``.

    A subclass defines only `lr_at`, the learning rate of a group at epoch t.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(self).__name__}: {type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                               "a scheduler with last_epoch >= 0; load the optimizer's state_dict first")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()  # epoch 0: set the starting learning rates

    @abc.abstractmethod
    def lr_at(self, base_lr: float, t: int) -> float:
        """The learning rate at epoch t of a group that started with `base_lr`."""

    def get_lr(self) -> list[float]:
        """The learning rates of the groups at the current epoch."""
        return [self.lr_at(base_lr, self.last_epoch) for base_lr in self.base_lrs]

    def step(self) -> None:
        """Advance one epoch and set every group's ``lr``."""
        self.last_epoch += 1
        self._last_lr = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, self._last_lr):
            group["lr"] = lr

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last `step` (one per parameter group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (which has its own `state_dict`)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the learning rate by γ every `step_size` epochs: lr(t) = base_lr · γ^⌊t / step_size⌋."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if not (isinstance(step_size, int) and step_size > 0):
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by γ every epoch: lr(t) = base_lr · γᵗ."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma**t


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from base_lr down to η_min over T_max epochs (SGDR without restarts).

        lr(t) = η_min + (base_lr − η_min) · (1 + cos(π t / T_max)) / 2

    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017. PyTorch
    computes the same curve recursively from the previous lr; the closed form agrees to rounding.
    Past T_max the rate climbs back along the cosine, as in PyTorch.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr: float, t: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2
