# Asking for an unknown stage fails with a non-zero exit status, one clear line on stderr (no
# traceback) and nothing on stdout (no partial IR). (Every stage of API.md is built now; an
# unbuilt one failed the same way, naming the issue that builds it.)
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; \
# RUN:   pq.write_table(pa.schema([pa.field('x', pa.float64())]).empty_table(), '%t.parquet')"
# RUN: not cylonc ir %s:q --input t=%t.parquet --stage fusion > %t.unknown.out 2> %t.unknown.err
# RUN: filecheck %s --check-prefix=UNKNOWN --input-file %t.unknown.err
# RUN: python -c "import sys; sys.exit(len(open(sys.argv[1]).read()) > 0)" %t.unknown.out

# UNKNOWN:     {{^}}cylonc: error: unknown stage 'fusion' (stages, in order: cylon, optimized, fused, placed, partitioned, lowered, llvm, tasks)
# UNKNOWN-NOT: {{.}}


def q(t):
    return t[t.x > 0]
