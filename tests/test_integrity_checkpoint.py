"""Checkpoints cannot be lost or half-read (the "Integrity" issue, nn.save / nn.load).

- Round trips give back exactly what was saved: same values *and* types (int stays int, tuple stays
  tuple, dtypes kept), for model and optimizer state_dicts and nested training checkpoints, and an
  optimizer restored from a file resumes bit-identically.
- A save that fails at any point (while writing, at fsync, at the rename, interrupted) leaves the
  previous file byte-identical and no temporary file behind.
- Every damaged or foreign file is a ValueError that says what is wrong: every byte flipped, every
  truncation, and hand-crafted files (a header claiming 10^12 elements, sizes that do not match,
  unsupported dtypes, missing or extra entries, future formats).
"""

from __future__ import annotations

import io
import json
import math
import os
import time
import tracemalloc
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, Value, manual_seed
from nn import serialization

MARKER = serialization.MARKER


def assert_same(a, b, where="obj"):
    """`a` and `b` are equal with exactly the same types, all the way down (dict order included)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for (ka, va), kb in zip(a.items(), b):
            assert_same(ka, kb, f"key of {where}")
            assert_same(va, b[kb], f"{where}[{ka!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), f"{where}: lengths {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, Tensor):
        assert a.requires_grad == b.requires_grad, where
        assert_same(a.data, b.data, f"{where}.data")
    elif isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} != {b.dtype}{b.shape}"
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), where
    elif isinstance(a, float):
        assert (a == b and math.copysign(1, a) == math.copysign(1, b)) or (a != a and b != b), where
    else:
        assert a == b, where


def model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def trained(opt_cls=optim.Adam, steps=2, **options):
    """A model and its optimizer after a few steps (so both have non-trivial state)."""
    manual_seed(0)
    m = model()
    opt = opt_cls(m.parameters(), **options)
    x = Tensor(np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32))
    for _ in range(steps):
        opt.zero_grad()
        (m(x) ** 2).mean().backward()
        opt.step()
    return m, opt


# ---- round trips: equal values, same types ------------------------------------------------------------

EDGE_VALUES = {
    "ints": [0, -1, 2**100, True, False],  # bools stay bools, big ints stay exact
    "floats": [0.0, -0.0, 1e-310, 1.7976931348623157e308, 0.1, float("inf"), float("-inf"), float("nan")],
    "strings": ["", "ünïcødé ✓", "\x00", '"quoted"', "a" * 1000],
    "none": None,
    "tuple keys": {(1, "a"): 1, (): 2, None: 3, 1.5: 4, 7: 5, "7": 6, True: 7},
    "nested": ((), [], {}, [[()]], ({"k": [None]},)),
    "numpy scalars": [np.float32(1.5), np.int64(-3), np.bool_(True), np.float64(0.1), np.uint8(255)],
    "arrays": [np.arange(6, dtype=np.int32).reshape(2, 3), np.zeros((0, 3)), np.array(2.5),
               np.array([1 + 2j], dtype=np.complex64), np.array([True, False]), np.float16([1, 65504]),
               np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.arange(10.0)[::3],
               np.array([1.0, 2.0], dtype=">f8"), np.array([np.nan, -0.0, np.inf])],
    "tensors": [Tensor(np.ones(2, dtype=np.float32)), Tensor(np.ones(2), requires_grad=True),
                Tensor(np.array(3, dtype=np.int64)), nn.Parameter(np.zeros((2, 2), dtype=np.float32)),
                nn.Parameter(np.zeros(1), requires_grad=False)],
    "ordered": OrderedDict([("b", 1), ("a", 2)]),
}


def round_trip_cases():
    m, opt = trained()
    yield "model state_dict", m.state_dict()
    yield "model state_dict keep_vars", m.state_dict(keep_vars=True)
    for cls, options in [(optim.SGD, {}), (optim.SGD, dict(momentum=0.9, nesterov=True)), (optim.Adagrad, {}),
                         (optim.Adadelta, {}), (optim.RMSprop, dict(momentum=0.5, centered=True)),
                         (optim.Adam, dict(amsgrad=True)), (optim.AdamW, {})]:
        yield f"{cls.__name__}{options or ''} state_dict", trained(cls, **options)[1].state_dict()
    yield "checkpoint", {"model": m.state_dict(), "optim": opt.state_dict(), "epoch": 3, "loss": 0.25,
                         "history": [1.0, 0.5], "note": "ok", "best": None}
    yield "edge values", EDGE_VALUES
    yield "a list at the top", [1, "two", np.ones(3)]
    yield "empty dict", {}


ROUND_TRIPS = list(round_trip_cases())


@pytest.mark.parametrize("obj", [o for _, o in ROUND_TRIPS], ids=[n for n, _ in ROUND_TRIPS])
def test_round_trip_gives_back_the_same_values_and_types(tmp_path, obj):
    path = tmp_path / "ckpt.npz"
    nn.save(obj, path)
    assert_same(obj, nn.load(path))
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]


def test_assert_same_tells_types_apart():
    """The comparison used above really checks types (1 == 1.0 == True in Python)."""
    for a, b in [(1, 1.0), (1, True), ((1,), [1]), ({"a": 1}, OrderedDict(a=1)), (np.ones(2), np.ones(2, np.float32)),
                 (0.0, -0.0), (Tensor(np.ones(1)), np.ones(1)), ({"a": 1, "b": 2}, {"b": 2, "a": 1})]:
        with pytest.raises(AssertionError):
            assert_same(a, b)


def test_loaded_arrays_are_writable_and_own_their_memory(tmp_path):
    nn.save({"w": np.arange(4.0)}, tmp_path / "a.npz")
    w = nn.load(tmp_path / "a.npz")["w"]
    w += 1  # a read-only view of the file's bytes would raise here
    assert w.flags.owndata and list(w) == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("cls, options", [
    (optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.Adagrad, dict(lr=0.1)), (optim.Adadelta, {}),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5)), (optim.Adam, dict(lr=0.01, amsgrad=True)),
    (optim.AdamW, dict(lr=0.01)),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_training_resumed_from_a_file_is_bit_identical(tmp_path, cls, options):
    """k steps, save model + optimizer + epoch to a file, then more steps: equal, bit for bit, to the
    same number of steps without the interruption."""
    k, total = 3, 7
    rng = np.random.default_rng(5)
    batches = [Tensor(rng.standard_normal((6, 3)).astype(np.float32)) for _ in range(total)]

    def fit(m, opt, xs):
        for x in xs:
            opt.zero_grad()
            (m(x) ** 2).mean().backward()
            opt.step()

    manual_seed(1)
    whole = model()
    fit(whole, cls(whole.parameters(), **options), batches)

    manual_seed(1)
    first = model()
    opt = cls(first.parameters(), **options)
    fit(first, opt, batches[:k])
    nn.save({"model": first.state_dict(), "optim": opt.state_dict(), "epoch": k}, tmp_path / "ckpt")

    checkpoint = nn.load(tmp_path / "ckpt")
    manual_seed(99)  # other initial weights: everything must come from the file
    resumed = model()
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt = cls(resumed.parameters(), **options)
    resumed_opt.load_state_dict(checkpoint["optim"])
    assert checkpoint["epoch"] == k and type(checkpoint["epoch"]) is int
    fit(resumed, resumed_opt, batches[k:])
    for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values()):
        assert np.array_equal(a.data, b.data), name


def test_value_parameters_resume_from_a_file(tmp_path):
    x, y = Value(0.5), Value(-0.5)
    opt = optim.Adam([x, y], lr=0.1)
    x.grad, y.grad = 1.0, -1.0
    opt.step()
    nn.save(opt.state_dict(), tmp_path / "opt")
    x2, y2 = Value(x.data), Value(y.data)
    opt2 = optim.Adam([x2, y2], lr=0.1)
    opt2.load_state_dict(nn.load(tmp_path / "opt"))
    for o, (a, b) in [(opt, (x, y)), (opt2, (x2, y2))]:
        a.grad, b.grad = 0.5, 0.25
        o.step()
    assert (x.data, y.data) == (x2.data, y2.data)


# ---- atomic save: a failure leaves the previous file byte-identical ------------------------------------


def _half_then_fail(error):
    """A stand-in for the member writer: writes half of a member's bytes, then raises `error`."""

    def write_member(archive, name, array):
        data = io.BytesIO()
        np.lib.format.write_array(data, array, allow_pickle=False)
        with archive.open(name + ".npy", "w", force_zip64=True) as member:
            member.write(data.getvalue()[: len(data.getvalue()) // 2])
            raise error

    return write_member


def _fail(error):
    def fail(*args, **kwargs):
        raise error

    return fail


FAILURES = [
    ("writer: disk full halfway", lambda mp: mp.setattr(serialization, "_write_member",
                                                        _half_then_fail(OSError(28, "No space left on device"))),
     OSError),
    ("writer: interrupted halfway", lambda mp: mp.setattr(serialization, "_write_member",
                                                          _half_then_fail(KeyboardInterrupt())), KeyboardInterrupt),
    ("fsync fails", lambda mp: mp.setattr(os, "fsync", _fail(OSError(5, "Input/output error"))), OSError),
    ("os.replace fails", lambda mp: mp.setattr(os, "replace", _fail(PermissionError(13, "Permission denied"))),
     PermissionError),
]


@pytest.mark.parametrize("had_file", [True, False], ids=["over a previous file", "new file"])
@pytest.mark.parametrize("inject, error", [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_failed_save_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch, inject, error,
                                                                     had_file):
    path = tmp_path / "model.ckpt"
    if had_file:
        nn.save({"version": "old", "w": np.zeros(1000)}, path)
    before = path.read_bytes() if had_file else None
    inject(monkeypatch)
    with pytest.raises(error):
        nn.save({"version": "new", "w": np.ones(1000)}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == (["model.ckpt"] if had_file else [])
    if had_file:
        assert path.read_bytes() == before
        assert nn.load(path)["version"] == "old"


def test_saving_onto_a_folder_fails_cleanly(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(IsADirectoryError):
        nn.save({"w": np.ones(2)}, tmp_path / "taken")
    assert os.listdir(tmp_path) == ["taken"] and os.listdir(tmp_path / "taken") == []


def test_rejected_object_leaves_the_previous_file(tmp_path):
    path = tmp_path / "m.npz"
    nn.save({"w": np.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"save: obj\['model'\] is a Sequential module; .*model.state_dict\(\)"):
        nn.save({"model": model()}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.npz"]


def test_save_replaces_the_file_and_syncs_before_renaming(tmp_path, monkeypatch):
    """The data is fsynced before os.replace makes it visible under the name (a crash in between
    leaves the old file), and the new file gets ordinary permissions (0o666 minus the umask)."""
    path = tmp_path / "m.npz"
    nn.save({"w": np.zeros(3)}, path)
    calls, real_fsync, real_replace = [], os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(("replace", os.path.dirname(a))),
                                                     real_replace(a, b))[1])
    nn.save({"w": np.ones(3)}, path)
    assert calls[:2] == ["fsync", ("replace", str(tmp_path))]  # then the folder is fsynced too
    assert np.array_equal(nn.load(path)["w"], np.ones(3))
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_cyclic_object_is_refused(tmp_path):
    loop = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(ValueError, match=r"save: obj\['a'\]\[0\] contains itself"):
        nn.save(loop, tmp_path / "x")
    assert os.listdir(tmp_path) == []


# ---- damaged and foreign files: ValueError, never a partial result -----------------------------------


@pytest.fixture(scope="module")
def small_checkpoint(tmp_path_factory):
    """A small but complete training checkpoint: a model, an optimizer (integer keys, a betas tuple,
    bools), an int64 array, numbers, a string and None; small, so that every byte can be flipped."""
    manual_seed(0)
    m = nn.Linear(2, 1)
    opt = optim.Adam(m.parameters(), lr=0.01)
    opt.zero_grad()
    (m(Tensor(np.ones((3, 2), dtype=np.float32))) ** 2).mean().backward()
    opt.step()
    obj = {"model": m.state_dict(), "optim": opt.state_dict(), "epoch": 1, "best": None, "note": "ok",
           "seen": np.array([3, 1], dtype=np.int64)}
    path = tmp_path_factory.mktemp("ckpt") / "small.npz"
    nn.save(obj, path)
    return obj, path.read_bytes()


def _load_bytes(tmp_path, data, name="damaged.npz"):
    path = tmp_path / name
    path.write_bytes(data)
    return nn.load(path)


def _member_data(data):
    """The byte ranges holding the members' stored bytes (the .npy files) inside a zip."""
    ranges = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            local = info.header_offset
            name_length, extra_length = (int.from_bytes(data[local + k : local + k + 2], "little") for k in (26, 28))
            start = local + 30 + name_length + extra_length
            ranges.append(range(start, start + info.compress_size))
    return ranges


def test_every_flipped_byte_is_detected_or_harmless(tmp_path, small_checkpoint):
    """Flip every byte (even offsets all bits, odd ones the lowest bit): the load raises ValueError, or,
    for a byte that zip readers ignore (a timestamp, the local copy of a CRC), returns exactly the
    saved checkpoint. Never another exception, never a partial or different result; and every flip
    inside the stored arrays and marker is detected (the CRC-32)."""
    obj, data = small_checkpoint
    assert len(data) < 5_000  # small enough to flip every byte
    stored = {i for r in _member_data(data) for i in r}
    assert len(stored) > len(data) / 2
    harmless = []
    for i in range(len(data)):
        damaged = bytearray(data)
        damaged[i] ^= 0xFF if i % 2 == 0 else 0x01
        try:
            result = _load_bytes(tmp_path, bytes(damaged))
        except ValueError as e:
            assert "damaged.npz" in str(e)
        else:
            assert_same(obj, result, f"byte {i}")
            harmless.append(i)
    assert not stored & set(harmless)
    assert len(harmless) < 0.25 * len(data)


def test_every_truncation_is_a_value_error(tmp_path, small_checkpoint):
    _, data = small_checkpoint
    for n in range(len(data)):
        with pytest.raises(ValueError, match="not a seedgrad checkpoint, or it is damaged"):
            _load_bytes(tmp_path, data[:n])


def test_flipped_array_byte_is_named_as_a_crc_error(tmp_path, small_checkpoint):
    _, data = small_checkpoint
    start = data.index(b"\x93NUMPY", data.index(b"a0.npy"))  # the first array member's bytes
    damaged = bytearray(data)
    damaged[start + 130] ^= 0x10  # inside the array data, past the 128-byte header
    with pytest.raises(ValueError, match="Bad CRC-32 for file 'a0.npy'"):
        _load_bytes(tmp_path, bytes(damaged))


def npy(descr="<f8", shape=(2,), data=None, fortran_order=False, version=(1, 0)):
    """A hand-made .npy member: a header saying anything, followed by `data` (default: fits it)."""
    out = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran_order, "shape": shape}
    if version == (1, 0):
        np.lib.format.write_array_header_1_0(out, header)
    else:
        np.lib.format.write_array_header_2_0(out, header)
    if data is None:
        data = bytes(math.prod(shape) * np.dtype(descr).itemsize)
    return out.getvalue() + data


def crafted(tree=None, entries=("a0",), members=None, description=None, compress=zipfile.ZIP_STORED):
    """A zip shaped like a checkpoint: a marker with `description` (or format 3 with `entries` and
    `tree`) and the given members (name -> bytes; default: one fitting .npy per entry)."""
    if description is None:
        tree = {"type": "ndarray", "entry": "a0"} if tree is None else tree
        description = {"format": 3, "entries": list(entries), "tree": tree}
    marker = description if isinstance(description, bytes) else json.dumps(description).encode()
    members = {e + ".npy": npy() for e in entries} if members is None else members
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compress) as archive:
        marker_npy = io.BytesIO()
        np.lib.format.write_array(marker_npy, np.frombuffer(marker, dtype=np.uint8))
        archive.writestr(MARKER + ".npy", marker_npy.getvalue())
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_crafted_file_is_read_correctly(tmp_path):
    """The crafting helper itself makes a loadable file, so the rejections below are about the damage."""
    assert_same(_load_bytes(tmp_path, crafted()), np.zeros(2))
    assert_same(_load_bytes(tmp_path, crafted(entries=(), members={}, tree={"type": "tuple", "items": [1]})), (1,))


def test_header_claiming_a_trillion_elements_is_refused_without_allocating(tmp_path):
    data = crafted(members={"a0.npy": npy(shape=(10**12,), data=bytes(16))})
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError, match=r"\(1000000000000,\) \(8000000000000 bytes\), but it holds 16 bytes"):
            _load_bytes(tmp_path, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 1.0 and peak < 10**7


DAMAGED = [
    ("not a zip", lambda: b"hello, this is not a checkpoint", "File is not a zip file"),
    ("empty file", lambda: b"", "File is not a zip file"),
    ("header bigger than the data", lambda: crafted(members={"a0.npy": npy(shape=(3,), data=bytes(16))}),
     r"float64 of shape \(3,\) \(24 bytes\), but it holds 16 bytes"),
    ("header smaller than the data", lambda: crafted(members={"a0.npy": npy(shape=(1,), data=bytes(16))}),
     r"\(8 bytes\), but it holds 16 bytes"),
    ("negative shape", lambda: crafted(members={"a0.npy": npy(shape=(-1, -1), data=bytes(8))}),
     r"invalid shape \(-1, -1\)"),
    ("object dtype", lambda: crafted(members={"a0.npy": npy(descr="|O", shape=(1,), data=bytes(8))}),
     "unsupported dtype object"),
    ("datetime dtype", lambda: crafted(members={"a0.npy": npy(descr="<M8[s]")}), "unsupported dtype datetime64"),
    ("string dtype", lambda: crafted(members={"a0.npy": npy(descr="<U3")}), "unsupported dtype <U3"),
    ("garbage header", lambda: crafted(members={"a0.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': nonsense}  \n"}),
     "unreadable .npy header"),
    ("header not a dict", lambda: crafted(members={"a0.npy": b"\x93NUMPY\x01\x00\x10\x00[1, 2, 3]      \n"}),
     "Header is not a dictionary"),
    ("not npy at all", lambda: crafted(members={"a0.npy": b"PK\x03\x04 not an array"}), "magic string"),
    ("npy format 3.0", lambda: crafted(members={"a0.npy": b"\x93NUMPY\x03\x00" + bytes(20)}),
     r"\.npy format \(3, 0\)"),
    ("compressed entry", lambda: crafted(compress=zipfile.ZIP_DEFLATED), "is compressed"),
    ("future format", lambda: crafted(description={"format": 4, "entries": [], "tree": None}),
     "has checkpoint format 4; this seedgrad reads formats 2 and 3 .*upgrade"),
    ("missing entry", lambda: crafted(entries=("a0", "a1"), members={"a0.npy": npy()}),
     r"missing entries \['a1.npy'\], unexpected entries \[\]"),
    ("extra entry", lambda: crafted(members={"a0.npy": npy(), "evil.npy": npy()}),
     r"missing entries \[\], unexpected entries \['evil.npy'\]"),
    ("entry not used", lambda: crafted(entries=("a0", "a1"), tree={"type": "ndarray", "entry": "a0"}),
     r"entries \['a1'\] are not part of the checkpoint"),
    ("entry used twice", lambda: crafted(tree=[{"type": "ndarray", "entry": "a0"}] * 2),
     "refers to entry 'a0', which is not an unused entry"),
    ("unknown node", lambda: crafted(tree={"type": "pickle", "entry": "a0"}), "unexpected node"),
    ("node with extra keys", lambda: crafted(tree={"type": "ndarray", "entry": "a0", "code": "rm -rf"}),
     r"has the keys \['code', 'entry', 'type'\]"),
    ("unhashable key", lambda: crafted(tree={"type": "dict", "items": [[[1], {"type": "ndarray", "entry": "a0"}]]}),
     "invalid or repeated key"),
    ("repeated key", lambda: crafted(entries=(), members={}, tree={"type": "dict", "items": [["k", 1], ["k", 2]]}),
     "invalid or repeated key 'k'"),
    ("integer tensor requiring grad", lambda: crafted(
        tree={"type": "Tensor", "entry": "a0", "requires_grad": True}, members={"a0.npy": npy(descr="<i8")}),
     r"\(int64\) has requires_grad=True"),
    ("marker not JSON", lambda: crafted(description=b"{format: 3"), "JSONDecodeError"),
    ("marker JSON without a version", lambda: crafted(description=[3]), "does not hold a format version"),
    ("marker with extra keys", lambda: crafted(description={"format": 3, "entries": [], "tree": 1, "x": 0}),
     "expected \\['entries', 'format', 'tree'\\]"),
    ("entries not names", lambda: crafted(description={"format": 3, "entries": [0], "tree": 1}),
     "not a list of distinct names"),
    ("absurd nesting", lambda: crafted(description=b'{"format": 3, "entries": [], "tree": ' + b"[" * 100_000
                                       + b"]" * 100_000 + b"}"), "RecursionError"),
]


@pytest.mark.parametrize("make, message", [d[1:] for d in DAMAGED], ids=[d[0] for d in DAMAGED])
def test_damaged_or_foreign_file_is_a_value_error_saying_why(tmp_path, make, message):
    with pytest.raises(ValueError, match=message) as caught:
        _load_bytes(tmp_path, make())
    assert "damaged.npz" in str(caught.value)  # names the file


def test_duplicate_zip_members_are_refused(tmp_path):
    data = io.BytesIO(crafted())
    with zipfile.ZipFile(data, "a") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr("a0.npy", npy(shape=(5,)))
    with pytest.raises(ValueError, match="some entries appear twice"):
        _load_bytes(tmp_path, data.getvalue())


def test_zip_directory_claiming_more_bytes_than_the_file_is_refused(tmp_path):
    """A central directory that lies about an entry's size is caught before anything is read."""
    data = bytearray(crafted(members={"a0.npy": npy(shape=(10**12,), data=bytes(16))}))
    directory = data.rindex(b"PK\x01\x02")  # the last central-directory record: a0.npy's
    for field in (20, 24):  # compressed and uncompressed size
        data[directory + field : directory + field + 4] = (2**31).to_bytes(4, "little")
    with pytest.raises(ValueError, match=r"entry 'a0.npy' claims 2147483648 bytes in a file of \d+ bytes"):
        _load_bytes(tmp_path, bytes(data))


def test_missing_file_and_folder_keep_their_os_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.npz")
    with pytest.raises(IsADirectoryError):
        nn.load(tmp_path)
