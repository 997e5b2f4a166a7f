# The `lowered` stage of a filter + assign + sum chain: one func.func with a C interface whose
# arguments are memrefs over Arrow buffers (params, the two columns read, the accumulators),
# one scf.for over the rows carrying the selected-row count and the running sum (reassociable,
# so LLVM vectorizes it), and the results stored back. Non-null columns have no validity.
# REQUIRES: mlir-opt
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('x', pa.float64(), False), F('s', pa.string(), True)]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:q --input t=%t.parquet --stage lowered --pretty | filecheck %s
# RUN: cylonc ir %s:q --input t=%t.parquet --stage lowered | %mlir-opt | filecheck %s --check-prefix=UPSTREAM
# RUN: cylonc ir %s:q --input t=%t.parquet --stage llvm | %mlir-opt | filecheck %s --check-prefix=LLVM


def q(t):
    f = t[t.x * 2 > t.k]
    return (f.x * f.k).sum()


# CHECK:      func.func @cylonc_fused_0(%[[P:[0-9]+]]: memref<?xi64>, %[[X:[0-9]+]]: memref<?xf64>, %[[K:[0-9]+]]: memref<?xi64>, %[[ACC:[0-9]+]]: memref<?xi64>) attributes {llvm.emit_c_interface} {
# CHECK:        %[[N:[0-9]+]] = memref.load %[[P]][%{{[0-9]+}}] : memref<?xi64>
# CHECK:        %[[NI:[0-9]+]] = arith.index_cast %[[N]] : i64 to index
# CHECK:        %[[A0:[0-9]+]] = memref.load %[[ACC]][%{{[0-9]+}}] : memref<?xi64>
# CHECK-NEXT:   %[[S0:[0-9]+]] = arith.bitcast %[[A0]] : i64 to f64
# CHECK-NEXT:   %[[CNT:[0-9]+]], %[[SUM:[0-9]+]] = scf.for %[[I:[0-9]+]] = %{{[0-9]+}} to %[[NI]] step %{{[0-9]+}} iter_args(%{{[0-9]+}} = %{{[0-9]+}}, %[[S:[0-9]+]] = %[[S0]]) -> (i64, f64) {
# CHECK:          memref.load %[[X]][%[[I]]] : memref<?xf64>
# CHECK:          memref.load %[[K]][%[[I]]] : memref<?xi64>
# CHECK:          arith.sitofp
# CHECK:          arith.cmpf ogt
# CHECK:          arith.mulf
# CHECK:          %[[T:[0-9]+]] = arith.select %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}} : f64
# CHECK-NEXT:     %[[S1:[0-9]+]] = arith.addf %[[S]], %[[T]] fastmath<reassoc> : f64
# CHECK-NEXT:     scf.yield %{{[0-9]+}}, %[[S1]] : i64, f64
# CHECK-NEXT:   }
# CHECK-NEXT:   memref.store %[[CNT]], %[[P]][%{{[0-9]+}}] : memref<?xi64>
# CHECK-NEXT:   %[[R:[0-9]+]] = arith.bitcast %[[SUM]] : f64 to i64
# CHECK-NEXT:   memref.store %[[R]], %[[ACC]][%{{[0-9]+}}] : memref<?xi64>
# CHECK-NEXT:   func.return

# UPSTREAM: func.func @cylonc_fused_0(%{{.*}}: memref<?xi64>, %{{.*}}: memref<?xf64>, %{{.*}}: memref<?xi64>, %{{.*}}: memref<?xi64>) attributes {llvm.emit_c_interface}
# UPSTREAM: scf.for

# LLVM: llvm.func @cylonc_fused_0(
# LLVM: llvm.func @_mlir_ciface_cylonc_fused_0(
