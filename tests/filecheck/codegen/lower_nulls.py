# Nulls in the `lowered` stage: a nullable column brings its validity bitmap (memref<?xi8>,
# bit i + offset read with shrui/trunci), a boolean column its value bitmap; `|` is Kleene
# logic over (value, valid) pairs; the chain without a reduce writes a one-byte-per-row
# selection and each computed column's values plus, where it can be null, a validity byte.
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('x', pa.float64(), False), F('b', pa.bool_(), True), F('y', pa.float64(), True), F('s', pa.string(), True)]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:q --input t=%t.parquet --stage lowered --pretty | filecheck %s


def q(t):
    f = t[(t.y > t.x) | t.b]
    return f.assign(z=f.y.fillna(0.5) * 2, w=f.k // 3)[["k", "z", "w", "s"]]


# The arguments, in order of first use: params, y's validity and values, x, b's validity and
# value bitmaps, k, the selection, z and its validity (a float result can be NaN, hence null),
# w and its validity (// by zero is null). The string column s is passed through by the
# runtime, never read.
# CHECK:      func.func @cylonc_fused_0(%[[P:[0-9]+]]: memref<?xi64>, %[[YV:[0-9]+]]: memref<?xi8>, %[[Y:[0-9]+]]: memref<?xf64>, %[[X:[0-9]+]]: memref<?xf64>, %[[BV:[0-9]+]]: memref<?xi8>, %[[B:[0-9]+]]: memref<?xi8>, %[[K:[0-9]+]]: memref<?xi64>, %[[SEL:[0-9]+]]: memref<?xi8>, %[[Z:[0-9]+]]: memref<?xf64>, %[[ZV:[0-9]+]]: memref<?xi8>, %[[W:[0-9]+]]: memref<?xi64>, %[[WV:[0-9]+]]: memref<?xi8>) attributes {llvm.emit_c_interface} {
# CHECK:        scf.for %[[I:[0-9]+]] =
# CHECK:          %[[J:[0-9]+]] = arith.addi %{{[0-9]+}}, %{{[0-9]+}} : i64
# CHECK-NEXT:     %[[BYTE:[0-9]+]] = arith.shrui %[[J]], %{{[0-9]+}} : i64
# CHECK-NEXT:     %[[BI:[0-9]+]] = arith.index_cast %[[BYTE]] : i64 to index
# CHECK-NEXT:     %[[BITS:[0-9]+]] = memref.load %[[YV]][%[[BI]]] : memref<?xi8>
# CHECK-NEXT:     %[[SH:[0-9]+]] = arith.andi %[[J]], %{{[0-9]+}} : i64
# CHECK-NEXT:     %[[SH8:[0-9]+]] = arith.trunci %[[SH]] : i64 to i8
# CHECK-NEXT:     %[[V:[0-9]+]] = arith.shrui %[[BITS]], %[[SH8]] : i8
# CHECK-NEXT:     arith.trunci %[[V]] : i8 to i1
# CHECK:          arith.cmpf ogt
# CHECK:          memref.load %[[BV]]
# CHECK:          memref.load %[[B]]
# CHECK:          arith.ori
# CHECK:          memref.load %[[K]][%[[I]]] : memref<?xi64>
# CHECK:          arith.divsi
# CHECK:          arith.remsi
# CHECK:          memref.store %{{[0-9]+}}, %[[SEL]][%[[I]]] : memref<?xi8>
# CHECK:          memref.store %{{[0-9]+}}, %[[Z]][%[[I]]] : memref<?xf64>
# CHECK:          memref.store %{{[0-9]+}}, %[[ZV]][%[[I]]] : memref<?xi8>
# CHECK:          memref.store %{{[0-9]+}}, %[[W]][%[[I]]] : memref<?xi64>
# CHECK:          memref.store %{{[0-9]+}}, %[[WV]][%[[I]]] : memref<?xi8>
