// RUN: xdsl-opt %s --parsing-diagnostics --verify-diagnostics --split-input-file | filecheck %s
// RUN: xdsl-opt %s --parsing-diagnostics --verify-diagnostics --split-input-file | filecheck %s --check-prefix=ALLFAIL

// Every error branch of the cylon types' parsers and verifiers and of the ops' verifiers, one
// per chunk, with the message it gives. No chunk verifies (a module that verifies would be
// printed in custom form):
// ALLFAIL-NOT: builtin.module {
// Branches that text cannot reach are listed at the end of this file.

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

%0 = "test.op"() : () -> !cylon.timestamp<"days">
// CHECK: timestamp unit must be s, ms, us or ns, got 'days'

// -----

%0 = "test.op"() : () -> !cylon.nullable<index>
// CHECK: !cylon.nullable wraps a column element type, got index

// -----

// Signed integers are not column types (Arrow integers are signless or unsigned).
%0 = "test.op"() : () -> !cylon.nullable<si64>
// CHECK: !cylon.nullable wraps a column element type, got si64

// -----

%0 = "test.op"() : () -> !cylon.nullable<!cylon.nullable<f64>>
// CHECK: !cylon.nullable wraps a column element type, got !cylon.nullable<f64>

// -----

%0 = "test.op"() : () -> !cylon.table<"a": i64, "b": f64, "a": f64?>
// CHECK: cylon.table: duplicate column 'a'

// -----

// A nullable column is written `T?`, never `!cylon.nullable<T>`.
%0 = "test.op"() : () -> !cylon.table<"a": !cylon.nullable<i64>>
// CHECK: cylon.table: column 'a' has unsupported type !cylon.nullable<i64>

// -----

%0 = "test.op"() : () -> !cylon.table<"a": i64, "w": i7>
// CHECK: cylon.table: column 'w' has unsupported type i7

// -----

%0 = "test.op"() : () -> !cylon.row<"r": !cylon.row<"a": i64>>
// CHECK: cylon.row: column 'r' has unsupported type !cylon.row<"a": i64>

// -----

%0 = "test.op"() : () -> !cylon.row<"x": f64, "x": f64>
// CHECK: cylon.row: duplicate column 'x'

//===----------------------------------------------------------------------===//
// cylon.input, cylon.read
//===----------------------------------------------------------------------===//

// -----

%t = cylon.input "t" {index = 0 : i64, source_types = ["int64"]} : !cylon.table<"a": i64, "b": f64>
// CHECK: cylon.input: source_types must have one entry per column

// -----

%t = cylon.read "json" "t.json" {source_types = ["int64"]} : !cylon.table<"a": i64>
// CHECK: cylon.read: format must be parquet or csv, got 'json'

// -----

%t = cylon.read "csv" "t.csv" {source_types = ["int64", "double"]} : !cylon.table<"a": i64>
// CHECK: cylon.read: source_types must have one entry per column

// -----

// The operand and result constraints are checked before the op's own verifier.
%x = "test.op"() : () -> f64
%f = "cylon.project"(%x) <{columns = []}> : (f64) -> !cylon.table<>
// CHECK: operand 'input' at position 0 does not verify:
// CHECK-NEXT: f64 should be of base attribute cylon.table

//===----------------------------------------------------------------------===//
// cylon.filter
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"a": i1, "b": i64>
%f = cylon.filter %t : !cylon.table<"a": i1, "b": i64> -> !cylon.table<"a": i1> {
^bb0(%row: !cylon.row<"a": i1, "b": i64>):
  %a = cylon.col %row "a" : !cylon.row<"a": i1, "b": i64> -> i1
  cylon.yield %a : i1
}
// CHECK: cylon.filter: result type must equal the input type

// -----

%t = "test.op"() : () -> !cylon.table<"a": i1, "b": i64>
%f = cylon.filter %t : !cylon.table<"a": i1, "b": i64> -> !cylon.table<"a": i1, "b": i64> {
^bb0(%row: !cylon.row<"a": i1>):
  %a = cylon.col %row "a" : !cylon.row<"a": i1> -> i1
  cylon.yield %a : i1
}
// CHECK: cylon.filter: region argument must be the input's row type !cylon.row<"a": i1, "b": i64>

// -----

%t = "test.op"() : () -> !cylon.table<"a": i1>
%f = cylon.filter %t : !cylon.table<"a": i1> -> !cylon.table<"a": i1> {
^bb0:
  %true = arith.constant true
  cylon.yield %true : i1
}
// CHECK: cylon.filter: region argument must be the input's row type !cylon.row<"a": i1>

// -----

%t = "test.op"() : () -> !cylon.table<"a": i1>
%f = cylon.filter %t : !cylon.table<"a": i1> -> !cylon.table<"a": i1> {
^bb0(%row: !cylon.row<"a": i1>):
  %a = cylon.col %row "a" : !cylon.row<"a": i1> -> i1
  "test.termop"(%a) : (i1) -> ()
}
// CHECK: cylon.filter: expression region must end with cylon.yield

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64?>
%f = cylon.filter %t : !cylon.table<"a": i64?> -> !cylon.table<"a": i64?> {
^bb0(%row: !cylon.row<"a": i64?>):
  %a = cylon.col %row "a" : !cylon.row<"a": i64?> -> !cylon.nullable<i64>
  cylon.yield %a : !cylon.nullable<i64>
}
// CHECK: cylon.filter: predicate must yield one boolean (i1) value

// -----

%t = "test.op"() : () -> !cylon.table<"a": i1>
%f = cylon.filter %t : !cylon.table<"a": i1> -> !cylon.table<"a": i1> {
^bb0(%row: !cylon.row<"a": i1>):
  %a = cylon.col %row "a" : !cylon.row<"a": i1> -> i1
  cylon.yield %a, %a : i1, i1
}
// CHECK: cylon.filter: predicate must yield one boolean (i1) value

// -----

// The region is single-block (checked before the op's verifier).
%t = "test.op"() : () -> !cylon.table<"a": i1>
%f = "cylon.filter"(%t) ({
^bb0(%row: !cylon.row<"a": i1>):
  %a = cylon.col %row "a" : !cylon.row<"a": i1> -> i1
  "test.termop"()[^bb1] : () -> ()
^bb1:
  cylon.yield %a : i1
}) : (!cylon.table<"a": i1>) -> !cylon.table<"a": i1>
// CHECK: Region 'predicate' at position 0 expected a single block, but got 2 blocks

//===----------------------------------------------------------------------===//
// cylon.project
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%p = cylon.project %t ["c"] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64>
// CHECK: cylon.project: column 'c' not in table with columns [a, b]

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%p = cylon.project %t ["a", "a"] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64, "a": i64>
// CHECK: cylon.table: duplicate column 'a'

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%p = cylon.project %t ["a", "a"] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64>
// CHECK: cylon.project: duplicate column in projection

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64?>
%p = cylon.project %t ["b", "a"] : !cylon.table<"a": i64, "b": f64?> -> !cylon.table<"a": i64, "b": f64?>
// CHECK: cylon.project: result type !cylon.table<"a": i64, "b": f64?> does not match the computed schema !cylon.table<"b": f64?, "a": i64>

//===----------------------------------------------------------------------===//
// cylon.assign
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"x": i64>
%a = cylon.assign %t ["y", "z"] : !cylon.table<"x": i64> -> !cylon.table<"x": i64, "y": i64> {
^bb0(%row: !cylon.row<"x": i64>):
  %x = cylon.col %row "x" : !cylon.row<"x": i64> -> i64
  cylon.yield %x : i64
}
// CHECK: cylon.assign: needs one yielded value per distinct name

// -----

%t = "test.op"() : () -> !cylon.table<"x": i64>
%a = cylon.assign %t ["y", "y"] : !cylon.table<"x": i64> -> !cylon.table<"x": i64, "y": i64> {
^bb0(%row: !cylon.row<"x": i64>):
  %x = cylon.col %row "x" : !cylon.row<"x": i64> -> i64
  cylon.yield %x, %x : i64, i64
}
// CHECK: cylon.assign: needs one yielded value per distinct name

// -----

%t = "test.op"() : () -> !cylon.table<"x": i64>
%a = cylon.assign %t ["y"] : !cylon.table<"x": i64> -> !cylon.table<"x": i64, "y": i64> {
^bb0(%row: !cylon.row<"x": i64>):
  %i = "test.op"() : () -> index
  cylon.yield %i : index
}
// CHECK: cylon.assign: cannot store a value of type index in a column

// -----

%t = "test.op"() : () -> !cylon.table<"x": i64>
%a = cylon.assign %t ["x"] : !cylon.table<"x": i64> -> !cylon.table<"x": i64> {
^bb0(%row: !cylon.row<"x": i64>):
  %x = cylon.col %row "x" : !cylon.row<"x": i64> -> i64
  %f = cylon.cast %x : i64 -> !cylon.nullable<f64>
  cylon.yield %f : !cylon.nullable<f64>
}
// CHECK: cylon.assign: result type !cylon.table<"x": i64> does not match the computed schema !cylon.table<"x": f64?>

// -----

%t = "test.op"() : () -> !cylon.table<"x": i64>
%a = cylon.assign %t ["y"] : !cylon.table<"x": i64> -> !cylon.table<"x": i64, "y": i64> {
^bb0(%row: !cylon.row<"x": i32>):
  %x = cylon.col %row "x" : !cylon.row<"x": i32> -> i32
  cylon.yield %x : i32
}
// CHECK: cylon.assign: region argument must be the input's row type !cylon.row<"x": i64>

// -----

%t = "test.op"() : () -> !cylon.table<"x": i64>
%a = cylon.assign %t ["y"] : !cylon.table<"x": i64> -> !cylon.table<"x": i64, "y": i64> {
^bb0(%row: !cylon.row<"x": i64>):
  %x = cylon.col %row "x" : !cylon.row<"x": i64> -> i64
  "test.termop"(%x) : (i64) -> ()
}
// CHECK: cylon.assign: expression region must end with cylon.yield

//===----------------------------------------------------------------------===//
// cylon.rename
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%r = cylon.rename %t ["a", "b"] to ["c"] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"c": i64, "b": f64>
// CHECK: cylon.rename: old and new name lists differ in length

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%r = cylon.rename %t ["z"] to ["c"] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64, "b": f64>
// CHECK: cylon.rename: column 'z' not in table with columns [a, b]

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%r = cylon.rename %t ["a"] to ["c"] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"b": f64, "c": i64>
// CHECK: cylon.rename: result type !cylon.table<"b": f64, "c": i64> does not match the computed schema !cylon.table<"c": i64, "b": f64>

//===----------------------------------------------------------------------===//
// cylon.join
//===----------------------------------------------------------------------===//

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "cross" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.join: unknown join kind 'cross' (supported: inner, left, right, outer, semi, anti, left_anti, right_anti)

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on [] = [] columns [["a", "left", "a", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"a": f64>
// CHECK: cylon.join: needs as many left keys as right keys, at least one

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on ["k", "a"] = ["k"] columns [["k", "key", "k", "k"]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.join: needs as many left keys as right keys, at least one

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on ["kk"] = ["k"] columns [["k", "right", "k", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.join left keys: column 'kk' not in table with columns [k, a]

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on ["k"] = ["a"] columns [["k", "left", "k", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.join right keys: column 'a' not in table with columns [k, b]

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": !cylon.string, "b": f64>
%j = cylon.join "inner" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": !cylon.string, "b": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.join: key 'k' (i64) cannot be compared with 'k' (!cylon.string)

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on ["k"] = ["k"] columns [["k", "key", "k"]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.join: each column entry is [name, from, src, right_src]

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "semi" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["b", "right", "b", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64, "b": f64>
// CHECK: cylon.join: a semi join keeps left columns only

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "anti" %l, %r on ["k"] = ["k"] columns [["b", "right", "b", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"b": f64>
// CHECK: cylon.join: a anti join keeps left columns only

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on ["k"] = ["k"] columns [["x", "left", "b", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"x": f64>
// CHECK: cylon.join: left column 'b' not found

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on ["k"] = ["k"] columns [["x", "right", "a", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"x": f64>
// CHECK: cylon.join: right column 'a' not found

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "b2"]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.join: key columns 'k'/'b2' not found

// -----

%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "inner" %l, %r on ["k"] = ["k"] columns [["k", "middle", "k", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64>
// CHECK: cylon.join: column source must be left, right or key, got 'middle'

// -----

// A left join may find no right row: its right columns become nullable.
%l = "test.op"() : () -> !cylon.table<"k": i64, "a": f64>
%r = "test.op"() : () -> !cylon.table<"k": i64, "b": f64>
%j = cylon.join "left" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["a", "left", "a", ""], ["b", "right", "b", ""]] : !cylon.table<"k": i64, "a": f64>, !cylon.table<"k": i64, "b": f64> -> !cylon.table<"k": i64, "a": f64, "b": f64>
// CHECK: cylon.join: result type !cylon.table<"k": i64, "a": f64, "b": f64> does not match the computed schema !cylon.table<"k": i64, "a": f64, "b": f64?>

//===----------------------------------------------------------------------===//
// cylon.aggregate, cylon.reduce
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%g = cylon.aggregate %t by [] aggs [["sum", "x", "s"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"s": f64>
// CHECK: cylon.aggregate: needs at least one key (use cylon.reduce)

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%g = cylon.aggregate %t by ["q"] aggs [["sum", "x", "s"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"q": i64, "s": f64>
// CHECK: cylon.aggregate keys: column 'q' not in table with columns [k, x]

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%g = cylon.aggregate %t by ["k"] aggs [["sum", "x"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
// CHECK: cylon.aggregate: each aggregate is [fn, column, name], got ["sum", "x"]

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%g = cylon.aggregate %t by ["k"] aggs [["median", "x", "m"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "m": f64>
// CHECK: cylon.aggregate: unknown aggregation 'median' (supported: sum, mean, min, max, count, size, nunique, std, var, first, last)

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "x": f64>
%g = cylon.aggregate %t by ["k"] aggs [["max", "y", "m"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "m": f64?>
// CHECK: cylon.aggregate: column 'y' not in table with columns [k, x]

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "s": !cylon.string>
%g = cylon.aggregate %t by ["k"] aggs [["sum", "s", "total"]] : !cylon.table<"k": i64, "s": !cylon.string> -> !cylon.table<"k": i64, "total": !cylon.string>
// CHECK: sum needs a numeric column, got !cylon.string

// -----

%t = "test.op"() : () -> !cylon.table<"k": i64, "d": !cylon.date>
%g = cylon.aggregate %t by ["k"] aggs [["std", "d", "sd"]] : !cylon.table<"k": i64, "d": !cylon.date> -> !cylon.table<"k": i64, "sd": f64?>
// CHECK: std needs a numeric column, got !cylon.date

// -----

// Group keys are never null in the result (rows with a null key are dropped).
%t = "test.op"() : () -> !cylon.table<"k": i64?, "x": f64>
%g = cylon.aggregate %t by ["k"] aggs [["count", "x", "n"]] : !cylon.table<"k": i64?, "x": f64> -> !cylon.table<"k": i64?, "n": i64>
// CHECK: cylon.aggregate: result type !cylon.table<"k": i64?, "n": i64> does not match the computed schema !cylon.table<"k": i64, "n": i64>

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%r = cylon.reduce %t aggs [["avg", "x", "m"]] : !cylon.table<"x": f64> -> !cylon.table<"m": f64?>
// CHECK: cylon.reduce: unknown aggregation 'avg' (supported: sum, mean, min, max, count, size, nunique, std, var, first, last)

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%r = cylon.reduce %t aggs [["mean", "y", "m"]] : !cylon.table<"x": f64> -> !cylon.table<"m": f64?>
// CHECK: cylon.reduce: column 'y' not in table with columns [x]

// -----

%t = "test.op"() : () -> !cylon.table<"x": f64>
%r = cylon.reduce %t aggs [["x", "sum"]] : !cylon.table<"x": f64> -> !cylon.table<"m": f64?>
// CHECK: cylon.reduce: each aggregate is [fn, column, name], got ["x", "sum"]

// -----

%t = "test.op"() : () -> !cylon.table<"s": !cylon.string>
%r = cylon.reduce %t aggs [["mean", "s", "m"]] : !cylon.table<"s": !cylon.string> -> !cylon.table<"m": f64?>
// CHECK: mean needs a numeric column, got !cylon.string

// -----

// The mean of an int column is a float, and null for an empty table.
%t = "test.op"() : () -> !cylon.table<"x": i64>
%r = cylon.reduce %t aggs [["mean", "x", "m"]] : !cylon.table<"x": i64> -> !cylon.table<"m": i64>
// CHECK: cylon.reduce: result type !cylon.table<"m": i64> does not match the computed schema !cylon.table<"m": f64?>

//===----------------------------------------------------------------------===//
// cylon.sort, cylon.limit, cylon.distinct
//===----------------------------------------------------------------------===//

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%s = cylon.sort %t by ["c"] ascending [1] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64, "b": f64>
// CHECK: cylon.sort: column 'c' not in table with columns [a, b]

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%s = cylon.sort %t by ["a", "b"] ascending [1] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64, "b": f64>
// CHECK: cylon.sort: needs one ascending flag per key, at least one key

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%s = cylon.sort %t by [] ascending [] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64, "b": f64>
// CHECK: cylon.sort: needs one ascending flag per key, at least one key

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%s = cylon.sort %t by ["a"] ascending [1] : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"b": f64, "a": i64>
// CHECK: cylon.sort: result type must equal the input type

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64>
%l = cylon.limit %t 5 : !cylon.table<"a": i64> -> !cylon.table<"a": i64?>
// CHECK: cylon.limit: result type must equal the input type

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%d = cylon.distinct %t {subset = ["a", "z"]} : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64, "b": f64>
// CHECK: cylon.distinct: column 'z' not in table with columns [a, b]

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%d = cylon.distinct %t : !cylon.table<"a": i64, "b": f64> -> !cylon.table<"a": i64>
// CHECK: cylon.distinct: result type must equal the input type

//===----------------------------------------------------------------------===//
// cylon.union, cylon.scalar, cylon.output
//===----------------------------------------------------------------------===//

// -----

%u = cylon.union : -> !cylon.table<"a": i64>
// CHECK: cylon.union: needs at least one input

// -----

%a = "test.op"() : () -> !cylon.table<"a": i64, "b": f64>
%b = "test.op"() : () -> !cylon.table<"a": i64>
%u = cylon.union %a, %b : !cylon.table<"a": i64, "b": f64>, !cylon.table<"a": i64> -> !cylon.table<"a": i64>
// CHECK: cylon.union: input column 'b' missing from the result

// -----

%a = "test.op"() : () -> !cylon.table<"a": i64>
%b = "test.op"() : () -> !cylon.table<"a": !cylon.string>
%u = cylon.union %a, %b : !cylon.table<"a": i64>, !cylon.table<"a": !cylon.string> -> !cylon.table<"a": i64>
// CHECK: cylon.union: column 'a' is !cylon.string in an input, i64 in the result

// -----

%t = "test.op"() : () -> !cylon.table<"s": f64>
%s = cylon.scalar %t "total" : !cylon.table<"s": f64> -> f64
// CHECK: cylon.scalar: column 'total' not in table with columns [s]

// -----

%t = "test.op"() : () -> !cylon.table<"s": f64?>
%s = cylon.scalar %t "s" : !cylon.table<"s": f64?> -> f64
// CHECK: cylon.scalar: result type must be !cylon.nullable<f64>

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64>
cylon.output "list" %t : !cylon.table<"a": i64>
// CHECK: cylon.output: kind must be one of table, scalar, dict, tuple

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64>
cylon.output "table" %t, %t : !cylon.table<"a": i64>, !cylon.table<"a": i64>
// CHECK: cylon.output: a table output has exactly one value

// -----

cylon.output "scalar" : 
// CHECK: cylon.output: a scalar output has exactly one value

// -----

%x = "test.op"() : () -> f64
cylon.output "table" %x : f64
// CHECK: cylon.output: a table output needs a !cylon.table value

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64>
cylon.output "scalar" %t : !cylon.table<"a": i64>
// CHECK: cylon.output: a scalar output needs a scalar value

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64>
%x = "test.op"() : () -> f64
cylon.output "dict" %t, %x : !cylon.table<"a": i64>, f64
// CHECK: cylon.output: a dict output needs one key per value

// -----

%t = "test.op"() : () -> !cylon.table<"a": i64>
%x = "test.op"() : () -> f64
cylon.output "dict" %t, %x {keys = ["rows"]} : !cylon.table<"a": i64>, f64
// CHECK: cylon.output: a dict output needs one key per value

//===----------------------------------------------------------------------===//
// cylon.col, cylon.const
//===----------------------------------------------------------------------===//

// -----

%row = "test.op"() : () -> !cylon.row<"a": i64, "b": f64?>
%c = cylon.col %row "c" : !cylon.row<"a": i64, "b": f64?> -> i64
// CHECK: cylon.col: column 'c' not in row with columns [a, b]

// -----

%row = "test.op"() : () -> !cylon.row<"a": i64, "b": f64?>
%b = cylon.col %row "b" : !cylon.row<"a": i64, "b": f64?> -> f64
// CHECK: cylon.col: result type must be !cylon.nullable<f64>

// -----

%n = cylon.const : f64
// CHECK: cylon.const: a null constant must have a !cylon.nullable type

// -----

%s = cylon.const {value = 3 : i64} : !cylon.string
// CHECK: cylon.const: a string constant needs a string value

// -----

%d = cylon.const {value = "2024-01-01"} : !cylon.date
// CHECK: cylon.const: a date/timestamp constant needs an integer value

// -----

%d = cylon.const {value = 1.5 : f64} : !cylon.nullable<!cylon.timestamp<"ms">>
// CHECK: cylon.const: a date/timestamp constant needs an integer value

//===----------------------------------------------------------------------===//
// cylon.binop, cylon.cmp, cylon.unary
//===----------------------------------------------------------------------===//

// -----

%a, %b = "test.op"() : () -> (i64, !cylon.nullable<f64>)
%r = cylon.binop "add" %a, %b : i64, !cylon.nullable<f64> -> !cylon.nullable<f64>
// CHECK: cylon.binop: operands must have the same element type, got ['f64', 'i64']

// -----

%a = "test.op"() : () -> i64
%r = cylon.binop "and" %a, %a : i64, i64 -> i64
// CHECK: cylon.binop: 'and' needs booleans

// -----

%a = "test.op"() : () -> !cylon.nullable<i1>
%r = cylon.binop "or" %a, %a : !cylon.nullable<i1>, !cylon.nullable<i1> -> !cylon.nullable<i64>
// CHECK: cylon.binop: 'or' needs booleans

// -----

%a = "test.op"() : () -> !cylon.string
%r = cylon.binop "add" %a, %a : !cylon.string, !cylon.string -> i64
// CHECK: cylon.binop: string 'add' gives a string

// -----

%a = "test.op"() : () -> !cylon.string
%r = cylon.binop "sub" %a, %a : !cylon.string, !cylon.string -> !cylon.string
// CHECK: cylon.binop: 'sub' needs numbers, got !cylon.string

// -----

%a = "test.op"() : () -> i64
%r = cylon.binop "mul" %a, %a : i64, i64 -> !cylon.date
// CHECK: cylon.binop: 'mul' needs numbers, got i64

// -----

%a = "test.op"() : () -> i64
%r = cylon.binop "div" %a, %a : i64, i64 -> !cylon.nullable<i64>
// CHECK: cylon.binop: 'div' gives a float

// -----

%a = "test.op"() : () -> i64
%r = cylon.binop "xor" %a, %a : i64, i64 -> i64
// CHECK: cylon.binop: unknown function 'xor' (supported: add, sub, mul, div, floordiv, mod, pow, and, or)

// -----

%a = "test.op"() : () -> i64
%r = cylon.cmp "gte" %a, %a : i64, i64 -> i1
// CHECK: cylon.cmp: unknown comparison 'gte' (supported: eq, ne, lt, le, gt, ge)

// -----

%a, %b = "test.op"() : () -> (!cylon.date, !cylon.timestamp<"us">)
%r = cylon.cmp "lt" %a, %b : !cylon.date, !cylon.timestamp<"us"> -> i1
// CHECK: cylon.cmp: operands must have the same element type, got ['!cylon.date', '!cylon.timestamp<"us">']

// -----

%a, %b = "test.op"() : () -> (!cylon.nullable<f64>, f64)
%r = cylon.cmp "eq" %a, %b : !cylon.nullable<f64>, f64 -> i1
// CHECK: cylon.cmp: result must be i1, nullable when an operand is

// -----

%a = "test.op"() : () -> f64
%r = cylon.cmp "eq" %a, %a : f64, f64 -> !cylon.nullable<i1>
// CHECK: cylon.cmp: result must be i1, nullable when an operand is

// -----

%a = "test.op"() : () -> !cylon.nullable<f64>
%r = cylon.unary "isna" %a : !cylon.nullable<f64> -> !cylon.nullable<i1>
// CHECK: cylon.unary: 'isna' gives a non-null i1

// -----

%a = "test.op"() : () -> !cylon.nullable<f64>
%r = cylon.unary "notna" %a : !cylon.nullable<f64> -> f64
// CHECK: cylon.unary: 'notna' gives a non-null i1

// -----

%a = "test.op"() : () -> i64
%r = cylon.unary "not" %a : i64 -> i64
// CHECK: cylon.unary: 'not' maps a boolean to a boolean

// -----

%a = "test.op"() : () -> !cylon.nullable<i1>
%r = cylon.unary "not" %a : !cylon.nullable<i1> -> i1
// CHECK: cylon.unary: 'not' maps a boolean to a boolean

// -----

%a = "test.op"() : () -> !cylon.string
%r = cylon.unary "neg" %a : !cylon.string -> !cylon.string
// CHECK: cylon.unary: 'neg' maps a number to a number of its type

// -----

%a = "test.op"() : () -> i32
%r = cylon.unary "abs" %a : i32 -> i64
// CHECK: cylon.unary: 'abs' maps a number to a number of its type

// -----

%a = "test.op"() : () -> f64
%r = cylon.unary "sqrt" %a : f64 -> f64
// CHECK: cylon.unary: unknown function 'sqrt' (supported: neg, abs, not, isna, notna)

//===----------------------------------------------------------------------===//
// cylon.round, cylon.cast, cylon.fillna, cylon.where, cylon.isin
//===----------------------------------------------------------------------===//

// -----

%a = "test.op"() : () -> !cylon.date
%r = cylon.round %a 0 : !cylon.date -> !cylon.date
// CHECK: cylon.round: maps a number to a number of its type

// -----

%a = "test.op"() : () -> !cylon.nullable<f64>
%r = cylon.round %a 2 : !cylon.nullable<f64> -> f64
// CHECK: cylon.round: maps a number to a number of its type

// -----

%a = "test.op"() : () -> i64
%r = cylon.cast %a : i64 -> index
// CHECK: cylon.cast: cannot cast to index

// -----

%a = "test.op"() : () -> i64
%r = cylon.cast %a : i64 -> !cylon.nullable<!cylon.nullable<i64>>
// CHECK: !cylon.nullable wraps a column element type, got !cylon.nullable<i64>

// -----

%a = "test.op"() : () -> i64
%r = cylon.cast %a : i64 -> si64
// CHECK: cylon.cast: cannot cast to si64

// -----

%a, %b = "test.op"() : () -> (!cylon.nullable<f64>, i64)
%r = cylon.fillna %a, %b : !cylon.nullable<f64>, i64 -> f64
// CHECK: cylon.fillna: operands must have the same element type, got ['f64', 'i64']

// -----

%a, %b = "test.op"() : () -> (!cylon.nullable<f64>, f64)
%r = cylon.fillna %a, %b : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
// CHECK: cylon.fillna: result is the operand's type, nullable only if the fill is

// -----

%c, %a = "test.op"() : () -> (i64, f64)
%r = cylon.where %c, %a, %a : i64, f64, f64 -> f64
// CHECK: cylon.where: condition must be a boolean

// -----

%c, %a, %b = "test.op"() : () -> (i1, f64, !cylon.nullable<f32>)
%r = cylon.where %c, %a, %b : i1, f64, !cylon.nullable<f32> -> !cylon.nullable<f64>
// CHECK: cylon.where: operands must have the same element type, got ['f32', 'f64']

// -----

%c, %a, %b = "test.op"() : () -> (!cylon.nullable<i1>, f64, !cylon.nullable<f64>)
%r = cylon.where %c, %a, %b : !cylon.nullable<i1>, f64, !cylon.nullable<f64> -> f64
// CHECK: cylon.where: result type must be the values' type

// -----

%s = "test.op"() : () -> !cylon.nullable<!cylon.string>
%r = cylon.isin %s ["a"] : !cylon.nullable<!cylon.string> -> !cylon.nullable<i1>
// CHECK: cylon.isin: result must be a non-null i1

//===----------------------------------------------------------------------===//
// cylon.str, cylon.dt, cylon.udf
//===----------------------------------------------------------------------===//

// -----

%s = "test.op"() : () -> !cylon.string
%r = cylon.str "strip" %s : !cylon.string -> !cylon.string
// CHECK: cylon.str: unknown function 'strip' (supported: startswith, endswith, contains, len, lower, upper, slice)

// -----

%d = "test.op"() : () -> !cylon.date
%r = cylon.str "len" %d : !cylon.date -> i64
// CHECK: cylon.str: 'len' needs a string operand

// -----

%s = "test.op"() : () -> !cylon.string
%r = cylon.str "contains" %s {pattern = "a"} : !cylon.string -> !cylon.string
// CHECK: cylon.str: 'contains' gives a bool, not !cylon.string

// -----

%s = "test.op"() : () -> !cylon.nullable<!cylon.string>
%r = cylon.str "len" %s : !cylon.nullable<!cylon.string> -> !cylon.nullable<f64>
// CHECK: cylon.str: 'len' gives a int, not f64

// -----

%s = "test.op"() : () -> !cylon.string
%r = cylon.str "upper" %s : !cylon.string -> i1
// CHECK: cylon.str: 'upper' gives a str, not i1

// -----

%s = "test.op"() : () -> !cylon.string
%r = cylon.str "startswith" %s : !cylon.string -> i1
// CHECK: cylon.str: 'startswith' needs a string 'pattern' attribute

// -----

%s = "test.op"() : () -> !cylon.string
%r = cylon.str "endswith" %s {pattern = 1 : i64} : !cylon.string -> i1
// CHECK: cylon.str: 'endswith' needs a string 'pattern' attribute

// -----

%d = "test.op"() : () -> !cylon.date
%r = cylon.dt "week" %d : !cylon.date -> i64
// CHECK: cylon.dt: unknown part 'week' (supported: year, month, day)

// -----

%s = "test.op"() : () -> !cylon.string
%r = cylon.dt "year" %s : !cylon.string -> i64
// CHECK: cylon.dt: needs a date or timestamp operand

// -----

%a, %s = "test.op"() : () -> (f64, !cylon.nullable<!cylon.string>)
%r = cylon.udf "f_0" %a, %s : f64, !cylon.nullable<!cylon.string> -> !cylon.nullable<f64>
// CHECK: cylon.udf: arguments must be numbers or booleans, got !cylon.nullable<!cylon.string>

// -----

%a = "test.op"() : () -> f64
%r = cylon.udf "f_0" %a : f64 -> !cylon.string
// CHECK: cylon.udf: the result must be a number or boolean

// Not reachable from text, so not tested here:
// - !cylon.table/!cylon.row "names, types and nullability differ in length": the parser builds
//   the three lists together.
// - "... must be a !cylon.table, got ...": the ops' operand/result constraints (TableType) fail
//   first, as in the cylon.project chunk above.
// - "expression region must have one block": the single-block region constraint fails first, as
//   in the two-block cylon.filter chunk above.
// - agg_result's "unknown aggregation": the aggregate/reduce verifier rejects the name first.
