"""Pipeline mistakes fail at trace time with ``cc.CompileError`` (API.md §3).

Each error names the problem and the user's own ``file:line`` (the line carrying the
``# <marker>`` comment), is raised before any data is read (a Parquet file whose data pages are
garbage but whose footer is intact gives the same error), and is never a raw xDSL/MLIR/Arrow
exception.
"""

import datetime
import os
import re
import shutil
import struct
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import PANDAS_ONLY

import cylonc as cc

pytestmark = pytest.mark.skipif(PANDAS_ONLY, reason="CYLONC_TEST_PANDAS_ONLY: no pandas side")

HERE = os.path.basename(__file__)
with open(__file__, encoding="utf-8") as _f:
    SOURCE = _f.read().splitlines()
D = datetime.date(1995, 1, 1)

LINEITEM = pa.table({
    "l_orderkey": pa.array([1, 1, 2, 3], pa.int64()),
    "l_quantity": pa.array([17.0, 36.0, 8.0, 28.0]),
    "l_returnflag": ["N", "R", "A", "N"],
    "l_shipdate": pa.array([datetime.date(1996, 3, 13), datetime.date(1994, 4, 12),
                            datetime.date(1997, 1, 28), datetime.date(1994, 2, 2)], pa.date32()),
    "l_comment": ["quick", "brown", "fox", "jumps"],
})
ORDERS = pa.table({"o_orderkey": pa.array([1, 2, 3], pa.int64()), "o_total": [1.0, 2.0, 3.0]})


def line_of(marker: str) -> int:
    """The line of this file that ends with ``# <marker>``."""
    hits = [n for n, text in enumerate(SOURCE, 1) if text.rstrip().endswith(f"# <{marker}>")]
    assert len(hits) == 1, f"marker {marker!r} found on lines {hits}"
    return hits[0]


def assert_clean(err: BaseException) -> str:
    """The message of a deliberate cylonc error, not a leaked internal traceback."""
    assert isinstance(err, cc.CompileError), f"{type(err).__module__}.{type(err).__name__}"
    msg = str(err)
    assert msg and "Traceback" not in msg, msg
    return msg


def assert_located(err: BaseException, marker: str) -> str:
    msg = assert_clean(err)
    where = f"{HERE}:{line_of(marker)}"
    assert where in msg, f"{where!r} not in {msg!r}"
    return msg


@pytest.fixture(scope="module")
def footer_only(tmp_path_factory):
    """LINEITEM as a Parquet file whose footer (schema) is intact and whose data is garbage."""
    path = tmp_path_factory.mktemp("err") / "lineitem.parquet"
    pq.write_table(LINEITEM, path)
    raw = bytearray(path.read_bytes())
    footer = struct.unpack("<I", bytes(raw[-8:-4]))[0]
    end = len(raw) - 8 - footer
    raw[4:end] = b"\xff" * (end - 4)
    path.write_bytes(bytes(raw))
    assert pq.read_schema(path) == LINEITEM.schema
    with pytest.raises(Exception):
        pq.read_table(path)
    return str(path)


def trace_errors(fn, *inputs, **kw_inputs):
    """The errors of calling a fresh ``cc.compile(fn)`` and of ``q.ir`` (which never runs)."""
    errors = []
    with pytest.raises(cc.CompileError) as info:
        cc.compile(fn)(*inputs, **kw_inputs)
    errors.append(info.value)
    with pytest.raises(cc.CompileError) as info:
        cc.compile(fn).ir(*inputs, stage="cylon", **kw_inputs)
    errors.append(info.value)
    return errors


# --- unknown columns ---------------------------------------------------------------------------


def typo_attribute(lineitem):
    return lineitem[lineitem.l_shipdat > D]  # <typo-attribute>


def typo_getitem(lineitem):
    return lineitem[lineitem["l_shipdat"] > D]  # <typo-getitem>


def typo_projection(lineitem):
    return lineitem[["l_orderkey", "l_shipdat"]]  # <typo-projection>


def typo_agg_column(lineitem):
    g = lineitem.groupby("l_returnflag", as_index=False)
    return g.agg(q=("l_quantiy", "sum"))  # <typo-agg-column>


def typo_groupby_key(lineitem):
    return lineitem.groupby("l_returnflg", as_index=False).agg(q=("l_quantity", "sum"))  # <typo-key>


def typo_sort(lineitem):
    return lineitem.sort_values("l_shipdat")  # <typo-sort>


def typo_assign(lineitem):
    return lineitem.assign(q2=lineitem.l_quantty * 2)  # <typo-assign>


def typo_drop(lineitem):
    return lineitem.drop(columns=["l_commnt"])  # <typo-drop>


def typo_dedup(lineitem):
    return lineitem.drop_duplicates(subset=["l_orderky"])  # <typo-dedup>


def typo_single_agg(lineitem):
    return lineitem.groupby("l_returnflag").l_quantiy.sum()  # <typo-single-agg>


TYPOS = [
    (typo_attribute, "typo-attribute", "l_shipdat", "l_shipdate"),
    (typo_getitem, "typo-getitem", "l_shipdat", "l_shipdate"),
    (typo_projection, "typo-projection", "l_shipdat", "l_shipdate"),
    (typo_agg_column, "typo-agg-column", "l_quantiy", "l_quantity"),
    (typo_groupby_key, "typo-key", "l_returnflg", "l_returnflag"),
    (typo_sort, "typo-sort", "l_shipdat", "l_shipdate"),
    (typo_assign, "typo-assign", "l_quantty", "l_quantity"),
    (typo_drop, "typo-drop", "l_commnt", "l_comment"),
    (typo_dedup, "typo-dedup", "l_orderky", "l_orderkey"),
    (typo_single_agg, "typo-single-agg", "l_quantiy", "l_quantity"),
]


@pytest.mark.parametrize("fn,marker,wrong,right", TYPOS, ids=[t[1] for t in TYPOS])
def test_unknown_column_suggests_the_closest(fn, marker, wrong, right):
    for err in trace_errors(fn, LINEITEM):
        msg = assert_located(err, marker)
        assert f"'{wrong}'" in msg, msg
        assert f"did you mean '{right}'?" in msg, msg


def typo_merge_key(lineitem, orders):
    return lineitem.merge(orders, left_on="l_orderkey", right_on="o_orderky")  # <typo-merge>


def test_unknown_merge_key():
    for err in trace_errors(typo_merge_key, LINEITEM, ORDERS):
        msg = assert_located(err, "typo-merge")
        assert "did you mean 'o_orderkey'?" in msg, msg


def test_unknown_column_fails_before_data_is_read(footer_only):
    """Only the footer is read: the error is the pipeline's, not the corrupt data's."""
    for err in trace_errors(typo_attribute, footer_only):
        msg = assert_located(err, "typo-attribute")
        assert "did you mean 'l_shipdate'?" in msg, msg


# --- type errors, aggregations, unsupported methods --------------------------------------------


def string_plus_int(lineitem):
    return lineitem.assign(c=lineitem.l_comment + 1)  # <str-plus-int>


def float_plus_string(lineitem):
    return lineitem.assign(c=lineitem.l_quantity + "x")  # <float-plus-str>


def string_gt_int(lineitem):
    return lineitem[lineitem.l_comment > 5]  # <str-gt-int>


def str_accessor_on_float(lineitem):
    return lineitem[lineitem.l_quantity.str.startswith("1")]  # <str-on-float>


@pytest.mark.parametrize("fn,marker,other", [
    (string_plus_int, "str-plus-int", r"\bint"),
    (float_plus_string, "float-plus-str", r"\bfloat|\bdouble"),
    (string_gt_int, "str-gt-int", r"\bint"),
    (str_accessor_on_float, "str-on-float", r"\bfloat|\bdouble"),
], ids=["string+int", "float+string", "string>int", "float.str"])
def test_type_error(fn, marker, other):
    for err in trace_errors(fn, LINEITEM):
        msg = assert_located(err, marker)
        assert "str" in msg.lower(), msg
        assert re.search(other, msg.lower()), msg


def string_plus_int_footer(lineitem):
    return lineitem.assign(c=lineitem.l_comment + 1)  # <str-plus-int-footer>


def test_type_error_fails_before_data_is_read(footer_only):
    for err in trace_errors(string_plus_int_footer, footer_only):
        assert_located(err, "str-plus-int-footer")


def unknown_agg(lineitem):
    g = lineitem.groupby("l_returnflag", as_index=False)
    return g.agg(s=("l_quantity", "summ"))  # <unknown-agg>


def test_unknown_aggregation():
    for err in trace_errors(unknown_agg, LINEITEM):
        msg = assert_located(err, "unknown-agg")
        assert "'summ'" in msg or '"summ"' in msg, msg


def rolling(lineitem):
    return lineitem.assign(r=lineitem.l_quantity.rolling(2).mean())  # <rolling>


def pivot_table(lineitem):
    return lineitem.pivot_table(index="l_returnflag", values="l_quantity")  # <pivot_table>


def apply(lineitem):
    return lineitem.assign(n=lineitem.l_comment.apply(len))  # <apply>


@pytest.mark.parametrize("fn", [rolling, pivot_table, apply], ids=lambda f: f.__name__)
def test_unsupported_pandas_method(fn):
    """The method is named and the supported alternatives are listed."""
    for err in trace_errors(fn, LINEITEM):
        msg = assert_located(err, fn.__name__)
        assert fn.__name__ in msg, msg
        assert "supported" in msg.lower(), msg


# --- bad input files ---------------------------------------------------------------------------


def simple(lineitem):
    return lineitem[lineitem.l_quantity > 10]


def test_missing_input_file(tmp_path):
    path = str(tmp_path / "nowhere" / "lineitem.parquet")
    for err in trace_errors(simple, path) + trace_errors(simple, lineitem=path):
        msg = assert_clean(err)
        assert "lineitem" in msg and path in msg, msg


def test_missing_csv_input(tmp_path):
    path = str(tmp_path / "items.csv")
    for err in trace_errors(simple, path):
        msg = assert_clean(err)
        assert path in msg, msg


def test_corrupt_parquet_input(tmp_path):
    path = tmp_path / "lineitem.parquet"
    path.write_bytes(b"this is not a parquet file \x00\x01\x02" * 20)
    for err in trace_errors(simple, str(path)):
        msg = assert_clean(err)
        assert "lineitem" in msg and str(path) in msg, msg


def test_bad_file_read_inside_pipeline(tmp_path):
    missing = str(tmp_path / "orders.parquet")
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 garbage garbage garbage")

    def read_missing(lineitem):
        return lineitem.merge(cc.read_parquet(missing), left_on="l_orderkey", right_on="o_orderkey")  # <read-missing>

    def read_corrupt(lineitem):
        return lineitem.merge(cc.read_parquet(str(corrupt)), left_on="l_orderkey", right_on="o_orderkey")  # <read-corrupt>

    for fn, marker, path in [(read_missing, "read-missing", missing),
                             (read_corrupt, "read-corrupt", str(corrupt))]:
        for err in trace_errors(fn, LINEITEM):
            msg = assert_located(err, marker)
            assert path in msg, msg


# --- a second schema re-traces, and its mistakes are reported like the first's ----------------


def uses_shipdate(lineitem):
    return lineitem[lineitem.l_shipdate > D][["l_orderkey"]]  # <schema-column>


def adds_to_quantity(lineitem):
    return lineitem.assign(q=lineitem.l_quantity + 1)  # <schema-type>


def test_second_schema_with_a_missing_column():
    q = cc.compile(uses_shipdate)
    assert q(LINEITEM).num_rows == 2
    renamed = LINEITEM.rename_columns(
        ["l_shipdat" if n == "l_shipdate" else n for n in LINEITEM.column_names])
    with pytest.raises(cc.CompileError) as info:
        q(renamed)
    msg = assert_located(info.value, "schema-column")
    assert "did you mean 'l_shipdat'?" in msg, msg
    assert q(LINEITEM).num_rows == 2


def test_second_schema_with_another_type():
    q = cc.compile(adds_to_quantity)
    assert q(LINEITEM).column("q").to_pylist() == [18.0, 37.0, 9.0, 29.0]
    as_text = LINEITEM.set_column(1, "l_quantity", pa.array(["17", "36", "8", "28"]))
    with pytest.raises(cc.CompileError) as info:
        q(as_text)
    msg = assert_located(info.value, "schema-type")
    assert "str" in msg.lower(), msg


# --- options -----------------------------------------------------------------------------------


def test_ranks_with_local_executor():
    with pytest.raises(cc.CompileError) as info:
        cc.compile(ranks=2, executor="local")(simple)(LINEITEM)
    msg = assert_clean(info.value)
    assert 'executor="mpi"' in msg or "executor='mpi'" in msg, msg


def _usable_gpu() -> bool:
    """Any sign of a CUDA GPU (cupy, numba.cuda or nvidia-smi): then the test does not apply."""
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            return True
    except Exception:
        pass
    try:
        from numba import cuda

        if cuda.is_available():
            return True
    except Exception:
        pass
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return False
    try:
        return subprocess.run([smi, "-L"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.mark.skipif(_usable_gpu(), reason="a usable GPU is present")
def test_gpu_without_gpu():
    with pytest.raises(cc.CompileError) as info:
        cc.compile(device="gpu")(simple)(LINEITEM)
    msg = assert_clean(info.value)
    assert "gpu" in msg.lower(), msg
