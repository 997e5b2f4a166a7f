# The `placed` stage of TPC-H Q1 and Q6 at scale factors 0.1 and 10 from schema-only Parquet
# files: no data is generated; each file's footer declares the rows it stands for
# (`cylonc.rows`, the TPC-H lineitem cardinality), which cylonc records as `cylon.rows`.
# Without a GPU (CUDA_VISIBLE_DEVICES is emptied for the RUN lines) every operator is on the
# CPU, and the cost model's own choice is recorded with "no GPU" as the reason. (The decisions
# on a machine with a GPU are checked in passes/cylon-place.mlir.)
# RUN: env CYLONC_GPU_EMULATE=0 CUDA_VISIBLE_DEVICES= python %s %t
# RUN: env CYLONC_GPU_EMULATE=0 CUDA_VISIBLE_DEVICES= cylonc ir %s:q6 --input lineitem=%t.sf0.1.parquet --stage placed --pretty | filecheck %s --check-prefix=Q6-SF01
# RUN: env CYLONC_GPU_EMULATE=0 CUDA_VISIBLE_DEVICES= cylonc ir %s:q6 --input lineitem=%t.sf10.parquet --stage placed --pretty | filecheck %s --check-prefix=Q6-SF10
# RUN: env CYLONC_GPU_EMULATE=0 CUDA_VISIBLE_DEVICES= cylonc ir %s:q1 --input lineitem=%t.sf0.1.parquet --stage placed --pretty | filecheck %s --check-prefix=Q1-SF01
# RUN: env CYLONC_GPU_EMULATE=0 CUDA_VISIBLE_DEVICES= cylonc ir %s:q1 --input lineitem=%t.sf10.parquet --stage placed --pretty | filecheck %s --check-prefix=Q1-SF10
# RUN: env CYLONC_GPU_EMULATE=0 CUDA_VISIBLE_DEVICES= not cylonc ir %s:q1 --input lineitem=%t.sf10.parquet --stage placed --device gpu 2>&1 | filecheck %s --check-prefix=NOGPU

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples"))
from tpch.queries import q1, q6  # noqa: E402,F401

ROWS = {"sf0.1": 600572, "sf10": 59986052}


def lineitem_schema():
    import pyarrow as pa

    F, dec = pa.field, pa.decimal128(15, 2)
    return pa.schema([
        F("l_orderkey", pa.int64(), False), F("l_partkey", pa.int64(), False), F("l_suppkey", pa.int64(), False),
        F("l_linenumber", pa.int32(), False), F("l_quantity", dec, False), F("l_extendedprice", dec, False),
        F("l_discount", dec, False), F("l_tax", dec, False), F("l_returnflag", pa.string(), False),
        F("l_linestatus", pa.string(), False), F("l_shipdate", pa.date32(), False),
        F("l_commitdate", pa.date32(), False), F("l_receiptdate", pa.date32(), False),
        F("l_shipinstruct", pa.string(), False), F("l_shipmode", pa.string(), False),
        F("l_comment", pa.string(), False),
    ])


if __name__ == "__main__":
    import pyarrow.parquet as pq

    for sf, rows in ROWS.items():
        schema = lineitem_schema().with_metadata({"cylonc.rows": str(rows)})
        pq.write_table(schema.empty_table(), f"{sys.argv[1]}.{sf}.parquet")


# Q6-SF01:      cylon.input "lineitem" {{.*}}cylon.rows = 600572 : i64, cylon.device = "cpu", cylon.placement = {rows = 2471 : i64, rows_in = 600572 : i64, {{.*}}reason = "reads on the host"
# Q6-SF01-NOT:  cylon.to_device
# Q6-SF01:      cylon.fused "fused_0" {{.*}}cylon.device = "cpu", cylon.placement = {rows = 1 : i64, rows_in = 2471 : i64, {{.*}}model = "cpu", reason = "no GPU"

# Q6-SF10:      cylon.input "lineitem" {{.*}}cylon.rows = 59986052 : i64, cylon.device = "cpu", cylon.placement = {rows = 246856 : i64, rows_in = 59986052 : i64,
# Q6-SF10-NOT:  cylon.to_device
# Q6-SF10:      cylon.fused "fused_0" {{.*}}cylon.device = "cpu", cylon.placement = {rows = 1 : i64, rows_in = 246856 : i64, {{.*}}model = "gpu", reason = "no GPU"
# Q6-SF10-NOT:  cylon.to_host

# The arithmetic and the group-by (fused or not) would run on a GPU at both scales; the sort
# of the groups only at SF 10, where there are estimated to be enough of them.
# Q1-SF01-NOT:  cylon.to_device
# Q1-SF01:      cylon.fused "fused_0" {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}rows_in = 200191 : i64, {{.*}}model = "gpu", reason = "no GPU"
# Q1-SF01:      cylon.sort {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "cpu", reason = "no GPU"
# Q1-SF10-NOT:  cylon.to_device
# Q1-SF10:      cylon.fused "fused_0" {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}rows_in = 19995351 : i64, {{.*}}model = "gpu", reason = "no GPU"
# Q1-SF10:      cylon.sort {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "gpu", reason = "no GPU"

# NOGPU:        cylonc: error: device="gpu" but no usable GPU: {{.*}}; use device="cpu" or "auto"
