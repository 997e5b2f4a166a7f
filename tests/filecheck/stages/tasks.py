# The `tasks` stage: the pipeline as a one-task graph in the `task` dialect (one source per
# table argument, one task sized by --ranks, one sink per output item). Its generic form is
# what upstream mlir-opt parses; the readable form round-trips through `cylonc opt`.
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64()), F('x', pa.float64())]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:q --input t=%t.parquet --stage tasks --pretty | filecheck %s --check-prefix=ONE
# RUN: cylonc ir %s:q --input t=%t.parquet --stage tasks --ranks 2 --pretty | filecheck %s --check-prefix=TWO
# RUN: cylonc ir %s:q --input t=%t.parquet --stage tasks --pretty > %t.mlir
# RUN: cylonc opt %t.mlir -p canonicalize | filecheck %s --check-prefix=ONE
# RUN: cylonc ir %s:q --input t=%t.parquet --stage tasks | %if mlir-opt %{ %mlir-opt --allow-unregistered-dialect | %} filecheck %s --check-prefix=GENERIC


def q(t):
    f = t[t.x > 1.5]
    return {"total": f.x.sum(), "rows": f}


# ONE:      task.graph "q" {
# ONE-NEXT:   %0 = task.source "t" : !task.table
# ONE-NEXT:   %1, %2 = task.task "q" "q"(%0) {inputs = ["t"], outputs = ["total", "rows"], ranks = 1 : i64, cores_per_rank = 1 : i64, gpus_per_rank = 0 : i64, mode = "function", pilot = "default", loc = "{{.*}}tasks.py:{{[0-9]+}}"} : (!task.table) -> (!task.value, !task.table)
# ONE-NEXT:   task.sink %1 "q.total" : !task.value
# ONE-NEXT:   task.sink %2 "q.rows" : !task.table
# ONE-NEXT: }

# TWO:      task.task "q" "q"(%0) {{{.*}}ranks = 2 : i64, cores_per_rank = 1 : i64, gpus_per_rank = 0 : i64, mode = "executable"

# GENERIC:  "task.graph"() <{name = "q"}> ({
# GENERIC:    "task.task"(%0) <{{{.*}}sym_name = "q"
