// REQUIRES: mlir-opt

// Upstream MLIR parses the generic form of every cylon type and op (as an unregistered dialect),
// and what it prints back parses in xDSL to the very same ops: the CHECK lines of the round-trip
// tests hold for the path xdsl-opt -> mlir-opt -> xdsl-opt too.
// RUN: xdsl-opt %S/types.mlir --print-op-generic | %mlir-opt --allow-unregistered-dialect | xdsl-opt | filecheck %S/types.mlir
// RUN: xdsl-opt %S/relational.mlir --print-op-generic | %mlir-opt --allow-unregistered-dialect | xdsl-opt | filecheck %S/relational.mlir
// RUN: xdsl-opt %S/expressions.mlir --print-op-generic | %mlir-opt --allow-unregistered-dialect | xdsl-opt | filecheck %S/expressions.mlir
// RUN: xdsl-opt %S/scan_dist_fused.mlir --print-op-generic | %mlir-opt --allow-unregistered-dialect | xdsl-opt | filecheck %S/scan_dist_fused.mlir

// Integer properties are builtin integer attributes (`10 : i64`), which MLIR knows; they were
// xDSL-only `#builtin.int<10>` attributes, which mlir-opt rejects ("dialect 'builtin' provides
// no attribute parsing hook") and which xDSL's own custom form could not parse back either.
// RUN: xdsl-opt %S/relational.mlir --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=REL
// RUN: xdsl-opt %S/expressions.mlir --print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s --check-prefix=EXPR

// REL:      "cylon.sort"(%{{.*}}) <{ascending = [0, 1], keys = ["y", "k"]}>
// REL-NEXT: "cylon.limit"(%{{.*}}) <{n = 10 : i64}>
// REL-NEXT: "cylon.limit"(%{{.*}}) <{n = 0 : i64}>
// REL-NOT:  #builtin

// EXPR:     "cylon.round"(%{{.*}}) <{ndigits = 2 : i64}> : (!cylon.nullable<f64>) -> !cylon.nullable<f64>
// EXPR-NEXT: "cylon.round"(%{{.*}}) <{ndigits = -1 : i64}> : (f32) -> f32
// EXPR:     "cylon.isin"(%{{.*}}) <{values = [1, 2, 3]}> : (i64) -> i1
// EXPR:     "cylon.str"(%{{.*}}) <{fn = "contains"}> {case = false, pattern = "a.*b", regex = true}
// EXPR-NOT: #builtin
