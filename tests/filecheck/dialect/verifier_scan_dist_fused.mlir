// RUN: xdsl-opt %s --parsing-diagnostics --verify-diagnostics --split-input-file | filecheck %s
// RUN: xdsl-opt %s --parsing-diagnostics --verify-diagnostics --split-input-file | filecheck %s --check-prefix=ALLFAIL

// Every error branch of the verifiers of the scan-pushdown form of cylon.input/cylon.read,
// #cylon.dist, the communication and two-phase aggregation ops, and cylon.fused, one per chunk
// (verifier.mlir covers the rest of the dialect). No chunk verifies:
// ALLFAIL-NOT: builtin.module {

//===----------------------------------------------------------------------===//
// Scans: cylon.input / cylon.read with columns, source and a predicate
//===----------------------------------------------------------------------===//

%t = cylon.input "t" columns ["a"] {index = 0 : i64, source = !cylon.table<"a": i64, "b": f64>, source_types = ["int64"]} : !cylon.table<"a": i64>
// CHECK: cylon.input: source_types must have one entry per column

// -----

%t = cylon.input "t" {index = 0 : i64, source = !cylon.table<"a": i64, "b": f64>, source_types = ["int64", "double"]} : !cylon.table<"a": i64>
// CHECK: cylon.input: without columns, source must equal the result type

// -----

%t = cylon.read "parquet" "t.parquet" columns ["a"] {source_types = ["int64"]} : !cylon.table<"a": i64>
// CHECK: cylon.read: columns needs the whole source's schema in 'source'

// -----

%t = cylon.read "csv" "t.csv" columns ["c"] {source = !cylon.table<"a": i64, "b": f64>, source_types = ["int64", "double"]} : !cylon.table<"a": i64>
// CHECK: cylon.read: column 'c' not in table with columns [a, b]

// -----

%t = cylon.input "t" columns [] {index = 0 : i64, source = !cylon.table<"a": i64, "b": f64>, source_types = ["int64", "double"]} : !cylon.table<>
// CHECK: cylon.input: columns must be distinct, at least one

// -----

%t = cylon.input "t" columns ["a", "a"] {index = 0 : i64, source = !cylon.table<"a": i64, "b": f64>, source_types = ["int64", "double"]} : !cylon.table<"a": i64>
// CHECK: cylon.input: columns must be distinct, at least one

// -----

%t = cylon.input "t" columns ["b", "a"] {index = 0 : i64, source = !cylon.table<"a": i64, "b": f64>, source_types = ["int64", "double"]} : !cylon.table<"a": i64, "b": f64>
// CHECK: cylon.input: result type !cylon.table<"a": i64, "b": f64> does not match the computed schema !cylon.table<"b": f64, "a": i64>

// -----

// The predicate reads a row of the whole source, not of the result.
%t = cylon.input "t" columns ["a"] {index = 0 : i64, source = !cylon.table<"a": i64, "b": i1>, source_types = ["int64", "bool"]} : !cylon.table<"a": i64> {
^bb0(%row: !cylon.row<"a": i64>):
  %true = arith.constant true
  cylon.yield %true : i1
}
// CHECK: cylon.input: region argument must be the input's row type !cylon.row<"a": i64, "b": i1>

// -----

%t = cylon.read "parquet" "t.parquet" {source_types = ["bool"]} : !cylon.table<"b": i1> {
^bb0(%row: !cylon.row<"b": i1>):
  %b = cylon.col %row "b" : !cylon.row<"b": i1> -> i1
  "test.termop"(%b) : (i1) -> ()
}
// CHECK: cylon.read: expression region must end with cylon.yield

// -----

%t = cylon.read "parquet" "t.parquet" {source_types = ["int64"]} : !cylon.table<"a": i64> {
^bb0(%row: !cylon.row<"a": i64>):
  %a = cylon.col %row "a" : !cylon.row<"a": i64> -> i64
  cylon.yield %a : i64
}
// CHECK: cylon.read: predicate must yield one boolean (i1) value

//===----------------------------------------------------------------------===//
// #cylon.dist
//===----------------------------------------------------------------------===//

// -----

"test.op"() {d = #cylon.dist<cyclic>} : () -> ()
// CHECK: #cylon.dist: unknown kind 'cyclic' (kinds: replicated, blocks, hash, range, root)

// -----

"test.op"() {d = #cylon.dist<hash>} : () -> ()
// CHECK: #cylon.dist: 'hash' needs key columns

// -----

"test.op"() {d = #cylon.dist<range []>} : () -> ()
// CHECK: #cylon.dist: 'range' needs key columns

// -----

"test.op"() {d = #cylon.dist<blocks ["k"]>} : () -> ()
// CHECK: #cylon.dist: 'blocks' takes no key columns

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%g = cylon.gather %t {cylon.dist = "root"} : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
// CHECK: cylon.gather: 'cylon.dist' must be a #cylon.dist attribute

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%s = cylon.shuffle %t by ["k"] {cylon.dist = #cylon.dist<hash ["q"]>} : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
// CHECK: cylon.shuffle distribution: column 'q' not in table with columns [k]

//===----------------------------------------------------------------------===//
// Communication ops
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%s = cylon.shuffle %t by [] : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
// CHECK: cylon.shuffle: needs at least one key

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%s = cylon.shuffle %t by ["j"] : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
// CHECK: cylon.shuffle: column 'j' not in table with columns [k]

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%s = cylon.shuffle %t by ["k"] : !cylon.table<"k": i64> -> !cylon.table<"k": i64?>
// CHECK: cylon.shuffle: result type must equal the input type

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%a = cylon.allgather %t : !cylon.table<"k": i64> -> !cylon.table<"k": i32>
// CHECK: cylon.allgather: result type must equal the input type

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%g = cylon.gather %t : !cylon.table<"k": i64> -> !cylon.table<>
// CHECK: cylon.gather: result type must equal the input type

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%b = cylon.broadcast %t : !cylon.table<"k": i64> -> !cylon.table<"j": i64>
// CHECK: cylon.broadcast: result type must equal the input type

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64>
%s = cylon.scatter %t {cylon.dist = #cylon.dist<blocks>} : !cylon.table<"k": i64> -> !cylon.table<"k": f64>
// CHECK: cylon.scatter: result type must equal the input type

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%sp = cylon.splitters %t by ["q"] ascending [1] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.splitters: column 'q' not in table with columns [k, x]

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%sp = cylon.splitters %t by ["k", "x"] ascending [1] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
// CHECK: cylon.splitters: needs one ascending flag per key, at least one key

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%sp = cylon.splitters %t by ["k"] ascending [1] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
// CHECK: cylon.splitters: result type !cylon.table<"k": i64, "x": f64> does not match the computed schema !cylon.table<"k": i64>

// -----

%t, %sp = "test.op"() : () -> (!cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64>)
%r = cylon.range_shuffle %t, %sp by ["q"] ascending [1] : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64> -> !cylon.table<"k": i64, "x": f64>
// CHECK: cylon.range_shuffle: column 'q' not in table with columns [k, x]

// -----

%t, %sp = "test.op"() : () -> (!cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64>)
%r = cylon.range_shuffle %t, %sp by ["k"] ascending [] : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64> -> !cylon.table<"k": i64, "x": f64>
// CHECK: cylon.range_shuffle: needs one ascending flag per key, at least one key

// -----

%t, %sp = "test.op"() : () -> (!cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64, "x": f64>)
%r = cylon.range_shuffle %t, %sp by ["k"] ascending [1] : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
// CHECK: cylon.range_shuffle: the splitters table must hold exactly the key columns

// -----

%t, %sp = "test.op"() : () -> (!cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64>)
%r = cylon.range_shuffle %t, %sp by ["k"] ascending [1] : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64> -> !cylon.table<"k": i64>
// CHECK: cylon.range_shuffle: result type must equal the input type

//===----------------------------------------------------------------------===//
// cylon.partial_aggregate, cylon.final_aggregate
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%p = cylon.partial_aggregate %t by ["q"] aggs [["sum", "x", "s"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"q": i64, "s.sum": f64>
// CHECK: cylon.partial_aggregate keys: column 'q' not in table with columns [k, x]

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%p = cylon.partial_aggregate %t by ["k"] aggs [["mode", "x", "m"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.partial_aggregate: unknown aggregation 'mode' (supported: sum, mean, min, max, count, size, nunique, std, var, first, last)

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%p = cylon.partial_aggregate %t by ["k"] aggs [["nunique", "x", "u"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.partial_aggregate: 'nunique' has no partial form (decomposable: sum, mean, min, max, count, size, std, var)

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%p = cylon.partial_aggregate %t by ["k"] aggs [["sum", "y", "s"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "s.sum": f64>
// CHECK: cylon.partial_aggregate: column 'y' not in table with columns [k, x]

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "s": !cylon.string>
%p = cylon.partial_aggregate %t by ["k"] aggs [["var", "s", "v"]] : !cylon.table<"k": i64, "s": !cylon.string> -> !cylon.table<"k": i64>
// CHECK: var needs a numeric column, got !cylon.string

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%p = cylon.partial_aggregate %t by ["k"] aggs [["mean", "x", "m"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "m.sum": f64>
// CHECK: cylon.partial_aggregate: result type !cylon.table<"k": i64, "m.sum": f64> does not match the computed schema !cylon.table<"k": i64, "m.sum": f64, "m.count": i64>

// -----

%p = "test.op"() : () -> !cylon.table<"k": i64, "m.sum": f64, "m.count": i64>
%f = cylon.final_aggregate %p by ["j"] aggs [["mean", "x", "m"]] : !cylon.table<"k": i64, "m.sum": f64, "m.count": i64> -> !cylon.table<"j": i64, "m": f64?>
// CHECK: cylon.final_aggregate keys: column 'j' not in table with columns [k, m.sum, m.count]

// -----

%p = "test.op"() : () -> !cylon.table<"k": i64, "u.count": i64>
%f = cylon.final_aggregate %p by ["k"] aggs [["nunique", "x", "u"]] : !cylon.table<"k": i64, "u.count": i64> -> !cylon.table<"k": i64, "u": i64>
// CHECK: cylon.final_aggregate: 'nunique' has no partial form

// -----

%p = "test.op"() : () -> !cylon.table<"k": i64, "m.sum": f64>
%f = cylon.final_aggregate %p by ["k"] aggs [["mean", "x", "m"]] : !cylon.table<"k": i64, "m.sum": f64> -> !cylon.table<"k": i64, "m": f64?>
// CHECK: cylon.final_aggregate partial state: column 'm.count' not in table with columns [k, m.sum]

// -----

%p = "test.op"() : () -> !cylon.table<"k": i64, "m.sum": f64, "m.count": i64>
%f = cylon.final_aggregate %p by ["k"] aggs [["mean", "x", "m"]] : !cylon.table<"k": i64, "m.sum": f64, "m.count": i64> -> !cylon.table<"m": f64?, "k": i64>
// CHECK: cylon.final_aggregate: result columns must be the keys, then one per aggregate

//===----------------------------------------------------------------------===//
// cylon.fused
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"x": f64> {
^bb0(%in: !cylon.table<"x": f32>):
  cylon.yield %in : !cylon.table<"x": f32>
}
// CHECK: cylon.fused: the region argument must be the input table !cylon.table<"x": f64>

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"x": f64> {
^bb0(%in: !cylon.table<"x": f64>):
  cylon.yield %in, %in : !cylon.table<"x": f64>, !cylon.table<"x": f64>
}
// CHECK: cylon.fused: the region must end with cylon.yield of one table

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"x": f64> {
^bb0(%in: !cylon.table<"x": f64>):
  cylon.yield %in : !cylon.table<"x": f64>
}
// CHECK: cylon.fused: the region fuses no operator

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"x": f64> {
^bb0(%in: !cylon.table<"x": f64>):
  %s = cylon.sort %in by ["x"] ascending [1] : !cylon.table<"x": f64> -> !cylon.table<"x": f64>
  cylon.yield %s : !cylon.table<"x": f64>
}
// CHECK: cylon.fused: cannot fuse cylon.sort (filter, assign, project, rename, reduce, aggregate only)

// -----

%t, %u = "test.op"() : () -> (!cylon.table<"x": f64>, !cylon.table<"x": f64>)
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"x": f64> {
^bb0(%in: !cylon.table<"x": f64>):
  %p = cylon.project %u ["x"] : !cylon.table<"x": f64> -> !cylon.table<"x": f64>
  cylon.yield %p : !cylon.table<"x": f64>
}
// CHECK: cylon.fused: cylon.project must read the previous operator's result

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"y": f64> {
^bb0(%in: !cylon.table<"x": f64>):
  %r = cylon.reduce %in aggs [["sum", "x", "s"]] : !cylon.table<"x": f64> -> !cylon.table<"s": f64>
  %n = cylon.rename %r ["s"] to ["y"] : !cylon.table<"s": f64> -> !cylon.table<"y": f64>
  cylon.yield %n : !cylon.table<"y": f64>
}
// CHECK: cylon.fused: a cylon.reduce can only end the chain

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"v": f64?> {
^bb0(%in: !cylon.table<"x": f64>):
  %r = cylon.reduce %in aggs [["var", "x", "v"]] : !cylon.table<"x": f64> -> !cylon.table<"v": f64?>
  cylon.yield %r : !cylon.table<"v": f64?>
}
// CHECK: cylon.fused: cannot fuse aggregate 'var' (supported: sum, count, size, min, max, mean)

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"x": f64> {
^bb0(%in: !cylon.table<"x": f64>):
  %p = cylon.project %in ["x"] : !cylon.table<"x": f64> -> !cylon.table<"x": f64>
  cylon.yield %in : !cylon.table<"x": f64>
}
// CHECK: cylon.fused: cylon.yield must return the last operator's result

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%f = cylon.fused "k0" %t : !cylon.table<"x": f64> -> !cylon.table<"x": f64> {
^bb0(%in: !cylon.table<"x": f64>):
  %r = cylon.rename %in ["x"] to ["y"] : !cylon.table<"x": f64> -> !cylon.table<"y": f64>
  cylon.yield %r : !cylon.table<"y": f64>
}
// CHECK: cylon.fused: result type must be the last operator's result type

// Not reachable from text: "the source must be a !cylon.table" (the `source` property's
// constraint fails first) and cylon.fused's "the region must have one block" (the single-block
// region constraint fails first).
