"""`Optimizer`: the base class every optimizer shares (PyTorch's interface, tinygrad's shape).

The base owns everything that is the same for all optimizers:

- ``param_groups``: a list of dicts, each with its ``"params"`` and its hyperparameters
  (the constructor's defaults, overridden per group);
- ``state``: per-parameter memory (momentum, moving averages, the step count t), created lazily
  the first time a parameter is updated;
- validation of hyperparameters (PyTorch's messages: ``ValueError: Invalid learning rate: -1.0``);
- ``zero_grad``, ``step``, ``add_param_group``, ``state_dict`` and ``load_state_dict`` (both ``step``
  and ``load_state_dict`` check everything before changing anything, so a failure changes nothing);
- the two gradient modifications every optimizer offers, applied before its own rule:
  ``maximize`` (g ← −g) and weight decay (L2: g ← g + λθ, or decoupled: θ ← θ − γλθ).

A subclass writes only the algorithm for one parameter: ``_init_state`` (its zero state) and
``_update(p, g, state, group)``, which changes the numpy array ``p`` in place.

Parameters may be `Tensor`s or scalar `Value`s (anything with ``.data`` and ``.grad``). The update
sees both the same way, as numpy arrays: a Tensor's own data array (so the update changes the
parameter in place), or for a Value a 1-element float64 array whose result is written back.
(1-element rather than 0-d: numpy turns 0-d results into scalars, which cannot be written into
with ``out=``; a 0-d Tensor is likewise seen through a 1-element view.) State arrays have the
parameter's shape and dtype.
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd.engine import enable_grad

# The valid range of each shared hyperparameter, with PyTorch's name for it in the error message.
_RANGES = {
    "lr": ("learning rate", 0.0, math.inf),
    "momentum": ("momentum value", 0.0, math.inf),
    "weight_decay": ("weight_decay value", 0.0, math.inf),
    "eps": ("epsilon value", 0.0, math.inf),
    "rho": ("rho value", 0.0, 1.0),
    "alpha": ("alpha value", 0.0, math.inf),
    "lr_decay": ("lr_decay value", 0.0, math.inf),
    "initial_accumulator_value": ("initial_accumulator_value value", 0.0, math.inf),
}


def check_hyperparameters(options: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming the first hyperparameter outside its valid range."""
    for name, value in options.items():
        if name == "betas":
            # Exactly two: Adam unpacks (β₁, β₂) at its first step, too late for a clear message.
            if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 2:
                raise ValueError(f"Invalid betas: {value!r}; expected two values (beta1, beta2)")
            for i, beta in enumerate(value):
                if not (isinstance(beta, numbers.Real) and 0.0 <= beta < 1.0):  # `not`: NaN is rejected too
                    raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        elif name in _RANGES:
            what, low, high = _RANGES[name]
            if not low <= value <= high:
                raise ValueError(f"Invalid {what}: {value}")


def _is_param(x: Any) -> bool:
    return hasattr(x, "data") and hasattr(x, "grad")


def _check_param(param: Any) -> None:
    if not _is_param(param):
        raise TypeError(f"optimizer can only optimize Tensors or Values (objects with .data and .grad), "
                        f"but one of the params is {type(param).__name__}")
    if not isinstance(param.data, np.ndarray | numbers.Real):
        raise TypeError(f"optimizer: a parameter's .data must be a numpy array or a number, "
                        f"got {type(param.data).__name__}")
    if getattr(param, "requires_grad", True) is False:
        raise ValueError("optimizer: can't optimize a Tensor that does not require grad; "
                         "create it with requires_grad=True")
    if getattr(param, "_parents", ()):
        raise ValueError("can't optimize a non-leaf Tensor (a result of operations); optimize the leaves "
                         "it was computed from")


class Optimizer(abc.ABC):
    """Base class of all optimizers.

    Args:
        params: an iterable of parameters (Tensors or Values), or of dicts ``{"params": [...],
            "lr": ...}`` that give groups of parameters their own hyperparameters.
        defaults: the hyperparameters of a group that does not set them.

    >>> opt = SGD([{"params": model_weights}, {"params": biases, "lr": 1e-2}], lr=1e-3)
    >>> opt.zero_grad(); loss = f(); loss.backward(); opt.step()
    """

    def __init__(self, params: Iterable, defaults: dict[str, Any]):
        if _is_param(params):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors, "
                            f"Values or dicts, but got a single {type(params).__name__}; wrap it in a list")
        check_hyperparameters(defaults)
        self.defaults = dict(defaults)
        self.state: dict[Any, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- parameter groups ----------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (e.g. unfreezing layers later)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if _is_param(params):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of a set changes between runs; use a list instead")
        params = list(params)
        for param in params:
            _check_param(param)
        group = {**self.defaults, **param_group, "params": params}
        check_hyperparameters(group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in seen for p in params):
            raise ValueError("some parameters appear more than once (in one group or in two groups)")
        self.param_groups.append(group)

    # ---- the training-loop calls ---------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget all gradients: a Tensor's grad becomes None (or zeros), a Value's grad 0.0."""
        for group in self.param_groups:
            for param in group["params"]:
                if not isinstance(param.data, np.ndarray):
                    param.grad = 0.0
                elif set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, once; return ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss (it should zero the gradients and
        call ``backward``); it runs with gradient recording on, even inside ``no_grad()``.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_gradients()  # all of them first: a step either updates everything or nothing
        for group in self.param_groups:
            lr, weight_decay = group["lr"], group.get("weight_decay", 0)
            for param in group["params"]:
                if param.grad is None:  # unused in the loss: no update, no state (as PyTorch)
                    continue
                scalar = not isinstance(param.data, np.ndarray)
                p = _as_array(param)  # a Tensor's own array (changed in place), a Value's copy (written back)
                g = np.array([param.grad], dtype=np.float64) if scalar else np.atleast_1d(param.grad)
                state = self.state.get(param)
                if state is None:  # lazy state initialization
                    state = self.state[param] = {"step": 0, **self._init_state(p, group)}
                state["step"] += 1
                if group.get("maximize", False):
                    g = -g
                if weight_decay != 0:
                    if group.get("decoupled_weight_decay", False):  # AdamW
                        p *= 1 - lr * weight_decay  # θ ← θ − γλθ
                    else:
                        g = g + weight_decay * p  # g ← g + λθ
                self._update(p, g, state, group)
                if scalar:
                    param.data = float(p[0])
        return loss

    def _check_gradients(self) -> None:
        """Raise ``ValueError`` if a gradient cannot update its parameter; change nothing.

        numpy would broadcast a gradient of another shape into the update (silently, or failing
        halfway through a step, after earlier parameters and step counts have changed), so the shapes
        must be equal; a Value's gradient must be a real number.
        """
        name = type(self).__name__
        for i, group in enumerate(self.param_groups):
            for j, param in enumerate(group["params"]):
                grad, where = param.grad, f"parameter {j} of param_groups[{i}]"
                if grad is None:
                    continue
                if not isinstance(param.data, np.ndarray):  # a Value
                    if not isinstance(grad, numbers.Real) or isinstance(grad, bool):
                        raise ValueError(f"{name}.step: the gradient of {where} (a Value) must be a real "
                                         f"number, got {type(grad).__name__} of shape {np.shape(grad)}")
                    continue
                if np.shape(grad) != param.data.shape:
                    raise ValueError(f"{name}.step: the gradient of {where} has shape {np.shape(grad)}, the "
                                     f"parameter has shape {param.data.shape}; they must be equal")
                dtype = np.asarray(grad).dtype
                if dtype.kind not in "iuf":
                    raise ValueError(f"{name}.step: the gradient of {where} has dtype {dtype}; it must be "
                                     "a real-valued (integer or floating) array")

    # ---- what a subclass writes ----------------------------------------------------------------

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        """The state of a parameter before its first update (arrays like ``p``, usually zeros).

        Its keys, and ``"step"``, are also what `load_state_dict` requires of a saved state.
        """
        return {}

    @abc.abstractmethod
    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Change ``p`` in place using the gradient ``g`` (read only) and ``state["step"]`` = t ≥ 1."""

    # ---- checkpoints ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A copy of the state and the hyperparameters; parameters are referred to by index.

        ``{"optimizer": "Adam", "state": {0: {"step": 3, "exp_avg": array, ...}, ...},
        "param_groups": [{"lr": 0.001, ..., "params": [0, 1]}, ...]}``
        """
        index = {}
        groups = []
        for group in self.param_groups:
            ids = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: _copy_state(s) for p, s in self.state.items() if id(p) in index}
        return {"optimizer": type(self).__name__, "state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict` (onto this optimizer's own parameters, matched by position).

        Raises ``ValueError`` if it comes from another optimizer or from other parameters (different
        groups, counts or shapes); then nothing is changed.
        """
        name = type(self).__name__
        try:
            saved_name, saved_state, saved_groups = (state_dict["optimizer"], state_dict["state"],
                                                     state_dict["param_groups"])
        except (KeyError, TypeError):
            raise ValueError(f"{name}.load_state_dict: not an optimizer state dict (needs 'optimizer', "
                             "'state' and 'param_groups')") from None
        if saved_name != name:
            raise ValueError(f"{name}.load_state_dict: the state dict is from {saved_name}, not {name}")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: loaded state dict has {len(saved_groups)} parameter "
                             f"groups, this optimizer has {len(self.param_groups)}")
        params, groups = {}, {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: parameter group {i} has {len(saved['params'])} "
                                 f"parameters in the state dict, {len(group['params'])} here")
            missing = set(self.defaults) - set(saved)
            if missing:
                raise ValueError(f"{name}.load_state_dict: group {i} lacks the options {sorted(missing)}")
            try:
                check_hyperparameters(saved)
            except ValueError as error:
                raise ValueError(f"{name}.load_state_dict: group {i}: {error}") from None
            params.update(zip(saved["params"], group["params"]))
            # the group as it will be after loading (its options decide the state, e.g. amsgrad)
            groups.update((index, {**group, **saved}) for index in saved["params"])
        state = {}
        for index, saved in saved_state.items():
            if index not in params:
                raise ValueError(f"{name}.load_state_dict: state for parameter {index}, which does not exist")
            param = params[index]
            shape = np.shape(param.data) or (1,)
            dtype = param.data.dtype if isinstance(param.data, np.ndarray) else np.dtype(np.float64)
            # The keys a fresh state would have: without one the next step would raise KeyError.
            missing = {"step", *self._init_state(_as_array(param), groups[index])} - set(saved)
            if missing:
                raise ValueError(f"{name}.load_state_dict: the state of parameter {index} lacks "
                                 f"{sorted(missing)}")
            for key, value in saved.items():
                if isinstance(value, np.ndarray) and value.shape != shape:
                    raise ValueError(f"{name}.load_state_dict: state '{key}' of parameter {index} has shape "
                                     f"{value.shape}, the parameter has shape {shape}")
            state[param] = _copy_state(saved, dtype)
        # Everything checked: now change the optimizer.
        for saved, group in zip(saved_groups, self.param_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params"]
        return "\n".join(lines + [")"])


def _as_array(param: Any) -> np.ndarray:
    """The array an update changes: a Tensor's own data (0-d seen as 1-d), a Value's 1-element copy."""
    if isinstance(param.data, np.ndarray):
        return np.atleast_1d(param.data)
    return np.array([param.data], dtype=np.float64)


def _copy_state(state: dict[str, Any], dtype: np.dtype | None = None) -> dict[str, Any]:
    """A copy of one parameter's state: arrays copied (cast to `dtype` if given), numbers as they are."""
    return {k: np.array(v, dtype=dtype) if isinstance(v, np.ndarray) else v for k, v in state.items()}
