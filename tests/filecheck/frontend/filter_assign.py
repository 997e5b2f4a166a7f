# The frontend's filters and assignments: upstream arith ops where every operand is a non-null
# number, cylon ops (binop/cmp/unary) as soon as one may be null or the operation may give
# null; a reduction used inside a filter region as a pipeline scalar; dict outputs.
#
# The input is an empty Parquet file: only its schema (and so each column's nullability) counts.
# RUN: python -c "import pyarrow as pa, pyarrow.parquet as pq; F = pa.field; \
# RUN:   pq.write_table(pa.schema([F('k', pa.int64(), False), F('q', pa.int32(), False), \
# RUN:   F('x', pa.float64()), F('y', pa.float64(), False), F('b', pa.bool_(), False)]).empty_table(), '%t.parquet')"
# RUN: cylonc ir %s:filter_assign --input t=%t.parquet --pretty | filecheck %s --check-prefix=FA
# RUN: cylonc ir %s:scalars --input t=%t.parquet --pretty | filecheck %s --check-prefix=SC


def filter_assign(t):
    hi = t[(t.k > 2) & t.b & (t.x <= 30.0) & ~(t.q == 7)]
    return hi.assign(
        k2=hi.k * 2 + hi.q,
        half=hi.k / 2,
        x1=hi.x + 1,
        neg=-hi.x,
        ny=-hi.y,
        ay=abs(hi.y),
        m=hi.k % 3,
    )


# FA:      [[T:%[0-9]+]] = cylon.input "t" {index = 0 : i64, source_types = ["int64", "int32", "float64", "float64", "bool"]} : !cylon.table<"k": i64, "q": i32, "x": f64?, "y": f64, "b": i1>
# FA-NEXT: [[F:%[0-9]+]] = cylon.filter [[T]] {loc = "filter_assign.py:14"} : !cylon.table<"k": i64, "q": i32, "x": f64?, "y": f64, "b": i1> -> !cylon.table<"k": i64, "q": i32, "x": f64?, "y": f64, "b": i1> {
# FA-NEXT: ^bb0([[ROW:%[0-9]+]]: [[RT:!cylon.row<"k": i64, "q": i32, "x": f64\?, "y": f64, "b": i1>]]):
#   t.k > 2 and t.b are non-null: arith.cmpi and arith.andi.
# FA-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# FA-NEXT:   [[C2:%[0-9]+]] = arith.constant 2 : i64
# FA-NEXT:   [[GT:%[0-9]+]] = arith.cmpi sgt, [[K]], [[C2]] : i64
# FA-NEXT:   [[B:%[0-9]+]] = cylon.col [[ROW]] "b" : [[RT]] -> i1
# FA-NEXT:   [[AND1:%[0-9]+]] = arith.andi [[GT]], [[B]] : i1
#   t.x may be null: the comparison and every `&` after it are cylon ops with nullable results.
# FA-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : [[RT]] -> !cylon.nullable<f64>
# FA-NEXT:   [[C30:%[0-9]+]] = arith.constant 3.000000e+01 : f64
# FA-NEXT:   [[LE:%[0-9]+]] = cylon.cmp "le" [[X]], [[C30]] : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
# FA-NEXT:   [[AND2:%[0-9]+]] = cylon.binop "and" [[AND1]], [[LE]] : i1, !cylon.nullable<i1> -> !cylon.nullable<i1>
#   ~(t.q == 7) on a non-null i32: arith.cmpi eq, then xor with true.
# FA-NEXT:   [[Q:%[0-9]+]] = cylon.col [[ROW]] "q" : [[RT]] -> i32
# FA-NEXT:   [[C7:%[0-9]+]] = arith.constant 7 : i32
# FA-NEXT:   [[EQ:%[0-9]+]] = arith.cmpi eq, [[Q]], [[C7]] : i32
# FA-NEXT:   [[TRUE:%[0-9]+]] = arith.constant true
# FA-NEXT:   [[NOT:%[0-9]+]] = arith.xori [[EQ]], [[TRUE]] : i1
# FA-NEXT:   [[P:%[0-9]+]] = cylon.binop "and" [[AND2]], [[NOT]] : !cylon.nullable<i1>, i1 -> !cylon.nullable<i1>
# FA-NEXT:   cylon.yield [[P]] : !cylon.nullable<i1>
# FA-NEXT: }
#
# The assignment appends the new columns, each nullable exactly when its value may be null.
# FA-NEXT: [[A:%[0-9]+]] = cylon.assign [[F]] ["k2", "half", "x1", "neg", "ny", "ay", "m"] {loc = "filter_assign.py:15"} : !cylon.table<"k": i64, "q": i32, "x": f64?, "y": f64, "b": i1> -> !cylon.table<"k": i64, "q": i32, "x": f64?, "y": f64, "b": i1, "k2": i64, "half": f64?, "x1": f64?, "neg": f64?, "ny": f64, "ay": f64, "m": i64?> {
# FA-NEXT: ^bb0([[ROW:%[0-9]+]]: [[RT]]):
#   k * 2 + q: non-null integers, q promoted to i64 (cylon.cast), arith.muli / arith.addi.
# FA-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# FA-NEXT:   [[C2:%[0-9]+]] = arith.constant 2 : i64
# FA-NEXT:   [[MUL:%[0-9]+]] = arith.muli [[K]], [[C2]] : i64
# FA-NEXT:   [[Q:%[0-9]+]] = cylon.col [[ROW]] "q" : [[RT]] -> i32
# FA-NEXT:   [[QW:%[0-9]+]] = cylon.cast [[Q]] : i32 -> i64
# FA-NEXT:   [[K2:%[0-9]+]] = arith.addi [[MUL]], [[QW]] : i64
#   k / 2: true division of non-null ints is a float cylon.binop that may give null (x / 0).
# FA-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# FA-NEXT:   [[KF:%[0-9]+]] = cylon.cast [[K]] : i64 -> f64
# FA-NEXT:   [[C2F:%[0-9]+]] = arith.constant 2.000000e+00 : f64
# FA-NEXT:   [[HALF:%[0-9]+]] = cylon.binop "div" [[KF]], [[C2F]] : f64, f64 -> !cylon.nullable<f64>
#   x + 1 with a nullable x: cylon.binop, not arith.addf.
# FA-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : [[RT]] -> !cylon.nullable<f64>
# FA-NEXT:   [[C1:%[0-9]+]] = arith.constant 1.000000e+00 : f64
# FA-NEXT:   [[X1:%[0-9]+]] = cylon.binop "add" [[X]], [[C1]] : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
#   -x (nullable): cylon.unary; -y and abs(y) (non-null floats): arith.negf, math.absf.
# FA-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : [[RT]] -> !cylon.nullable<f64>
# FA-NEXT:   [[NEG:%[0-9]+]] = cylon.unary "neg" [[X]] : !cylon.nullable<f64> -> !cylon.nullable<f64>
# FA-NEXT:   [[Y:%[0-9]+]] = cylon.col [[ROW]] "y" : [[RT]] -> f64
# FA-NEXT:   [[NY:%[0-9]+]] = arith.negf [[Y]] : f64
# FA-NEXT:   [[Y:%[0-9]+]] = cylon.col [[ROW]] "y" : [[RT]] -> f64
# FA-NEXT:   [[AY:%[0-9]+]] = math.absf [[Y]] : f64
#   k % 3: modulo may give null (by zero), so a cylon.binop even on non-null ints.
# FA-NEXT:   [[K:%[0-9]+]] = cylon.col [[ROW]] "k" : [[RT]] -> i64
# FA-NEXT:   [[C3:%[0-9]+]] = arith.constant 3 : i64
# FA-NEXT:   [[M:%[0-9]+]] = cylon.binop "mod" [[K]], [[C3]] : i64, i64 -> !cylon.nullable<i64>
# FA-NEXT:   cylon.yield [[K2]], [[HALF]], [[X1]], [[NEG]], [[NY]], [[AY]], [[M]] : i64, !cylon.nullable<f64>, !cylon.nullable<f64>, !cylon.nullable<f64>, f64, f64, !cylon.nullable<i64>
# FA-NEXT: }
# FA-NEXT: cylon.output "table" [[A]] : !cylon.table<"k": i64, "q": i32, "x": f64?, "y": f64, "b": i1, "k2": i64, "half": f64?, "x1": f64?, "neg": f64?, "ny": f64, "ay": f64, "m": i64?>
# FA-NEXT: }


def scalars(t):
    above = t[t.x > t.x.mean()][["k", "x"]]
    return {"above": above, "twice": t.k.sum() * 2, "n": t.x.count()}


# A reduction is a one-row cylon.reduce whose cylon.scalar is used, as an SSA value defined
# outside it, inside the filter's region.
# SC:      [[T:%[0-9]+]] = cylon.input "t"
# SC-NEXT: [[R:%[0-9]+]] = cylon.reduce [[T]] aggs {{\[\[}}"mean", "x", "x"]] {loc = "filter_assign.py:87"} : !cylon.table<"k": i64, "q": i32, "x": f64?, "y": f64, "b": i1> -> !cylon.table<"x": f64?>
# SC-NEXT: [[MEAN:%[0-9]+]] = cylon.scalar [[R]] "x" : !cylon.table<"x": f64?> -> !cylon.nullable<f64>
# SC-NEXT: [[F:%[0-9]+]] = cylon.filter [[T]] {loc = "filter_assign.py:87"}
# SC-NEXT: ^bb0([[ROW:%[0-9]+]]: !cylon.row<{{.*}}>):
# SC-NEXT:   [[X:%[0-9]+]] = cylon.col [[ROW]] "x" : !cylon.row<{{.*}}> -> !cylon.nullable<f64>
# SC-NEXT:   [[GT:%[0-9]+]] = cylon.cmp "gt" [[X]], [[MEAN]] : !cylon.nullable<f64>, !cylon.nullable<f64> -> !cylon.nullable<i1>
# SC-NEXT:   cylon.yield [[GT]] : !cylon.nullable<i1>
# SC-NEXT: }
# SC-NEXT: [[P:%[0-9]+]] = cylon.project [[F]] ["k", "x"] {loc = "filter_assign.py:87"} : !cylon.table<"k": i64, "q": i32, "x": f64?, "y": f64, "b": i1> -> !cylon.table<"k": i64, "x": f64?>
#
# Scalar arithmetic is emitted at module level: a sum of non-null ints is a non-null i64, so
# `* 2` is an arith.muli; count() is never null either.
# SC-NEXT: [[RS:%[0-9]+]] = cylon.reduce [[T]] aggs {{\[\[}}"sum", "k", "k"]] {loc = "filter_assign.py:88"} : {{.*}} -> !cylon.table<"k": i64>
# SC-NEXT: [[SUM:%[0-9]+]] = cylon.scalar [[RS]] "k" : !cylon.table<"k": i64> -> i64
# SC-NEXT: [[RC:%[0-9]+]] = cylon.reduce [[T]] aggs {{\[\[}}"count", "x", "x"]] {loc = "filter_assign.py:88"} : {{.*}} -> !cylon.table<"x": i64>
# SC-NEXT: [[CNT:%[0-9]+]] = cylon.scalar [[RC]] "x" : !cylon.table<"x": i64> -> i64
# SC-NEXT: [[C2:%[0-9]+]] = arith.constant 2 : i64
# SC-NEXT: [[TWICE:%[0-9]+]] = arith.muli [[SUM]], [[C2]] : i64
# SC-NEXT: cylon.output "dict" [[P]], [[TWICE]], [[CNT]] {keys = ["above", "twice", "n"]} : !cylon.table<"k": i64, "x": f64?>, i64, i64
