# REQUIRES: mlir-opt
# The `optimized` stage (the traced IR after the optimization passes), in generic form, parsed by
# upstream mlir-opt; and the same pipeline's `cylon` stage for comparison. The pipeline reads
# t.x twice and computes f.k * 2 twice: the traced IR has both copies, the optimized one (CSE)
# has one of each. Where the optimizer moves the filter (pushdown) is left to the passes' tests.
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('x', pa.float64(), False), F('s', pa.string()), \
# RUN:   F('unused', pa.float64())]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:q --input t=%t.parquet --stage cylon | %mlir-opt --allow-unregistered-dialect | filecheck %s --check-prefix=CYLON
# RUN: cylonc ir %s:q --input t=%t.parquet --stage optimized | %mlir-opt --allow-unregistered-dialect | filecheck %s --check-prefix=OPT


def q(t):
    f = t[(t.x > 1.5) & (t.x < 9.0)]
    f = f.assign(y=f.k * 2 + f.k * 2)
    g = f.groupby("s", as_index=False).agg(total=("y", "sum"))
    return g.sort_values("total").head(3)


# CYLON:      module {
# CYLON:        "cylon.filter"
# CYLON-COUNT-2:  "cylon.col"(%{{.*}}) <{column = "x"}>
# CYLON:        "cylon.assign"
# CYLON-COUNT-2:  arith.muli
# CYLON-NEXT:     arith.addi
# CYLON:        "cylon.aggregate"
# CYLON:        "cylon.output"

# OPT:      module {
# OPT:        "cylon.col"(%{{.*}}) <{column = "x"}>
# OPT-NOT:    <{column = "x"}>
# OPT:        <{names = ["y"]}>
# OPT:          [[M:%[0-9]+]] = arith.muli
# OPT-NEXT:     [[Y:%[0-9]+]] = arith.addi [[M]], [[M]] : i64
# OPT-NEXT:     "cylon.yield"([[Y]]) : (i64) -> ()
# OPT:        "cylon.aggregate"(%{{.*}}) <{aggs = {{\[\[}}"sum", "y", "total"]], keys = ["s"]}>
# OPT-NEXT:   "cylon.sort"(%{{.*}}) <{ascending = [1], keys = ["total"]}>
# OPT-NEXT:   [[L:%[0-9]+]] = "cylon.limit"(%{{.*}}) <{n = 3 : i64}>
# OPT-NEXT:   "cylon.output"([[L]]) <{kind = "table"}> : (!cylon.table<"s": !cylon.string, "total": i64>) -> ()
# OPT-NEXT: }
