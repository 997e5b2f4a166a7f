// RUN: xdsl-opt %s | xdsl-opt | filecheck %s
// RUN: XDSL_ROUNDTRIP
// RUN: XDSL_GENERIC_ROUNDTRIP

// Every cylon type, carried as results of an unregistered op so that only the types are tested.

// Element types.
%s = "test.op"() : () -> !cylon.string
%d = "test.op"() : () -> !cylon.date
%ts_s = "test.op"() : () -> !cylon.timestamp<"s">
%ts_ms = "test.op"() : () -> !cylon.timestamp<"ms">
%ts_us_utc = "test.op"() : () -> !cylon.timestamp<"us", "UTC">
%ts_ns_ny = "test.op"() : () -> !cylon.timestamp<"ns", "America/New_York">

// CHECK:      %{{.*}} = "test.op"() : () -> !cylon.string
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.date
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.timestamp<"s">
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.timestamp<"ms">
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.timestamp<"us", "UTC">
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.timestamp<"ns", "America/New_York">

// CHECK-GENERIC:      "builtin.module"() ({
// CHECK-GENERIC-NEXT:   %{{.*}} = "test.op"() : () -> !cylon.string
// CHECK-GENERIC-NEXT:   %{{.*}} = "test.op"() : () -> !cylon.date
// CHECK-GENERIC-NEXT:   %{{.*}} = "test.op"() : () -> !cylon.timestamp<"s">
// CHECK-GENERIC-NEXT:   %{{.*}} = "test.op"() : () -> !cylon.timestamp<"ms">
// CHECK-GENERIC-NEXT:   %{{.*}} = "test.op"() : () -> !cylon.timestamp<"us", "UTC">
// CHECK-GENERIC-NEXT:   %{{.*}} = "test.op"() : () -> !cylon.timestamp<"ns", "America/New_York">

// Nullable values of each kind of column element type (signless and unsigned integers of the
// Arrow widths, floats, strings, dates, timestamps).
%n:11 = "test.op"() : () -> (!cylon.nullable<i1>, !cylon.nullable<i8>, !cylon.nullable<i16>, !cylon.nullable<i32>, !cylon.nullable<i64>, !cylon.nullable<ui32>, !cylon.nullable<f32>, !cylon.nullable<f64>, !cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.date>, !cylon.nullable<!cylon.timestamp<"us", "UTC">>)

// CHECK-NEXT: {{%.*}} = "test.op"() : () -> (!cylon.nullable<i1>, !cylon.nullable<i8>, !cylon.nullable<i16>, !cylon.nullable<i32>, !cylon.nullable<i64>, !cylon.nullable<ui32>, !cylon.nullable<f32>, !cylon.nullable<f64>, !cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.date>, !cylon.nullable<!cylon.timestamp<"us", "UTC">>)
// CHECK-GENERIC-NEXT: {{%.*}} = "test.op"() : () -> (!cylon.nullable<i1>, !cylon.nullable<i8>, !cylon.nullable<i16>, !cylon.nullable<i32>, !cylon.nullable<i64>, !cylon.nullable<ui32>, !cylon.nullable<f32>, !cylon.nullable<f64>, !cylon.nullable<!cylon.string>, !cylon.nullable<!cylon.date>, !cylon.nullable<!cylon.timestamp<"us", "UTC">>)

// Tables and rows: `?` marks a nullable column; names are string literals (any characters,
// escapes print in MLIR's hex form); the empty schema is allowed.
%empty = "test.op"() : () -> !cylon.table<>
%t = "test.op"() : () -> !cylon.table<"id": i64, "q": f64?, "chrom": !cylon.string, "site": !cylon.string?, "day": !cylon.date, "at": !cylon.timestamp<"ms", "UTC">?, "ok": i1, "n": ui8?, "w": f32>
%odd = "test.op"() : () -> !cylon.table<"a b": i16, "quote\"d": i32?, "": i8>
%r = "test.op"() : () -> !cylon.row<"id": i64, "q": f64?, "chrom": !cylon.string, "day": !cylon.date?>
%rempty = "test.op"() : () -> !cylon.row<>

// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.table<>
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.table<"id": i64, "q": f64?, "chrom": !cylon.string, "site": !cylon.string?, "day": !cylon.date, "at": !cylon.timestamp<"ms", "UTC">?, "ok": i1, "n": ui8?, "w": f32>
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.table<"a b": i16, "quote\22d": i32?, "": i8>
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.row<"id": i64, "q": f64?, "chrom": !cylon.string, "day": !cylon.date?>
// CHECK-NEXT: %{{.*}} = "test.op"() : () -> !cylon.row<>

// CHECK-GENERIC-NEXT: %{{.*}} = "test.op"() : () -> !cylon.table<>
// CHECK-GENERIC-NEXT: %{{.*}} = "test.op"() : () -> !cylon.table<"id": i64, "q": f64?, "chrom": !cylon.string, "site": !cylon.string?, "day": !cylon.date, "at": !cylon.timestamp<"ms", "UTC">?, "ok": i1, "n": ui8?, "w": f32>
// CHECK-GENERIC-NEXT: %{{.*}} = "test.op"() : () -> !cylon.table<"a b": i16, "quote\22d": i32?, "": i8>
// CHECK-GENERIC-NEXT: %{{.*}} = "test.op"() : () -> !cylon.row<"id": i64, "q": f64?, "chrom": !cylon.string, "day": !cylon.date?>
// CHECK-GENERIC-NEXT: %{{.*}} = "test.op"() : () -> !cylon.row<>

// Types as attribute values (e.g. in a dictionary) print the same way.
"test.op"() {elem = !cylon.nullable<!cylon.date>, schema = !cylon.table<"k": i64?>} : () -> ()

// CHECK-NEXT: "test.op"() {elem = !cylon.nullable<!cylon.date>, schema = !cylon.table<"k": i64?>} : () -> ()
// CHECK-GENERIC-NEXT: "test.op"() {elem = !cylon.nullable<!cylon.date>, schema = !cylon.table<"k": i64?>} : () -> ()
// CHECK-GENERIC-NEXT: }) : () -> ()
