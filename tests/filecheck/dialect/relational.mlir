// RUN: xdsl-opt %s | xdsl-opt | filecheck %s
// RUN: XDSL_ROUNDTRIP
// RUN: XDSL_GENERIC_ROUNDTRIP
// RUN: cylonc opt %s | filecheck %s

// Round trip of every relational op of the cylon dialect: its custom assembly is printed back
// unchanged (RUN 1), its generic form parses back to the same ops (RUN 2), the generic form is
// the one below (RUN 3), and `cylonc opt` is the same driver (RUN 4). Attribute dictionaries are
// written in sorted order so that upstream mlir-opt (upstream.mlir) gives the same text back.
// Each op verifies, so the result schemas written here are the ones the verifiers compute.

// Pipeline arguments and file reads; `source_types` holds one Arrow type per column.
%t = cylon.input "t" {index = 0 : i64, source_types = ["int64", "double", "string", "date32[day]", "bool"]} : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>
// CHECK: builtin.module {
// CHECK-NEXT: [[T:%[a-z0-9_]+]] = cylon.input "t" {index = 0 : i64, source_types = ["int64", "double", "string", "date32[day]", "bool"]} : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>
// CHECK-GENERIC: "builtin.module"() ({
// CHECK-GENERIC-NEXT: [[T:%[a-z0-9_]+]] = "cylon.input"() <{name = "t", index = 0 : i64, source_types = ["int64", "double", "string", "date32[day]", "bool"]}> : () -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>
%r = cylon.read "parquet" "/data/r.parquet" {source_types = ["int64", "large_string"]} : !cylon.table<"k": i64?, "y": !cylon.string>
// CHECK-NEXT: [[R:%[a-z0-9_]+]] = cylon.read "parquet" "/data/r.parquet" {source_types = ["int64", "large_string"]} : !cylon.table<"k": i64?, "y": !cylon.string>
// CHECK-GENERIC-NEXT: [[R:%[a-z0-9_]+]] = "cylon.read"() <{format = "parquet", path = "/data/r.parquet", source_types = ["int64", "large_string"]}> : () -> !cylon.table<"k": i64?, "y": !cylon.string>
%c = cylon.read "csv" "c.csv" {source_types = ["int32", "timestamp[ns]"]} : !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?>
// CHECK-NEXT: [[C:%[a-z0-9_]+]] = cylon.read "csv" "c.csv" {source_types = ["int32", "timestamp[ns]"]} : !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?>
// CHECK-GENERIC-NEXT: [[C:%[a-z0-9_]+]] = "cylon.read"() <{format = "csv", path = "c.csv", source_types = ["int32", "timestamp[ns]"]}> : () -> !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?>

// A filter keeps its input type; the region reads the input's row. Discardable attributes
// such as the frontend's `loc` stay in the attribute dictionary.
%f = cylon.filter %t {loc = "pipeline.py:7"} : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> {
^bb0(%row: !cylon.row<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>):
  %b = cylon.col %row "b" : !cylon.row<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> i1
  cylon.yield %b : i1
}
// CHECK-NEXT: [[F:%[a-z0-9_]+]] = cylon.filter [[T]] {loc = "pipeline.py:7"} : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> {
// CHECK-NEXT: ^bb0([[ROW:%[a-z0-9_]+]]: !cylon.row<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>):
// CHECK-NEXT: [[B:%[a-z0-9_]+]] = cylon.col [[ROW]] "b" : !cylon.row<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> i1
// CHECK-NEXT: cylon.yield [[B]] : i1
// CHECK-NEXT: }
// CHECK-GENERIC-NEXT: [[F:%[a-z0-9_]+]] = "cylon.filter"([[T]]) ({
// CHECK-GENERIC-NEXT: ^bb0([[ROW:%[a-z0-9_]+]]: !cylon.row<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>):
// CHECK-GENERIC-NEXT: [[B:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "b"}> : (!cylon.row<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>) -> i1
// CHECK-GENERIC-NEXT: "cylon.yield"([[B]]) : (i1) -> ()
// CHECK-GENERIC-NEXT: }) {loc = "pipeline.py:7"} : (!cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>) -> !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>

// project reorders; assign replaces `k` in place (now f64) and appends `z`; rename maps old to new.
%p = cylon.project %f ["x", "k"] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"x": f64?, "k": i64>
// CHECK-NEXT: [[P:%[a-z0-9_]+]] = cylon.project [[F]] ["x", "k"] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"x": f64?, "k": i64>
// CHECK-GENERIC-NEXT: [[P:%[a-z0-9_]+]] = "cylon.project"([[F]]) <{columns = ["x", "k"]}> : (!cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>) -> !cylon.table<"x": f64?, "k": i64>
%a = cylon.assign %p ["k", "z"] : !cylon.table<"x": f64?, "k": i64> -> !cylon.table<"x": f64?, "k": f64, "z": f64?> {
^bb0(%row: !cylon.row<"x": f64?, "k": i64>):
  %k = cylon.col %row "k" : !cylon.row<"x": f64?, "k": i64> -> i64
  %kf = cylon.cast %k : i64 -> f64
  %x = cylon.col %row "x" : !cylon.row<"x": f64?, "k": i64> -> !cylon.nullable<f64>
  cylon.yield %kf, %x : f64, !cylon.nullable<f64>
}
// CHECK-NEXT: [[A:%[a-z0-9_]+]] = cylon.assign [[P]] ["k", "z"] : !cylon.table<"x": f64?, "k": i64> -> !cylon.table<"x": f64?, "k": f64, "z": f64?> {
// CHECK-NEXT: ^bb0([[ROW_1:%[a-z0-9_]+]]: !cylon.row<"x": f64?, "k": i64>):
// CHECK-NEXT: [[K:%[a-z0-9_]+]] = cylon.col [[ROW_1]] "k" : !cylon.row<"x": f64?, "k": i64> -> i64
// CHECK-NEXT: [[KF:%[a-z0-9_]+]] = cylon.cast [[K]] : i64 -> f64
// CHECK-NEXT: [[X:%[a-z0-9_]+]] = cylon.col [[ROW_1]] "x" : !cylon.row<"x": f64?, "k": i64> -> !cylon.nullable<f64>
// CHECK-NEXT: cylon.yield [[KF]], [[X]] : f64, !cylon.nullable<f64>
// CHECK-NEXT: }
// CHECK-GENERIC-NEXT: [[A:%[a-z0-9_]+]] = "cylon.assign"([[P]]) <{names = ["k", "z"]}> ({
// CHECK-GENERIC-NEXT: ^bb0([[ROW_1:%[a-z0-9_]+]]: !cylon.row<"x": f64?, "k": i64>):
// CHECK-GENERIC-NEXT: [[K:%[a-z0-9_]+]] = "cylon.col"([[ROW_1]]) <{column = "k"}> : (!cylon.row<"x": f64?, "k": i64>) -> i64
// CHECK-GENERIC-NEXT: [[KF:%[a-z0-9_]+]] = "cylon.cast"([[K]]) : (i64) -> f64
// CHECK-GENERIC-NEXT: [[X:%[a-z0-9_]+]] = "cylon.col"([[ROW_1]]) <{column = "x"}> : (!cylon.row<"x": f64?, "k": i64>) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: "cylon.yield"([[KF]], [[X]]) : (f64, !cylon.nullable<f64>) -> ()
// CHECK-GENERIC-NEXT: }) : (!cylon.table<"x": f64?, "k": i64>) -> !cylon.table<"x": f64?, "k": f64, "z": f64?>
%rn = cylon.rename %a ["z", "x"] to ["w", "v"] : !cylon.table<"x": f64?, "k": f64, "z": f64?> -> !cylon.table<"v": f64?, "k": f64, "w": f64?>
// CHECK-NEXT: [[RN:%[a-z0-9_]+]] = cylon.rename [[A]] ["z", "x"] to ["w", "v"] : !cylon.table<"x": f64?, "k": f64, "z": f64?> -> !cylon.table<"v": f64?, "k": f64, "w": f64?>
// CHECK-GENERIC-NEXT: [[RN:%[a-z0-9_]+]] = "cylon.rename"([[A]]) <{old = ["z", "x"], new = ["w", "v"]}> : (!cylon.table<"x": f64?, "k": f64, "z": f64?>) -> !cylon.table<"v": f64?, "k": f64, "w": f64?>
%l = cylon.project %t ["k", "x"] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[L:%[a-z0-9_]+]] = cylon.project [[T]] ["k", "x"] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[L:%[a-z0-9_]+]] = "cylon.project"([[T]]) <{columns = ["k", "x"]}> : (!cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>) -> !cylon.table<"k": i64, "x": f64?>

// Joins: the key ("key" entries) comes from the left side, except for right/right_anti joins;
// an outer key is null only when both sides may be; the side that may miss a match becomes
// nullable (right columns for left/outer/left_anti, left ones for right/outer/right_anti);
// semi/anti joins keep only left columns.
%j1 = cylon.join "inner" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string>
// CHECK-NEXT: [[J1:%[a-z0-9_]+]] = cylon.join "inner" [[L]], [[R]] on ["k"] = ["k"] columns {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string>
// CHECK-GENERIC-NEXT: [[J1:%[a-z0-9_]+]] = "cylon.join"([[L]], [[R]]) <{how = "inner", left_on = ["k"], right_on = ["k"], columns = {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string>
%j2 = cylon.join "left" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[J2:%[a-z0-9_]+]] = cylon.join "left" [[L]], [[R]] on ["k"] = ["k"] columns {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[J2:%[a-z0-9_]+]] = "cylon.join"([[L]], [[R]]) <{how = "left", left_on = ["k"], right_on = ["k"], columns = {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
%j3 = cylon.join "right" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>
// CHECK-NEXT: [[J3:%[a-z0-9_]+]] = cylon.join "right" [[L]], [[R]] on ["k"] = ["k"] columns {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>
// CHECK-GENERIC-NEXT: [[J3:%[a-z0-9_]+]] = "cylon.join"([[L]], [[R]]) <{how = "right", left_on = ["k"], right_on = ["k"], columns = {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string>) -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>
%j4 = cylon.join "outer" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[J4:%[a-z0-9_]+]] = cylon.join "outer" [[L]], [[R]] on ["k"] = ["k"] columns {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[J4:%[a-z0-9_]+]] = "cylon.join"([[L]], [[R]]) <{how = "outer", left_on = ["k"], right_on = ["k"], columns = {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string>) -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string?>
%j5 = cylon.join "semi" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[J5:%[a-z0-9_]+]] = cylon.join "semi" [[L]], [[R]] on ["k"] = ["k"] columns {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[J5:%[a-z0-9_]+]] = "cylon.join"([[L]], [[R]]) <{how = "semi", left_on = ["k"], right_on = ["k"], columns = {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string>) -> !cylon.table<"k": i64, "x": f64?>
%j6 = cylon.join "anti" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-NEXT: [[J6:%[a-z0-9_]+]] = cylon.join "anti" [[L]], [[R]] on ["k"] = ["k"] columns {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?>
// CHECK-GENERIC-NEXT: [[J6:%[a-z0-9_]+]] = "cylon.join"([[L]], [[R]]) <{how = "anti", left_on = ["k"], right_on = ["k"], columns = {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string>) -> !cylon.table<"k": i64, "x": f64?>
%j7 = cylon.join "left_anti" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[J7:%[a-z0-9_]+]] = cylon.join "left_anti" [[L]], [[R]] on ["k"] = ["k"] columns {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[J7:%[a-z0-9_]+]] = "cylon.join"([[L]], [[R]]) <{how = "left_anti", left_on = ["k"], right_on = ["k"], columns = {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
%j8 = cylon.join "right_anti" %l, %r on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>
// CHECK-NEXT: [[J8:%[a-z0-9_]+]] = cylon.join "right_anti" [[L]], [[R]] on ["k"] = ["k"] columns {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string> -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>
// CHECK-GENERIC-NEXT: [[J8:%[a-z0-9_]+]] = "cylon.join"([[L]], [[R]]) <{how = "right_anti", left_on = ["k"], right_on = ["k"], columns = {{\[\[}}"k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64?, "y": !cylon.string>) -> !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>

// Several keys, numeric keys of different widths, no merged key (suffixed columns instead).
%j9 = cylon.join "inner" %l, %c on ["k", "x"] = ["k", "k"] columns [["k_x", "left", "k", ""], ["x", "left", "x", ""], ["k_y", "right", "k", ""], ["at", "right", "at", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?> -> !cylon.table<"k_x": i64, "x": f64?, "k_y": i32, "at": !cylon.timestamp<"ns">?>
// CHECK-NEXT: [[J9:%[a-z0-9_]+]] = cylon.join "inner" [[L]], [[C]] on ["k", "x"] = ["k", "k"] columns {{\[\[}}"k_x", "left", "k", ""], ["x", "left", "x", ""], ["k_y", "right", "k", ""], ["at", "right", "at", ""]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?> -> !cylon.table<"k_x": i64, "x": f64?, "k_y": i32, "at": !cylon.timestamp<"ns">?>
// CHECK-GENERIC-NEXT: [[J9:%[a-z0-9_]+]] = "cylon.join"([[L]], [[C]]) <{how = "inner", left_on = ["k", "x"], right_on = ["k", "k"], columns = {{\[\[}}"k_x", "left", "k", ""], ["x", "left", "x", ""], ["k_y", "right", "k", ""], ["at", "right", "at", ""]]}> : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?>) -> !cylon.table<"k_x": i64, "x": f64?, "k_y": i32, "at": !cylon.timestamp<"ns">?>

// Every aggregation: keys come first and are never null (rows with a null key are dropped);
// sum gives the float type or i64 (ints and bools) and is never null; counts are i64; mean, std
// and var give f64?; min, max, first and last keep the element type, nullable.
%g = cylon.aggregate %t by ["s", "d"] aggs [["sum", "x", "sx"], ["sum", "k", "sk"], ["sum", "b", "sb"], ["mean", "k", "mk"], ["min", "s", "mins"], ["max", "x", "maxx"], ["count", "x", "cx"], ["size", "", "n"], ["nunique", "s", "ns"], ["std", "x", "sd"], ["var", "b", "vb"], ["first", "k", "fk"], ["last", "d", "ld"]] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"s": !cylon.string, "d": !cylon.date, "sx": f64, "sk": i64, "sb": i64, "mk": f64?, "mins": !cylon.string?, "maxx": f64?, "cx": i64, "n": i64, "ns": i64, "sd": f64?, "vb": f64?, "fk": i64?, "ld": !cylon.date?>
// CHECK-NEXT: [[G:%[a-z0-9_]+]] = cylon.aggregate [[T]] by ["s", "d"] aggs {{\[\[}}"sum", "x", "sx"], ["sum", "k", "sk"], ["sum", "b", "sb"], ["mean", "k", "mk"], ["min", "s", "mins"], ["max", "x", "maxx"], ["count", "x", "cx"], ["size", "", "n"], ["nunique", "s", "ns"], ["std", "x", "sd"], ["var", "b", "vb"], ["first", "k", "fk"], ["last", "d", "ld"]] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"s": !cylon.string, "d": !cylon.date, "sx": f64, "sk": i64, "sb": i64, "mk": f64?, "mins": !cylon.string?, "maxx": f64?, "cx": i64, "n": i64, "ns": i64, "sd": f64?, "vb": f64?, "fk": i64?, "ld": !cylon.date?>
// CHECK-GENERIC-NEXT: [[G:%[a-z0-9_]+]] = "cylon.aggregate"([[T]]) <{keys = ["s", "d"], aggs = {{\[\[}}"sum", "x", "sx"], ["sum", "k", "sk"], ["sum", "b", "sb"], ["mean", "k", "mk"], ["min", "s", "mins"], ["max", "x", "maxx"], ["count", "x", "cx"], ["size", "", "n"], ["nunique", "s", "ns"], ["std", "x", "sd"], ["var", "b", "vb"], ["first", "k", "fk"], ["last", "d", "ld"]]}> : (!cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>) -> !cylon.table<"s": !cylon.string, "d": !cylon.date, "sx": f64, "sk": i64, "sb": i64, "mk": f64?, "mins": !cylon.string?, "maxx": f64?, "cx": i64, "n": i64, "ns": i64, "sd": f64?, "vb": f64?, "fk": i64?, "ld": !cylon.date?>
%red = cylon.reduce %t aggs [["sum", "x", "total"], ["size", "", "n"], ["max", "d", "last"]] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"total": f64, "n": i64, "last": !cylon.date?>
// CHECK-NEXT: [[RED:%[a-z0-9_]+]] = cylon.reduce [[T]] aggs {{\[\[}}"sum", "x", "total"], ["size", "", "n"], ["max", "d", "last"]] : !cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1> -> !cylon.table<"total": f64, "n": i64, "last": !cylon.date?>
// CHECK-GENERIC-NEXT: [[RED:%[a-z0-9_]+]] = "cylon.reduce"([[T]]) <{aggs = {{\[\[}}"sum", "x", "total"], ["size", "", "n"], ["max", "d", "last"]]}> : (!cylon.table<"k": i64, "x": f64?, "s": !cylon.string, "d": !cylon.date?, "b": i1>) -> !cylon.table<"total": f64, "n": i64, "last": !cylon.date?>

// sort flags are 1 (ascending) / 0 per key; sort, limit and distinct keep their input type; a
// negative limit keeps all but the last -n rows (pandas head(-n)).
%srt = cylon.sort %j2 by ["y", "k"] ascending [0, 1] : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[SRT:%[a-z0-9_]+]] = cylon.sort [[J2]] by ["y", "k"] ascending [0 : i64, 1 : i64] : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[SRT:%[a-z0-9_]+]] = "cylon.sort"([[J2]]) <{keys = ["y", "k"], ascending = [0 : i64, 1 : i64]}> : (!cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
%lim = cylon.limit %srt 10 : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[LIM:%[a-z0-9_]+]] = cylon.limit [[SRT]] 10 : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[LIM:%[a-z0-9_]+]] = "cylon.limit"([[SRT]]) <{n = 10 : i64}> : (!cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
%lim0 = cylon.limit %srt 0 : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[LIM0:%[a-z0-9_]+]] = cylon.limit [[SRT]] 0 : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[LIM0:%[a-z0-9_]+]] = "cylon.limit"([[SRT]]) <{n = 0 : i64}> : (!cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
%lim_neg = cylon.limit %srt -2 : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[LIM_NEG:%[a-z0-9_]+]] = cylon.limit [[SRT]] -2 : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[LIM_NEG:%[a-z0-9_]+]] = "cylon.limit"([[SRT]]) <{n = -2 : i64}> : (!cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
%dis = cylon.distinct %lim {subset = ["y"]} : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[DIS:%[a-z0-9_]+]] = cylon.distinct [[LIM]] {subset = ["y"]} : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[DIS:%[a-z0-9_]+]] = "cylon.distinct"([[LIM]]) <{subset = ["y"]}> : (!cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
%all = cylon.distinct %lim : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: [[ALL:%[a-z0-9_]+]] = cylon.distinct [[LIM]] : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?> -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-GENERIC-NEXT: [[ALL:%[a-z0-9_]+]] = "cylon.distinct"([[LIM]]) : (!cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>) -> !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>

// union conforms inputs by column name (an absent column is null; i32 widens into i64).
%u = cylon.union %l, %c, %l : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?, "at": !cylon.timestamp<"ns">?>
// CHECK-NEXT: [[U:%[a-z0-9_]+]] = cylon.union [[L]], [[C]], [[L]] : !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?> -> !cylon.table<"k": i64, "x": f64?, "at": !cylon.timestamp<"ns">?>
// CHECK-GENERIC-NEXT: [[U:%[a-z0-9_]+]] = "cylon.union"([[L]], [[C]], [[L]]) : (!cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i32, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?>) -> !cylon.table<"k": i64, "x": f64?, "at": !cylon.timestamp<"ns">?>

// The value of a one-row table's column, nullable as the column is.
%total = cylon.scalar %red "total" : !cylon.table<"total": f64, "n": i64, "last": !cylon.date?> -> f64
// CHECK-NEXT: [[TOTAL:%[a-z0-9_]+]] = cylon.scalar [[RED]] "total" : !cylon.table<"total": f64, "n": i64, "last": !cylon.date?> -> f64
// CHECK-GENERIC-NEXT: [[TOTAL:%[a-z0-9_]+]] = "cylon.scalar"([[RED]]) <{column = "total"}> : (!cylon.table<"total": f64, "n": i64, "last": !cylon.date?>) -> f64
%last = cylon.scalar %red "last" : !cylon.table<"total": f64, "n": i64, "last": !cylon.date?> -> !cylon.nullable<!cylon.date>
// CHECK-NEXT: [[LAST:%[a-z0-9_]+]] = cylon.scalar [[RED]] "last" : !cylon.table<"total": f64, "n": i64, "last": !cylon.date?> -> !cylon.nullable<!cylon.date>
// CHECK-GENERIC-NEXT: [[LAST:%[a-z0-9_]+]] = "cylon.scalar"([[RED]]) <{column = "last"}> : (!cylon.table<"total": f64, "n": i64, "last": !cylon.date?>) -> !cylon.nullable<!cylon.date>

// Each kind of output (a module normally has one; the verifier does not require it).
cylon.output "table" %rn : !cylon.table<"v": f64?, "k": f64, "w": f64?>
// CHECK-NEXT: cylon.output "table" [[RN]] : !cylon.table<"v": f64?, "k": f64, "w": f64?>
// CHECK-GENERIC-NEXT: "cylon.output"([[RN]]) <{kind = "table"}> : (!cylon.table<"v": f64?, "k": f64, "w": f64?>) -> ()
cylon.output "scalar" %last : !cylon.nullable<!cylon.date>
// CHECK-NEXT: cylon.output "scalar" [[LAST]] : !cylon.nullable<!cylon.date>
// CHECK-GENERIC-NEXT: "cylon.output"([[LAST]]) <{kind = "scalar"}> : (!cylon.nullable<!cylon.date>) -> ()
cylon.output "dict" %g, %total {keys = ["groups", "total"]} : !cylon.table<"s": !cylon.string, "d": !cylon.date, "sx": f64, "sk": i64, "sb": i64, "mk": f64?, "mins": !cylon.string?, "maxx": f64?, "cx": i64, "n": i64, "ns": i64, "sd": f64?, "vb": f64?, "fk": i64?, "ld": !cylon.date?>, f64
// CHECK-NEXT: cylon.output "dict" [[G]], [[TOTAL]] {keys = ["groups", "total"]} : !cylon.table<"s": !cylon.string, "d": !cylon.date, "sx": f64, "sk": i64, "sb": i64, "mk": f64?, "mins": !cylon.string?, "maxx": f64?, "cx": i64, "n": i64, "ns": i64, "sd": f64?, "vb": f64?, "fk": i64?, "ld": !cylon.date?>, f64
// CHECK-GENERIC-NEXT: "cylon.output"([[G]], [[TOTAL]]) <{kind = "dict", keys = ["groups", "total"]}> : (!cylon.table<"s": !cylon.string, "d": !cylon.date, "sx": f64, "sk": i64, "sb": i64, "mk": f64?, "mins": !cylon.string?, "maxx": f64?, "cx": i64, "n": i64, "ns": i64, "sd": f64?, "vb": f64?, "fk": i64?, "ld": !cylon.date?>, f64) -> ()
cylon.output "tuple" %j1, %j3, %j4, %j5, %j6, %j7, %j8, %j9, %dis, %all, %u, %lim0 : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>, !cylon.table<"k_x": i64, "x": f64?, "k_y": i32, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: cylon.output "tuple" [[J1]], [[J3]], [[J4]], [[J5]], [[J6]], [[J7]], [[J8]], [[J9]], [[DIS]], [[ALL]], [[U]], [[LIM0]] : !cylon.table<"k": i64, "x": f64?, "y": !cylon.string>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>, !cylon.table<"k_x": i64, "x": f64?, "k_y": i32, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>
// CHECK-NEXT: }
// CHECK-GENERIC-NEXT: "cylon.output"([[J1]], [[J3]], [[J4]], [[J5]], [[J6]], [[J7]], [[J8]], [[J9]], [[DIS]], [[ALL]], [[U]], [[LIM0]]) <{kind = "tuple"}> : (!cylon.table<"k": i64, "x": f64?, "y": !cylon.string>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64, "x": f64?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64?, "x": f64?, "y": !cylon.string>, !cylon.table<"k_x": i64, "x": f64?, "k_y": i32, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>, !cylon.table<"k": i64, "x": f64?, "at": !cylon.timestamp<"ns">?>, !cylon.table<"k": i64, "x": f64?, "y": !cylon.string?>) -> ()
// CHECK-GENERIC-NEXT: }) : () -> ()
