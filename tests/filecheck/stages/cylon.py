# REQUIRES: mlir-opt
# The `cylon` stage (the traced IR) of a pipeline that uses every kind of relational and
# expression op, printed in generic form by `cylonc ir` and parsed by upstream mlir-opt (cylon is
# an unregistered dialect there; arith ops are checked by MLIR's own verifier). The CHECK lines
# read mlir-opt's output: properties in `<{...}>` (sorted), discardable attributes such as `loc`
# in `{...}`, and every cylon type kept as written.
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('name', pa.string(), False), F('x', pa.float64()), \
# RUN:   F('d', pa.date32(), False), F('ts', pa.timestamp('us', tz='UTC'))]).empty_table(), '%t.t.parquet'); \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('v', pa.float64(), False)]).empty_table(), '%t.u.parquet')"
# RUN: cylonc ir %s:q --input t=%t.t.parquet --input u=%t.u.parquet --stage cylon \
# RUN:   | %mlir-opt --allow-unregistered-dialect | filecheck %s

import pandas as pd

import cylonc as cc


@cc.udf("float64")
def bonus(x):
    return x * 1.5


def q(t, u):
    r = t[t.name.str.contains("a", regex=False) & (t.d < pd.Timestamp("2024-03-01")) & t.k.isin([1, 2, 3])]
    r = r.assign(x2=r.x.round(2).fillna(0.0), b=bonus(r.x), m=r.ts.dt.month, w=r.x.where(r.k > 1))
    j = r.merge(u.rename(columns={"v": "val"}), on="k", how="inner")
    g = j.groupby("name", as_index=False).agg(total=("val", "sum"), n=("k", "size"))
    top = cc.concat([g, g]).drop_duplicates().sort_values("total", ascending=False).head(3)
    return {"top": top, "avg": t.x.mean()}


# CHECK:      module {
# CHECK-NEXT:   [[T:%[0-9]+]] = "cylon.input"() <{index = 0 : i64, name = "t", source_types = ["int64", "string", "float64", "date32", "timestamp[us, tz=UTC]"]}>
# CHECK-SAME:     : () -> !cylon.table<"k": i64, "name": !cylon.string, "x": f64?, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?>
# CHECK-NEXT:   [[U:%[0-9]+]] = "cylon.input"() <{index = 1 : i64, name = "u", source_types = ["int64", "float64"]}> : () -> !cylon.table<"k": i64, "v": f64>
#
# CHECK-NEXT:   [[F:%[0-9]+]] = "cylon.filter"([[T]]) ({
# CHECK-NEXT:   ^bb0([[ROW:%arg[0-9]+]]: !cylon.row<"k": i64, "name": !cylon.string, "x": f64?, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?>):
# CHECK:          "cylon.str"(%{{.*}}) <{fn = "contains"}> {case = true, pattern = "a", regex = false} : (!cylon.string) -> i1
# CHECK:          "cylon.const"() <{value = 19783 : i64}> : () -> !cylon.date
# CHECK:          "cylon.cmp"(%{{.*}}, %{{.*}}) <{fn = "lt"}> : (!cylon.date, !cylon.date) -> i1
# CHECK:          "cylon.isin"(%{{.*}}) <{values = [1, 2, 3]}> : (i64) -> i1
# CHECK:          "cylon.yield"(%{{.*}}) : (i1) -> ()
# CHECK-NEXT:   }) {loc = "cylon.py:25"} : (!cylon.table<{{.*}}>) -> !cylon.table<{{.*}}>
#
# CHECK-NEXT:   [[A:%[0-9]+]] = "cylon.assign"([[F]]) <{names = ["x2", "b", "m", "w"]}> ({
# CHECK:          "cylon.round"(%{{.*}}) <{ndigits = 2 : i64}> : (!cylon.nullable<f64>) -> !cylon.nullable<f64>
# CHECK:          "cylon.fillna"(%{{.*}}, %{{.*}}) : (!cylon.nullable<f64>, f64) -> f64
# CHECK:          "cylon.udf"(%{{.*}}) <{callee = "{{bonus[_0-9]*}}"}> : (!cylon.nullable<f64>) -> !cylon.nullable<f64>
# CHECK:          "cylon.dt"(%{{.*}}) <{fn = "month"}> : (!cylon.nullable<!cylon.timestamp<"us", "UTC">>) -> !cylon.nullable<i64>
# CHECK:          "cylon.const"() : () -> !cylon.nullable<f64>
# CHECK-NEXT:     "cylon.where"(%{{.*}}, %{{.*}}, %{{.*}}) : (i1, !cylon.nullable<f64>, !cylon.nullable<f64>) -> !cylon.nullable<f64>
# CHECK-NEXT:     "cylon.yield"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (f64, !cylon.nullable<f64>, !cylon.nullable<i64>, !cylon.nullable<f64>) -> ()
# CHECK-NEXT:   }) {loc = "cylon.py:26"}
# CHECK-SAME:     -> !cylon.table<"k": i64, "name": !cylon.string, "x": f64?, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "x2": f64, "b": f64?, "m": i64?, "w": f64?>
#
# CHECK-NEXT:   [[R:%[0-9]+]] = "cylon.rename"([[U]]) <{new = ["val"], old = ["v"]}> {loc = "cylon.py:27"}
# CHECK-NEXT:   [[J:%[0-9]+]] = "cylon.join"([[A]], [[R]]) <{columns = {{\[\[}}"k", "key", "k", "k"], ["name", "left", "name", ""],
# CHECK-SAME:     ["val", "right", "val", ""]], how = "inner", left_on = ["k"], right_on = ["k"]}> {loc = "cylon.py:27"}
# CHECK-NEXT:   [[G:%[0-9]+]] = "cylon.aggregate"([[J]]) <{aggs = {{\[\[}}"sum", "val", "total"], ["size", "", "n"]], keys = ["name"]}> {loc = "cylon.py:28"}
# CHECK-SAME:     -> !cylon.table<"name": !cylon.string, "total": f64, "n": i64>
# CHECK-NEXT:   [[UN:%[0-9]+]] = "cylon.union"([[G]], [[G]]) {loc = "cylon.py:29"}
# CHECK-NEXT:   [[D:%[0-9]+]] = "cylon.distinct"([[UN]]) {loc = "cylon.py:29"}
# CHECK-NEXT:   [[S:%[0-9]+]] = "cylon.sort"([[D]]) <{ascending = [0], keys = ["total"]}> {loc = "cylon.py:29"}
# CHECK-NEXT:   [[L:%[0-9]+]] = "cylon.limit"([[S]]) <{n = 3 : i64}> {loc = "cylon.py:29"}
# CHECK-NEXT:   [[RED:%[0-9]+]] = "cylon.reduce"([[T]]) <{aggs = {{\[\[}}"mean", "x", "x"]]}> {loc = "cylon.py:30"}
# CHECK-SAME:     -> !cylon.table<"x": f64?>
# CHECK-NEXT:   [[AVG:%[0-9]+]] = "cylon.scalar"([[RED]]) <{column = "x"}> : (!cylon.table<"x": f64?>) -> !cylon.nullable<f64>
# CHECK-NEXT:   "cylon.output"([[L]], [[AVG]]) <{keys = ["top", "avg"], kind = "dict"}>
# CHECK-SAME:     : (!cylon.table<"name": !cylon.string, "total": f64, "n": i64>, !cylon.nullable<f64>) -> ()
# CHECK-NEXT: }
