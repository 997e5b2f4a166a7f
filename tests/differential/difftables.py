"""Small hand-made tables shared by the differential tests."""

import datetime

import pandas as pd
import pyarrow as pa

D = datetime.date
DT = datetime.datetime

#: One column per kind. ``i``, ``z``, ``b``, ``x2`` and ``name`` have no nulls; the rest do.
T = pa.table({
    "i": pa.array([3, -7, 0, 12, 5, -1, 8, 2], pa.int64()),
    "j": pa.array([2, 3, -4, 5, None, 1, -2, 7], pa.int64()),
    "z": pa.array([1, 0, 2, 0, -3, 4, 0, 1], pa.int64()),
    "x": pa.array([1.5, -2.25, 0.0, 3.75, None, 10.0, -0.5, 2.5], pa.float64()),
    "y": pa.array([0.5, 4.0, -1.0, 2.0, 8.0, -3.5, 1.25, None], pa.float64()),
    "x2": pa.array([1.0, 2.5, -0.75, 4.0, 0.0, -6.0, 7.25, 3.0], pa.float64()),
    "s": pa.array(["apple", "Banana", None, "cherry", "apricot", "", "banana split", "Crème"]),
    "name": pa.array(["ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal"]),
    "b": pa.array([True, False, True, False, False, True, False, True]),
    "bn": pa.array([True, None, True, False, None, True, False, True]),
    "k": pa.array(["a", "b", "a", "c", "b", "a", None, "c"]),
    "g": pa.array([1, 2, 1, 3, 2, 1, 2, None], pa.int64()),
    "d": pa.array([D(1994, 1, 1), D(1995, 6, 15), None, D(1993, 12, 31), D(1996, 2, 29),
                   D(1994, 1, 2), D(1997, 7, 4), D(1994, 12, 31)], pa.date32()),
    "ts": pa.array([DT(2020, 1, 1), DT(2020, 6, 30, 12, 30), None, DT(2019, 12, 31, 23, 59, 59),
                    DT(2021, 2, 28, 1), DT(2020, 1, 1, 0, 0, 1), DT(2018, 7, 4), DT(2022, 3, 15)],
                   pa.timestamp("us")),
})

#: TPC-H-like orders/customers for merges: duplicate and null keys on both sides.
ORDERS = pa.table({
    "o_orderkey": pa.array([1, 2, 3, 4, 5, 6, 7], pa.int64()),
    "o_custkey": pa.array([10, 20, 10, 30, None, 40, 20], pa.int64()),
    "o_total": pa.array([100.0, 250.5, 75.25, None, 12.0, 300.0, 5.5]),
    "o_status": pa.array(["F", "O", "F", "P", "O", None, "F"]),
})
CUSTOMERS = pa.table({
    "c_custkey": pa.array([10, 20, 20, 50, None], pa.int64()),
    "c_name": pa.array(["ann", "bob", "bob2", "eve", "nobody"]),
    "o_status": pa.array(["x", "y", "z", "w", "v"]),
})
#: The same customers keyed under the orders' key name, for ``on=``.
CUST_ON = CUSTOMERS.rename_columns(["o_custkey", "c_name", "o_status"])

#: Rows with exact duplicates (also null-containing ones) for drop_duplicates.
DUPS = pa.table({
    "a": pa.array([1, 1, 2, 2, None, None, 3, 1], pa.int64()),
    "s": pa.array(["x", "x", "y", "z", None, None, "w", "q"]),
    "v": pa.array([0.5, 0.5, 1.0, 1.0, None, None, 2.0, 9.0]),
})

#: Timestamps where pandas has dates: the pandas side of ``.dt`` on ``date32`` columns.
DATES_AS_DATETIME64 = dict(to_pandas=lambda t: t.to_pandas(date_as_object=False))
#: Arrow-backed pandas frames, whose nulls propagate through comparisons and ``~`` as in Arrow.
ARROW_BACKED = dict(to_pandas=lambda t: t.to_pandas(types_mapper=pd.ArrowDtype))
