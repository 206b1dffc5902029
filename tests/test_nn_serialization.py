"""nn.save / nn.load: .npz round trip, never pickle, foreign files rejected."""

import json
import pickle

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, Value, manual_seed

MARKER = nn.serialization.MARKER


def model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def test_save_load_round_trip(tmp_path):
    manual_seed(0)
    a = model()
    a(Tensor(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)))
    path = tmp_path / "model.ckpt"
    nn.save(a.state_dict(), path)
    assert path.exists()  # exactly this path, no ".npz" appended
    loaded = nn.load(path)
    assert list(loaded) == list(a.state_dict())
    assert loaded["1.num_batches_tracked"].dtype == np.int64
    b = model()
    b.load_state_dict(loaded)
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_checkpoint_is_a_plain_npz_without_pickle(tmp_path):
    """Any numpy opens it without pickle; the marker is JSON naming the format and every entry."""
    path = tmp_path / "m.npz"
    nn.save(model().state_dict(), path)
    with np.load(path, allow_pickle=False) as archive:
        description = json.loads(archive[MARKER].tobytes().decode())
        assert description["format"] == 3
        assert sorted(archive.files) == sorted([MARKER, *description["entries"]])
        assert len(description["entries"]) == len(model().state_dict())


@pytest.mark.parametrize("write", [
    lambda p: p.write_text("hello, not a checkpoint"),
    lambda p: p.write_bytes(pickle.dumps({"0.weight": np.ones(2)})),
    lambda p: np.save(p.open("wb"), np.ones(3)),
    lambda p: np.savez(p.open("wb"), weight=np.ones(3)),
    lambda p: np.savez(p.open("wb"), weight=np.array([{"a": 1}], dtype=object)),
    # a marker entry, but no version number: pickled objects, text, an array
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array([{"a": 1}], dtype=object)}),
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array("2")}),
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array([2, 2])}),
    # a valid marker, then a pickled entry or one outside the "state/" prefix
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array(2), "state/w": np.array([None], dtype=object)}),
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array(2), "w": np.ones(2)}),
])
def test_foreign_files_are_rejected_with_value_error(tmp_path, write):
    path = tmp_path / "foreign.bin"
    write(path)
    with pytest.raises(ValueError, match="not a seedgrad checkpoint"):
        nn.load(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.npz")


@pytest.mark.parametrize("obj, message", [
    ({"w": np.array([{"a": 1}], dtype=object)}, "dtype object"),
    ({"w": np.array(["text"])}, "dtype <U4"),
    ({"w": {1, 2}}, "is a set"),
    ({"w": object()}, "is a object"),
    ({"w": model()}, r"nn.save\(model.state_dict\(\), path\)"),
    (model(), r"nn.save\(model.state_dict\(\), path\)"),
    ({"opt": optim.SGD([Value(0.0)])}, r"is a SGD \(save its .state_dict\(\)\)"),
    ({np.ones(2).tobytes(): 1}, "is a bytes"),
    ({"w": [1, (2, {"x": b"raw"})]}, r"obj\['w'\]\[1\]\[1\]\['x'\] is a bytes"),
], ids=["object array", "str array", "set", "object", "module inside", "module", "optimizer", "bytes key",
        "where"])
def test_save_rejects_what_it_cannot_store(tmp_path, obj, message):
    path = tmp_path / "x.npz"
    with pytest.raises(TypeError, match=message):
        nn.save(obj, path)
    assert list(tmp_path.iterdir()) == []  # checked before anything is written


def test_any_string_key_round_trips(tmp_path):
    """Keys are stored prefixed, so none can clash with np.savez's parameters or with the marker."""
    keys = ["file", "allow_pickle", "args", "kwds", "arr_0", MARKER, "state/x", "", "a.b/c"]
    state = {key: np.full(2, i) for i, key in enumerate(keys)}
    nn.save(state, tmp_path / "keys.npz")
    loaded = nn.load(tmp_path / "keys.npz")
    assert list(loaded) == keys
    for i, key in enumerate(keys):
        assert type(loaded[key]) is np.ndarray and loaded[key].dtype == np.int64
        np.testing.assert_array_equal(loaded[key], [i, i])


@pytest.mark.parametrize("marker, message", [
    (np.array(1), "has checkpoint format 1; this seedgrad reads formats 2 and 3$"),
    (np.array(0), "has checkpoint format 0; this seedgrad reads formats 2 and 3$"),
    (np.frombuffer(b'{"format": 4, "entries": [], "tree": null}', np.uint8),
     r"has checkpoint format 4; .* \(written by a newer seedgrad: upgrade seedgrad to read it\)"),
    (np.frombuffer(b'{"format": 99, "new_layout": true}', np.uint8), "has checkpoint format 99"),
])
def test_other_format_versions_are_named(tmp_path, marker, message):
    path = tmp_path / "other.npz"
    np.savez(path.open("wb"), **{MARKER: marker, "w": np.ones(2)})
    with pytest.raises(ValueError, match=message):
        nn.load(path)


def test_format_2_checkpoints_still_load(tmp_path):
    """Format 2 (a flat state_dict under "state/") was written by the previous release."""
    path = tmp_path / "v2.npz"
    weight, count = np.arange(6, dtype=np.float32).reshape(2, 3), np.array(4, dtype=np.int64)
    np.savez(path.open("wb"), **{MARKER: np.array(2), "state/0.weight": weight, "state/1.n": count})
    loaded = nn.load(path)
    assert list(loaded) == ["0.weight", "1.n"] and all(type(v) is Tensor for v in loaded.values())
    assert loaded["0.weight"].dtype == np.float32 and np.array_equal(loaded["0.weight"].data, weight)
    assert loaded["1.n"].dtype == np.int64 and int(loaded["1.n"].item()) == 4
