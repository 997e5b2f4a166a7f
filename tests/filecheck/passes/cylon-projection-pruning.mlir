// RUN: cylonc opt %s -p cylon-projection-pruning --split-input-file | filecheck %s

// cylon-projection-pruning: every table keeps only the columns its users read; projections
// are inserted right after the sources and wherever an op yields more than is read next.

// An assign output nobody reads is dropped; the input is narrowed to what the rest reads.

builtin.module {
  %0 = cylon.input "p_assign_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.assign %0 ["z", "w"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64, "w": f64> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 2.000000e+00 : f64
    %5 = arith.mulf %3, %4 : f64
    %6 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %7 = arith.constant 1.000000e+00 : f64
    %8 = arith.addf %6, %7 : f64
    cylon.yield %5, %8 : f64, f64
  }
  %9 = cylon.project %1 ["k", "z"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64, "w": f64> -> !cylon.table<"k": i64, "z": f64>
  cylon.output "table" %9 : !cylon.table<"k": i64, "z": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_assign_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k", "x"]
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.assign [[P]] ["z"] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64, "z": f64>
// CHECK:      cylon.col {{.*}} "x"
// CHECK-NEXT: arith.constant 2.0
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: cylon.yield
// CHECK:      [[Q:%[0-9a-z_]+]] = cylon.project [[S]] ["k", "z"]
// CHECK-NEXT: cylon.output "table" [[Q]]

// -----

// An assign with no output read disappears.

builtin.module {
  %0 = cylon.input "p_assign_unused_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.assign %0 ["z"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 2.000000e+00 : f64
    %5 = arith.mulf %3, %4 : f64
    cylon.yield %5 : f64
  }
  %6 = cylon.project %1 ["k"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> !cylon.table<"k": i64>
  cylon.output "table" %6 : !cylon.table<"k": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_assign_unused_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k"]
// CHECK-NEXT: cylon.output "table" [[P]]

// -----

// A join lists only the columns read after it; its inputs keep their keys.

builtin.module {
  %0 = cylon.input "p_join_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "p_join_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "inner" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["s", "left", "s", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64>
  %3 = cylon.project %2 ["x", "y"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> !cylon.table<"x": f64, "y": f64>
  cylon.output "table" %3 : !cylon.table<"x": f64, "y": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_join_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k", "x"]
// CHECK:      [[B:%[0-9a-z_]+]] = cylon.input "p_join_b"
// CHECK-NEXT: [[J:%[0-9a-z_]+]] = cylon.join "inner" [[P]], [[B]] on ["k"] = ["k"] columns {{\[\[}}"x", "left", "x", ""], ["y", "right", "y", ""]] : {{.*}} -> !cylon.table<"x": f64, "y": f64>
// CHECK-NEXT: cylon.output "table" [[J]]

// -----

// An aggregate drops the aggregates nobody reads.

builtin.module {
  %0 = cylon.input "p_agg_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.aggregate %0 by ["s"] aggs [["sum", "x", "m"], ["max", "k", "n"]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"s": !cylon.string, "m": f64, "n": i64?>
  %2 = cylon.project %1 ["s", "n"] : !cylon.table<"s": !cylon.string, "m": f64, "n": i64?> -> !cylon.table<"s": !cylon.string, "n": i64?>
  cylon.output "table" %2 : !cylon.table<"s": !cylon.string, "n": i64?>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_agg_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k", "s"]
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.aggregate [[P]] by ["s"] aggs {{\[\[}}"max", "k", "n"]]
// CHECK-NEXT: cylon.output "table" [[G]]

// -----

// `size` reads no column: only the key is read.

builtin.module {
  %0 = cylon.input "p_agg_size_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.aggregate %0 by ["s"] aggs [["size", "", "n"]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"s": !cylon.string, "n": i64>
  cylon.output "table" %1 : !cylon.table<"s": !cylon.string, "n": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_agg_size_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["s"]
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.aggregate [[P]] by ["s"]

// -----

// A reduction reads only its column.

builtin.module {
  %0 = cylon.input "p_size_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.reduce %0 aggs [["count", "k", "k"]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64>
  %2 = cylon.scalar %1 "k" : !cylon.table<"k": i64> -> i64
  cylon.output "scalar" %2 : i64
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_size_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k"]
// CHECK-NEXT: [[R:%[0-9a-z_]+]] = cylon.reduce [[P]]

// -----

// A column read only by a filter is dropped right after it.

builtin.module {
  %0 = cylon.input "p_filter_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 1.000000e+00 : f64
    %5 = arith.cmpf ogt, %3, %4 : f64
    cylon.yield %5 : i1
  }
  %6 = cylon.project %1 ["k"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64>
  cylon.output "table" %6 : !cylon.table<"k": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_filter_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k", "x"]
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[P]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
// CHECK:      [[Q:%[0-9a-z_]+]] = cylon.project [[F]] ["k"]
// CHECK-NEXT: cylon.output "table" [[Q]]

// -----

// An identity projection is removed.

builtin.module {
  %0 = cylon.input "p_identity_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.project %0 ["k", "x", "s"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  cylon.output "table" %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_identity_a"
// CHECK-NEXT: cylon.output "table" [[A]]

// -----

// A distinct over all columns needs all of them: nothing is pruned below it.

builtin.module {
  %0 = cylon.input "p_distinct_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.distinct %0 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %2 = cylon.project %1 ["k"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64>
  cylon.output "table" %2 : !cylon.table<"k": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_distinct_a"
// CHECK-NEXT: [[D:%[0-9a-z_]+]] = cylon.distinct [[A]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[D]] ["k"]

// -----

// A distinct over a subset needs that subset and what is read after it.

builtin.module {
  %0 = cylon.input "p_distinct_subset_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.distinct %0 {subset = ["s"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %2 = cylon.project %1 ["k"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64>
  cylon.output "table" %2 : !cylon.table<"k": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_distinct_subset_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k", "s"]
// CHECK-NEXT: [[D:%[0-9a-z_]+]] = cylon.distinct [[P]] {subset = ["s"]}
// CHECK-NEXT: [[Q:%[0-9a-z_]+]] = cylon.project [[D]] ["k"]

// -----

// A table read by two users keeps the columns of both, each user projecting its own.

builtin.module {
  %0 = cylon.input "p_shared_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.project %0 ["k"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64>
  %2 = cylon.project %0 ["x"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"x": f64>
  cylon.output "dict" %1, %2 {keys = ["one", "two"]} : !cylon.table<"k": i64>, !cylon.table<"x": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_shared_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k"]
// CHECK-NEXT: [[Q:%[0-9a-z_]+]] = cylon.project [[A]] ["x"]
// CHECK-NEXT: cylon.output "dict" [[P]], [[Q]]

// -----

// A union keeps only the columns read after it; each input gives those it has.

builtin.module {
  %0 = cylon.input "p_union_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "p_union_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.union %0, %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64?>
  %3 = cylon.project %2 ["k", "y"] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64?> -> !cylon.table<"k": i64, "y": f64?>
  cylon.output "table" %3 : !cylon.table<"k": i64, "y": f64?>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_union_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k"]
// CHECK:      [[B:%[0-9a-z_]+]] = cylon.input "p_union_b"
// CHECK-NEXT: [[U:%[0-9a-z_]+]] = cylon.union [[P]], [[B]] : {{.*}} -> !cylon.table<"k": i64, "y": f64?>
// CHECK-NEXT: cylon.output "table" [[U]]

// -----

// A rename of a column nobody reads is dropped.

builtin.module {
  %0 = cylon.input "p_rename_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.rename %0 ["x", "s"] to ["w", "v"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "w": f64, "v": !cylon.string>
  %2 = cylon.project %1 ["k", "w"] : !cylon.table<"k": i64, "w": f64, "v": !cylon.string> -> !cylon.table<"k": i64, "w": f64>
  cylon.output "table" %2 : !cylon.table<"k": i64, "w": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_rename_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k", "x"]
// CHECK-NEXT: [[R:%[0-9a-z_]+]] = cylon.rename [[P]] ["x"] to ["w"]
// CHECK-NEXT: cylon.output "table" [[R]]

// -----

// Sort keys are read, then dropped.

builtin.module {
  %0 = cylon.input "p_sort_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.sort %0 by ["x"] ascending [1 : i64] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %2 = cylon.project %1 ["k"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64>
  cylon.output "table" %2 : !cylon.table<"k": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_sort_a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k", "x"]
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.sort [[P]] by ["x"]
// CHECK-NEXT: [[Q:%[0-9a-z_]+]] = cylon.project [[S]] ["k"]

// -----

// The output needs every column: nothing changes.

builtin.module {
  %0 = cylon.input "p_output_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.assign %0 ["z"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": i64> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %4 = arith.constant 1 : i64
    %5 = arith.addi %3, %4 : i64
    cylon.yield %5 : i64
  }
  cylon.output "table" %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "p_output_a"
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.assign [[A]] ["z"]
// CHECK:      cylon.output "table" [[S]]
