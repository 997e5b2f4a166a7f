// RUN: xdsl-opt %s | xdsl-opt | filecheck %s
// RUN: XDSL_ROUNDTRIP
// RUN: XDSL_GENERIC_ROUNDTRIP

// Round trip of every expression op of the cylon dialect, inside the regions of a filter and an
// assign (as the frontend emits them) and at module level (pipeline scalars). Every op verifies,
// so the result types written here are the ones the verifiers accept: null in gives null out,
// upstream arith/math ops only see non-null numbers, and cylon ops cover the rest. Attribute
// dictionaries are in sorted order, as upstream mlir-opt prints them (see upstream.mlir).

%t = cylon.input "t" {index = 0 : i64, source_types = ["int64", "int32", "double", "string", "string", "date32[day]", "timestamp[us, tz=UTC]", "bool", "bool"]} : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>
// CHECK: builtin.module {
// CHECK-NEXT: [[T:%[a-z0-9_]+]] = cylon.input "t" {index = 0 : i64, source_types = ["int64", "int32", "double", "string", "string", "date32[day]", "timestamp[us, tz=UTC]", "bool", "bool"]} : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>
// CHECK-GENERIC: "builtin.module"() ({
// CHECK-GENERIC-NEXT: [[T:%[a-z0-9_]+]] = "cylon.input"() <{name = "t", index = 0 : i64, source_types = ["int64", "int32", "double", "string", "string", "date32[day]", "timestamp[us, tz=UTC]", "bool", "bool"]}> : () -> !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>

// Filter region: column reads, constants, arithmetic, comparison and logic.
%f = cylon.filter %t : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> {
^bb0(%row: !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>):
  %i = cylon.col %row "i" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> i64
  %j = cylon.col %row "j" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<i32>
  %x = cylon.col %row "x" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<f64>
  %s = cylon.col %row "s" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<!cylon.string>
  %u = cylon.col %row "u" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.string
  %d = cylon.col %row "d" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.date
  %ts = cylon.col %row "ts" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<!cylon.timestamp<"us", "UTC">>
  %b = cylon.col %row "b" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> i1
  %nb = cylon.col %row "nb" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<i1>
  %str = cylon.const {value = "chr"} : !cylon.string
  %day = cylon.const {value = 19358 : i64} : !cylon.date
  %at = cylon.const {value = 1672531200000000 : i64} : !cylon.timestamp<"us", "UTC">
  %nullf = cylon.const : !cylon.nullable<f64>
  %nulls = cylon.const : !cylon.nullable<!cylon.string>
  %c2 = arith.constant 2 : i64
  %c15 = arith.constant 1.500000e+00 : f64
  %ji = cylon.cast %j : !cylon.nullable<i32> -> !cylon.nullable<i64>
  %if = cylon.cast %i : i64 -> f64
  %add = cylon.binop "add" %ji, %i : !cylon.nullable<i64>, i64 -> !cylon.nullable<i64>
  %sub = cylon.binop "sub" %i, %ji : i64, !cylon.nullable<i64> -> !cylon.nullable<i64>
  %mul = cylon.binop "mul" %x, %c15 : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
  %div = cylon.binop "div" %if, %c15 : f64, f64 -> !cylon.nullable<f64>
  %fdiv = cylon.binop "floordiv" %i, %c2 : i64, i64 -> !cylon.nullable<i64>
  %mod = cylon.binop "mod" %i, %c2 : i64, i64 -> !cylon.nullable<i64>
  %pow = cylon.binop "pow" %x, %c15 : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
  %cat = cylon.binop "add" %s, %u : !cylon.nullable<!cylon.string>, !cylon.string -> !cylon.nullable<!cylon.string>
  %eq = cylon.cmp "eq" %s, %str : !cylon.nullable<!cylon.string>, !cylon.string -> !cylon.nullable<i1>
  %ne = cylon.cmp "ne" %u, %str : !cylon.string, !cylon.string -> i1
  %lt = cylon.cmp "lt" %ts, %at : !cylon.nullable<!cylon.timestamp<"us", "UTC">>, !cylon.timestamp<"us", "UTC"> -> !cylon.nullable<i1>
  %le = cylon.cmp "le" %d, %day : !cylon.date, !cylon.date -> i1
  %gt = cylon.cmp "gt" %x, %c15 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
  %ge = cylon.cmp "ge" %add, %i : !cylon.nullable<i64>, i64 -> !cylon.nullable<i1>
  %beq = cylon.cmp "eq" %b, %b : i1, i1 -> i1
  %and = cylon.binop "and" %nb, %b : !cylon.nullable<i1>, i1 -> !cylon.nullable<i1>
  %or = cylon.binop "or" %eq, %lt : !cylon.nullable<i1>, !cylon.nullable<i1> -> !cylon.nullable<i1>
  %ai = arith.andi %ne, %le : i1
  %not = cylon.unary "not" %or : !cylon.nullable<i1> -> !cylon.nullable<i1>
  %p = cylon.binop "and" %and, %ai : !cylon.nullable<i1>, i1 -> !cylon.nullable<i1>
  cylon.yield %p : !cylon.nullable<i1>
}
// CHECK-NEXT: [[F:%[a-z0-9_]+]] = cylon.filter [[T]] : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> {
// CHECK-NEXT: ^bb0([[ROW:%[a-z0-9_]+]]: !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>):
// CHECK-NEXT: [[I:%[a-z0-9_]+]] = cylon.col [[ROW]] "i" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> i64
// CHECK-NEXT: [[J:%[a-z0-9_]+]] = cylon.col [[ROW]] "j" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<i32>
// CHECK-NEXT: [[X:%[a-z0-9_]+]] = cylon.col [[ROW]] "x" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<f64>
// CHECK-NEXT: [[S:%[a-z0-9_]+]] = cylon.col [[ROW]] "s" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[U:%[a-z0-9_]+]] = cylon.col [[ROW]] "u" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.string
// CHECK-NEXT: [[D:%[a-z0-9_]+]] = cylon.col [[ROW]] "d" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.date
// CHECK-NEXT: [[TS:%[a-z0-9_]+]] = cylon.col [[ROW]] "ts" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<!cylon.timestamp<"us", "UTC">>
// CHECK-NEXT: [[B:%[a-z0-9_]+]] = cylon.col [[ROW]] "b" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> i1
// CHECK-NEXT: [[NB:%[a-z0-9_]+]] = cylon.col [[ROW]] "nb" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<i1>
// CHECK-NEXT: [[STR:%[a-z0-9_]+]] = cylon.const {value = "chr"} : !cylon.string
// CHECK-NEXT: [[DAY:%[a-z0-9_]+]] = cylon.const {value = 19358 : i64} : !cylon.date
// CHECK-NEXT: [[AT:%[a-z0-9_]+]] = cylon.const {value = 1672531200000000 : i64} : !cylon.timestamp<"us", "UTC">
// CHECK-NEXT: [[NULLF:%[a-z0-9_]+]] = cylon.const : !cylon.nullable<f64>
// CHECK-NEXT: [[NULLS:%[a-z0-9_]+]] = cylon.const : !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[C2:%[a-z0-9_]+]] = arith.constant 2 : i64
// CHECK-NEXT: [[C15:%[a-z0-9_]+]] = arith.constant 1.500000e+00 : f64
// CHECK-NEXT: [[JI:%[a-z0-9_]+]] = cylon.cast [[J]] : !cylon.nullable<i32> -> !cylon.nullable<i64>
// CHECK-NEXT: [[IF:%[a-z0-9_]+]] = cylon.cast [[I]] : i64 -> f64
// CHECK-NEXT: [[ADD:%[a-z0-9_]+]] = cylon.binop "add" [[JI]], [[I]] : !cylon.nullable<i64>, i64 -> !cylon.nullable<i64>
// CHECK-NEXT: [[SUB:%[a-z0-9_]+]] = cylon.binop "sub" [[I]], [[JI]] : i64, !cylon.nullable<i64> -> !cylon.nullable<i64>
// CHECK-NEXT: [[MUL:%[a-z0-9_]+]] = cylon.binop "mul" [[X]], [[C15]] : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
// CHECK-NEXT: [[DIV:%[a-z0-9_]+]] = cylon.binop "div" [[IF]], [[C15]] : f64, f64 -> !cylon.nullable<f64>
// CHECK-NEXT: [[FDIV:%[a-z0-9_]+]] = cylon.binop "floordiv" [[I]], [[C2]] : i64, i64 -> !cylon.nullable<i64>
// CHECK-NEXT: [[MOD:%[a-z0-9_]+]] = cylon.binop "mod" [[I]], [[C2]] : i64, i64 -> !cylon.nullable<i64>
// CHECK-NEXT: [[POW:%[a-z0-9_]+]] = cylon.binop "pow" [[X]], [[C15]] : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
// CHECK-NEXT: [[CAT:%[a-z0-9_]+]] = cylon.binop "add" [[S]], [[U]] : !cylon.nullable<!cylon.string>, !cylon.string -> !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[EQ:%[a-z0-9_]+]] = cylon.cmp "eq" [[S]], [[STR]] : !cylon.nullable<!cylon.string>, !cylon.string -> !cylon.nullable<i1>
// CHECK-NEXT: [[NE:%[a-z0-9_]+]] = cylon.cmp "ne" [[U]], [[STR]] : !cylon.string, !cylon.string -> i1
// CHECK-NEXT: [[LT:%[a-z0-9_]+]] = cylon.cmp "lt" [[TS]], [[AT]] : !cylon.nullable<!cylon.timestamp<"us", "UTC">>, !cylon.timestamp<"us", "UTC"> -> !cylon.nullable<i1>
// CHECK-NEXT: [[LE:%[a-z0-9_]+]] = cylon.cmp "le" [[D]], [[DAY]] : !cylon.date, !cylon.date -> i1
// CHECK-NEXT: [[GT:%[a-z0-9_]+]] = cylon.cmp "gt" [[X]], [[C15]] : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
// CHECK-NEXT: [[GE:%[a-z0-9_]+]] = cylon.cmp "ge" [[ADD]], [[I]] : !cylon.nullable<i64>, i64 -> !cylon.nullable<i1>
// CHECK-NEXT: [[BEQ:%[a-z0-9_]+]] = cylon.cmp "eq" [[B]], [[B]] : i1, i1 -> i1
// CHECK-NEXT: [[AND:%[a-z0-9_]+]] = cylon.binop "and" [[NB]], [[B]] : !cylon.nullable<i1>, i1 -> !cylon.nullable<i1>
// CHECK-NEXT: [[OR:%[a-z0-9_]+]] = cylon.binop "or" [[EQ]], [[LT]] : !cylon.nullable<i1>, !cylon.nullable<i1> -> !cylon.nullable<i1>
// CHECK-NEXT: [[AI:%[a-z0-9_]+]] = arith.andi [[NE]], [[LE]] : i1
// CHECK-NEXT: [[NOT:%[a-z0-9_]+]] = cylon.unary "not" [[OR]] : !cylon.nullable<i1> -> !cylon.nullable<i1>
// CHECK-NEXT: [[P:%[a-z0-9_]+]] = cylon.binop "and" [[AND]], [[AI]] : !cylon.nullable<i1>, i1 -> !cylon.nullable<i1>
// CHECK-NEXT: cylon.yield [[P]] : !cylon.nullable<i1>
// CHECK-NEXT: }
// CHECK-GENERIC-NEXT: [[F:%[a-z0-9_]+]] = "cylon.filter"([[T]]) ({
// CHECK-GENERIC-NEXT: ^bb0([[ROW:%[a-z0-9_]+]]: !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>):
// CHECK-GENERIC-NEXT: [[I:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "i"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> i64
// CHECK-GENERIC-NEXT: [[J:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "j"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<i32>
// CHECK-GENERIC-NEXT: [[X:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "x"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[S:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "s"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[U:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "u"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.string
// CHECK-GENERIC-NEXT: [[D:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "d"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.date
// CHECK-GENERIC-NEXT: [[TS:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "ts"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<!cylon.timestamp<"us", "UTC">>
// CHECK-GENERIC-NEXT: [[B:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "b"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> i1
// CHECK-GENERIC-NEXT: [[NB:%[a-z0-9_]+]] = "cylon.col"([[ROW]]) <{column = "nb"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[STR:%[a-z0-9_]+]] = "cylon.const"() <{value = "chr"}> : () -> !cylon.string
// CHECK-GENERIC-NEXT: [[DAY:%[a-z0-9_]+]] = "cylon.const"() <{value = 19358 : i64}> : () -> !cylon.date
// CHECK-GENERIC-NEXT: [[AT:%[a-z0-9_]+]] = "cylon.const"() <{value = 1672531200000000 : i64}> : () -> !cylon.timestamp<"us", "UTC">
// CHECK-GENERIC-NEXT: [[NULLF:%[a-z0-9_]+]] = "cylon.const"() : () -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[NULLS:%[a-z0-9_]+]] = "cylon.const"() : () -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[C2:%[a-z0-9_]+]] = "arith.constant"() <{value = 2 : i64}> : () -> i64
// CHECK-GENERIC-NEXT: [[C15:%[a-z0-9_]+]] = "arith.constant"() <{value = 1.500000e+00 : f64}> : () -> f64
// CHECK-GENERIC-NEXT: [[JI:%[a-z0-9_]+]] = "cylon.cast"([[J]]) : (!cylon.nullable<i32>) -> !cylon.nullable<i64>
// CHECK-GENERIC-NEXT: [[IF:%[a-z0-9_]+]] = "cylon.cast"([[I]]) : (i64) -> f64
// CHECK-GENERIC-NEXT: [[ADD:%[a-z0-9_]+]] = "cylon.binop"([[JI]], [[I]]) <{fn = "add"}> : (!cylon.nullable<i64>, i64) -> !cylon.nullable<i64>
// CHECK-GENERIC-NEXT: [[SUB:%[a-z0-9_]+]] = "cylon.binop"([[I]], [[JI]]) <{fn = "sub"}> : (i64, !cylon.nullable<i64>) -> !cylon.nullable<i64>
// CHECK-GENERIC-NEXT: [[MUL:%[a-z0-9_]+]] = "cylon.binop"([[X]], [[C15]]) <{fn = "mul"}> : (!cylon.nullable<f64>, f64) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[DIV:%[a-z0-9_]+]] = "cylon.binop"([[IF]], [[C15]]) <{fn = "div"}> : (f64, f64) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[FDIV:%[a-z0-9_]+]] = "cylon.binop"([[I]], [[C2]]) <{fn = "floordiv"}> : (i64, i64) -> !cylon.nullable<i64>
// CHECK-GENERIC-NEXT: [[MOD:%[a-z0-9_]+]] = "cylon.binop"([[I]], [[C2]]) <{fn = "mod"}> : (i64, i64) -> !cylon.nullable<i64>
// CHECK-GENERIC-NEXT: [[POW:%[a-z0-9_]+]] = "cylon.binop"([[X]], [[C15]]) <{fn = "pow"}> : (!cylon.nullable<f64>, f64) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[CAT:%[a-z0-9_]+]] = "cylon.binop"([[S]], [[U]]) <{fn = "add"}> : (!cylon.nullable<!cylon.string>, !cylon.string) -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[EQ:%[a-z0-9_]+]] = "cylon.cmp"([[S]], [[STR]]) <{fn = "eq"}> : (!cylon.nullable<!cylon.string>, !cylon.string) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[NE:%[a-z0-9_]+]] = "cylon.cmp"([[U]], [[STR]]) <{fn = "ne"}> : (!cylon.string, !cylon.string) -> i1
// CHECK-GENERIC-NEXT: [[LT:%[a-z0-9_]+]] = "cylon.cmp"([[TS]], [[AT]]) <{fn = "lt"}> : (!cylon.nullable<!cylon.timestamp<"us", "UTC">>, !cylon.timestamp<"us", "UTC">) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[LE:%[a-z0-9_]+]] = "cylon.cmp"([[D]], [[DAY]]) <{fn = "le"}> : (!cylon.date, !cylon.date) -> i1
// CHECK-GENERIC-NEXT: [[GT:%[a-z0-9_]+]] = "cylon.cmp"([[X]], [[C15]]) <{fn = "gt"}> : (!cylon.nullable<f64>, f64) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[GE:%[a-z0-9_]+]] = "cylon.cmp"([[ADD]], [[I]]) <{fn = "ge"}> : (!cylon.nullable<i64>, i64) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[BEQ:%[a-z0-9_]+]] = "cylon.cmp"([[B]], [[B]]) <{fn = "eq"}> : (i1, i1) -> i1
// CHECK-GENERIC-NEXT: [[AND:%[a-z0-9_]+]] = "cylon.binop"([[NB]], [[B]]) <{fn = "and"}> : (!cylon.nullable<i1>, i1) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[OR:%[a-z0-9_]+]] = "cylon.binop"([[EQ]], [[LT]]) <{fn = "or"}> : (!cylon.nullable<i1>, !cylon.nullable<i1>) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[AI:%[a-z0-9_]+]] = "arith.andi"([[NE]], [[LE]]) : (i1, i1) -> i1
// CHECK-GENERIC-NEXT: [[NOT:%[a-z0-9_]+]] = "cylon.unary"([[OR]]) <{fn = "not"}> : (!cylon.nullable<i1>) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[P:%[a-z0-9_]+]] = "cylon.binop"([[AND]], [[AI]]) <{fn = "and"}> : (!cylon.nullable<i1>, i1) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: "cylon.yield"([[P]]) : (!cylon.nullable<i1>) -> ()
// CHECK-GENERIC-NEXT: }) : (!cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>

// Assign region: null handling, casts, rounding, membership, strings, date parts, UDF calls;
// one yielded value per assigned name.
%a = cylon.assign %f ["neg", "abs", "na", "ok", "r", "r0", "f", "fs", "w", "ws", "in", "ini", "inx", "sw", "ew", "ct", "len", "lo", "up", "sl", "ds", "sx", "yr", "mo", "dy", "udf", "nil"] : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?, "neg": i32?, "abs": f64, "na": i1, "ok": i1, "r": f64?, "r0": f32, "f": f64, "fs": !cylon.string?, "w": f64?, "ws": !cylon.string, "in": i1, "ini": i1, "inx": i1, "sw": i1?, "ew": i1, "ct": i1?, "len": i64?, "lo": !cylon.string?, "up": !cylon.string, "sl": !cylon.string?, "ds": !cylon.date?, "sx": !cylon.string?, "yr": i64, "mo": i64?, "dy": i64?, "udf": f64?, "nil": f64?> {
^bb0(%row2: !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>):
  %i = cylon.col %row2 "i" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> i64
  %j = cylon.col %row2 "j" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<i32>
  %x = cylon.col %row2 "x" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<f64>
  %s = cylon.col %row2 "s" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<!cylon.string>
  %u = cylon.col %row2 "u" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.string
  %d = cylon.col %row2 "d" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.date
  %ts = cylon.col %row2 "ts" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<!cylon.timestamp<"us", "UTC">>
  %b = cylon.col %row2 "b" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> i1
  %nb = cylon.col %row2 "nb" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<i1>
  %if = cylon.cast %i : i64 -> f64
  %c0 = arith.constant 0.000000e+00 : f64
  %y = arith.constant 2.500000e+00 : f32
  %neg = cylon.unary "neg" %j : !cylon.nullable<i32> -> !cylon.nullable<i32>
  %abs = cylon.unary "abs" %if : f64 -> f64
  %na = cylon.unary "isna" %s : !cylon.nullable<!cylon.string> -> i1
  %ok = cylon.unary "notna" %ts : !cylon.nullable<!cylon.timestamp<"us", "UTC">> -> i1
  %r = cylon.round %x 2 : !cylon.nullable<f64> -> !cylon.nullable<f64>
  %r0 = cylon.round %y -1 : f32 -> f32
  %fill = cylon.fillna %x, %c0 : !cylon.nullable<f64>, f64 -> f64
  %nulls = cylon.const : !cylon.nullable<!cylon.string>
  %fills = cylon.fillna %s, %nulls : !cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.string> -> !cylon.nullable<!cylon.string>
  %w = cylon.where %nb, %x, %c0 : !cylon.nullable<i1>, !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
  %ws = cylon.where %b, %u, %u : i1, !cylon.string, !cylon.string -> !cylon.string
  %in = cylon.isin %s ["a", "b"] : !cylon.nullable<!cylon.string> -> i1
  %ini = cylon.isin %i [1 : i64, 2 : i64, 3 : i64] : i64 -> i1
  %inx = cylon.isin %x [] : !cylon.nullable<f64> -> i1
  %sw = cylon.str "startswith" %s {pattern = "chr"} : !cylon.nullable<!cylon.string> -> !cylon.nullable<i1>
  %ew = cylon.str "endswith" %u {pattern = "X"} : !cylon.string -> i1
  %ct = cylon.str "contains" %s {case = false, pattern = "a.*b", regex = true} : !cylon.nullable<!cylon.string> -> !cylon.nullable<i1>
  %len = cylon.str "len" %s : !cylon.nullable<!cylon.string> -> !cylon.nullable<i64>
  %lo = cylon.str "lower" %s : !cylon.nullable<!cylon.string> -> !cylon.nullable<!cylon.string>
  %up = cylon.str "upper" %u : !cylon.string -> !cylon.string
  %sl = cylon.str "slice" %s {start = 1 : i64, step = 2 : i64, stop = -1 : i64} : !cylon.nullable<!cylon.string> -> !cylon.nullable<!cylon.string>
  %ds = cylon.cast %s : !cylon.nullable<!cylon.string> -> !cylon.nullable<!cylon.date>
  %sx = cylon.cast %x : !cylon.nullable<f64> -> !cylon.nullable<!cylon.string>
  %yr = cylon.dt "year" %d : !cylon.date -> i64
  %mo = cylon.dt "month" %ts : !cylon.nullable<!cylon.timestamp<"us", "UTC">> -> !cylon.nullable<i64>
  %dy = cylon.dt "day" %ds : !cylon.nullable<!cylon.date> -> !cylon.nullable<i64>
  %udf = cylon.udf "score_0" %if, %j, %b : f64, !cylon.nullable<i32>, i1 -> !cylon.nullable<f64>
  %nil = cylon.udf "rand_1" : -> !cylon.nullable<f64>
  cylon.yield %neg, %abs, %na, %ok, %r, %r0, %fill, %fills, %w, %ws, %in, %ini, %inx, %sw, %ew, %ct, %len, %lo, %up, %sl, %ds, %sx, %yr, %mo, %dy, %udf, %nil : !cylon.nullable<i32>, f64, i1, i1, !cylon.nullable<f64>, f32, f64, !cylon.nullable<!cylon.string>, !cylon.nullable<f64>, !cylon.string, i1, i1, i1, !cylon.nullable<i1>, i1, !cylon.nullable<i1>, !cylon.nullable<i64>, !cylon.nullable<!cylon.string>, !cylon.string, !cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.date>, !cylon.nullable<!cylon.string>, i64, !cylon.nullable<i64>, !cylon.nullable<i64>, !cylon.nullable<f64>, !cylon.nullable<f64>
}
// CHECK-NEXT: [[A:%[a-z0-9_]+]] = cylon.assign [[F]] ["neg", "abs", "na", "ok", "r", "r0", "f", "fs", "w", "ws", "in", "ini", "inx", "sw", "ew", "ct", "len", "lo", "up", "sl", "ds", "sx", "yr", "mo", "dy", "udf", "nil"] : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?, "neg": i32?, "abs": f64, "na": i1, "ok": i1, "r": f64?, "r0": f32, "f": f64, "fs": !cylon.string?, "w": f64?, "ws": !cylon.string, "in": i1, "ini": i1, "inx": i1, "sw": i1?, "ew": i1, "ct": i1?, "len": i64?, "lo": !cylon.string?, "up": !cylon.string, "sl": !cylon.string?, "ds": !cylon.date?, "sx": !cylon.string?, "yr": i64, "mo": i64?, "dy": i64?, "udf": f64?, "nil": f64?> {
// CHECK-NEXT: ^bb0([[ROW2:%[a-z0-9_]+]]: !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>):
// CHECK-NEXT: [[I_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "i" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> i64
// CHECK-NEXT: [[J_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "j" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<i32>
// CHECK-NEXT: [[X_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "x" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<f64>
// CHECK-NEXT: [[S_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "s" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[U_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "u" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.string
// CHECK-NEXT: [[D_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "d" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.date
// CHECK-NEXT: [[TS_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "ts" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<!cylon.timestamp<"us", "UTC">>
// CHECK-NEXT: [[B_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "b" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> i1
// CHECK-NEXT: [[NB_1:%[a-z0-9_]+]] = cylon.col [[ROW2]] "nb" : !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.nullable<i1>
// CHECK-NEXT: [[IF_1:%[a-z0-9_]+]] = cylon.cast [[I_1]] : i64 -> f64
// CHECK-NEXT: [[C0:%[a-z0-9_]+]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT: [[Y:%[a-z0-9_]+]] = arith.constant 2.500000e+00 : f32
// CHECK-NEXT: [[NEG:%[a-z0-9_]+]] = cylon.unary "neg" [[J_1]] : !cylon.nullable<i32> -> !cylon.nullable<i32>
// CHECK-NEXT: [[ABS:%[a-z0-9_]+]] = cylon.unary "abs" [[IF_1]] : f64 -> f64
// CHECK-NEXT: [[NA:%[a-z0-9_]+]] = cylon.unary "isna" [[S_1]] : !cylon.nullable<!cylon.string> -> i1
// CHECK-NEXT: [[OK:%[a-z0-9_]+]] = cylon.unary "notna" [[TS_1]] : !cylon.nullable<!cylon.timestamp<"us", "UTC">> -> i1
// CHECK-NEXT: [[R:%[a-z0-9_]+]] = cylon.round [[X_1]] 2 : !cylon.nullable<f64> -> !cylon.nullable<f64>
// CHECK-NEXT: [[R0:%[a-z0-9_]+]] = cylon.round [[Y]] -1 : f32 -> f32
// CHECK-NEXT: [[FILL:%[a-z0-9_]+]] = cylon.fillna [[X_1]], [[C0]] : !cylon.nullable<f64>, f64 -> f64
// CHECK-NEXT: [[NULLS_1:%[a-z0-9_]+]] = cylon.const : !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[FILLS:%[a-z0-9_]+]] = cylon.fillna [[S_1]], [[NULLS_1]] : !cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.string> -> !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[W:%[a-z0-9_]+]] = cylon.where [[NB_1]], [[X_1]], [[C0]] : !cylon.nullable<i1>, !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
// CHECK-NEXT: [[WS:%[a-z0-9_]+]] = cylon.where [[B_1]], [[U_1]], [[U_1]] : i1, !cylon.string, !cylon.string -> !cylon.string
// CHECK-NEXT: [[IN:%[a-z0-9_]+]] = cylon.isin [[S_1]] ["a", "b"] : !cylon.nullable<!cylon.string> -> i1
// CHECK-NEXT: [[INI:%[a-z0-9_]+]] = cylon.isin [[I_1]] [1 : i64, 2 : i64, 3 : i64] : i64 -> i1
// CHECK-NEXT: [[INX:%[a-z0-9_]+]] = cylon.isin [[X_1]] [] : !cylon.nullable<f64> -> i1
// CHECK-NEXT: [[SW:%[a-z0-9_]+]] = cylon.str "startswith" [[S_1]] {pattern = "chr"} : !cylon.nullable<!cylon.string> -> !cylon.nullable<i1>
// CHECK-NEXT: [[EW:%[a-z0-9_]+]] = cylon.str "endswith" [[U_1]] {pattern = "X"} : !cylon.string -> i1
// CHECK-NEXT: [[CT:%[a-z0-9_]+]] = cylon.str "contains" [[S_1]] {case = false, pattern = "a.*b", regex = true} : !cylon.nullable<!cylon.string> -> !cylon.nullable<i1>
// CHECK-NEXT: [[LEN:%[a-z0-9_]+]] = cylon.str "len" [[S_1]] : !cylon.nullable<!cylon.string> -> !cylon.nullable<i64>
// CHECK-NEXT: [[LO:%[a-z0-9_]+]] = cylon.str "lower" [[S_1]] : !cylon.nullable<!cylon.string> -> !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[UP:%[a-z0-9_]+]] = cylon.str "upper" [[U_1]] : !cylon.string -> !cylon.string
// CHECK-NEXT: [[SL:%[a-z0-9_]+]] = cylon.str "slice" [[S_1]] {start = 1 : i64, step = 2 : i64, stop = -1 : i64} : !cylon.nullable<!cylon.string> -> !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[DS:%[a-z0-9_]+]] = cylon.cast [[S_1]] : !cylon.nullable<!cylon.string> -> !cylon.nullable<!cylon.date>
// CHECK-NEXT: [[SX:%[a-z0-9_]+]] = cylon.cast [[X_1]] : !cylon.nullable<f64> -> !cylon.nullable<!cylon.string>
// CHECK-NEXT: [[YR:%[a-z0-9_]+]] = cylon.dt "year" [[D_1]] : !cylon.date -> i64
// CHECK-NEXT: [[MO:%[a-z0-9_]+]] = cylon.dt "month" [[TS_1]] : !cylon.nullable<!cylon.timestamp<"us", "UTC">> -> !cylon.nullable<i64>
// CHECK-NEXT: [[DY:%[a-z0-9_]+]] = cylon.dt "day" [[DS]] : !cylon.nullable<!cylon.date> -> !cylon.nullable<i64>
// CHECK-NEXT: [[UDF:%[a-z0-9_]+]] = cylon.udf "score_0" [[IF_1]], [[J_1]], [[B_1]] : f64, !cylon.nullable<i32>, i1 -> !cylon.nullable<f64>
// CHECK-NEXT: [[NIL:%[a-z0-9_]+]] = cylon.udf "rand_1" : -> !cylon.nullable<f64>
// CHECK-NEXT: cylon.yield [[NEG]], [[ABS]], [[NA]], [[OK]], [[R]], [[R0]], [[FILL]], [[FILLS]], [[W]], [[WS]], [[IN]], [[INI]], [[INX]], [[SW]], [[EW]], [[CT]], [[LEN]], [[LO]], [[UP]], [[SL]], [[DS]], [[SX]], [[YR]], [[MO]], [[DY]], [[UDF]], [[NIL]] : !cylon.nullable<i32>, f64, i1, i1, !cylon.nullable<f64>, f32, f64, !cylon.nullable<!cylon.string>, !cylon.nullable<f64>, !cylon.string, i1, i1, i1, !cylon.nullable<i1>, i1, !cylon.nullable<i1>, !cylon.nullable<i64>, !cylon.nullable<!cylon.string>, !cylon.string, !cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.date>, !cylon.nullable<!cylon.string>, i64, !cylon.nullable<i64>, !cylon.nullable<i64>, !cylon.nullable<f64>, !cylon.nullable<f64>
// CHECK-NEXT: }
// CHECK-GENERIC-NEXT: [[A:%[a-z0-9_]+]] = "cylon.assign"([[F]]) <{names = ["neg", "abs", "na", "ok", "r", "r0", "f", "fs", "w", "ws", "in", "ini", "inx", "sw", "ew", "ct", "len", "lo", "up", "sl", "ds", "sx", "yr", "mo", "dy", "udf", "nil"]}> ({
// CHECK-GENERIC-NEXT: ^bb0([[ROW2:%[a-z0-9_]+]]: !cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>):
// CHECK-GENERIC-NEXT: [[I_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "i"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> i64
// CHECK-GENERIC-NEXT: [[J_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "j"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<i32>
// CHECK-GENERIC-NEXT: [[X_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "x"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[S_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "s"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[U_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "u"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.string
// CHECK-GENERIC-NEXT: [[D_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "d"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.date
// CHECK-GENERIC-NEXT: [[TS_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "ts"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<!cylon.timestamp<"us", "UTC">>
// CHECK-GENERIC-NEXT: [[B_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "b"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> i1
// CHECK-GENERIC-NEXT: [[NB_1:%[a-z0-9_]+]] = "cylon.col"([[ROW2]]) <{column = "nb"}> : (!cylon.row<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[IF_1:%[a-z0-9_]+]] = "cylon.cast"([[I_1]]) : (i64) -> f64
// CHECK-GENERIC-NEXT: [[C0:%[a-z0-9_]+]] = "arith.constant"() <{value = 0.000000e+00 : f64}> : () -> f64
// CHECK-GENERIC-NEXT: [[Y:%[a-z0-9_]+]] = "arith.constant"() <{value = 2.500000e+00 : f32}> : () -> f32
// CHECK-GENERIC-NEXT: [[NEG:%[a-z0-9_]+]] = "cylon.unary"([[J_1]]) <{fn = "neg"}> : (!cylon.nullable<i32>) -> !cylon.nullable<i32>
// CHECK-GENERIC-NEXT: [[ABS:%[a-z0-9_]+]] = "cylon.unary"([[IF_1]]) <{fn = "abs"}> : (f64) -> f64
// CHECK-GENERIC-NEXT: [[NA:%[a-z0-9_]+]] = "cylon.unary"([[S_1]]) <{fn = "isna"}> : (!cylon.nullable<!cylon.string>) -> i1
// CHECK-GENERIC-NEXT: [[OK:%[a-z0-9_]+]] = "cylon.unary"([[TS_1]]) <{fn = "notna"}> : (!cylon.nullable<!cylon.timestamp<"us", "UTC">>) -> i1
// CHECK-GENERIC-NEXT: [[R:%[a-z0-9_]+]] = "cylon.round"([[X_1]]) <{ndigits = 2 : i64}> : (!cylon.nullable<f64>) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[R0:%[a-z0-9_]+]] = "cylon.round"([[Y]]) <{ndigits = -1 : i64}> : (f32) -> f32
// CHECK-GENERIC-NEXT: [[FILL:%[a-z0-9_]+]] = "cylon.fillna"([[X_1]], [[C0]]) : (!cylon.nullable<f64>, f64) -> f64
// CHECK-GENERIC-NEXT: [[NULLS_1:%[a-z0-9_]+]] = "cylon.const"() : () -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[FILLS:%[a-z0-9_]+]] = "cylon.fillna"([[S_1]], [[NULLS_1]]) : (!cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.string>) -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[W:%[a-z0-9_]+]] = "cylon.where"([[NB_1]], [[X_1]], [[C0]]) : (!cylon.nullable<i1>, !cylon.nullable<f64>, f64) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[WS:%[a-z0-9_]+]] = "cylon.where"([[B_1]], [[U_1]], [[U_1]]) : (i1, !cylon.string, !cylon.string) -> !cylon.string
// CHECK-GENERIC-NEXT: [[IN:%[a-z0-9_]+]] = "cylon.isin"([[S_1]]) <{values = ["a", "b"]}> : (!cylon.nullable<!cylon.string>) -> i1
// CHECK-GENERIC-NEXT: [[INI:%[a-z0-9_]+]] = "cylon.isin"([[I_1]]) <{values = [1 : i64, 2 : i64, 3 : i64]}> : (i64) -> i1
// CHECK-GENERIC-NEXT: [[INX:%[a-z0-9_]+]] = "cylon.isin"([[X_1]]) <{values = []}> : (!cylon.nullable<f64>) -> i1
// CHECK-GENERIC-NEXT: [[SW:%[a-z0-9_]+]] = "cylon.str"([[S_1]]) <{fn = "startswith"}> {pattern = "chr"} : (!cylon.nullable<!cylon.string>) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[EW:%[a-z0-9_]+]] = "cylon.str"([[U_1]]) <{fn = "endswith"}> {pattern = "X"} : (!cylon.string) -> i1
// CHECK-GENERIC-NEXT: [[CT:%[a-z0-9_]+]] = "cylon.str"([[S_1]]) <{fn = "contains"}> {case = false, pattern = "a.*b", regex = true} : (!cylon.nullable<!cylon.string>) -> !cylon.nullable<i1>
// CHECK-GENERIC-NEXT: [[LEN:%[a-z0-9_]+]] = "cylon.str"([[S_1]]) <{fn = "len"}> : (!cylon.nullable<!cylon.string>) -> !cylon.nullable<i64>
// CHECK-GENERIC-NEXT: [[LO:%[a-z0-9_]+]] = "cylon.str"([[S_1]]) <{fn = "lower"}> : (!cylon.nullable<!cylon.string>) -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[UP:%[a-z0-9_]+]] = "cylon.str"([[U_1]]) <{fn = "upper"}> : (!cylon.string) -> !cylon.string
// CHECK-GENERIC-NEXT: [[SL:%[a-z0-9_]+]] = "cylon.str"([[S_1]]) <{fn = "slice"}> {start = 1 : i64, step = 2 : i64, stop = -1 : i64} : (!cylon.nullable<!cylon.string>) -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[DS:%[a-z0-9_]+]] = "cylon.cast"([[S_1]]) : (!cylon.nullable<!cylon.string>) -> !cylon.nullable<!cylon.date>
// CHECK-GENERIC-NEXT: [[SX:%[a-z0-9_]+]] = "cylon.cast"([[X_1]]) : (!cylon.nullable<f64>) -> !cylon.nullable<!cylon.string>
// CHECK-GENERIC-NEXT: [[YR:%[a-z0-9_]+]] = "cylon.dt"([[D_1]]) <{fn = "year"}> : (!cylon.date) -> i64
// CHECK-GENERIC-NEXT: [[MO:%[a-z0-9_]+]] = "cylon.dt"([[TS_1]]) <{fn = "month"}> : (!cylon.nullable<!cylon.timestamp<"us", "UTC">>) -> !cylon.nullable<i64>
// CHECK-GENERIC-NEXT: [[DY:%[a-z0-9_]+]] = "cylon.dt"([[DS]]) <{fn = "day"}> : (!cylon.nullable<!cylon.date>) -> !cylon.nullable<i64>
// CHECK-GENERIC-NEXT: [[UDF:%[a-z0-9_]+]] = "cylon.udf"([[IF_1]], [[J_1]], [[B_1]]) <{callee = "score_0"}> : (f64, !cylon.nullable<i32>, i1) -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[NIL:%[a-z0-9_]+]] = "cylon.udf"() <{callee = "rand_1"}> : () -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: "cylon.yield"([[NEG]], [[ABS]], [[NA]], [[OK]], [[R]], [[R0]], [[FILL]], [[FILLS]], [[W]], [[WS]], [[IN]], [[INI]], [[INX]], [[SW]], [[EW]], [[CT]], [[LEN]], [[LO]], [[UP]], [[SL]], [[DS]], [[SX]], [[YR]], [[MO]], [[DY]], [[UDF]], [[NIL]]) : (!cylon.nullable<i32>, f64, i1, i1, !cylon.nullable<f64>, f32, f64, !cylon.nullable<!cylon.string>, !cylon.nullable<f64>, !cylon.string, i1, i1, i1, !cylon.nullable<i1>, i1, !cylon.nullable<i1>, !cylon.nullable<i64>, !cylon.nullable<!cylon.string>, !cylon.string, !cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.date>, !cylon.nullable<!cylon.string>, i64, !cylon.nullable<i64>, !cylon.nullable<i64>, !cylon.nullable<f64>, !cylon.nullable<f64>) -> ()
// CHECK-GENERIC-NEXT: }) : (!cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?, "neg": i32?, "abs": f64, "na": i1, "ok": i1, "r": f64?, "r0": f32, "f": f64, "fs": !cylon.string?, "w": f64?, "ws": !cylon.string, "in": i1, "ini": i1, "inx": i1, "sw": i1?, "ew": i1, "ct": i1?, "len": i64?, "lo": !cylon.string?, "up": !cylon.string, "sl": !cylon.string?, "ds": !cylon.date?, "sx": !cylon.string?, "yr": i64, "mo": i64?, "dy": i64?, "udf": f64?, "nil": f64?>

// Module level: expressions over pipeline scalars (reductions) use the same ops.
%red = cylon.reduce %t aggs [["mean", "x", "m"]] : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.table<"m": f64?>
// CHECK-NEXT: [[RED:%[a-z0-9_]+]] = cylon.reduce [[T]] aggs {{\[\[}}"mean", "x", "m"]] : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?> -> !cylon.table<"m": f64?>
// CHECK-GENERIC-NEXT: [[RED:%[a-z0-9_]+]] = "cylon.reduce"([[T]]) <{aggs = {{\[\[}}"mean", "x", "m"]]}> : (!cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?>) -> !cylon.table<"m": f64?>
%m = cylon.scalar %red "m" : !cylon.table<"m": f64?> -> !cylon.nullable<f64>
// CHECK-NEXT: [[M:%[a-z0-9_]+]] = cylon.scalar [[RED]] "m" : !cylon.table<"m": f64?> -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[M:%[a-z0-9_]+]] = "cylon.scalar"([[RED]]) <{column = "m"}> : (!cylon.table<"m": f64?>) -> !cylon.nullable<f64>
%half = arith.constant 5.000000e-01 : f64
// CHECK-NEXT: [[HALF:%[a-z0-9_]+]] = arith.constant 5.000000e-01 : f64
// CHECK-GENERIC-NEXT: [[HALF:%[a-z0-9_]+]] = "arith.constant"() <{value = 5.000000e-01 : f64}> : () -> f64
%scaled = cylon.binop "mul" %m, %half : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
// CHECK-NEXT: [[SCALED:%[a-z0-9_]+]] = cylon.binop "mul" [[M]], [[HALF]] : !cylon.nullable<f64>, f64 -> !cylon.nullable<f64>
// CHECK-GENERIC-NEXT: [[SCALED:%[a-z0-9_]+]] = "cylon.binop"([[M]], [[HALF]]) <{fn = "mul"}> : (!cylon.nullable<f64>, f64) -> !cylon.nullable<f64>
%filled = cylon.fillna %scaled, %half : !cylon.nullable<f64>, f64 -> f64
// CHECK-NEXT: [[FILLED:%[a-z0-9_]+]] = cylon.fillna [[SCALED]], [[HALF]] : !cylon.nullable<f64>, f64 -> f64
// CHECK-GENERIC-NEXT: [[FILLED:%[a-z0-9_]+]] = "cylon.fillna"([[SCALED]], [[HALF]]) : (!cylon.nullable<f64>, f64) -> f64
cylon.output "tuple" %a, %filled : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?, "neg": i32?, "abs": f64, "na": i1, "ok": i1, "r": f64?, "r0": f32, "f": f64, "fs": !cylon.string?, "w": f64?, "ws": !cylon.string, "in": i1, "ini": i1, "inx": i1, "sw": i1?, "ew": i1, "ct": i1?, "len": i64?, "lo": !cylon.string?, "up": !cylon.string, "sl": !cylon.string?, "ds": !cylon.date?, "sx": !cylon.string?, "yr": i64, "mo": i64?, "dy": i64?, "udf": f64?, "nil": f64?>, f64
// CHECK-NEXT: cylon.output "tuple" [[A]], [[FILLED]] : !cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?, "neg": i32?, "abs": f64, "na": i1, "ok": i1, "r": f64?, "r0": f32, "f": f64, "fs": !cylon.string?, "w": f64?, "ws": !cylon.string, "in": i1, "ini": i1, "inx": i1, "sw": i1?, "ew": i1, "ct": i1?, "len": i64?, "lo": !cylon.string?, "up": !cylon.string, "sl": !cylon.string?, "ds": !cylon.date?, "sx": !cylon.string?, "yr": i64, "mo": i64?, "dy": i64?, "udf": f64?, "nil": f64?>, f64
// CHECK-NEXT: }
// CHECK-GENERIC-NEXT: "cylon.output"([[A]], [[FILLED]]) <{kind = "tuple"}> : (!cylon.table<"i": i64, "j": i32?, "x": f64?, "s": !cylon.string?, "u": !cylon.string, "d": !cylon.date, "ts": !cylon.timestamp<"us", "UTC">?, "b": i1, "nb": i1?, "neg": i32?, "abs": f64, "na": i1, "ok": i1, "r": f64?, "r0": f32, "f": f64, "fs": !cylon.string?, "w": f64?, "ws": !cylon.string, "in": i1, "ini": i1, "inx": i1, "sw": i1?, "ew": i1, "ct": i1?, "len": i64?, "lo": !cylon.string?, "up": !cylon.string, "sl": !cylon.string?, "ds": !cylon.date?, "sx": !cylon.string?, "yr": i64, "mo": i64?, "dy": i64?, "udf": f64?, "nil": f64?>, f64) -> ()
// CHECK-GENERIC-NEXT: }) : () -> ()
