"""`Module`, `Parameter` and the containers `Sequential` and `ModuleList` (PyTorch's semantics).

A module is a tree: its attributes that are `Parameter`s, buffers (state that is saved but not
trained, e.g. BatchNorm's running statistics) and sub-`Module`s are registered, in assignment order,
so that `parameters()`, `state_dict()`, `train()`/`eval()` can walk the tree. Names are PyTorch's
dotted paths (``"0.weight"``, ``"encoder.norm.running_mean"``), so a state_dict loads into the
equivalent PyTorch model.

Registered values are *also* stored as ordinary instance attributes, so ``self.weight`` is a plain
attribute lookup (PyTorch goes through ``__getattr__``, which is slower).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor


class Parameter(Tensor):
    """A tensor that a `Module` registers as trainable: ``requires_grad=True``, float32 unless the data
    is already a float array/tensor of another precision (or `dtype` is given)."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True, dtype=None):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        if dtype is None:
            array = data.data if isinstance(data, Tensor) else data
            if not (isinstance(array, np.ndarray | np.generic) and array.dtype.kind == "f"):
                dtype = np.float32
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` returns (PyTorch's ``_IncompatibleKeys``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(RuntimeError, ValueError):
    """A state_dict does not fit the model. A RuntimeError as in PyTorch, and a ValueError because the
    input is bad; nothing was loaded."""


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (PyTorch's ``_addindent``)."""
    lines = text.split("\n")
    return (
        lines[0] if len(lines) == 1 else "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])
    )


def _fits(value: np.ndarray, dtype: np.dtype) -> bool:
    """Whether numeric `value` converts to `dtype` without losing more than rounding: anything into a
    float, but into an integer (or bool) dtype only values that survive the round trip unchanged."""
    if dtype.kind == "f":
        return True
    with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf cast to garbage, caught below
        return bool(np.array_equal(value.astype(dtype), value))


class Module:
    """Base class of every layer and model: subclasses call ``super().__init__()``, assign their
    parameters and sub-modules as attributes, and define ``forward``.

    >>> class TwoLayer(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = Linear(2, 8)
    ...         self.out = Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> [name for name, _ in TwoLayer().named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training: bool

    def __init__(self) -> None:
        d = self.__dict__
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent"] = set()
        d["_modules"] = {}
        d["training"] = True

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ---- registration ------------------------------------------------------------------------

    def _registries(self) -> tuple[dict, dict, dict]:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(
                f"cannot assign parameters, buffers or modules to {type(self).__name__} before "
                "Module.__init__() call; call super().__init__() first in __init__"
            )
        return d["_parameters"], d["_buffers"], d["_modules"]

    def _forget(self, name: str, keep: dict | None = None) -> None:
        """Unregister `name` from every registry but `keep`. The caller then assigns into `keep`:
        re-assigning a name of the same kind replaces it where it is, keeping its place in
        `parameters()` and the state_dict (as PyTorch); a name that changes kind moves to the end."""
        for registry in self._registries():
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent.discard(name)

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if isinstance(value, Parameter):
            parameters = self._registries()[0]
            self._forget(name, keep=parameters)
            parameters[name] = value
        elif isinstance(value, Module):
            modules = self._registries()[2]
            self._forget(name, keep=modules)
            modules[name] = value
        elif "_parameters" in d:
            if name in d["_parameters"]:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                        "(nn.Parameter or None expected)"
                    )
                d["_parameters"][name] = None
            elif name in d["_modules"]:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as child module '{name}' "
                        "(nn.Module or None expected)"
                    )
                d["_modules"][name] = None
            elif name in d["_buffers"]:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)"
                    )
                d["_buffers"][name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if "_parameters" in self.__dict__:
            self._forget(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register `param` (or None: a declared but absent parameter, e.g. ``bias=False``)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' as parameter '{name}' "
                "(nn.Parameter or None expected)"
            )
        self._check_name(name)
        self._forget(name, keep=self._parameters)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register state that is not trained but belongs to the model (saved in the state_dict
        unless ``persistent=False``), e.g. BatchNorm's running mean."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' as buffer '{name}' (Tensor or None expected)"
            )
        self._check_name(name)
        self._forget(name, keep=self._buffers)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name)
        self._forget(name, keep=self._modules)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def _check_name(self, name: str) -> None:
        self._registries()
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f'attribute name must be a non-empty string without ".", got {name!r}')

    # ---- walking the tree --------------------------------------------------------------------

    def named_modules(
        self, prefix: str = "", memo: set[int] | None = None, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every descendant, depth first: each once, or,
        with ``remove_duplicate=False``, a module shared by several parents under each of its names."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(f"{prefix}.{name}" if prefix else name, memo, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        # NOTE: deduplicated by id(): Tensor.__eq__ is elementwise, so `in`/`==` cannot be used.
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) in registration order; a shared parameter appears once."""
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn(module)`` on every descendant, then on this module (e.g. custom initialization)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients -----------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) on every module."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode is expected to be a bool, got {type(mode).__name__}")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout is the identity, BatchNorm uses its running statistics."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter (set them to None, or to zeros)."""
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for param in self.parameters():
            param.requires_grad = requires_grad
        return self

    def _cast(self, dtype) -> Module:
        for module in self.modules():
            for registry in (module._parameters, module._buffers):
                for tensor in registry.values():
                    if tensor is not None and tensor.dtype.kind == "f":
                        tensor.data = tensor.data.astype(dtype)
                        if tensor.grad is not None:
                            tensor.grad = tensor.grad.astype(dtype)
        return self

    def double(self) -> Module:
        """Convert floating-point parameters and buffers to float64 (e.g. for gradcheck)."""
        return self._cast(np.float64)

    def float(self) -> Module:
        """Convert floating-point parameters and buffers to float32."""
        return self._cast(np.float32)

    # ---- saving and loading ------------------------------------------------------------------

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by its dotted name (PyTorch's keys and order: a
        module's own parameters, then its buffers, then its children's).

        The values are detached *copies* (PyTorch returns references to the live tensors; a copy never
        changes behind your back when training continues). ``keep_vars=True`` gives the live tensors.

        A module or parameter used in several places is saved under each of its names, as PyTorch
        does, so the checkpoint of a model with tied weights loads into the same PyTorch model.
        """
        out: OrderedDict[str, Tensor] = OrderedDict()
        for module_prefix, module in self.named_modules(prefix, remove_duplicate=False):
            dot = f"{module_prefix}." if module_prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    out[dot + name] = param if keep_vars else Tensor(param.data.copy())
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent:
                    out[dot + name] = buffer if keep_vars else Tensor(buffer.data.copy())
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy the values of `state_dict` (Tensors, numpy arrays or anything ``np.asarray`` accepts,
        e.g. CPU torch tensors) into this model's parameters and buffers, keeping their dtypes.

        Missing or unexpected keys (with ``strict=True``), shape mismatches and values that the
        model's dtype cannot hold exactly (always: e.g. 5.7 into the integer ``num_batches_tracked``,
        which a plain cast would silently truncate to 5) raise a `StateDictError` that lists all of
        them, and then nothing has been loaded. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to arrays, got {type(state_dict).__name__}"
            )
        targets = self.state_dict(keep_vars=True)
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        problems, staged = [], []
        for key, target in targets.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            try:
                value = np.asarray(value.data if isinstance(value, Tensor) else value)
            except (TypeError, ValueError, RuntimeError) as e:  # e.g. a ragged list
                problems.append(f"{key}: cannot be read as an array ({e})")
                continue
            if value.dtype.kind not in "biuf":
                problems.append(f"{key}: expected numbers, got an array of dtype {value.dtype}")
            elif value.shape != target.shape:
                problems.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}"
                )
            elif not _fits(value, target.dtype):
                problems.append(
                    f"{key}: the values (dtype {value.dtype}) do not fit the model's dtype {target.dtype} "
                    "exactly (a non-integral, non-finite or out-of-range value for an integer buffer?)"
                )
            else:
                staged.append((target, value))
        if strict and missing:
            problems.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
        if strict and unexpected:
            problems.insert(
                int(bool(strict and missing)),
                "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected),
            )
        if problems:
            raise StateDictError(
                f"Error(s) in loading state_dict for {type(self).__name__} (nothing was loaded):\n\t"
                + "\n\t".join(problems)
            )
        # Only now, with every value checked, write (in place: references to the tensors stay valid).
        for target, value in staged:
            target.data[...] = value
        return IncompatibleKeys(missing, unexpected)

    # ---- printing ----------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown inside this module's parentheses, e.g. ``in_features=2, out_features=8``."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): {_addindent(repr(module), 2)}" for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = type(self).__name__ + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: integer indexing (negative too), assignment and deletion
    by index, len, iteration, append."""

    def _index(self, i: int) -> str:
        n = len(self._modules)
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of range for {type(self).__name__} of length {n}")
        return list(self._modules)[i % n]

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return self._slice(list(self._modules.items())[index])
        return self._modules[self._index(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(self._index(index), module)  # keeps its name and its place

    def __delitem__(self, index: int | slice) -> None:
        names = list(self._modules)[index] if isinstance(index, slice) else [self._index(index)]
        for name in names:
            delattr(self, name)
        # PyTorch renumbers what is left "0", "1", ... (even a Sequential built from an OrderedDict).
        self._reset(list(self._modules.values()))

    def _reset(self, modules: list[Module]) -> None:
        """Make `modules` the contents, named "0", "1", ..."""
        for name in list(self._modules):
            delattr(self, name)
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module):
        self.add_module(str(len(self)), module)
        return self


class Sequential(_ModuleSequence):
    """Modules applied one after the other: ``Sequential(Linear(2, 8), ReLU(), Linear(8, 1))``;
    their names are "0", "1", ... (or the keys of an OrderedDict). Indexable (a slice gives a
    Sequential), iterable, with a length."""

    def __init__(self, *modules: Module | OrderedDict):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def _slice(self, items: list[tuple[str, Module]]) -> Sequential:
        return Sequential(OrderedDict(items))


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain Python list would hide them)."""

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _slice(self, items: list[tuple[str, Module]]) -> ModuleList:
        return ModuleList(module for _, module in items)

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        self._reset(items)

    def __repr__(self) -> str:
        # Runs of identical modules are shown once, "(0-2): 3 x Linear(...)", as in PyTorch 2.
        reprs = [repr(module) for module in self]
        if not reprs:
            return "ModuleList()"
        blocks: list[list] = []
        for i, text in enumerate(reprs):
            if blocks and blocks[-1][2] == text:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, text])
        lines = [
            _addindent(f"({a}): {text}" if a == b else f"({a}-{b}): {b - a + 1} x {text}", 2)
            for a, b, text in blocks
        ]
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"
