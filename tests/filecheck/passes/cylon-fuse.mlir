// RUN: cylonc opt %s -p cylon-fuse --split-input-file | filecheck %s

// cylon-fuse: maximal chains of filter/assign/project/rename over one input, optionally ended
// by a reduce or group-by aggregate of decomposable aggregates, become one cylon.fused op each
// (HyPer/LingoDB pipelines); the chain's ops move into its region unchanged.

// filter -> assign -> project -> reduce: one kernel; the scalar read stays outside.

builtin.module {
  %0 = cylon.input "t" {index = 0 : i64, source_types = ["int64", "double"]} : !cylon.table<"k": i64, "x": f64?>
  %1 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?> {
  ^bb0(%r: !cylon.row<"k": i64, "x": f64?>):
    %k = cylon.col %r "k" : !cylon.row<"k": i64, "x": f64?> -> i64
    %c = arith.constant 0 : i64
    %p = arith.cmpi sgt, %k, %c : i64
    cylon.yield %p : i1
  }
  %2 = cylon.assign %1 ["y"] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?, "y": f64?> {
  ^bb0(%r: !cylon.row<"k": i64, "x": f64?>):
    %x = cylon.col %r "x" : !cylon.row<"k": i64, "x": f64?> -> !cylon.nullable<f64>
    %two = arith.constant 2.000000e+00 : f64
    %y = cylon.binop "mul" %x, %two : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
    cylon.yield %y : !cylon.nullable<f64>
  }
  %3 = cylon.project %2 ["y"] : !cylon.table<"k": i64, "x": f64?, "y": f64?> -> !cylon.table<"y": f64?>
  %4 = cylon.reduce %3 aggs [["sum", "y", "s"], ["mean", "y", "m"], ["size", "", "n"]] : !cylon.table<"y": f64?> -> !cylon.table<"s": f64, "m": f64?, "n": i64>
  %5 = cylon.scalar %4 "s" : !cylon.table<"s": f64, "m": f64?, "n": i64> -> f64
  cylon.output "scalar" %5 : f64
}

// CHECK:      [[T:%[0-9a-z_]+]] = cylon.input "t"
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.fused "fused_0" [[T]] : !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"s": f64, "m": f64?, "n": i64> {
// CHECK-NEXT: ^{{.*}}([[IN:%[0-9a-z_]+]]: !cylon.table<"k": i64, "x": f64?>):
// CHECK-NEXT:   [[A:%[0-9a-z_]+]] = cylon.filter [[IN]]
// CHECK:        arith.cmpi sgt
// CHECK:        [[B:%[0-9a-z_]+]] = cylon.assign [[A]] ["y"]
// CHECK:        cylon.binop "mul"
// CHECK:        [[C:%[0-9a-z_]+]] = cylon.project [[B]] ["y"]
// CHECK-NEXT:   [[D:%[0-9a-z_]+]] = cylon.reduce [[C]] aggs {{\[\[}}"sum", "y", "s"], ["mean", "y", "m"], ["size", "", "n"]]
// CHECK-NEXT:   cylon.yield [[D]] : !cylon.table<"s": f64, "m": f64?, "n": i64>
// CHECK-NEXT: }
// CHECK-NEXT: cylon.scalar [[F]] "s"
// CHECK-NOT:  cylon.fused

// -----

// A table read twice ends a chain: the filter becomes its own kernel (it materializes its
// result once), and each reduce over it another.

builtin.module {
  %0 = cylon.input "t2" {index = 0 : i64, source_types = ["int64", "double"]} : !cylon.table<"k": i64, "x": f64>
  %1 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64> {
  ^bb0(%r: !cylon.row<"k": i64, "x": f64>):
    %x = cylon.col %r "x" : !cylon.row<"k": i64, "x": f64> -> f64
    %c = arith.constant 1.000000e+00 : f64
    %p = arith.cmpf olt, %x, %c : f64
    cylon.yield %p : i1
  }
  %2 = cylon.reduce %1 aggs [["max", "x", "hi"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"hi": f64?>
  %3 = cylon.reduce %1 aggs [["count", "k", "n"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"n": i64>
  %4 = cylon.scalar %2 "hi" : !cylon.table<"hi": f64?> -> !cylon.nullable<f64>
  %5 = cylon.scalar %3 "n" : !cylon.table<"n": i64> -> i64
  cylon.output "tuple" %4, %5 : !cylon.nullable<f64>, i64
}

// CHECK:      [[T:%[0-9a-z_]+]] = cylon.input "t2"
// CHECK-NEXT: [[F0:%[0-9a-z_]+]] = cylon.fused "fused_0" [[T]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64> {
// CHECK:        cylon.filter
// CHECK:      [[F1:%[0-9a-z_]+]] = cylon.fused "fused_1" [[F0]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"hi": f64?> {
// CHECK:        cylon.reduce {{%[0-9a-z_]+}} aggs {{\[\[}}"max", "x", "hi"]]
// CHECK:      [[F2:%[0-9a-z_]+]] = cylon.fused "fused_2" [[F0]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"n": i64> {
// CHECK:        cylon.reduce {{%[0-9a-z_]+}} aggs {{\[\[}}"count", "k", "n"]]

// -----

// A reduce or group-by with an aggregate that does not decompose (nunique) is not fused: the
// chain stops before it. A sort ends a chain; a chain of only projections and renames is left
// alone (nothing to compute); a decomposable group-by alone is a kernel.

builtin.module {
  %0 = cylon.input "t3" {index = 0 : i64, source_types = ["int64", "double"]} : !cylon.table<"k": i64, "x": f64>
  %1 = cylon.assign %0 ["z"] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64, "z": f64> {
  ^bb0(%r: !cylon.row<"k": i64, "x": f64>):
    %x = cylon.col %r "x" : !cylon.row<"k": i64, "x": f64> -> f64
    %y = arith.addf %x, %x : f64
    cylon.yield %y : f64
  }
  %2 = cylon.reduce %1 aggs [["nunique", "z", "u"]] : !cylon.table<"k": i64, "x": f64, "z": f64> -> !cylon.table<"u": i64>
  %3 = cylon.rename %0 ["x"] to ["w"] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "w": f64>
  %4 = cylon.project %3 ["k"] : !cylon.table<"k": i64, "w": f64> -> !cylon.table<"k": i64>
  %5 = cylon.sort %4 by ["k"] ascending [1] : !cylon.table<"k": i64> -> !cylon.table<"k": i64>
  %6 = cylon.aggregate %0 by ["k"] aggs [["sum", "x", "s"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "s": f64>
  %7 = cylon.aggregate %0 by ["k"] aggs [["nunique", "x", "v"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "v": i64>
  cylon.output "tuple" %2, %5, %6, %7 : !cylon.table<"u": i64>, !cylon.table<"k": i64>, !cylon.table<"k": i64, "s": f64>, !cylon.table<"k": i64, "v": i64>
}

// CHECK:      [[T:%[0-9a-z_]+]] = cylon.input "t3"
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.fused "fused_0" [[T]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64, "z": f64> {
// CHECK:        cylon.assign
// CHECK:      cylon.reduce [[F]] aggs {{\[\[}}"nunique", "z", "u"]]
// CHECK-NEXT: [[R:%[0-9a-z_]+]] = cylon.rename [[T]] ["x"] to ["w"]
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[R]] ["k"]
// CHECK-NEXT: cylon.sort [[P]]
// CHECK-NEXT: cylon.fused "fused_1" [[T]]
// CHECK-NEXT: ^{{.*}}([[IN:%[0-9a-z_]+]]: !cylon.table<"k": i64, "x": f64>):
// CHECK-NEXT:   [[G:%[0-9a-z_]+]] = cylon.aggregate [[IN]] by ["k"] aggs {{\[\[}}"sum", "x", "s"]]
// CHECK-NEXT:   cylon.yield [[G]]
// CHECK-NEXT: }
// CHECK-NEXT: cylon.aggregate [[T]] by ["k"] aggs {{\[\[}}"nunique", "x", "v"]]
// CHECK-NOT:  cylon.fused

// -----

// filter -> assign -> group-by: the TPC-H Q1 shape, one kernel.

builtin.module {
  %0 = cylon.input "t4" {index = 0 : i64, source_types = ["string", "double"]} : !cylon.table<"g": !cylon.string, "x": f64>
  %1 = cylon.filter %0 : !cylon.table<"g": !cylon.string, "x": f64> -> !cylon.table<"g": !cylon.string, "x": f64> {
  ^bb0(%r: !cylon.row<"g": !cylon.string, "x": f64>):
    %x = cylon.col %r "x" : !cylon.row<"g": !cylon.string, "x": f64> -> f64
    %p = arith.cmpf olt, %x, %x : f64
    cylon.yield %p : i1
  }
  %2 = cylon.assign %1 ["y"] : !cylon.table<"g": !cylon.string, "x": f64> -> !cylon.table<"g": !cylon.string, "x": f64, "y": f64> {
  ^bb0(%r: !cylon.row<"g": !cylon.string, "x": f64>):
    %x = cylon.col %r "x" : !cylon.row<"g": !cylon.string, "x": f64> -> f64
    %y = arith.mulf %x, %x : f64
    cylon.yield %y : f64
  }
  %3 = cylon.aggregate %2 by ["g"] aggs [["sum", "y", "s"], ["mean", "x", "m"], ["size", "", "n"]] : !cylon.table<"g": !cylon.string, "x": f64, "y": f64> -> !cylon.table<"g": !cylon.string, "s": f64, "m": f64?, "n": i64>
  cylon.output "table" %3 : !cylon.table<"g": !cylon.string, "s": f64, "m": f64?, "n": i64>
}

// CHECK:      [[T:%[0-9a-z_]+]] = cylon.input "t4"
// CHECK-NEXT: cylon.fused "fused_0" [[T]] : !cylon.table<"g": !cylon.string, "x": f64> -> !cylon.table<"g": !cylon.string, "s": f64, "m": f64?, "n": i64> {
// CHECK:        cylon.filter
// CHECK:        cylon.assign
// CHECK:        cylon.aggregate {{%[0-9a-z_]+}} by ["g"]
// CHECK:      cylon.output "table"
