# A fused chain that uses something native kernels do not support (here a string function)
# lowers to no func.func: the `lowered` module lists it, with the reason, in its
# `cylonc.fallback` attribute, and `cylonc explain` shows that it runs on Arrow.
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('s', pa.string(), True)]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:q --input t=%t.parquet --stage lowered --pretty | filecheck %s
# RUN: cylonc explain %s:q --input t=%t.parquet | filecheck %s --check-prefix=EXPLAIN


def q(t):
    return t.assign(n=t.s.str.len() + t.k)


# CHECK:     builtin.module attributes {cylonc.fallback = {fused_0 = "string function str.len"}} {
# CHECK-NOT: func.func

# EXPLAIN: fused fused_0 #0
# EXPLAIN: | assign n=
# EXPLAIN: kernel: arrow fallback for fused_0 (string function str.len)
# EXPLAIN: fused kernels: fused_0 #1 [assign]: arrow fallback (string function str.len)
