// RUN: cylonc opt %s -p 'cylon-place{gpu=true}' --split-input-file | filecheck %s --check-prefix=SF01
// RUN: cylonc opt %s -p 'cylon-place{gpu=true rows="lineitem=59986052"}' --split-input-file | filecheck %s --check-prefix=SF10
// RUN: cylonc opt %s -p 'cylon-place' --split-input-file | filecheck %s --check-prefix=NOGPU
// RUN: cylonc opt %s -p 'cylon-place{gpu=true device="cpu"}' --split-input-file | filecheck %s --check-prefix=CPU
// RUN: cylonc opt %s -p 'cylon-place{gpu=true device="gpu"}' --split-input-file | filecheck %s --check-prefix=FORCED
// RUN: cylonc opt %s -p 'cylon-place{gpu=true rows="lineitem=59986052"}' --split-input-file --print-op-generic | cylonc opt --split-input-file | filecheck %s --check-prefix=SF10

// cylon-place: TPC-H Q6 and Q1 (the `fused` stage, lineitem narrowed to the columns they
// read) placed for a machine with a GPU at scale factor 0.1 (600572 rows, the `cylon.rows`
// the pipeline records from the Parquet footer) and 10 (59986052 rows, an override), for a
// machine without one, and with the device forced. Its generic output parses back.

// Q6 at SF 0.1: the scan's predicate keeps ~0.4% of the rows (five range predicates); the
// fused multiply-and-sum over ~2500 rows is cheaper on the CPU than a kernel launch and a copy.
// At SF 10, ~250k rows: the kernel and a 4 MB copy win; the one-row result comes back for the
// scalar read.

builtin.module {
  %0 = cylon.input "lineitem" columns ["l_extendedprice", "l_discount"] {cylon.rows = 600572 : i64, index = 0 : i64, source_types = ["int64", "float64", "float64", "float64", "float64", "string", "string", "date32"], source = !cylon.table<"l_orderkey": i64, "l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "l_shipdate": !cylon.date>} : !cylon.table<"l_extendedprice": f64?, "l_discount": f64?> {
  ^bb0(%1: !cylon.row<"l_orderkey": i64, "l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "l_shipdate": !cylon.date>):
    %2 = cylon.col %1 "l_shipdate" : !cylon.row<"l_orderkey": i64, "l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "l_shipdate": !cylon.date> -> !cylon.date
    %3 = cylon.const {value = 8766 : i64} : !cylon.date
    %4 = cylon.cmp "ge" %2, %3 : !cylon.date, !cylon.date -> i1
    %5 = cylon.const {value = 9131 : i64} : !cylon.date
    %6 = cylon.cmp "lt" %2, %5 : !cylon.date, !cylon.date -> i1
    %7 = cylon.col %1 "l_discount" : !cylon.row<"l_orderkey": i64, "l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "l_shipdate": !cylon.date> -> !cylon.nullable<f64>
    %8 = arith.constant 5.000000e-02 : f64
    %9 = cylon.cmp "ge" %7, %8 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
    %10 = arith.constant 7.000000e-02 : f64
    %11 = cylon.cmp "le" %7, %10 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
    %12 = cylon.col %1 "l_quantity" : !cylon.row<"l_orderkey": i64, "l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "l_shipdate": !cylon.date> -> !cylon.nullable<f64>
    %13 = arith.constant 2.400000e+01 : f64
    %14 = cylon.cmp "lt" %12, %13 : !cylon.nullable<f64>, f64 -> !cylon.nullable<i1>
    %15 = arith.andi %4, %6 : i1
    %16 = cylon.binop "and" %15, %9 : i1, !cylon.nullable<i1> -> !cylon.nullable<i1>
    %17 = cylon.binop "and" %16, %11 : !cylon.nullable<i1>, !cylon.nullable<i1> -> !cylon.nullable<i1>
    %18 = cylon.binop "and" %17, %14 : !cylon.nullable<i1>, !cylon.nullable<i1> -> !cylon.nullable<i1>
    cylon.yield %18 : !cylon.nullable<i1>
  }
  %19 = cylon.fused "fused_0" %0 {loc = "examples/tpch/queries.py:77"} : !cylon.table<"l_extendedprice": f64?, "l_discount": f64?> -> !cylon.table<"__expr0": f64> {
  ^bb0(%20: !cylon.table<"l_extendedprice": f64?, "l_discount": f64?>):
    %21 = cylon.assign %20 ["__expr0"] {loc = "examples/tpch/queries.py:77"} : !cylon.table<"l_extendedprice": f64?, "l_discount": f64?> -> !cylon.table<"l_extendedprice": f64?, "l_discount": f64?, "__expr0": f64?> {
    ^bb0(%22: !cylon.row<"l_extendedprice": f64?, "l_discount": f64?>):
      %23 = cylon.col %22 "l_extendedprice" : !cylon.row<"l_extendedprice": f64?, "l_discount": f64?> -> !cylon.nullable<f64>
      %24 = cylon.col %22 "l_discount" : !cylon.row<"l_extendedprice": f64?, "l_discount": f64?> -> !cylon.nullable<f64>
      %25 = cylon.binop "mul" %23, %24 : !cylon.nullable<f64>, !cylon.nullable<f64> -> !cylon.nullable<f64>
      cylon.yield %25 : !cylon.nullable<f64>
    }
    %26 = cylon.project %21 ["__expr0"] : !cylon.table<"l_extendedprice": f64?, "l_discount": f64?, "__expr0": f64?> -> !cylon.table<"__expr0": f64?>
    %27 = cylon.reduce %26 aggs [["sum", "__expr0", "__expr0"]] {loc = "examples/tpch/queries.py:77"} : !cylon.table<"__expr0": f64?> -> !cylon.table<"__expr0": f64>
    cylon.yield %27 : !cylon.table<"__expr0": f64>
  }
  %28 = cylon.scalar %19 "__expr0" : !cylon.table<"__expr0": f64> -> f64
  cylon.output "scalar" %28 : f64
}

// SF01:      %[[IN:.+]] = cylon.input "lineitem" {{.*}}cylon.device = "cpu", cylon.placement = {rows = 2471 : i64, rows_in = 600572 : i64, {{.*}}model = "cpu", reason = "reads on the host"}
// SF01-NOT:  cylon.to_device
// SF01:      cylon.fused "fused_0" %[[IN]] {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "cpu", reason = "cost model"
// SF01-NOT:  cylon.to_host
// SF01:      cylon.scalar {{.*}}cylon.device = "cpu"

// SF10:      %[[IN:.+]] = cylon.input "lineitem" {{.*}}cylon.device = "cpu", cylon.placement = {rows = 246856 : i64, rows_in = 59986052 : i64,
// SF10:      %[[D:.+]] = cylon.to_device %[[IN]] {cylon.device = "gpu", cylon.placement = {rows = 246856 : i64, bytes = {{[0-9]+}} : i64,
// SF10-NEXT: %[[F:.+]] = cylon.fused "fused_0" %[[D]] {{.*}}cylon.device = "gpu", cylon.placement = {{{.*}}model = "gpu", reason = "cost model"
// SF10:      %[[H:.+]] = cylon.to_host %[[F]] {cylon.device = "cpu", cylon.placement = {rows = 1 : i64, bytes = 8 : i64,
// SF10-NEXT: cylon.scalar %[[H]] "__expr0" {cylon.device = "cpu"
// SF10-NOT:  cylon.to_device
// SF10-NOT:  cylon.to_host
// SF10:      {{^// -+$}}

// NOGPU:     cylon.input
// NOGPU-NOT: cylon.to_device
// NOGPU:     cylon.fused "fused_0" {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "cpu", reason = "no GPU"
// NOGPU-NOT: cylon.to_host

// CPU-NOT:   cylon.to_device
// CPU:       cylon.fused "fused_0" {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}reason = "device=cpu"

// FORCED:    cylon.to_device
// FORCED:    cylon.fused "fused_0" {{.*}}cylon.device = "gpu", cylon.placement = {{{.*}}model = "cpu", reason = "device=gpu"
// FORCED:    cylon.to_host

// -----

// Q1 at SF 0.1: ~200k rows pass the scan's predicate (a range: 1/3); the fused arithmetic and
// the group-by (8 aggregates) run on the GPU after one 8 MB copy, which is cheaper than the
// CPU's hash aggregation; the sort of the few groups is cheaper on the CPU than its launches,
// so the groups come back first. At SF 10 the group estimate (~sqrt of the rows) is large
// enough for the sort to stay on the device too, and only the result comes back.

builtin.module {
  %0 = cylon.input "lineitem" columns ["l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_returnflag", "l_linestatus"] {cylon.rows = 600572 : i64, index = 0 : i64, source_types = ["int64", "float64", "float64", "float64", "float64", "string", "string", "date32"], source = !cylon.table<"l_orderkey": i64, "l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "l_shipdate": !cylon.date>} : !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string> {
  ^bb0(%1: !cylon.row<"l_orderkey": i64, "l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "l_shipdate": !cylon.date>):
    %2 = cylon.col %1 "l_shipdate" : !cylon.row<"l_orderkey": i64, "l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "l_shipdate": !cylon.date> -> !cylon.date
    %3 = cylon.const {value = 10471 : i64} : !cylon.date
    %4 = cylon.cmp "le" %2, %3 : !cylon.date, !cylon.date -> i1
    cylon.yield %4 : i1
  }
  %5 = cylon.fused "fused_0" %0 : !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string> -> !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "disc_price": f64?, "charge": f64?> {
  ^bb0(%6: !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string>):
    %7 = cylon.assign %6 ["disc_price", "charge"] {loc = "examples/tpch/queries.py:23"} : !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string> -> !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "disc_price": f64?, "charge": f64?> {
    ^bb0(%8: !cylon.row<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string>):
      %9 = cylon.col %8 "l_extendedprice" : !cylon.row<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string> -> !cylon.nullable<f64>
      %10 = arith.constant 1.000000e+00 : f64
      %11 = cylon.col %8 "l_discount" : !cylon.row<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string> -> !cylon.nullable<f64>
      %12 = cylon.binop "sub" %10, %11 : f64, !cylon.nullable<f64> -> !cylon.nullable<f64>
      %13 = cylon.binop "mul" %9, %12 : !cylon.nullable<f64>, !cylon.nullable<f64> -> !cylon.nullable<f64>
      %14 = cylon.col %8 "l_tax" : !cylon.row<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string> -> !cylon.nullable<f64>
      %15 = cylon.binop "add" %10, %14 : f64, !cylon.nullable<f64> -> !cylon.nullable<f64>
      %16 = cylon.binop "mul" %13, %15 : !cylon.nullable<f64>, !cylon.nullable<f64> -> !cylon.nullable<f64>
      cylon.yield %13, %16 : !cylon.nullable<f64>, !cylon.nullable<f64>
    }
    %17 = cylon.project %7 ["l_quantity", "l_extendedprice", "l_discount", "l_returnflag", "l_linestatus", "disc_price", "charge"] : !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_tax": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "disc_price": f64?, "charge": f64?> -> !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "disc_price": f64?, "charge": f64?>
    cylon.yield %17 : !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "disc_price": f64?, "charge": f64?>
  }
  %18 = cylon.aggregate %5 by ["l_returnflag", "l_linestatus"] aggs [["sum", "l_quantity", "sum_qty"], ["sum", "l_extendedprice", "sum_base_price"], ["sum", "disc_price", "sum_disc_price"], ["sum", "charge", "sum_charge"], ["mean", "l_quantity", "avg_qty"], ["mean", "l_extendedprice", "avg_price"], ["mean", "l_discount", "avg_disc"], ["size", "", "count_order"]] {loc = "examples/tpch/queries.py:24"} : !cylon.table<"l_quantity": f64?, "l_extendedprice": f64?, "l_discount": f64?, "l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "disc_price": f64?, "charge": f64?> -> !cylon.table<"l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "sum_qty": f64, "sum_base_price": f64, "sum_disc_price": f64, "sum_charge": f64, "avg_qty": f64?, "avg_price": f64?, "avg_disc": f64?, "count_order": i64>
  %19 = cylon.sort %18 by ["l_returnflag", "l_linestatus"] ascending [1 : i64, 1 : i64] {loc = "examples/tpch/queries.py:34"} : !cylon.table<"l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "sum_qty": f64, "sum_base_price": f64, "sum_disc_price": f64, "sum_charge": f64, "avg_qty": f64?, "avg_price": f64?, "avg_disc": f64?, "count_order": i64> -> !cylon.table<"l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "sum_qty": f64, "sum_base_price": f64, "sum_disc_price": f64, "sum_charge": f64, "avg_qty": f64?, "avg_price": f64?, "avg_disc": f64?, "count_order": i64>
  cylon.output "table" %19 : !cylon.table<"l_returnflag": !cylon.string, "l_linestatus": !cylon.string, "sum_qty": f64, "sum_base_price": f64, "sum_disc_price": f64, "sum_charge": f64, "avg_qty": f64?, "avg_price": f64?, "avg_disc": f64?, "count_order": i64>
}

// SF01:      %[[IN:.+]] = cylon.input "lineitem" {{.*}}cylon.device = "cpu"
// SF01:      %[[D:.+]] = cylon.to_device %[[IN]] {cylon.device = "gpu"
// SF01-NEXT: %[[F:.+]] = cylon.fused "fused_0" %[[D]] {cylon.device = "gpu", cylon.placement = {rows = 200191 : i64, rows_in = 200191 : i64, {{.*}}model = "gpu", reason = "cost model"
// SF01:      %[[G:.+]] = cylon.aggregate %[[F]] by {{.*}}cylon.device = "gpu", cylon.placement = {rows = 895 : i64, rows_in = 200191 : i64, {{.*}}model = "gpu", reason = "cost model"
// SF01-NEXT: %[[H:.+]] = cylon.to_host %[[G]] {cylon.device = "cpu"
// SF01-NEXT: %[[S:.+]] = cylon.sort %[[H]] by {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "cpu", reason = "cost model"
// SF01-NEXT: cylon.output "table" %[[S]]

// SF10:      %[[D:.+]] = cylon.to_device
// SF10-NEXT: %[[F:.+]] = cylon.fused "fused_0" %[[D]] {cylon.device = "gpu", cylon.placement = {rows = 19995351 : i64,
// SF10:      %[[G:.+]] = cylon.aggregate %[[F]] by {{.*}}cylon.device = "gpu"
// SF10-NEXT: %[[S:.+]] = cylon.sort %[[G]] by {{.*}}cylon.device = "gpu", cylon.placement = {rows = 8943 : i64, {{.*}}model = "gpu", reason = "cost model"
// SF10-NEXT: %[[H:.+]] = cylon.to_host %[[S]] {cylon.device = "cpu"
// SF10-NEXT: cylon.output "table" %[[H]]
// SF10-NOT:  cylon.to_host

// NOGPU-NOT: cylon.to_device
// NOGPU:     cylon.fused "fused_0" {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "gpu", reason = "no GPU"
// NOGPU:     cylon.aggregate {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "gpu", reason = "no GPU"
// NOGPU:     cylon.sort {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "cpu", reason = "no GPU"
// NOGPU-NOT: cylon.to_host

// CPU-NOT:   cylon.to_device
// CPU:       cylon.aggregate {{.*}}cylon.device = "cpu", cylon.placement = {{{.*}}model = "gpu", reason = "device=cpu"

// FORCED:    cylon.to_device
// FORCED:    cylon.sort {{.*}}cylon.device = "gpu", cylon.placement = {{{.*}}model = "cpu", reason = "device=gpu"
// FORCED-NEXT: cylon.to_host
