# A group-by at the end of a chain: the runtime hands the kernel dense group codes (hashed by
# Arrow, -1 for a null key) and a table of per-group accumulators; the kernel updates the kept
# rows' group in place under an scf.if: slot 0 counts the group's rows, then each aggregate's
# slots (here sum, and mean as sum + count), float ones as f64 bits.
# REQUIRES: mlir-opt
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('g', pa.string(), False), F('x', pa.float64(), False), F('k', pa.int64(), False)]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:q --input t=%t.parquet --stage lowered --pretty | filecheck %s
# RUN: cylonc ir %s:q --input t=%t.parquet --stage llvm | %mlir-opt | filecheck %s --check-prefix=LLVM


def q(t):
    u = t.assign(y=t.x * t.k)
    return u.groupby("g", as_index=False).agg(s=("y", "sum"), m=("k", "mean"))


# CHECK:      func.func @cylonc_fused_0{{(_nonull)?}}(%[[P:[0-9]+]]: memref<?xi64>, %[[X:[0-9]+]]: memref<?xf64>, %[[K:[0-9]+]]: memref<?xi64>, %[[CODES:[0-9]+]]: memref<?xi64>, %[[ACC:[0-9]+]]: memref<?xi64>) attributes {llvm.emit_c_interface} {
# CHECK:        scf.for %[[I:[0-9]+]] =
# CHECK:          %[[C:[0-9]+]] = memref.load %[[CODES]][%[[I]]] : memref<?xi64>
# CHECK-NEXT:     %[[HAS:[0-9]+]] = arith.cmpi sge, %[[C]], %{{[0-9]+}} : i64
# CHECK-NEXT:     scf.if %[[HAS]] {
# CHECK-NEXT:       %[[BASE:[0-9]+]] = arith.muli %[[C]], %{{[0-9]+}} : i64
# CHECK:            %[[ROWS:[0-9]+]] = memref.load %[[ACC]][%{{[0-9]+}}] : memref<?xi64>
# CHECK:            arith.addf %{{[0-9]+}}, %{{[0-9]+}} fastmath<reassoc> : f64
# CHECK:            memref.store %{{[0-9]+}}, %[[ACC]][%{{[0-9]+}}] : memref<?xi64>
# CHECK:          }
# CHECK-NEXT:     scf.yield

# LLVM: llvm.func @_mlir_ciface_cylonc_fused_0
