import gzip
import os
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cylonc.errors import InputError
from cylonc.runtime import execute
from cylonc.runtime.io import load, schema_of
from cylonc.runtime.types import schema_from_arrow

from rt_helpers import fields, input_node, input_spec, make_plan, table_out

SRC = pa.table({
    "id": pa.array([1, 2, 3], pa.int64()),
    "quality": pa.array([0.5, float("nan"), None], pa.float64()),
    "name": pa.array(["a", None, "c"], pa.string()),
})
SRC_SCHEMA = schema_from_arrow(SRC.schema)


def _load(source, columns=None, source_schema=SRC_SCHEMA, **kw):
    schema = [f for f in SRC_SCHEMA if columns is None or f["name"] in columns]
    if columns is not None:
        schema = sorted(schema, key=lambda f: columns.index(f["name"]))
    return load(source, source_schema, schema, name="reads", columns=columns, **kw)


def test_table_source_nan_becomes_null():
    out = _load(SRC)
    assert out.schema == pa.schema([("id", pa.int64()), ("quality", pa.float64()),
                                    ("name", pa.string())])
    assert out["quality"].to_pylist() == [0.5, None, None]


def test_dataframe_source():
    df = SRC.to_pandas()
    out = _load(df, source_schema=schema_from_arrow(schema_of(df)))
    assert out.column_names == ["id", "quality", "name"]
    assert out["name"].type == pa.string()
    assert out["name"].to_pylist() == ["a", None, "c"]


def test_parquet_file_column_selection(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(SRC, path)
    out = _load(str(path), columns=["name", "id"])
    assert out.column_names == ["name", "id"]
    assert out["id"].to_pylist() == [1, 2, 3]
    assert schema_of(path) == pq.read_schema(path)


def test_parquet_directory(tmp_path):
    pq.write_table(SRC.slice(0, 2), tmp_path / "part-0.parquet")
    pq.write_table(SRC.slice(2), tmp_path / "part-1.parquet")
    (tmp_path / "_SUCCESS").write_text("")
    out = _load(tmp_path)
    assert sorted(out["id"].to_pylist()) == [1, 2, 3]
    assert schema_of(tmp_path).names == ["id", "quality", "name"]


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".tsv"])
def test_csv(tmp_path, suffix):
    sep = "\t" if suffix == ".tsv" else ","
    text = sep.join(["id", "quality", "name"]) + "\n" + "\n".join(
        sep.join(r) for r in [["1", "0.5", "a"], ["2", "", ""], ["3", "NaN", "c"]]) + "\n"
    path = tmp_path / f"r{suffix}"
    if suffix.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    assert schema_of(path) == pa.schema([("id", pa.int64()), ("quality", pa.float64()),
                                         ("name", pa.string())])
    out = _load(path, columns=["quality", "name"])
    expected = pd.read_csv(path, sep=sep)
    assert out["name"].to_pylist() == [None if pd.isna(v) else v for v in expected["name"]]
    assert out["quality"].to_pylist() == [0.5, None, None]


def test_csv_empty_first_block_column_is_float64(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("a,b\n1,\n2,\n")
    assert schema_of(path).field("b").type == pa.float64()
    assert pd.read_csv(path)["b"].dtype == np.float64
    out = load(path, fields(a="int64", b="float64"), fields(a="int64", b="float64"), name="e")
    assert out["b"].to_pylist() == [None, None]


def test_source_only_types_are_converted(tmp_path):
    t = pa.table({
        "d": pa.array([Decimal("1.25"), None], pa.decimal128(10, 2)),
        "l": pa.array(["x", "y"], pa.large_string()),
        "v": pa.array(["p", None], pa.string_view()),
        "c": pa.array(["u", "u"]).dictionary_encode(),
    })
    src = schema_from_arrow(t.schema)
    out = load(t, src, fields(d="float64", l="string", v="string", c="string"), name="x")
    assert out.schema == pa.schema([("d", pa.float64()), ("l", pa.string()),
                                    ("v", pa.string()), ("c", pa.string())])
    assert out.to_pydict() == {"d": [1.25, None], "l": ["x", "y"], "v": ["p", None],
                               "c": ["u", "u"]}
    path = tmp_path / "x.parquet"
    pq.write_table(t.drop_columns(["v"]), path)
    src2 = schema_from_arrow(schema_of(path))
    out = load(path, src2, fields(d="float64", c="string"), name="x")
    assert out.to_pydict() == {"d": [1.25, None], "c": ["u", "u"]}


# --- errors ----------------------------------------------------------------------------------

def test_missing_file(tmp_path):
    path = tmp_path / "nope.parquet"
    for fn in (lambda: _load(path), lambda: schema_of(path, name="reads")):
        with pytest.raises(InputError, match=r"input 'reads'.*not found.*nope\.parquet"):
            fn()


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "r.parquet"
    pq.write_table(SRC, path)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(path)
                        else real(p, mode))
    with pytest.raises(InputError, match=r"input 'reads'.*cannot read.*r\.parquet"):
        _load(path)


@pytest.mark.parametrize("name", ["r.parquet", "r.csv"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"input 'reads'.*empty.*" + name.replace(".", r"\.")):
        _load(path)
    with pytest.raises(InputError, match="empty"):
        schema_of(path, name="reads")


def test_empty_directory(tmp_path):
    with pytest.raises(InputError, match="no Parquet files"):
        _load(tmp_path)


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(InputError, match=r"input 'reads'.*bad\.parquet"):
        _load(path)
    with pytest.raises(InputError, match=r"bad\.parquet"):
        schema_of(path, name="reads")


def test_ragged_csv(tmp_path):
    path = tmp_path / "rag.csv"
    path.write_text("id,quality,name\n1,0.5,a\n2,0.7,b,extra\n")
    with pytest.raises(InputError, match=r"input 'reads'.*rag\.csv"):
        _load(path)


def _big_csv(path, last_line: str):
    """A CSV of ~3 MiB of well-formed rows (more than the first block read), then `last_line`."""
    row = "1,0.5,abcdefghij\n"
    with open(path, "w") as f:
        f.write("id,quality,name\n")
        f.write(row * (3 * 2**20 // len(row)))
        f.write(last_line)
    return path


def test_csv_schema_reads_first_block_only(tmp_path):
    path = _big_csv(tmp_path / "big.csv", "2,0.5,b,extra\n")
    assert schema_of(path).names == ["id", "quality", "name"]
    with pytest.raises(InputError, match=r"rag|big\.csv"):
        _load(path)


def test_csv_later_value_of_other_type(tmp_path):
    path = _big_csv(tmp_path / "late.csv", "x,0.5,b\n")
    with pytest.raises(InputError, match=r"input 'reads'.*late\.csv"):
        _load(path)


def test_missing_column():
    with pytest.raises(InputError, match="input 'reads': column 'name' is missing"):
        _load(SRC.drop_columns(["name"]))


def test_extra_column():
    with pytest.raises(InputError, match="input 'reads': unexpected column 'x'"):
        _load(SRC.append_column("x", pa.array([1, 2, 3])))


def test_column_of_other_type(tmp_path):
    bad = SRC.set_column(1, "quality", pa.array(["a", "b", "c"]))
    with pytest.raises(InputError,
                       match="input 'reads': column 'quality' is string, compiled for float64"):
        _load(bad)
    path = tmp_path / "bad.csv"
    path.write_text("id,quality,name\n1,x,a\n")
    with pytest.raises(InputError, match=r"input 'reads' \('.*bad\.csv'\): column 'quality' is "
                                         r"string, compiled for float64"):
        _load(path)


def test_unsupported_source():
    with pytest.raises(InputError, match="input 'reads': expected a pyarrow.Table"):
        _load(42)


def test_execute_checks_every_input_and_names_it(tmp_path):
    sch = fields(a="int64")
    plan = make_plan([input_spec("first", sch), input_spec("unused", sch)],
                     [input_node(0, "first", sch)], table_out(0))
    good = pa.table({"a": [1]})
    assert execute(plan, {"first": good, "unused": good}).to_pydict() == {"a": [1]}
    with pytest.raises(InputError, match="input 'unused': column 'a' is float64"):
        execute(plan, {"first": good, "unused": pa.table({"a": [1.0]})})
    with pytest.raises(InputError, match="input 'unused' was not given"):
        execute(plan, {"first": good})


def test_read_node(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(SRC, path)
    node = {"id": 0, "op": "read", "format": "parquet", "path": str(path), "columns": ["id"],
            "source_schema": SRC_SCHEMA, "schema": fields(id="int64")}
    plan = make_plan([], [node], table_out(0))
    assert execute(plan, {}).to_pydict() == {"id": [1, 2, 3]}
    node["path"] = str(tmp_path / "missing.parquet")
    with pytest.raises(InputError, match=r"read node 0.*missing\.parquet"):
        execute(plan, {})
