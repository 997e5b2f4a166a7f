# The frontend's table operators: merge (its columns list, suffixes, key casts, left-join
# nullability), groupby aggregations, concat, rename, drop_duplicates, sort_values, head,
# column selection and drop. Two inputs, both empty Parquet files (only schemas count).
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('x', pa.float64()), F('s', pa.string(), False)]).empty_table(), '%t.a.parquet'); \
# RUN:   pq.write_table(pa.schema([F('k', pa.int32(), False), F('x', pa.float64(), False), F('w', pa.float64(), False)]).empty_table(), '%t.b.parquet')"
# RUN: cylonc ir %s:merge_groupby --input a=%t.a.parquet --input b=%t.b.parquet --pretty | filecheck %s --check-prefix=MG
# RUN: cylonc ir %s:reshape --input a=%t.a.parquet --input b=%t.b.parquet --pretty | filecheck %s --check-prefix=RS

import cylonc as cc


def merge_groupby(a, b):
    j = a.merge(b, on="k", how="left")
    return j.groupby("s", as_index=False).agg(
        total=("w", "sum"), n=("k", "size"), hi=("x_x", "max"), avg=("x_y", "mean"), keys=("k", "nunique")
    )


# MG:      [[A:%[0-9]+]] = cylon.input "a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string>
# MG-NEXT: [[B:%[0-9]+]] = cylon.input "b" {index = 1 : i64, source_types = ["int32", "float64", "float64"]} : !cylon.table<"k": i32, "x": f64, "w": f64>
#
# The keys have different widths: the right one is first cast to i64 by an assign.
# MG-NEXT: [[BK:%[0-9]+]] = cylon.assign [[B]] ["k"] {loc = "relational.py:14"} : !cylon.table<"k": i32, "x": f64, "w": f64> -> !cylon.table<"k": i64, "x": f64, "w": f64> {
# MG-NEXT: ^bb0([[ROW:%[0-9]+]]: !cylon.row<"k": i32, "x": f64, "w": f64>):
# MG-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : !cylon.row<"k": i32, "x": f64, "w": f64> -> i32
# MG-NEXT:   [[KW:%[0-9]+]] = cylon.cast [[K]] : i32 -> i64
# MG-NEXT:   cylon.yield [[KW]] : i64
# MG-NEXT: }
#
# The columns list names each output column's side and source: `on=` gives one merged key, the
# overlapping `x` becomes x_x / x_y, and a left join makes every right column nullable.
# MG-NEXT: [[J:%[0-9]+]] = cylon.join "left" [[A]], [[BK]] on ["k"] = ["k"]
# MG-SAME:   columns {{\[\[}}"k", "key", "k", "k"], ["x_x", "left", "x", ""], ["s", "left", "s", ""], ["x_y", "right", "x", ""], ["w", "right", "w", ""]]
# MG-SAME:   {loc = "relational.py:14"}
# MG-SAME:   : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string>, !cylon.table<"k": i64, "x": f64, "w": f64>
# MG-SAME:   -> !cylon.table<"k": i64, "x_x": f64?, "s": !cylon.string, "x_y": f64?, "w": f64?>
#
# Named aggregations in order after the key: sum of floats is f64 (0 for an all-null group),
# size/nunique are i64, max keeps f64 and may be null, mean is f64?.
# MG-NEXT: [[G:%[0-9]+]] = cylon.aggregate [[J]] by ["s"]
# MG-SAME:   aggs {{\[\[}}"sum", "w", "total"], ["size", "", "n"], ["max", "x_x", "hi"], ["mean", "x_y", "avg"], ["nunique", "k", "keys"]]
# MG-SAME:   {loc = "relational.py:15"}
# MG-SAME:   -> !cylon.table<"s": !cylon.string, "total": f64, "n": i64, "hi": f64?, "avg": f64?, "keys": i64>
# MG-NEXT: cylon.output "table" [[G]] : !cylon.table<"s": !cylon.string, "total": f64, "n": i64, "hi": f64?, "avg": f64?, "keys": i64>
# MG-NEXT: }


def reshape(a, b):
    u = cc.concat([a[["k", "x"]], b[["k", "w"]]])
    u = u.rename(columns={"w": "weight"}).drop_duplicates(subset=["k"])
    u = u.sort_values(["k", "x"], ascending=[True, False]).head(5)
    return u.drop(columns=["x"]).drop_duplicates()


# RS:      [[A:%[0-9]+]] = cylon.input "a"
# RS-NEXT: [[B:%[0-9]+]] = cylon.input "b"
# RS-NEXT: [[PA:%[0-9]+]] = cylon.project [[A]] ["k", "x"] {loc = "relational.py:50"} : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64?>
# RS-NEXT: [[PB:%[0-9]+]] = cylon.project [[B]] ["k", "w"] {loc = "relational.py:50"} : !cylon.table<"k": i32, "x": f64, "w": f64> -> !cylon.table<"k": i32, "w": f64>
#
# concat matches columns by name: k widens to i64; x and w, each missing from one input, are
# nullable in the result.
# RS-NEXT: [[U:%[0-9]+]] = cylon.union [[PA]], [[PB]] {loc = "relational.py:50"} : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i32, "w": f64> -> !cylon.table<"k": i64, "x": f64?, "w": f64?>
# RS-NEXT: [[R:%[0-9]+]] = cylon.rename [[U]] ["w"] to ["weight"] {loc = "relational.py:51"} : !cylon.table<"k": i64, "x": f64?, "w": f64?> -> !cylon.table<"k": i64, "x": f64?, "weight": f64?>
# RS-NEXT: [[D:%[0-9]+]] = cylon.distinct [[R]] {loc = "relational.py:51", subset = ["k"]} : [[T3:!cylon.table<"k": i64, "x": f64\?, "weight": f64\?>]] -> [[T3]]
# RS-NEXT: [[S:%[0-9]+]] = cylon.sort [[D]] by ["k", "x"] ascending [1 : i64, 0 : i64] {loc = "relational.py:52"} : [[T3]] -> [[T3]]
# RS-NEXT: [[L:%[0-9]+]] = cylon.limit [[S]] 5 {loc = "relational.py:52"} : [[T3]] -> [[T3]]
#
# drop(columns=...) keeps the other columns with a project; drop_duplicates() has no subset.
# RS-NEXT: [[P:%[0-9]+]] = cylon.project [[L]] ["k", "weight"] {loc = "relational.py:53"} : [[T3]] -> !cylon.table<"k": i64, "weight": f64?>
# RS-NEXT: [[DA:%[0-9]+]] = cylon.distinct [[P]] {loc = "relational.py:53"} : !cylon.table<"k": i64, "weight": f64?> -> !cylon.table<"k": i64, "weight": f64?>
# RS-NEXT: cylon.output "table" [[DA]] : !cylon.table<"k": i64, "weight": f64?>
