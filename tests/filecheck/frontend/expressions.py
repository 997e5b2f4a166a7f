# The frontend's expression ops: .str and .dt accessors, date literals, isin, where, fillna,
# isna, astype, round and @cc.udf calls, each with the nullability the verifiers expect.
# The input is an empty Parquet file: only its schema counts.
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('name', pa.string(), False), F('s', pa.string()), F('d', pa.date32(), False), \
# RUN:   F('ts', pa.timestamp('us', tz='UTC')), F('k', pa.int64(), False), F('x', pa.float64())]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:strings_dates --input t=%t.parquet --pretty | filecheck %s --check-prefix=SD
# RUN: cylonc ir %s:nulls_casts --input t=%t.parquet --pretty | filecheck %s --check-prefix=NC

import pandas as pd

import cylonc as cc


@cc.udf("float64")
def score(x, k):
    return x * 2.0 + k


def strings_dates(t):
    r = t[t.name.str.startswith("chr") & (t.d >= pd.Timestamp("2023-01-01")) & t.s.isin(["a", "b"])]
    return r.assign(
        up=r.name.str.upper(),
        n=r.s.str.len(),
        ct=r.s.str.contains("x.y", regex=False),
        sl=r.name.str[1:3],
        yr=r.d.dt.year,
        mo=r.ts.dt.month,
    )


# SD:      [[T:%[0-9]+]] = cylon.input "t" {index = 0 : i64, source_types = ["string", "string", "date32", "timestamp[us, tz=UTC]", "int64", "float64"]}
# SD-SAME:   : [[TT:!cylon.table<"name": !cylon.string, "s": !cylon.string\?, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">\?, "k": i64, "x": f64\?>]]
# SD-NEXT: [[F:%[0-9]+]] = cylon.filter [[T]] {loc = "expressions.py:21"} : [[TT]] -> [[TT]] {
# SD-NEXT: ^bb0([[ROW:%[0-9]+]]: [[RT:!cylon.row<.*>]]):
# SD-NEXT:   [[NAME:%[0-9]+]] = cylon.col [[ROW]] "name" : [[RT]] -> !cylon.string
# SD-NEXT:   [[SW:%[0-9]+]] = cylon.str "startswith" [[NAME]] {pattern = "chr"} : !cylon.string -> i1
#   A midnight pd.Timestamp next to a date column is a date literal (days since 1970-01-01).
# SD-NEXT:   [[D:%[0-9]+]] = cylon.col [[ROW]] "d" : [[RT]] -> !cylon.date
# SD-NEXT:   [[DAY:%[0-9]+]] = cylon.const {value = 19358 : i64} : !cylon.date
# SD-NEXT:   [[GE:%[0-9]+]] = cylon.cmp "ge" [[D]], [[DAY]] : !cylon.date, !cylon.date -> i1
# SD-NEXT:   [[AND:%[0-9]+]] = arith.andi [[SW]], [[GE]] : i1
#   isin is never null, even on a nullable column, so the last `&` is an arith.andi too.
# SD-NEXT:   [[S:%[0-9]+]] = cylon.col [[ROW]] "s" : [[RT]] -> !cylon.nullable<!cylon.string>
# SD-NEXT:   [[IN:%[0-9]+]] = cylon.isin [[S]] ["a", "b"] : !cylon.nullable<!cylon.string> -> i1
# SD-NEXT:   [[P:%[0-9]+]] = arith.andi [[AND]], [[IN]] : i1
# SD-NEXT:   cylon.yield [[P]] : i1
# SD-NEXT: }
# SD-NEXT: [[A:%[0-9]+]] = cylon.assign [[F]] ["up", "n", "ct", "sl", "yr", "mo"] {loc = "expressions.py:22"} : [[TT]]
# SD-SAME:   -> !cylon.table<"name": !cylon.string, "s": !cylon.string?, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "k": i64, "x": f64?, "up": !cylon.string, "n": i64?, "ct": i1?, "sl": !cylon.string, "yr": i64, "mo": i64?> {
# SD-NEXT: ^bb0([[ROW:%[0-9]+]]: [[RT]]):
# SD-NEXT:   [[NAME:%[0-9]+]] = cylon.col [[ROW]] "name" : [[RT]] -> !cylon.string
# SD-NEXT:   [[UP:%[0-9]+]] = cylon.str "upper" [[NAME]] : !cylon.string -> !cylon.string
# SD-NEXT:   [[S:%[0-9]+]] = cylon.col [[ROW]] "s" : [[RT]] -> !cylon.nullable<!cylon.string>
# SD-NEXT:   [[LEN:%[0-9]+]] = cylon.str "len" [[S]] : !cylon.nullable<!cylon.string> -> !cylon.nullable<i64>
# SD-NEXT:   [[S:%[0-9]+]] = cylon.col [[ROW]] "s" : [[RT]] -> !cylon.nullable<!cylon.string>
# SD-NEXT:   [[CT:%[0-9]+]] = cylon.str "contains" [[S]] {pattern = "x.y", case = true, regex = false} : !cylon.nullable<!cylon.string> -> !cylon.nullable<i1>
# SD-NEXT:   [[NAME:%[0-9]+]] = cylon.col [[ROW]] "name" : [[RT]] -> !cylon.string
# SD-NEXT:   [[SL:%[0-9]+]] = cylon.str "slice" [[NAME]] {start = 1 : i64, stop = 3 : i64} : !cylon.string -> !cylon.string
# SD-NEXT:   [[D:%[0-9]+]] = cylon.col [[ROW]] "d" : [[RT]] -> !cylon.date
# SD-NEXT:   [[YR:%[0-9]+]] = cylon.dt "year" [[D]] : !cylon.date -> i64
# SD-NEXT:   [[TS:%[0-9]+]] = cylon.col [[ROW]] "ts" : [[RT]] -> !cylon.nullable<!cylon.timestamp<"us", "UTC">>
# SD-NEXT:   [[MO:%[0-9]+]] = cylon.dt "month" [[TS]] : !cylon.nullable<!cylon.timestamp<"us", "UTC">> -> !cylon.nullable<i64>
# SD-NEXT:   cylon.yield [[UP]], [[LEN]], [[CT]], [[SL]], [[YR]], [[MO]] : !cylon.string, !cylon.nullable<i64>, !cylon.nullable<i1>, !cylon.string, i64, !cylon.nullable<i64>
# SD-NEXT: }
# SD-NEXT: cylon.output "table" [[A]]


def nulls_casts(t):
    return t.assign(
        f=t.x.fillna(0),
        w=t.x.where(t.k > 1, -1.0),
        na=t.x.isna(),
        c=t.k.astype("float32"),
        ks=t.k.astype(str),
        r=t.x.round(2),
        u=score(t.x, t.k),
        ik=t.k.isin([1, 2]),
    )


# NC:      [[T:%[0-9]+]] = cylon.input "t"
# NC-NEXT: [[A:%[0-9]+]] = cylon.assign [[T]] ["f", "w", "na", "c", "ks", "r", "u", "ik"] {loc = "expressions.py:70"}
# NC-SAME:   -> !cylon.table<{{.*}}, "x": f64?, "f": f64, "w": f64?, "na": i1, "c": f32, "ks": !cylon.string, "r": f64?, "u": f64?, "ik": i1> {
# NC-NEXT: ^bb0([[ROW:%[0-9]+]]: [[RT:!cylon.row<.*>]]):
#   fillna with a non-null literal gives a non-null value.
# NC-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : [[RT]] -> !cylon.nullable<f64>
# NC-NEXT:   [[ZERO:%[0-9]+]] = arith.constant 0.000000e+00 : f64
# NC-NEXT:   [[F:%[0-9]+]] = cylon.fillna [[X]], [[ZERO]] : !cylon.nullable<f64>, f64 -> f64
#   where(cond, other): nullable because the kept value may be null.
# NC-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# NC-NEXT:   [[ONE:%[0-9]+]] = arith.constant 1 : i64
# NC-NEXT:   [[COND:%[0-9]+]] = arith.cmpi sgt, [[K]], [[ONE]] : i64
# NC-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : [[RT]] -> !cylon.nullable<f64>
# NC-NEXT:   [[M1:%[0-9]+]] = arith.constant -1.000000e+00 : f64
# NC-NEXT:   [[W:%[0-9]+]] = cylon.where [[COND]], [[X]], [[M1]] : i1, !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
# NC-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : [[RT]] -> !cylon.nullable<f64>
# NC-NEXT:   [[NA:%[0-9]+]] = cylon.unary "isna" [[X]] : !cylon.nullable<f64> -> i1
#   astype: numpy/pandas/Python dtypes map to element types.
# NC-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# NC-NEXT:   [[C:%[0-9]+]] = cylon.cast [[K]] : i64 -> f32
# NC-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# NC-NEXT:   [[KS:%[0-9]+]] = cylon.cast [[K]] : i64 -> !cylon.string
# NC-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : [[RT]] -> !cylon.nullable<f64>
# NC-NEXT:   [[R:%[0-9]+]] = cylon.round [[X]] 2 : !cylon.nullable<f64> -> !cylon.nullable<f64>
#   A UDF call names the UDF (by a key unique in the pipeline); null in gives null out.
# NC-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : [[RT]] -> !cylon.nullable<f64>
# NC-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# NC-NEXT:   [[U:%[0-9]+]] = cylon.udf "{{score[_0-9]*}}" [[X]], [[K]] : !cylon.nullable<f64>, i64 -> !cylon.nullable<f64>
# NC-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# NC-NEXT:   [[IK:%[0-9]+]] = cylon.isin [[K]] [1 : i64, 2 : i64] : i64 -> i1
# NC-NEXT:   cylon.yield [[F]], [[W]], [[NA]], [[C]], [[KS]], [[R]], [[U]], [[IK]] : f64, !cylon.nullable<f64>, i1, f32, !cylon.string, !cylon.nullable<f64>, !cylon.nullable<f64>, i1
# NC-NEXT: }
# NC-NEXT: cylon.output "table" [[A]]
