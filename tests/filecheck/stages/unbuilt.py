# Asking for a stage that is not built yet, or for an unknown one, fails with a non-zero exit
# status, one clear line on stderr (no traceback) and nothing on stdout (no partial IR).
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; \
# RUN:   pq.write_table(pa.schema([pa.field('x', pa.float64())]).empty_table(), '%t.parquet')"
# RUN: not cylonc ir %s:q --input t=%t.parquet --stage placed > %t.placed.out 2> %t.placed.err
# RUN: filecheck %s --check-prefix=PLACED --input-file %t.placed.err
# RUN: python -c "import sys; sys.exit(len(open(sys.argv[1]).read()) > 0)" %t.placed.out
# RUN: not cylonc ir %s:q --input t=%t.parquet --stage fusion > %t.unknown.out 2> %t.unknown.err
# RUN: filecheck %s --check-prefix=UNKNOWN --input-file %t.unknown.err
# RUN: python -c "import sys; sys.exit(len(open(sys.argv[1]).read()) > 0)" %t.unknown.out

# PLACED:      {{^}}cylonc: error: stage 'placed' is not built yet: it needs device placement (the GPU issue)
# PLACED-NOT:  {{.}}

# UNKNOWN:     {{^}}cylonc: error: unknown stage 'fusion' (stages, in order: cylon, optimized, fused, placed, partitioned, lowered, llvm, tasks)
# UNKNOWN-NOT: {{.}}


def q(t):
    return t[t.x > 0]
