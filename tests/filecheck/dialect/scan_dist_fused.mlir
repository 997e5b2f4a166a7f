// RUN: xdsl-opt %s | xdsl-opt | filecheck %s
// RUN: XDSL_ROUNDTRIP
// RUN: XDSL_GENERIC_ROUNDTRIP

// Round trip of the ops and attribute added for scan pushdown (cylon.input/cylon.read with
// `columns`, `source` and a predicate region), distribution (#cylon.dist and the communication
// and two-phase aggregation ops) and fusion (cylon.fused), as relational.mlir does for the rest.
%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64?>
// CHECK: builtin.module {
// CHECK-NEXT: [[T:%[a-z0-9_]+]] = "test.op"() : () -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC: "builtin.module"() ({
// CHECK-GENERIC-NEXT: [[T:%[a-z0-9_]+]] = "test.op"() : () -> !cylon.table<"k": i64, "x": f64?>

// A scan that reads only `columns` of its `source`, keeping the rows its predicate (over a
// row of the whole source) accepts.
%i = cylon.input "reads" columns ["k"] {index = 0 : i64, source = !cylon.table<"k": i64, "x": f64?>, source_types = ["int64", "double"]} : !cylon.table<"k": i64> {
^bb0(%row : !cylon.row<"k": i64, "x": f64?>):
  %q = cylon.col %row "x" : !cylon.row<"k": i64, "x": f64?> -> !cylon.nullable<f64>
  %c = arith.constant 3.000000e+01 : f64
  %p = cylon.cmp "gt" %q, %c : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
  cylon.yield %p : !cylon.nullable<i1>
}
// CHECK-NEXT: [[I:%[a-z0-9_]+]] = cylon.input "reads" columns ["k"] {index = 0 : i64, source = !cylon.table<"k": i64, "x": f64?>, source_types = ["int64", "double"]} : !cylon.table<"k": i64> {
// CHECK-NEXT: ^bb0([[ROW:%[a-z0-9_]+]]: !cylon.row<"k": i64, "x": f64?>):
// CHECK-NEXT: [[Q:%[a-z0-9_]+]] = cylon.col [[ROW]] "x" : !cylon.row<"k": i64, "x": f64?> -> !cylon.nullable<f64>
// CHECK-NEXT: [[C:%[a-z0-9_]+]] = arith.constant 3.000000e+01 : f64
// CHECK-NEXT: [[P:%[a-z0-9_]+]] = cylon.cmp "gt" [[Q]], [[C]] : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
// CHECK-NEXT: cylon.yield [[P]] : !cylon.nullable<i1>
// CHECK-NEXT: }
// CHECK-GENERIC-NEXT: [[I:%[a-z0-9_]+]] = "cylon.input"() <{name = "reads", columns = ["k"], index = 0 : i64, source = !cylon.table<"k": i64, "x": f64?>, source_types = ["int64", "double"]}> ({
// CHECK-GENERIC-NEXT: ^bb0([[ROW:%[a-z0-9_]+]]: !cylon.row<"k": i64, "x": f64?>):
// CHECK-GENERIC-NEXT: [[Q:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "x"}> : (!cylon.row<"k": i64, "x": f64?>) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[C:%[a-z0-9_]+]] = "arith.constant"() <{value = 3.000000e+01 : f64}> : () -> f64
// CHECK-GENERIC-NEXT: [[P:%[a-z0-9_]+]] = "cylon.cmp"([[Q]], [[C]]) <{fn = "gt"}> : (!cylon.nullable<f64>, f64) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: "cylon.yield"([[P]]) : (!cylon.nullable<i1>) -> ()
// CHECK-GENERIC-NEXT: }) : () -> !cylon.table<"k": i64>
%r = cylon.read "parquet" "/d.parquet" columns ["x"] {source = !cylon.table<"k": i64, "x": f64?>, source_types = ["int64", "double"]} : !cylon.table<"x": f64?>
// CHECK-NEXT: [[R:%[a-z0-9_]+]] = cylon.read "parquet" "/d.parquet" columns ["x"] {source = !cylon.table<"k": i64, "x": f64?>, source_types = ["int64", "double"]} : !cylon.table<"x": f64?>
// CHECK-GENERIC-NEXT: [[R:%[a-z0-9_]+]] = "cylon.read"() <{format = "parquet", path = "/d.parquet", columns = ["x"], source = !cylon.table<"k": i64, "x": f64?>, source_types = ["int64", "double"]}> : () -> !cylon.table<"x": f64?>

// Communication ops, with the #cylon.dist attribute the partitioner sets.
%s = cylon.shuffle %t by ["k"] {cylon.dist = #cylon.dist<hash ["k"]>} : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[S:%[a-z0-9_]+]] = cylon.shuffle [[T]] by ["k"] {cylon.dist = #cylon.dist<hash ["k"]>} : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[S:%[a-z0-9_]+]] = "cylon.shuffle"([[T]]) <{keys = ["k"]}> {cylon.dist = #cylon.dist<hash ["k"]>} : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64, "x": f64?>
%ag = cylon.allgather %t {cylon.dist = #cylon.dist<replicated>} : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[AG:%[a-z0-9_]+]] = cylon.allgather [[T]] {cylon.dist = #cylon.dist<replicated>} : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[AG:%[a-z0-9_]+]] = "cylon.allgather"([[T]]) {cylon.dist = #cylon.dist<replicated>} : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64, "x": f64?>
%ga = cylon.gather %t : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[GA:%[a-z0-9_]+]] = cylon.gather [[T]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[GA:%[a-z0-9_]+]] = "cylon.gather"([[T]]) : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64, "x": f64?>
%bc = cylon.broadcast %t : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[BC:%[a-z0-9_]+]] = cylon.broadcast [[T]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[BC:%[a-z0-9_]+]] = "cylon.broadcast"([[T]]) : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64, "x": f64?>
%sc = cylon.scatter %t : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[SC:%[a-z0-9_]+]] = cylon.scatter [[T]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[SC:%[a-z0-9_]+]] = "cylon.scatter"([[T]]) : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64, "x": f64?>
%sp = cylon.splitters %t by ["k"] ascending [1] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64>
// CHECK-NEXT: [[SP:%[a-z0-9_]+]] = cylon.splitters [[T]] by ["k"] ascending [1 : i64] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64>
// CHECK-GENERIC-NEXT: [[SP:%[a-z0-9_]+]] = "cylon.splitters"([[T]]) <{keys = ["k"], ascending = [1 : i64]}> : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64>
%rs = cylon.range_shuffle %t, %sp by ["k"] ascending [1] {cylon.dist = #cylon.dist<range ["k"]>} : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[RS:%[a-z0-9_]+]] = cylon.range_shuffle [[T]], [[SP]] by ["k"] ascending [1 : i64] {cylon.dist = #cylon.dist<range ["k"]>} : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[RS:%[a-z0-9_]+]] = "cylon.range_shuffle"([[T]], [[SP]]) <{keys = ["k"], ascending = [1 : i64]}> {cylon.dist = #cylon.dist<range ["k"]>} : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64>) -> !cylon.table<"k": i64, "x": f64?>

// Two-phase aggregation: partial states named <aggregate>.<state>, then the final combine.
%pa = cylon.partial_aggregate %t by ["k"] aggs [["mean", "x", "m"]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "m.sum": f64, "m.count": i64>
// CHECK-NEXT: [[PA:%[a-z0-9_]+]] = cylon.partial_aggregate [[T]] by ["k"] aggs {{\[\[}}"mean", "x", "m"]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "m.sum": f64, "m.count": i64>
// CHECK-GENERIC-NEXT: [[PA:%[a-z0-9_]+]] = "cylon.partial_aggregate"([[T]]) <{keys = ["k"], aggs = {{\[\[}}"mean", "x", "m"]]}> : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64, "m.sum": f64, "m.count": i64>
%fa = cylon.final_aggregate %pa by ["k"] aggs [["mean", "x", "m"]] : !cylon.table<"k": i64, "m.sum": f64, "m.count": i64> -> !cylon.table<"k": i64, "m": f64?>
// CHECK-NEXT: [[FA:%[a-z0-9_]+]] = cylon.final_aggregate [[PA]] by ["k"] aggs {{\[\[}}"mean", "x", "m"]] : !cylon.table<"k": i64, "m.sum": f64, "m.count": i64> -> !cylon.table<"k": i64, "m": f64?>
// CHECK-GENERIC-NEXT: [[FA:%[a-z0-9_]+]] = "cylon.final_aggregate"([[PA]]) <{keys = ["k"], aggs = {{\[\[}}"mean", "x", "m"]]}> : (!cylon.table<"k": i64, "m.sum": f64, "m.count": i64>) -> !cylon.table<"k": i64, "m": f64?>

// A fused kernel: a chain of per-row operators over the region's table argument.
%fu = cylon.fused "fused_0" %t : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"s": f64> {
^bb0(%in : !cylon.table<"k": i64, "x": f64?>):
  %f = cylon.filter %in : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?> {
  ^bb1(%row : !cylon.row<"k": i64, "x": f64?>):
    %k = cylon.col %row "k" : !cylon.row<"k": i64, "x": f64?> -> i64
    %c0 = arith.constant 0 : i64
    %p = arith.cmpi sgt, %k, %c0 : i64
    cylon.yield %p : i1
  }
  %red = cylon.reduce %f aggs [["sum", "x", "s"]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"s": f64>
  cylon.yield %red : !cylon.table<"s": f64>
}
// CHECK-NEXT: [[FU:%[a-z0-9_]+]] = cylon.fused "fused_0" [[T]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"s": f64> {
// CHECK-NEXT: ^bb0([[IN:%[a-z0-9_]+]]: !cylon.table<"k": i64, "x": f64?>):
// CHECK-NEXT: [[F:%[a-z0-9_]+]] = cylon.filter [[IN]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?> {
// CHECK-NEXT: ^bb0([[ROW_1:%[a-z0-9_]+]]: !cylon.row<"k": i64, "x": f64?>):
// CHECK-NEXT: [[K:%[a-z0-9_]+]] = cylon.col [[ROW_1]] "k" : !cylon.row<"k": i64, "x": f64?> -> i64
// CHECK-NEXT: [[C0:%[a-z0-9_]+]] = arith.constant 0 : i64
// CHECK-NEXT: [[P_1:%[a-z0-9_]+]] = arith.cmpi sgt, [[K]], [[C0]] : i64
// CHECK-NEXT: cylon.yield [[P_1]] : i1
// CHECK-NEXT: }
// CHECK-NEXT: [[RED:%[a-z0-9_]+]] = cylon.reduce [[F]] aggs {{\[\[}}"sum", "x", "s"]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"s": f64>
// CHECK-NEXT: cylon.yield [[RED]] : !cylon.table<"s": f64>
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-GENERIC-NEXT: [[FU:%[a-z0-9_]+]] = "cylon.fused"([[T]]) <{kernel = "fused_0"}> ({
// CHECK-GENERIC-NEXT: ^bb0([[IN:%[a-z0-9_]+]]: !cylon.table<"k": i64, "x": f64?>):
// CHECK-GENERIC-NEXT: [[F:%[a-z0-9_]+]] = "cylon.filter"([[IN]]) ({
// CHECK-GENERIC-NEXT: ^bb0([[ROW_1:%[a-z0-9_]+]]: !cylon.row<"k": i64, "x": f64?>):
// CHECK-GENERIC-NEXT: [[K:%[a-z0-9_]+]] = "cylon.col"([[ROW_1]]) <{column = "k"}> : (!cylon.row<"k": i64, "x": f64?>) -> i64
// CHECK-GENERIC-NEXT: [[C0:%[a-z0-9_]+]] = "arith.constant"() <{value = 0 : i64}> : () -> i64
// CHECK-GENERIC-NEXT: [[P_1:%[a-z0-9_]+]] = "arith.cmpi"([[K]], [[C0]]) <{predicate = 4 : i64}> : (i64, i64) -> i1
// CHECK-GENERIC-NEXT: "cylon.yield"([[P_1]]) : (i1) -> ()
// CHECK-GENERIC-NEXT: }) : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[RED:%[a-z0-9_]+]] = "cylon.reduce"([[F]]) <{aggs = {{\[\[}}"sum", "x", "s"]]}> : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"s": f64>
// CHECK-GENERIC-NEXT: "cylon.yield"([[RED]]) : (!cylon.table<"s": f64>) -> ()
// CHECK-GENERIC-NEXT: }) : (!cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"s": f64>
// CHECK-GENERIC-NEXT: }) : () -> ()
