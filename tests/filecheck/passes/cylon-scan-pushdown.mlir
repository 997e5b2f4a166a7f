// RUN: cylonc opt %s -p cylon-scan-pushdown --split-input-file | filecheck %s

// cylon-scan-pushdown: projections and dataset-evaluable filter conjuncts of a source fold into
// its cylon.input / cylon.read.

// A projection of a source becomes the source's columns, in the projection's order.

builtin.module {
  %0 = cylon.input "s_project_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.project %0 ["x", "k"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"x": f64, "k": i64>
  cylon.output "table" %1 : !cylon.table<"x": f64, "k": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "s_project_a" columns ["x", "k"] {{.*}}source = !cylon.table<"k": i64, "x": f64, "s": !cylon.string>{{.*}} : !cylon.table<"x": f64, "k": i64>
// CHECK-NEXT: cylon.output "table" [[A]]

// -----

// Comparisons with literals and isin go into the scan; a string function stays in a filter.

builtin.module {
  %0 = cylon.input "s_filter_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %4 = arith.constant 1.000000e+00 : f64
    %5 = arith.cmpf ogt, %3, %4 : f64
    %6 = cylon.col %2 "s" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.string
    %7 = cylon.str "startswith" %6 {pattern = "b"} : !cylon.string -> i1
    %8 = arith.andi %5, %7 : i1
    %9 = cylon.col %2 "s" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.string
    %10 = cylon.isin %9 ["a", "b"] : !cylon.string -> i1
    %11 = arith.andi %8, %10 : i1
    cylon.yield %11 : i1
  }
  cylon.output "table" %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "s_filter_a" {{.*}} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
// CHECK-NEXT: ^bb0({{%[0-9a-z_]+}}: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
// CHECK-NEXT:   cylon.col {{.*}} "x"
// CHECK-NEXT:   arith.constant
// CHECK-NEXT:   arith.cmpf ogt
// CHECK-NEXT:   cylon.col {{.*}} "s"
// CHECK-NEXT:   cylon.isin
// CHECK-NEXT:   arith.andi
// CHECK-NEXT:   cylon.yield
// CHECK-NEXT: }
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.str "startswith"
// CHECK:      cylon.output "table" [[F]]

// -----

// or/not of comparisons go into the scan, then the projection (the predicate reads source
// columns the scan does not return).

builtin.module {
  %0 = cylon.input "s_filter_project_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %4 = arith.constant 3 : i64
    %5 = arith.cmpi sge, %3, %4 : i64
    %6 = cylon.col %2 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %7 = arith.constant 2.000000e+00 : f64
    %8 = arith.cmpf olt, %6, %7 : f64
    %9 = arith.constant true
    %10 = arith.xori %8, %9 : i1
    %11 = arith.ori %5, %10 : i1
    cylon.yield %11 : i1
  }
  %12 = cylon.project %1 ["s"] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"s": !cylon.string>
  cylon.output "table" %12 : !cylon.table<"s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "s_filter_project_a" columns ["s"] {{.*}} : !cylon.table<"s": !cylon.string> {
// CHECK-NEXT: ^bb0({{%[0-9a-z_]+}}: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
// CHECK:      arith.xori
// CHECK-NEXT: arith.ori
// CHECK-NEXT: cylon.yield
// CHECK-NEXT: }
// CHECK-NEXT: cylon.output "table" [[A]]

// -----

// A source with two users is left alone.

builtin.module {
  %0 = cylon.input "s_shared_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %4 = arith.constant 1 : i64
    %5 = arith.cmpi sgt, %3, %4 : i64
    cylon.yield %5 : i1
  }
  cylon.output "dict" %1, %0 {keys = ["one", "two"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>, !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "s_shared_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[A]] :
// CHECK:      cylon.output "dict" [[F]], [[A]]

// -----

// A comparison with a computed scalar is not a literal: it stays in the filter.

builtin.module {
  %0 = cylon.input "s_scalar_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.reduce %0 aggs [["mean", "x", "x"]] : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"x": f64?>
  %2 = cylon.scalar %1 "x" : !cylon.table<"x": f64?> -> !cylon.nullable<f64>
  %3 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%4: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %5 = cylon.col %4 "x" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> f64
    %6 = cylon.cmp "gt" %5, %2 : f64, !cylon.nullable<f64> -> !cylon.nullable<i1>
    cylon.yield %6 : !cylon.nullable<i1>
  }
  cylon.output "table" %3 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "s_scalar_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
// CHECK:      cylon.filter [[A]] :

// -----

// notna goes into the scan.

builtin.module {
  %0 = cylon.input "s_lit_left_a" {index = 0 : i64, source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
  %1 = cylon.filter %0 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.table<"k": i64, "x": f64, "s": !cylon.string> {
  ^bb0(%2: !cylon.row<"k": i64, "x": f64, "s": !cylon.string>):
    %3 = cylon.col %2 "k" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> i64
    %4 = arith.constant 5 : i64
    %5 = arith.cmpi sgt, %3, %4 : i64
    %6 = cylon.col %2 "s" : !cylon.row<"k": i64, "x": f64, "s": !cylon.string> -> !cylon.string
    %7 = cylon.unary "notna" %6 : !cylon.string -> i1
    %8 = arith.andi %5, %7 : i1
    cylon.yield %8 : i1
  }
  cylon.output "table" %1 : !cylon.table<"k": i64, "x": f64, "s": !cylon.string>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "s_lit_left_a" {{.*}} {
// CHECK:      arith.cmpi sgt
// CHECK:      cylon.unary "notna"
// CHECK:      }
// CHECK-NEXT: cylon.output "table" [[A]]

// -----

// cylon.read takes a filter and columns too.

builtin.module {
  %0 = cylon.read "parquet" "/data/s_read.parquet" {source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64?, "y": f64?, "z": !cylon.string?>
  %1 = cylon.filter %0 : !cylon.table<"k": i64?, "y": f64?, "z": !cylon.string?> -> !cylon.table<"k": i64?, "y": f64?, "z": !cylon.string?> {
  ^bb0(%2: !cylon.row<"k": i64?, "y": f64?, "z": !cylon.string?>):
    %3 = cylon.col %2 "k" : !cylon.row<"k": i64?, "y": f64?, "z": !cylon.string?> -> !cylon.nullable<i64>
    %4 = arith.constant 1 : i64
    %5 = cylon.cmp "gt" %3, %4 : !cylon.nullable<i64>, i64 -> !cylon.nullable<i1>
    cylon.yield %5 : !cylon.nullable<i1>
  }
  %6 = cylon.project %1 ["y"] : !cylon.table<"k": i64?, "y": f64?, "z": !cylon.string?> -> !cylon.table<"y": f64?>
  cylon.output "table" %6 : !cylon.table<"y": f64?>
}

// CHECK:      [[R:%[0-9a-z_]+]] = cylon.read "parquet" "/data/s_read.parquet" columns ["y"] {{.*}} : !cylon.table<"y": f64?> {
// CHECK:      cylon.cmp "gt"
// CHECK:      }
// CHECK-NEXT: cylon.output "table" [[R]]

// -----

// read_parquet(columns=...) is a projection of the read: folded as well.

builtin.module {
  %0 = cylon.read "parquet" "/data/s_read_columns.parquet" {source_types = ["int64", "float64", "string"]} : !cylon.table<"k": i64?, "y": f64?, "z": !cylon.string?>
  %1 = cylon.project %0 ["k", "y"] : !cylon.table<"k": i64?, "y": f64?, "z": !cylon.string?> -> !cylon.table<"k": i64?, "y": f64?>
  %2 = cylon.filter %1 : !cylon.table<"k": i64?, "y": f64?> -> !cylon.table<"k": i64?, "y": f64?> {
  ^bb0(%3: !cylon.row<"k": i64?, "y": f64?>):
    %4 = cylon.col %3 "y" : !cylon.row<"k": i64?, "y": f64?> -> !cylon.nullable<f64>
    %5 = arith.constant 5.000000e-01 : f64
    %6 = cylon.cmp "lt" %4, %5 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
    cylon.yield %6 : !cylon.nullable<i1>
  }
  cylon.output "table" %2 : !cylon.table<"k": i64?, "y": f64?>
}

// CHECK:      [[R:%[0-9a-z_]+]] = cylon.read "parquet" "/data/s_read_columns.parquet" columns ["k", "y"] {{.*}} : !cylon.table<"k": i64?, "y": f64?> {
// CHECK:      cylon.cmp "lt"
// CHECK:      }
// CHECK-NEXT: cylon.output "table" [[R]]

// -----

// A filter on a scan that already has a predicate: the predicates are and-ed, the old one first.

%t = cylon.read "parquet" "/data/twice.parquet" columns ["k"] {source = !cylon.table<"k": i64, "x": f64?>, source_types = ["int64", "double"]} : !cylon.table<"k": i64> {
^bb0(%r : !cylon.row<"k": i64, "x": f64?>):
  %x = cylon.col %r "x" : !cylon.row<"k": i64, "x": f64?> -> !cylon.nullable<f64>
  %p = cylon.unary "isna" %x : !cylon.nullable<f64> -> i1
  cylon.yield %p : i1
}
%f = cylon.filter %t : !cylon.table<"k": i64> -> !cylon.table<"k": i64> {
^bb0(%r : !cylon.row<"k": i64>):
  %k = cylon.col %r "k" : !cylon.row<"k": i64> -> i64
  %p = cylon.isin %k [1 : i64, 2 : i64] : i64 -> i1
  %n = arith.constant true
  %q = arith.xori %p, %n : i1
  cylon.yield %q : i1
}
cylon.output "table" %f : !cylon.table<"k": i64>

// CHECK:      [[R:%[0-9a-z_]+]] = cylon.read "parquet" "/data/twice.parquet" columns ["k"] {{.*}} : !cylon.table<"k": i64> {
// CHECK-NEXT: ^bb0([[ROW:%[0-9a-z_]+]]: !cylon.row<"k": i64, "x": f64?>):
// CHECK-NEXT:   cylon.col [[ROW]] "x"
// CHECK-NEXT:   [[P:%[0-9a-z_]+]] = cylon.unary "isna"
// CHECK-NEXT:   cylon.col [[ROW]] "k"
// CHECK-NEXT:   cylon.isin
// CHECK-NEXT:   arith.constant true
// CHECK-NEXT:   [[Q:%[0-9a-z_]+]] = arith.xori
// CHECK-NEXT:   [[PQ:%[0-9a-z_]+]] = arith.andi [[P]], [[Q]] : i1
// CHECK-NEXT:   cylon.yield [[PQ]] : i1
// CHECK-NEXT: }
// CHECK-NEXT: cylon.output "table" [[R]]

// -----

// A comparison of two columns is not dataset-evaluable: the filter stays.

%t = cylon.input "two_columns" {index = 0 : i64, source_types = ["double", "double"]} : !cylon.table<"x": f64, "y": f64>
%f = cylon.filter %t : !cylon.table<"x": f64, "y": f64> -> !cylon.table<"x": f64, "y": f64> {
^bb0(%r : !cylon.row<"x": f64, "y": f64>):
  %x = cylon.col %r "x" : !cylon.row<"x": f64, "y": f64> -> f64
  %y = cylon.col %r "y" : !cylon.row<"x": f64, "y": f64> -> f64
  %p = arith.cmpf olt, %x, %y : f64
  cylon.yield %p : i1
}
cylon.output "table" %f : !cylon.table<"x": f64, "y": f64>

// CHECK:      [[T:%[0-9a-z_]+]] = cylon.input "two_columns" {index = 0 : i64, source_types = ["double", "double"]} : !cylon.table<"x": f64, "y": f64>
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.filter [[T]]
