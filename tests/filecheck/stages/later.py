# REQUIRES: mlir-opt
# The stages after `optimized` that are built also print IR that upstream mlir-opt parses and
# verifies: `fused` (cylon ops, unregistered there), `lowered` (func, scf, arith, memref:
# registered upstream dialects, so MLIR's own verifiers check them) and `llvm`. (`partitioned`
# with one rank is `fused`.) What each stage does is left to its passes' tests; here only that
# mlir-opt accepts the text.
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('x', pa.float64(), False)]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:q --input t=%t.parquet --stage fused | %mlir-opt --allow-unregistered-dialect | filecheck %s --check-prefix=FUSED
# RUN: cylonc ir %s:q --input t=%t.parquet --stage lowered | %mlir-opt --allow-unregistered-dialect | filecheck %s --check-prefix=LOWERED
# RUN: cylonc ir %s:q --input t=%t.parquet --stage llvm | %mlir-opt --allow-unregistered-dialect | filecheck %s --check-prefix=LLVM


def q(t):
    f = t[t.x > 1.5]
    return f.assign(y=f.k * 2).y.sum()


# FUSED:   module {
# FUSED:     "cylon.input"
# FUSED:     "cylon.output"
# LOWERED: module {
# LOWERED:   func.func
# LLVM:    module {
# LLVM:      llvm.func
