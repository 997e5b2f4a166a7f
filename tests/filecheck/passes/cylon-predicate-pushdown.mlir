// RUN: cylonc opt %s -p cylon-predicate-pushdown --split-input-file | filecheck %s

// cylon-predicate-pushdown: filters split at `and`, move towards the sources, and merge where
// they meet; each case below also covers where a filter must not move.

// Both conjuncts move below the projection, in their order, and stay one filter.

builtin.module {
  %0 = cylon.input "project_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.project %0 ["k", "x"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64>
  %2 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64> {
  ^bb0(%3: !cylon.row<"k": i64, "x": f64>):
    %4 = cylon.col %3 "x" : !cylon.row<"k": i64, "x": f64> -> f64
    %5 = arith.constant 1.000000e+00 : f64
    %6 = arith.cmpf ogt, %4, %5 : f64
    %7 = cylon.col %3 "k" : !cylon.row<"k": i64, "x": f64> -> i64
    %8 = arith.constant 2 : i64
    %9 = arith.cmpi eq, %7, %8 : i64
    %10 = arith.andi %6, %9 : i1
    cylon.yield %10 : i1
  }
  cylon.output "table" %2 : !cylon.table<"k": i64, "x": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "project_a"
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.col {{.*}} "x"
// CHECK:      arith.cmpf ogt
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      arith.cmpi eq
// CHECK:      arith.andi
// CHECK:      [[P:%[0-9a-z_]+]] = cylon.project [[F]] ["k", "x"]
// CHECK-NEXT: cylon.output "table" [[P]]

// -----

// Below a rename the predicate reads the old column name.

builtin.module {
  %0 = cylon.input "rename_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.rename %0 ["x"] to ["w"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "w": f64, "s": !cylon.string>
  %2 = cylon.filter %1 : !cylon.table<"k": i64, "w": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "w": f64, "s": !cylon.string> {
  ^bb0(%3: !cylon.row<"k": i64, "w": f64, "s": !cylon.string>):
    %4 = cylon.col %3 "w" : !cylon.row<"k": i64, "w": f64, "s": !cylon.string> -> f64
    %5 = arith.constant 1.000000e+00 : f64
    %6 = arith.cmpf ogt, %4, %5 : f64
    cylon.yield %6 : i1
  }
  cylon.output "table" %2 : !cylon.table<"k": i64, "w": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "rename_a"
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.col {{.*}} "x"
// CHECK:      [[R:%[0-9a-z_]+]] = cylon.rename [[F]] ["x"] to ["w"]
// CHECK-NEXT: cylon.output "table" [[R]]

// -----

// A conjunct on an input column moves below the assign; one on the computed column stays.

builtin.module {
  %0 = cylon.input "assign_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.assign %0 ["z"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 2.000000e+00 : f64
    %5 = arith.mulf %3, %4 : f64
    cylon.yield %5 : f64
  }
  %6 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> {
  ^bb0(%7: !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "z": f64>):
    %8 = cylon.col %7 "z" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> f64
    %9 = arith.constant 1.000000e+00 : f64
    %10 = arith.cmpf ogt, %8, %9 : f64
    %11 = cylon.col %7 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> i64
    %12 = arith.constant 0 : i64
    %13 = arith.cmpi sgt, %11, %12 : i64
    %14 = arith.andi %10, %13 : i1
    cylon.yield %14 : i1
  }
  cylon.output "table" %6 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "assign_a"
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      [[S:%[0-9a-z_]+]] = cylon.assign [[F]] ["z"]
// CHECK:      [[G:%[0-9a-z_]+]] = cylon.filter [[S]] :
// CHECK:      cylon.col {{.*}} "z"
// CHECK:      cylon.output "table" [[G]]

// -----

// A filter on a column the assign replaces stays above it.

builtin.module {
  %0 = cylon.input "assign_replace_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.assign %0 ["x"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 2.000000e+00 : f64
    %5 = arith.mulf %3, %4 : f64
    cylon.yield %5 : f64
  }
  %6 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%7: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %8 = cylon.col %7 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %9 = arith.constant 1.000000e+00 : f64
    %10 = arith.cmpf ogt, %8, %9 : f64
    cylon.yield %10 : i1
  }
  cylon.output "table" %6 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "assign_replace_a"
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.assign [[A]] ["x"]
// CHECK:      [[F:%[0-9a-z_]+]] = cylon.filter [[S]] :
// CHECK:      cylon.output "table" [[F]]

// -----

// Filter, then sort.

builtin.module {
  %0 = cylon.input "sort_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.sort %0 by ["x"] ascending [1 : i64] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %2 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%3: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %4 = cylon.col %3 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %5 = arith.constant 0 : i64
    %6 = arith.cmpi sgt, %4, %5 : i64
    cylon.yield %6 : i1
  }
  cylon.output "table" %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "sort_a"
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      [[S:%[0-9a-z_]+]] = cylon.sort [[F]] by ["x"]
// CHECK-NEXT: cylon.output "table" [[S]]

// -----

// Inner join: a left conjunct goes left, a right one right, one on the merged key into both
// sides; one that compares both sides stays above.

builtin.module {
  %0 = cylon.input "inner_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "inner_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "inner" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["s", "left", "s", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64>
  %3 = cylon.filter %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64> {
  ^bb0(%4: !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64>):
    %5 = cylon.col %4 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> f64
    %6 = arith.constant 1.000000e+00 : f64
    %7 = arith.cmpf ogt, %5, %6 : f64
    %8 = cylon.col %4 "y" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> f64
    %9 = arith.constant 2.000000e+00 : f64
    %10 = arith.cmpf olt, %8, %9 : f64
    %11 = arith.andi %7, %10 : i1
    %12 = cylon.col %4 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> i64
    %13 = arith.constant 0 : i64
    %14 = arith.cmpi sgt, %12, %13 : i64
    %15 = arith.andi %11, %14 : i1
    %16 = cylon.col %4 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> f64
    %17 = cylon.col %4 "y" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> f64
    %18 = arith.cmpf olt, %16, %17 : f64
    %19 = arith.andi %15, %18 : i1
    cylon.yield %19 : i1
  }
  cylon.output "table" %3 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "inner_a"
// CHECK-NEXT: [[B:%[0-9a-z_]+]] = cylon.input "inner_b"
// CHECK-NEXT: [[FA:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.col {{.*}} "x"
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      arith.andi
// CHECK:      [[FB:%[0-9a-z_]+]] = cylon.filter [[B]] :
// CHECK:      cylon.col {{.*}} "y"
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      arith.andi
// CHECK:      [[J:%[0-9a-z_]+]] = cylon.join "inner" [[FA]], [[FB]]
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.filter [[J]] :
// CHECK:      cylon.col {{.*}} "x"
// CHECK-NEXT: cylon.col {{.*}} "y"
// CHECK-NEXT: arith.cmpf olt
// CHECK:      cylon.output "table" [[G]]

// -----

// Left join: left-side and key conjuncts go into the left input; a right-side one stays above
// (the join makes right columns null where nothing matches).

builtin.module {
  %0 = cylon.input "left_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "left_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "left" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["s", "left", "s", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64?>
  %3 = cylon.filter %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64?> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64?> {
  ^bb0(%4: !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64?>):
    %5 = cylon.col %4 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64?> -> f64
    %6 = arith.constant 1.000000e+00 : f64
    %7 = arith.cmpf ogt, %5, %6 : f64
    %8 = cylon.col %4 "y" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64?> -> !cylon.nullable<f64>
    %9 = arith.constant 2.000000e+00 : f64
    %10 = cylon.cmp "lt" %8, %9 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
    %11 = cylon.binop "and" %7, %10 : i1, !cylon.nullable<i1> -> !cylon.nullable<i1>
    %12 = cylon.col %4 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64?> -> i64
    %13 = arith.constant 0 : i64
    %14 = arith.cmpi sgt, %12, %13 : i64
    %15 = cylon.binop "and" %11, %14 : !cylon.nullable<i1>, i1 -> !cylon.nullable<i1>
    cylon.yield %15 : !cylon.nullable<i1>
  }
  cylon.output "table" %3 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64?>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "left_a"
// CHECK-NEXT: [[B:%[0-9a-z_]+]] = cylon.input "left_b"
// CHECK-NEXT: [[FA:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.col {{.*}} "x"
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      [[J:%[0-9a-z_]+]] = cylon.join "left" [[FA]], [[B]]
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.filter [[J]] :
// CHECK:      cylon.col {{.*}} "y"
// CHECK:      cylon.output "table" [[G]]

// -----

// Right join: the mirror image; the merged key is the right key.

builtin.module {
  %0 = cylon.input "right_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "right_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "right" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["s", "left", "s", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64>
  %3 = cylon.filter %2 : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64> -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64> {
  ^bb0(%4: !cylon.row<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64>):
    %5 = cylon.col %4 "x" : !cylon.row<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64> -> !cylon.nullable<f64>
    %6 = arith.constant 1.000000e+00 : f64
    %7 = cylon.cmp "gt" %5, %6 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
    %8 = cylon.col %4 "y" : !cylon.row<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64> -> f64
    %9 = arith.constant 2.000000e+00 : f64
    %10 = arith.cmpf olt, %8, %9 : f64
    %11 = cylon.binop "and" %7, %10 : !cylon.nullable<i1>, i1 -> !cylon.nullable<i1>
    %12 = cylon.col %4 "k" : !cylon.row<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64> -> i64
    %13 = arith.constant 0 : i64
    %14 = arith.cmpi sgt, %12, %13 : i64
    %15 = cylon.binop "and" %11, %14 : !cylon.nullable<i1>, i1 -> !cylon.nullable<i1>
    cylon.yield %15 : !cylon.nullable<i1>
  }
  cylon.output "table" %3 : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "right_a"
// CHECK-NEXT: [[B:%[0-9a-z_]+]] = cylon.input "right_b"
// CHECK-NEXT: [[FB:%[0-9a-z_]+]] = cylon.filter [[B]] :
// CHECK:      cylon.col {{.*}} "y"
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      [[J:%[0-9a-z_]+]] = cylon.join "right" [[A]], [[FB]]
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.filter [[J]] :
// CHECK:      cylon.col {{.*}} "x"
// CHECK:      cylon.output "table" [[G]]

// -----

// Outer join: nothing moves.

builtin.module {
  %0 = cylon.input "outer_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "outer_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "outer" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["s", "left", "s", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64?>
  %3 = cylon.filter %2 : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64?> -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64?> {
  ^bb0(%4: !cylon.row<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64?>):
    %5 = cylon.col %4 "x" : !cylon.row<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64?> -> !cylon.nullable<f64>
    %6 = arith.constant 1.000000e+00 : f64
    %7 = cylon.cmp "gt" %5, %6 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
    cylon.yield %7 : !cylon.nullable<i1>
  }
  cylon.output "table" %3 : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string?, "y": f64?>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "outer_a"
// CHECK-NEXT: [[B:%[0-9a-z_]+]] = cylon.input "outer_b"
// CHECK-NEXT: [[J:%[0-9a-z_]+]] = cylon.join "outer" [[A]], [[B]]
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.filter [[J]] :
// CHECK:      cylon.output "table" [[G]]

// -----

// Semi join: the whole filter goes into the left input.

builtin.module {
  %0 = cylon.input "semi_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "semi_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "semi" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["s", "left", "s", ""]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %3 = cylon.filter %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%4: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %5 = cylon.col %4 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %6 = arith.constant 1.000000e+00 : f64
    %7 = arith.cmpf ogt, %5, %6 : f64
    %8 = cylon.col %4 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %9 = arith.constant 0 : i64
    %10 = arith.cmpi sgt, %8, %9 : i64
    %11 = arith.andi %7, %10 : i1
    cylon.yield %11 : i1
  }
  cylon.output "table" %3 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "semi_a"
// CHECK-NEXT: [[B:%[0-9a-z_]+]] = cylon.input "semi_b"
// CHECK-NEXT: [[FA:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      [[J:%[0-9a-z_]+]] = cylon.join "semi" [[FA]], [[B]]
// CHECK-NEXT: cylon.output "table" [[J]]

// -----

// Aggregate: a conjunct on the group key moves below it, one on an aggregate does not.

builtin.module {
  %0 = cylon.input "agg_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.aggregate %0 by ["k"] aggs [["sum", "x", "m"]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "m": f64>
  %2 = cylon.filter %1 : !cylon.table<"k": i64, "m": f64> -> !cylon.table<"k": i64, "m": f64> {
  ^bb0(%3: !cylon.row<"k": i64, "m": f64>):
    %4 = cylon.col %3 "k" : !cylon.row<"k": i64, "m": f64> -> i64
    %5 = arith.constant 0 : i64
    %6 = arith.cmpi sgt, %4, %5 : i64
    %7 = cylon.col %3 "m" : !cylon.row<"k": i64, "m": f64> -> f64
    %8 = arith.constant 1.000000e+00 : f64
    %9 = arith.cmpf ogt, %7, %8 : f64
    %10 = arith.andi %6, %9 : i1
    cylon.yield %10 : i1
  }
  cylon.output "table" %2 : !cylon.table<"k": i64, "m": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "agg_a"
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      [[G:%[0-9a-z_]+]] = cylon.aggregate [[F]] by ["k"]
// CHECK-NEXT: [[H:%[0-9a-z_]+]] = cylon.filter [[G]] :
// CHECK:      cylon.col {{.*}} "m"
// CHECK:      cylon.output "table" [[H]]

// -----

// Union: the filter goes into every input (and merges with the filter already there).

builtin.module {
  %0 = cylon.input "union_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 5.000000e+00 : f64
    %5 = arith.cmpf olt, %3, %4 : f64
    cylon.yield %5 : i1
  }
  %6 = cylon.union %0, %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %7 = cylon.filter %6 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%8: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %9 = cylon.col %8 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %10 = arith.constant 0 : i64
    %11 = arith.cmpi sgt, %9, %10 : i64
    cylon.yield %11 : i1
  }
  cylon.output "table" %7 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "union_a"
// CHECK-NEXT: [[F1:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      [[F2:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.col {{.*}} "x"
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      arith.andi
// CHECK:      [[U:%[0-9a-z_]+]] = cylon.union [[F1]], [[F2]]
// CHECK-NEXT: cylon.output "table" [[U]]

// -----

// Union where an input lacks the column (it is null there): the filter stays.

builtin.module {
  %0 = cylon.input "union_missing_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "union_missing_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.project %0 ["k", "x"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64>
  %3 = cylon.union %2, %1 : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64?, "y": f64?>
  %4 = cylon.filter %3 : !cylon.table<"k": i64, "x": f64?, "y": f64?> -> !cylon.table<"k": i64, "x": f64?, "y": f64?> {
  ^bb0(%5: !cylon.row<"k": i64, "x": f64?, "y": f64?>):
    %6 = cylon.col %5 "x" : !cylon.row<"k": i64, "x": f64?, "y": f64?> -> !cylon.nullable<f64>
    %7 = arith.constant 0.000000e+00 : f64
    %8 = cylon.cmp "gt" %6, %7 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
    cylon.yield %8 : !cylon.nullable<i1>
  }
  cylon.output "table" %4 : !cylon.table<"k": i64, "x": f64?, "y": f64?>
}

// CHECK:      [[U:%[0-9a-z_]+]] = cylon.union
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[U]] :
// CHECK:      cylon.output "table" [[F]]

// -----

// Never past a limit.

builtin.module {
  %0 = cylon.input "limit_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.limit %0 5 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %2 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%3: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %4 = cylon.col %3 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %5 = arith.constant 0 : i64
    %6 = arith.cmpi sgt, %4, %5 : i64
    cylon.yield %6 : i1
  }
  cylon.output "table" %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "limit_a"
// CHECK-NEXT: [[L:%[0-9a-z_]+]] = cylon.limit [[A]] 5
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[L]] :
// CHECK:      cylon.output "table" [[F]]

// -----

// Never past a distinct.

builtin.module {
  %0 = cylon.input "distinct_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.distinct %0 {subset = ["k"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %2 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%3: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %4 = cylon.col %3 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %5 = arith.constant 0 : i64
    %6 = arith.cmpi sgt, %4, %5 : i64
    cylon.yield %6 : i1
  }
  cylon.output "table" %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "distinct_a"
// CHECK-NEXT: [[D:%[0-9a-z_]+]] = cylon.distinct [[A]]
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[D]] :
// CHECK:      cylon.output "table" [[F]]

// -----

// The assign has another user: the filter stays (moving it would change that user's input).

builtin.module {
  %0 = cylon.input "shared_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.assign %0 ["z"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 1.000000e+00 : f64
    %5 = arith.addf %3, %4 : f64
    cylon.yield %5 : f64
  }
  %6 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> {
  ^bb0(%7: !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "z": f64>):
    %8 = cylon.col %7 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> i64
    %9 = arith.constant 0 : i64
    %10 = arith.cmpi sgt, %8, %9 : i64
    cylon.yield %10 : i1
  }
  %11 = cylon.union %6, %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64>, !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64>
  cylon.output "table" %11 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "shared_a"
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.assign [[A]] ["z"]
// CHECK:      [[F:%[0-9a-z_]+]] = cylon.filter [[S]] :
// CHECK:      [[U:%[0-9a-z_]+]] = cylon.union [[F]], [[S]]

// -----

// A predicate that uses a scalar computed from the filtered table stays.

builtin.module {
  %0 = cylon.input "scalar_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.assign %0 ["z"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 1.000000e+00 : f64
    %5 = arith.addf %3, %4 : f64
    cylon.yield %5 : f64
  }
  %6 = cylon.reduce %1 aggs [["mean", "z", "z"]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> !cylon.table<"z": f64?>
  %7 = cylon.scalar %6 "z" : !cylon.table<"z": f64?> -> !cylon.nullable<f64>
  %8 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64> {
  ^bb0(%9: !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "z": f64>):
    %10 = cylon.col %9 "z" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "z": f64> -> f64
    %11 = cylon.cmp "gt" %10, %7 : f64, !cylon.nullable<f64> -> !cylon.nullable<i1>
    cylon.yield %11 : !cylon.nullable<i1>
  }
  cylon.output "table" %8 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "z": f64>
}

// CHECK:      [[S:%[0-9a-z_]+]] = cylon.assign
// CHECK:      [[M:%[0-9a-z_]+]] = cylon.scalar
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[S]] :
// CHECK:      cylon.cmp "gt" {{%[0-9a-z_]+}}, [[M]]
// CHECK:      cylon.output "table" [[F]]

// -----

// A cast can fail on rows the join would have dropped: the filter stays above the join.

builtin.module {
  %0 = cylon.input "may_fail_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.input "may_fail_b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "inner" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["s", "left", "s", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64>
  %3 = cylon.filter %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64> {
  ^bb0(%4: !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64>):
    %5 = cylon.col %4 "s" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string, "y": f64> -> !cylon.string
    %6 = cylon.cast %5 : !cylon.string -> i64
    %7 = arith.constant 1 : i64
    %8 = arith.cmpi sgt, %6, %7 : i64
    cylon.yield %8 : i1
  }
  cylon.output "table" %3 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string, "y": f64>
}

// CHECK:      [[J:%[0-9a-z_]+]] = cylon.join "inner"
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[J]] :
// CHECK:      cylon.cast
// CHECK:      cylon.output "table" [[F]]

// -----

// Adjacent filters merge into one (earlier conjunct first).

builtin.module {
  %0 = cylon.input "merge_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.limit %0 3 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %2 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%3: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %4 = cylon.col %3 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %5 = arith.constant 0 : i64
    %6 = arith.cmpi sgt, %4, %5 : i64
    cylon.yield %6 : i1
  }
  %7 = cylon.filter %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%8: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %9 = cylon.col %8 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %10 = arith.constant 1.000000e+00 : f64
    %11 = arith.cmpf ogt, %9, %10 : f64
    cylon.yield %11 : i1
  }
  cylon.output "table" %7 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[L:%[0-9a-z_]+]] = cylon.limit
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[L]] :
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      cylon.col {{.*}} "x"
// CHECK:      arith.andi
// CHECK:      cylon.output "table" [[F]]

// -----

// A filter that may fail is not merged into the one below it (it would see its rows).

builtin.module {
  %0 = cylon.input "merge_may_fail_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.limit %0 3 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %2 = cylon.filter %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%3: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %4 = cylon.col %3 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %5 = arith.constant 0 : i64
    %6 = arith.cmpi sgt, %4, %5 : i64
    cylon.yield %6 : i1
  }
  %7 = cylon.filter %2 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%8: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %9 = cylon.col %8 "s" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.string
    %10 = cylon.cast %9 : !cylon.string -> i64
    %11 = arith.constant 1 : i64
    %12 = arith.cmpi sgt, %10, %11 : i64
    cylon.yield %12 : i1
  }
  cylon.output "table" %7 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[L:%[0-9a-z_]+]] = cylon.limit
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[L]] :
// CHECK:      cylon.col {{.*}} "k"
// CHECK:      [[G:%[0-9a-z_]+]] = cylon.filter [[F]] :
// CHECK:      cylon.cast
// CHECK:      cylon.output "table" [[G]]
