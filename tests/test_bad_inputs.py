"""The bad-input catalogue (README "Bad inputs"): each row's input and the error the user sees."""

from __future__ import annotations

import inspect
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cylonc as cc


def positive(t):
    return t[t.a > 1]


P = cc.compile(positive)


def _line() -> int:
    return inspect.currentframe().f_back.f_lineno  # type: ignore[union-attr]


def _raises(exc_type, fn, *fragments):
    with pytest.raises(exc_type) as info:
        fn()
    msg = str(info.value)
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"
    assert "Traceback" not in msg
    return msg


def test_missing_file(tmp_path):
    path = tmp_path / "nope.parquet"
    line = _line() + 1
    _raises(cc.InputError, lambda: P(path), "input 't'", "file not found", str(path), f"test_bad_inputs.py:{line}")


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_empty_file(tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    _raises(cc.InputError, lambda: P(path), "input 't'", "file is empty", str(path))


def test_corrupt_parquet_footer(tmp_path):
    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"a": [1, 2, 3]}), good)
    data = good.read_bytes()
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(data[:-12] + b"\0" * 12)
    _raises(cc.InputError, lambda: P(bad), "input 't'", "cannot read Parquet", str(bad))
    assert issubclass(cc.InputError, cc.CompileError)


def test_ragged_csv(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3\n4,5,6\n")
    _raises(cc.InputError, lambda: P(path), "input 't'", "cannot read CSV", "Expected 2 columns")


def test_csv_value_of_the_wrong_type_after_the_first_block(tmp_path):
    path = tmp_path / "late.csv"
    path.write_text("a,b\n" + "1,2\n" * 400_000 + "oops,3\n")
    _raises(cc.InputError, lambda: P(path), "input 't'", str(path))


def test_parquet_directory_with_a_file_of_another_schema(tmp_path):
    d = tmp_path / "parts"
    d.mkdir()
    pq.write_table(pa.table({"a": [1, 2]}), d / "part-0.parquet")
    pq.write_table(pa.table({"a": ["x", "y"]}), d / "part-1.parquet")
    _raises(cc.CylonError, lambda: P(d), "input 't'")


def test_unsupported_column_type():
    t = pa.table({"a": [1, 2], "l": [[1], [2, 3]]})
    _raises(cc.InputError, lambda: P(t), "input 't'", "column 'l'", "list")


def test_argument_that_is_not_a_table():
    _raises(cc.CompileError, lambda: P([1, 2, 3]), "argument 't'", "pyarrow.Table")


def test_column_name_typo():
    def q(t):
        return t[t.aa > 1]  # line of the typo

    line = inspect.getsourcelines(q)[1] + 1
    _raises(cc.CompileError, lambda: cc.compile(q)(pa.table({"a": [1]})), "column 'aa' not found",
            "did you mean 'a'?", f"test_bad_inputs.py:{line}")


def test_unsupported_pandas_method():
    def q(t):
        return t.pivot_table(index="a")

    line = inspect.getsourcelines(q)[1] + 1
    msg = _raises(cc.CompileError, lambda: cc.compile(q)(pa.table({"a": [1]})), "DataFrame.pivot_table",
                  "not supported", "supported:", f"test_bad_inputs.py:{line}")
    assert "merge" in msg and "groupby" in msg


def test_udf_that_raises():
    @cc.udf("float64")
    def boom(x):
        if x > 2:
            raise ValueError("too big")
        return x

    def q(t):
        return t.assign(y=boom(t.a))

    line = inspect.getsourcelines(q)[1] + 1
    _raises(cc.ExecutionError, lambda: cc.compile(q)(pa.table({"a": [1.0, 3.0]})), "udf 'boom'",
            "ValueError: too big", f"test_bad_inputs.py:{line}")


def test_division_by_zero_follows_the_documented_semantics():
    def q(t):
        return t.assign(fi=t.i // 0, mi=t.i % 0, fd=t.f / 0, zd=(t.f * 0) / 0)

    out = cc.compile(q)(pa.table({"i": [1, -1], "f": [1.0, -1.0]})).to_pydict()
    assert out["fi"] == [None, None] and out["mi"] == [None, None]
    assert out["fd"] == [float("inf"), float("-inf")]
    assert out["zd"] == [None, None]


def test_type_error_in_the_pipeline():
    def q(t):
        return t.assign(z=t.s + 1)

    line = inspect.getsourcelines(q)[1] + 1
    _raises(cc.CompileError, lambda: cc.compile(q)(pa.table({"s": ["x"]})), "cannot compute column 's' (string) + ",
            f"test_bad_inputs.py:{line}")


def test_nothing_is_read_before_a_trace_error(tmp_path):
    """A pipeline mistake is reported before data is read: the data pages here are garbage."""
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": list(range(1000))}), path, compression="none")
    data = bytearray(path.read_bytes())
    data[100:2000] = b"\xff" * 1900
    Path(path).write_bytes(bytes(data))

    def q(t):
        return t[t.b > 1]

    _raises(cc.CompileError, lambda: cc.compile(q)(path), "column 'b' not found")
