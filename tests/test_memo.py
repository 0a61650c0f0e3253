"""Memoised set-up work (clusterlab.memo): a repeat gives the first result, bit for bit, as
a copy its caller may change; other inputs are computed afresh."""

import numpy as np

from clusterlab.data import read_proximity
from clusterlab.geography import mds_positions
from clusterlab.memo import Memo, digest
from clusterlab.profiles import _FITS, industry_proximity, nonnegative_embedding


def test_digest_tells_values_dtypes_and_shapes_apart():
    a = np.arange(6, dtype=float)
    assert digest(a, 1) == digest(a.copy(), 1)
    assert digest(a, 1) != digest(a, 2) and digest(a, None) != digest(a, 0)
    assert digest(a) != digest(a.astype(np.float32)) and digest(a) != digest(a.reshape(2, 3))
    assert digest(a[::2]) == digest(np.ascontiguousarray(a[::2]))


def test_memo_keeps_the_most_recent():
    m = Memo("test", size=2)
    for k in (b"a", b"b", b"c"):
        m.put(k, k.upper())
    assert m.get(b"a") is None and m.get(b"c") == b"C" and len(m) == 2


def test_embedding_repeat_is_the_same_and_a_copy():
    P = industry_proximity(["C25", "C26", "M71", "M72", "A01"])
    _FITS.clear()
    first = nonnegative_embedding(P, 4, weights=np.array([1, 2, 1, 1, 3]))
    again = nonnegative_embedding(P, 4, weights=np.array([1, 2, 1, 1, 3]))
    assert np.array_equal(first.U, again.U) and (first.r, first.rmse) == (again.r, again.rmse)
    again.U[:] = 0  # the caller's copy
    third = nonnegative_embedding(P, 4, weights=np.array([1, 2, 1, 1, 3]))
    assert np.array_equal(first.U, third.U)
    other = nonnegative_embedding(P, 4)  # other weights: fitted afresh
    assert not np.array_equal(first.U, other.U)


def test_mds_repeat_is_the_same_and_a_copy():
    xy = np.random.default_rng(0).random((12, 2)) * 10
    D = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    first = mds_positions(D)
    again = mds_positions(D.copy())
    assert np.array_equal(first.xy, again.xy) and first.stress == again.stress
    again.xy[:] = 0
    assert np.array_equal(mds_positions(D).xy, first.xy)


def test_proximity_file_read_again_and_after_a_change(tmp_path):
    p = tmp_path / "cog.csv"
    p.write_text(",a,b\na,1,0.5\nb,0.5,1\n")
    first = read_proximity(p)
    again = read_proximity(str(p))
    assert first.equals(again) and again.attrs["source"] == str(p)
    again.iloc[0, 1] = 0.0  # the caller's copy
    assert read_proximity(p).iloc[0, 1] == 0.5
    p.write_text(",a,b\na,1,0.25\nb,0.25,1\n")  # new contents: read afresh
    assert read_proximity(p).iloc[0, 1] == 0.25


def test_digest_refuses_object_arrays():
    # the bytes of an object array are pointers: equal values could get different digests
    import pytest

    with pytest.raises(TypeError):
        digest(np.array(["a", "b"], dtype=object))


def test_get_or_make_makes_once():
    memo, calls = Memo("t"), []
    make = lambda: calls.append(1) or "v"  # noqa: E731
    assert memo.get_or_make(b"k", make) == "v" and memo.get_or_make(b"k", make) == "v"
    assert len(calls) == 1
