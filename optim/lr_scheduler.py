"""Learning-rate schedulers: change each parameter group's ``lr`` once per epoch (PyTorch's API).

>>> opt = SGD(params, lr=0.1)
>>> scheduler = StepLR(opt, step_size=30, gamma=0.1)   # lr = 0.1 for epochs 0-29, 0.01 for 30-59, ...
>>> for epoch in range(100):
...     train_one_epoch(opt)                           # calls opt.step() for every batch
...     scheduler.step()                               # after the optimizer, once per epoch

Each scheduler's docstring gives its closed form, lr(t) = f(base_lr, t) at epoch t = ``last_epoch``.
The implementation applies it step by step, as PyTorch does: `get_lr` computes the next rate from
each group's *current* ``lr`` (lr(t) from lr(t − 1)). For one scheduler alone the two agree (to
rounding), but only the step-by-step form lets schedulers compose (two schedulers on one optimizer
multiply their effects) and respect a learning rate changed by hand between epochs.
"""

from __future__ import annotations

import abc
import math
from typing import Any

from .optimizer import Optimizer


class LRScheduler(abc.ABC):
    """Base class: keeps ``last_epoch`` (t, 0 after construction) and each group's ``base_lrs``.

    A subclass defines `get_lr`: the groups' learning rates at epoch ``last_epoch``, computed from
    their current ``lr`` (the rates of epoch ``last_epoch − 1``), and `_get_closed_form_lr`, the
    same rates from ``base_lrs`` alone (the formula a reader checks; not used by `step`).
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
        # The constructor's step moves to the first epoch (0, or last_epoch + 1 when resuming). It
        # sets `_is_initial` so that a subclass can keep the groups' current rates instead of
        # applying one more transition to them (PyTorch does so for ExponentialLR and
        # CosineAnnealingLR, not for StepLR).
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    @abc.abstractmethod
    def get_lr(self) -> list[float]:
        """The learning rates of the groups at epoch ``last_epoch``, from their current ``lr``."""

    @abc.abstractmethod
    def _get_closed_form_lr(self) -> list[float]:
        """The learning rates at epoch ``last_epoch`` from ``base_lrs`` alone (the documented formula)."""

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self) -> None:
        """Advance one epoch and set every group's ``lr``."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last `step` (one per parameter group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (which has its own `state_dict`)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the learning rate by γ every `step_size` epochs: lr(t) = base_lr · γ^⌊t / step_size⌋.

    Applied step by step (as PyTorch): at every epoch t > 0 that is a multiple of `step_size`,
    lr ← γ · lr; at the other epochs lr is left as it is.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if not (isinstance(step_size, int) and step_size > 0):
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        # No `_is_initial` case, as in PyTorch: resuming at an epoch that is a multiple of step_size
        # applies that epoch's decay to the restored rate (which is the rate of the epoch before).
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by γ every epoch: lr(t) = base_lr · γᵗ.

    Applied step by step (as PyTorch): lr ← γ · lr at every epoch.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:  # epoch 0, or a resumed epoch whose rate was restored: keep it
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from base_lr down to η_min over T_max epochs (SGDR without restarts).

        lr(t) = η_min + (base_lr − η_min) · (1 + cos(π t / T_max)) / 2

    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017. Past
    T_max the rate climbs back along the cosine, as in PyTorch.

    Applied step by step (as PyTorch): the distance to η_min is scaled by the ratio of two
    consecutive values of the curve,

        lr ← η_min + (lr − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max)),

    except just after the bottom of the curve (t − 1 = T_max, 3·T_max, ...), where that ratio would
    divide by 0; there the rate climbs by the curve's increment instead:

        lr ← lr + (base_lr − η_min) · (1 − cos(π / T_max)) / 2.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:  # epoch 0, or a resumed epoch whose rate was restored: keep it
            return self._current_lrs()
        # (PyTorch also has a closed-form case for the first step after resuming with last_epoch;
        # since its constructor step keeps the restored rate, as here, that case is never reached.)
        if (t - 1 - T) % (2 * T) == 0:  # just past the bottom: 1 + cos(π(t − 1)/T) = 0
            rise = (1 - math.cos(math.pi / T)) / 2
            return [lr + (base_lr - eta_min) * rise for lr, base_lr in zip(self._current_lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]  # PyTorch's order

    def _get_closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]
