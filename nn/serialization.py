"""`save` and `load` checkpoints as numpy ``.npz`` archives: plain arrays plus a JSON description,
never pickle, so loading a checkpoint cannot run code.

What can be saved is a tree of dicts (keys: strings, numbers, None, tuples), lists, tuples, numpy
arrays and scalars, Tensors (and Parameters), Python ints, floats, strings, bools and None: a
model's ``state_dict()``, an optimizer's ``state_dict()`` (integer keys, ``betas`` tuples, None
momentum buffers) or a training checkpoint ``{"model": ..., "optim": ..., "epoch": 3}``. `load` gives
back an equal tree of the same types (an int stays an int, a tuple a tuple, an OrderedDict an
OrderedDict, an array keeps its dtype).

Layout (format 3): an uncompressed zip of ``.npy`` members, as ``np.savez`` writes them:

- ``__seedgrad_checkpoint__.npy``, the marker: the UTF-8 bytes (a uint8 array) of the JSON object
  ``{"format": 3, "entries": ["a0", "a1", ...], "tree": ...}``; read it by hand with
  ``np.load(path)[MARKER].tobytes().decode()``;
- ``a0.npy``, ``a1.npy``, ...: one member per array of the tree, in the order listed.

In the tree, JSON null, booleans, numbers and strings are themselves (``json`` keeps int and float
apart, and a float's repr round-trips exactly), a JSON list is a list, and everything else is an
object tagged by ``"type"``: ``dict``/``OrderedDict`` (``"items"``: ``[key, value]`` pairs, because
JSON keys can only be strings), ``tuple``, and ``ndarray``/``numpy_scalar``/``Tensor``/``Parameter``
(``"entry"``: the member holding the data). Format 2 (a flat state_dict under ``state/`` names) is
still read; format 1 was only written during development.

Why it cannot lose or half-read a checkpoint:

- `save` checks the whole tree before touching the disk, writes a temporary file in the target's
  folder, flushes and fsyncs it, then ``os.replace``s it over the target (atomic on POSIX and
  Windows): after a crash or an error at any point the path holds the old file or the new one,
  and the temporary file is removed.
- `load` trusts nothing in the file: the member list must be exactly the marker's, zip CRCs are
  verified, every ``.npy`` header is parsed and checked (supported dtype, non-negative shape, size
  equal to the bytes stored) *before* an array is made, so a header claiming 10^12 elements costs
  nothing. Whatever the damage, the caller gets one ``ValueError`` saying what is wrong, and
  never a partial result.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import secrets
import struct
import tokenize
import zipfile
import zlib
from collections import OrderedDict
from typing import Any

import numpy as np

from autograd import Tensor

from .module import Module, Parameter

MARKER = "__seedgrad_checkpoint__"
FORMAT_VERSION = 3
LEGACY_FORMAT = 2  # a flat state_dict of arrays under PREFIX; still read, no longer written
PREFIX = "state/"

# Exactly the dtypes a tensor can have, plus the other fixed-size numbers numpy stores portably.
# Everything else (object arrays, which need pickle; strings; structured and datetime dtypes;
# platform-dependent long double) is refused on save and reported as unsupported on load.
DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                    "float16", "float32", "float64", "complex64", "complex128"})


class _Damaged(Exception):
    """Internal: the file is not a (readable) seedgrad checkpoint; `load` turns it into ValueError."""


# ---- save -------------------------------------------------------------------------------------------


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write `obj` (a state_dict, an optimizer's state_dict or a nested checkpoint of them) to `path`
    exactly (no suffix is added), atomically: the previous file survives any failure intact."""
    arrays: list[np.ndarray] = []
    tree = _encode(obj, arrays, "obj", set())  # TypeError/ValueError before anything is written
    entries = [f"a{i}" for i in range(len(arrays))]
    marker = json.dumps({"format": FORMAT_VERSION, "entries": entries, "tree": tree})
    members = [(MARKER, np.frombuffer(marker.encode("utf-8"), dtype=np.uint8)), *zip(entries, arrays)]

    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    # Same folder: os.replace is only atomic within one file system. O_EXCL: never reuse a file.
    # Mode 0o666 minus the umask, as open() would give (mkstemp's 0o600 would change permissions).
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_archive(f, members)
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the new name points at it
        os.replace(tmp, path)
    except BaseException:  # also KeyboardInterrupt: no stray temporary file, the old file untouched
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _write_archive(f: io.BufferedIOBase, members: list[tuple[str, np.ndarray]]) -> None:
    """An uncompressed zip of one ``.npy`` member per array (np.savez's layout)."""
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in members:
            _write_member(archive, name, array)


def _write_member(archive: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    # force_zip64: the size is not known before writing, and may exceed 2 GiB
    with archive.open(name + ".npy", "w", force_zip64=True) as member:
        np.lib.format.write_array(member, array, allow_pickle=False)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX); a file system that cannot sync folders is no error,
    since the new file is already complete under its name."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _encode(obj: Any, arrays: list[np.ndarray], where: str, open_: set[int]) -> Any:
    """The JSON node for `obj`, appending its arrays to `arrays`; `where` names it in errors
    (``obj["optim"]["state"][0]``) and `open_` holds the containers being encoded (cycles)."""
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if isinstance(obj, Tensor):
        kind = "Parameter" if isinstance(obj, Parameter) else "Tensor"
        return {"type": kind, "entry": _add_array(obj.data, arrays, where), "requires_grad": obj.requires_grad}
    if isinstance(obj, np.ndarray):
        return {"type": "ndarray", "entry": _add_array(obj, arrays, where)}
    if isinstance(obj, np.generic):  # np.float64(1.0) is a float subclass: keep its numpy type
        return {"type": "numpy_scalar", "entry": _add_array(np.asarray(obj), arrays, where)}
    if isinstance(obj, Module):
        raise TypeError(f"save: {where} is a {type(obj).__name__} module; save its state instead: "
                        "nn.save(model.state_dict(), path)")
    if not isinstance(obj, dict | list | tuple):
        hint = " (save its .state_dict())" if callable(getattr(obj, "state_dict", None)) else ""
        raise TypeError(f"save: {where} is a {type(obj).__name__}{hint}; a checkpoint holds dicts, lists, "
                        "tuples, arrays, Tensors, numbers, strings, bools and None")
    if id(obj) in open_:
        raise ValueError(f"save: {where} contains itself; a checkpoint must be a tree")
    open_.add(id(obj))
    if isinstance(obj, dict):
        items = []
        for i, (key, value) in enumerate(obj.items()):
            if isinstance(key, np.ndarray | Tensor | dict | list):  # unhashable, or hashed by identity
                raise TypeError(f"save: key {i} of {where} is a {type(key).__name__}; keys are strings, "
                                "numbers, None or tuples")
            items.append([_encode(key, arrays, f"key {i} of {where}", open_),
                          _encode(value, arrays, f"{where}[{key!r}]", open_)])
        node = {"type": "OrderedDict" if isinstance(obj, OrderedDict) else "dict", "items": items}
    elif isinstance(obj, list) and type(obj) is list:
        node = [_encode(v, arrays, f"{where}[{i}]", open_) for i, v in enumerate(obj)]
    elif type(obj) is tuple:
        node = {"type": "tuple", "items": [_encode(v, arrays, f"{where}[{i}]", open_) for i, v in enumerate(obj)]}
    else:  # a namedtuple or a list subclass would come back as something else
        raise TypeError(f"save: {where} is a {type(obj).__name__}; save a plain list, tuple or dict")
    open_.discard(id(obj))
    return node


def _add_array(array: np.ndarray, arrays: list[np.ndarray], where: str) -> str:
    if array.dtype.name not in DTYPES:
        raise TypeError(f"save: {where} is an array of dtype {array.dtype}; checkpoints hold bool, integer, "
                        "float and complex arrays (never pickled objects)")
    arrays.append(array)
    return f"a{len(arrays) - 1}"


# ---- load -------------------------------------------------------------------------------------------

# What reading damaged or foreign bytes can raise, from zipfile (BadZipFile, NotImplementedError for
# an unknown compression, RuntimeError for the encryption flag, OSError for a seek before the start,
# struct.error, zlib.error, EOFError), numpy's header parser and json (ValueError, and
# RecursionError for absurd nesting) and our own checks (_Damaged, KeyError, TypeError, IndexError).
_READ_ERRORS = (_Damaged, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, KeyError, TypeError,
                IndexError, OverflowError, EOFError, OSError, NotImplementedError, RuntimeError,
                struct.error, zlib.error, RecursionError)


class _FormatError(ValueError):
    """A readable checkpoint of a format this version does not read (its own message)."""


def load(path: str | os.PathLike) -> Any:
    """Read a checkpoint written by `save` and return what was saved (equal, with the same types).

    A file that is not a seedgrad checkpoint, is damaged, truncated or from a newer format raises
    ``ValueError`` saying why; nothing is returned half-read, and pickled data is never loaded.
    A missing file is ``FileNotFoundError`` as usual.
    """
    name = os.fspath(path)
    with open(path, "rb") as f:  # OSErrors of opening (missing, a folder, no permission) stay as they are
        size = os.fstat(f.fileno()).st_size
        try:
            return _load(f, size, name)
        except _FormatError:
            raise
        except _READ_ERRORS as e:
            reason = str(e) if isinstance(e, _Damaged) else f"{type(e).__name__}: {e}"
            raise ValueError(f"load: {name!r} is not a seedgrad checkpoint, or it is damaged ({reason})") from None


def _load(f: io.BufferedIOBase, size: int, name: str) -> Any:
    with zipfile.ZipFile(f) as archive:
        members = archive.namelist()
        if len(set(members)) != len(members):
            raise _Damaged("some entries appear twice")
        marker_member = MARKER + ".npy"
        if marker_member not in members:
            raise _Damaged(f"no {MARKER!r} entry; save checkpoints with nn.save")
        marker = _read_npy(archive, marker_member, size)
        if marker.ndim == 0 and marker.dtype.kind in "iu":  # format 2 wrote a bare version number
            version, description = int(marker), None
        elif marker.ndim == 1 and marker.dtype == np.uint8:
            description = json.loads(marker.tobytes().decode("utf-8"))
            if not isinstance(description, dict) or type(description.get("format")) is not int:
                raise _Damaged(f"its {MARKER!r} entry does not hold a format version")
            version = description["format"]
        else:
            raise _Damaged(f"its {MARKER!r} entry is not a format description")
        if version not in (LEGACY_FORMAT, FORMAT_VERSION):
            newer = " (written by a newer seedgrad: upgrade seedgrad to read it)" if version > FORMAT_VERSION else ""
            raise _FormatError(f"load: {name!r} has checkpoint format {version}; this seedgrad reads formats "
                               f"{LEGACY_FORMAT} and {FORMAT_VERSION}{newer}")
        if version == LEGACY_FORMAT:
            return _load_legacy(archive, members, size)

        if set(description) != {"format", "entries", "tree"}:
            raise _Damaged(f"its description has the keys {sorted(description)}, "
                           "expected ['entries', 'format', 'tree']")
        entries = description["entries"]
        if type(entries) is not list or not all(type(e) is str for e in entries) or len(set(entries)) != len(entries):
            raise _Damaged("its list of entries is not a list of distinct names")
        listed = {e + ".npy" for e in entries}
        missing = sorted(listed - set(members))
        unexpected = sorted(set(members) - listed - {marker_member})
        if missing or unexpected:
            raise _Damaged(f"missing entries {missing}, unexpected entries {unexpected}")
        arrays = {e: _read_npy(archive, e + ".npy", size) for e in entries}
    used: set[str] = set()
    tree = _decode(description["tree"], arrays, used)
    if used != set(arrays):
        raise _Damaged(f"entries {sorted(set(arrays) - used)} are not part of the checkpoint")
    return tree


def _load_legacy(archive: zipfile.ZipFile, members: list[str], size: int) -> OrderedDict[str, Tensor]:
    """Format 2: a flat state_dict, every entry an array under ``PREFIX + key``, loaded as Tensors."""
    state = OrderedDict()
    for member in members:
        if member == MARKER + ".npy":
            continue
        if not (member.startswith(PREFIX) and member.endswith(".npy")):
            raise _Damaged(f"unexpected entry {member!r}")
        state[member[len(PREFIX) : -len(".npy")]] = Tensor(_read_npy(archive, member, size))
    return state


def _read_npy(archive: zipfile.ZipFile, member: str, size: int) -> np.ndarray:
    """One ``.npy`` member, checked before any array is allocated: uncompressed, no larger than the
    file, its CRC right, its header a supported dtype whose size is exactly the bytes stored."""
    info = archive.getinfo(member)
    if info.compress_type != zipfile.ZIP_STORED:
        raise _Damaged(f"entry {member!r} is compressed; nn.save stores entries uncompressed")
    if info.file_size != info.compress_size or info.file_size > size:
        raise _Damaged(f"entry {member!r} claims {info.file_size} bytes in a file of {size} bytes")
    raw = archive.read(info)  # at most the file's size; zipfile checks the CRC-32 (BadZipFile)
    if len(raw) != info.file_size:
        raise _Damaged(f"entry {member!r} holds {len(raw)} bytes, its zip header says {info.file_size}")
    fp = io.BytesIO(raw)
    version = np.lib.format.read_magic(fp)
    if version not in ((1, 0), (2, 0)):
        raise _Damaged(f"entry {member!r} is in .npy format {version}, not 1.0 or 2.0")
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    try:
        shape, fortran_order, dtype = read_header(fp)  # ValueError for most bad headers, but not all:
    except (SyntaxError, tokenize.TokenError) as e:  # numpy's fallback parser for old headers raises these
        raise _Damaged(f"entry {member!r} has an unreadable .npy header ({type(e).__name__}: {e})") from None
    if dtype.name not in DTYPES:
        raise _Damaged(f"entry {member!r} has the unsupported dtype {dtype}")
    if any(n < 0 for n in shape):
        raise _Damaged(f"entry {member!r} has the invalid shape {shape}")
    count = math.prod(shape)  # a Python int: no overflow, however large the claim
    expected, stored = count * dtype.itemsize, len(raw) - fp.tell()
    if expected != stored:
        raise _Damaged(f"entry {member!r}: its header says {dtype} of shape {shape} ({expected} bytes), "
                       f"but it holds {stored} bytes")
    array = np.frombuffer(raw, dtype=dtype, count=count, offset=fp.tell())
    return array.reshape(shape, order="F" if fortran_order else "C").copy(order="K")  # writable, own memory


def _decode(node: Any, arrays: dict[str, np.ndarray], used: set[str]) -> Any:
    """The value of a tree node (see the module docstring); anything unexpected is damage."""
    if node is None or type(node) in (bool, int, float, str):
        return node
    if type(node) is list:
        return [_decode(item, arrays, used) for item in node]
    kind = node.get("type") if type(node) is dict else None
    if kind in ("dict", "OrderedDict", "tuple"):
        _expect_keys(node, {"type", "items"})
        items = node["items"]
        if type(items) is not list:
            raise _Damaged(f"a {kind} node's items are not a list")
        if kind == "tuple":
            return tuple(_decode(item, arrays, used) for item in items)
        out = {} if kind == "dict" else OrderedDict()
        for pair in items:
            if type(pair) is not list or len(pair) != 2:
                raise _Damaged(f"a {kind} item is not a [key, value] pair")
            key = _decode(pair[0], arrays, used)
            if isinstance(key, list | dict | np.ndarray | Tensor) or key in out:
                raise _Damaged(f"a {kind} has an invalid or repeated key {key!r}")
            out[key] = _decode(pair[1], arrays, used)
        return out
    if kind in ("ndarray", "numpy_scalar", "Tensor", "Parameter"):
        _expect_keys(node, {"type", "entry", "requires_grad"} if kind in ("Tensor", "Parameter") else {"type", "entry"})
        entry = node["entry"]
        if type(entry) is not str or entry not in arrays or entry in used:
            raise _Damaged(f"a {kind} refers to entry {entry!r}, which is not an unused entry")
        used.add(entry)
        array = arrays[entry]
        if kind == "ndarray":
            return array
        if kind == "numpy_scalar":
            if array.shape != ():
                raise _Damaged(f"the numpy scalar in entry {entry!r} has shape {array.shape}")
            return array[()]
        requires_grad = node["requires_grad"]
        if type(requires_grad) is not bool or (requires_grad and array.dtype.kind != "f"):
            raise _Damaged(f"entry {entry!r} ({array.dtype}) has requires_grad={requires_grad!r}")
        if kind == "Parameter":
            return Parameter(array, requires_grad=requires_grad, dtype=array.dtype)
        return Tensor(array, requires_grad=requires_grad)
    raise _Damaged(f"unexpected node {str(node)[:80]!r} in the description")


def _expect_keys(node: dict, keys: set[str]) -> None:
    if set(node) != keys:
        raise _Damaged(f"a {node['type']} node has the keys {sorted(node)}, expected {sorted(keys)}")
