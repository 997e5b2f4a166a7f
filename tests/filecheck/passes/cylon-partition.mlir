// RUN: cylonc opt %s -p 'cylon-partition{ranks=4}' --split-input-file | filecheck %s
// RUN: cylonc opt %s -p 'cylon-partition{ranks=1}' --split-input-file | filecheck %s --check-prefix=ONE
// RUN: cylonc opt %s -p 'cylon-partition{ranks=4}' --split-input-file --print-op-generic | cylonc opt --split-input-file | filecheck %s --check-prefix=ROUND

// cylon-partition: communication ops are inserted where an operator needs rows moved, and
// left out where the distribution already fits (every result carries #cylon.dist).

// A join shuffles both sides by the key; the group-by on the join key after it needs no
// shuffle (the join's result is hash-partitioned on "k") and aggregates locally; the table
// result is gathered to rank 0 and sorted there by the group keys.

builtin.module {
  %0 = cylon.input "a" {index = 0 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "x": f64>
  %1 = cylon.input "b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "inner" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64, "y": f64>
  %3 = cylon.aggregate %2 by ["k"] aggs [["sum", "x", "s"], ["mean", "y", "m"]] : !cylon.table<"k": i64, "x": f64, "y": f64> -> !cylon.table<"k": i64, "s": f64, "m": f64?>
  cylon.output "table" %3 : !cylon.table<"k": i64, "s": f64, "m": f64?>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "a" {cylon.dist = #cylon.dist<blocks>
// CHECK-NEXT: [[B:%[0-9a-z_]+]] = cylon.input "b" {cylon.dist = #cylon.dist<blocks>
// CHECK-NEXT: [[SA:%[0-9a-z_]+]] = cylon.shuffle [[A]] by ["k"] {cylon.dist = #cylon.dist<hash ["k"]>}
// CHECK-NEXT: [[SB:%[0-9a-z_]+]] = cylon.shuffle [[B]] by ["k"] {cylon.dist = #cylon.dist<hash ["k"]>}
// CHECK-NEXT: [[J:%[0-9a-z_]+]] = cylon.join "inner" [[SA]], [[SB]] {{.*}}cylon.dist = #cylon.dist<hash ["k"]>
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.aggregate [[J]] by ["k"] {{.*}}cylon.dist = #cylon.dist<hash ["k"]>
// CHECK-NOT:  cylon.shuffle
// CHECK-NEXT: [[R:%[0-9a-z_]+]] = cylon.gather [[G]] {cylon.dist = #cylon.dist<root>}
// CHECK-NEXT: [[O:%[0-9a-z_]+]] = cylon.sort [[R]] by ["k"] ascending [1 : i64] {cylon.dist = #cylon.dist<root>}
// CHECK-NEXT: cylon.output "table" [[O]]

// ONE:        cylon.join "inner"
// ONE-NOT:    cylon.dist
// ONE-NOT:    cylon.shuffle
// ONE:        cylon.output

// ROUND:      cylon.shuffle {{.*}} by ["k"] {cylon.dist = #cylon.dist<hash ["k"]>}

// -----

// A group-by on another key after the join: the join's result is shuffled again, as partial
// aggregates (two-phase aggregation).

builtin.module {
  %0 = cylon.input "a" {index = 0 : i64, source_types = ["int64", "string", "float64"]} : !cylon.table<"k": i64, "g": !cylon.string, "x": f64>
  %1 = cylon.input "b" {index = 1 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "inner" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["g", "left", "g", ""], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "g": !cylon.string, "x": f64>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "g": !cylon.string, "x": f64, "y": f64>
  %3 = cylon.aggregate %2 by ["g"] aggs [["sum", "y", "s"]] : !cylon.table<"k": i64, "g": !cylon.string, "x": f64, "y": f64> -> !cylon.table<"g": !cylon.string, "s": f64>
  cylon.output "table" %3 : !cylon.table<"g": !cylon.string, "s": f64>
}

// CHECK:      [[J:%[0-9a-z_]+]] = cylon.join "inner" {{.*}}#cylon.dist<hash ["k"]>
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.partial_aggregate [[J]] by ["g"] aggs [["sum", "y", "s"]] {cylon.dist = #cylon.dist<blocks>} : {{.*}} -> !cylon.table<"g": !cylon.string, "s.sum": f64>
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.shuffle [[P]] by ["g"] {cylon.dist = #cylon.dist<hash ["g"]>}
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.final_aggregate [[S]] by ["g"] aggs [["sum", "y", "s"]] {cylon.dist = #cylon.dist<hash ["g"]>} : !cylon.table<"g": !cylon.string, "s.sum": f64> -> !cylon.table<"g": !cylon.string, "s": f64>
// CHECK-NEXT: cylon.gather [[F]]

// -----

// Broadcast join: the right side is small by estimate (cylon.rows), so it is all-gathered
// and the left side stays where it is (no shuffle at all).

builtin.module {
  %0 = cylon.input "big" {index = 0 : i64, source_types = ["int64", "float64"], cylon.rows = 1000000 : i64} : !cylon.table<"k": i64, "x": f64>
  %1 = cylon.input "small" {index = 1 : i64, source_types = ["int64", "float64"], cylon.rows = 100 : i64} : !cylon.table<"k": i64, "y": f64>
  %2 = cylon.join "inner" %0, %1 on ["k"] = ["k"] columns [["k", "key", "k", "k"], ["x", "left", "x", ""], ["y", "right", "y", ""]] : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64, "y": f64> -> !cylon.table<"k": i64, "x": f64, "y": f64>
  cylon.output "table" %2 : !cylon.table<"k": i64, "x": f64, "y": f64>
}

// CHECK:      [[BIG:%[0-9a-z_]+]] = cylon.input "big"
// CHECK-NEXT: [[SMALL:%[0-9a-z_]+]] = cylon.input "small"
// CHECK-NEXT: [[ALL:%[0-9a-z_]+]] = cylon.allgather [[SMALL]] {cylon.dist = #cylon.dist<replicated>}
// CHECK-NEXT: [[J:%[0-9a-z_]+]] = cylon.join "inner" [[BIG]], [[ALL]] {{.*}}cylon.dist = #cylon.dist<blocks>
// CHECK-NOT:  cylon.shuffle
// CHECK:      cylon.gather [[J]]

// -----

// Two-phase aggregation of every decomposable function: local partials, a shuffle of the
// partial rows by key, the final combine (mean from sum and count, std from count, mean and
// squared deviations).

builtin.module {
  %0 = cylon.input "a" {index = 0 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "x": f64>
  %1 = cylon.aggregate %0 by ["k"] aggs [["sum", "x", "s"], ["mean", "x", "m"], ["std", "x", "v"], ["size", "", "n"], ["min", "x", "lo"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "s": f64, "m": f64?, "v": f64?, "n": i64, "lo": f64?>
  cylon.output "table" %1 : !cylon.table<"k": i64, "s": f64, "m": f64?, "v": f64?, "n": i64, "lo": f64?>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.partial_aggregate [[A]] by ["k"] {{.*}} -> !cylon.table<"k": i64, "s.sum": f64, "m.sum": f64, "m.count": i64, "v.count": i64, "v.mean": f64?, "v.m2": f64?, "n.count": i64, "lo.min": f64?>
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.shuffle [[P]] by ["k"]
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.final_aggregate [[S]] by ["k"] {{.*}} -> !cylon.table<"k": i64, "s": f64, "m": f64?, "v": f64?, "n": i64, "lo": f64?>

// -----

// nunique is not decomposable: the raw rows (only the columns it needs) are shuffled by key.

builtin.module {
  %0 = cylon.input "a" {index = 0 : i64, source_types = ["int64", "float64", "float64"]} : !cylon.table<"k": i64, "x": f64, "z": f64>
  %1 = cylon.aggregate %0 by ["k"] aggs [["nunique", "x", "u"]] : !cylon.table<"k": i64, "x": f64, "z": f64> -> !cylon.table<"k": i64, "u": i64>
  cylon.output "table" %1 : !cylon.table<"k": i64, "u": i64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.project [[A]] ["k", "x"]
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.shuffle [[P]] by ["k"]
// CHECK-NEXT: cylon.aggregate [[S]] by ["k"] aggs [["nunique", "x", "u"]]

// -----

// A whole-table reduction: each rank's partial (a local reduce), all-gathered, combined on
// every rank (the scalar is replicated).

builtin.module {
  %0 = cylon.input "a" {index = 0 : i64, source_types = ["float64"]} : !cylon.table<"x": f64>
  %1 = cylon.reduce %0 aggs [["mean", "x", "x"]] : !cylon.table<"x": f64> -> !cylon.table<"x": f64?>
  %2 = cylon.scalar %1 "x" : !cylon.table<"x": f64?> -> !cylon.nullable<f64>
  cylon.output "scalar" %2 : !cylon.nullable<f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "a"
// CHECK-NEXT: [[P:%[0-9a-z_]+]] = cylon.reduce [[A]] aggs [["sum", "x", "x.sum"], ["count", "x", "x.count"]]
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.allgather [[P]] {cylon.dist = #cylon.dist<replicated>}
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.final_aggregate [[G]] by [] aggs [["mean", "x", "x"]] {cylon.dist = #cylon.dist<replicated>}
// CHECK-NEXT: cylon.scalar [[F]] "x"

// -----

// A sort is a sample sort: splitters, a range shuffle, a local sort; the sorted result is
// range-partitioned and gathered in rank order.

builtin.module {
  %0 = cylon.input "a" {index = 0 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "x": f64>
  %1 = cylon.sort %0 by ["x"] ascending [1 : i64] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
  cylon.output "table" %1 : !cylon.table<"k": i64, "x": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "a"
// CHECK-NEXT: [[SP:%[0-9a-z_]+]] = cylon.splitters [[A]] by ["x"] ascending [1 : i64] {cylon.dist = #cylon.dist<replicated>} : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"x": f64>
// CHECK-NEXT: [[RS:%[0-9a-z_]+]] = cylon.range_shuffle [[A]], [[SP]] by ["x"] ascending [1 : i64] {cylon.dist = #cylon.dist<range ["x"]>}
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.sort [[RS]] by ["x"] ascending [1 : i64] {cylon.dist = #cylon.dist<range ["x"]>}
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.gather [[S]] {cylon.dist = #cylon.dist<root>}
// CHECK-NEXT: cylon.output "table" [[G]]

// -----

// head(n) after a sort: each rank's top n first, then the gathered top n's on rank 0 (no
// range shuffle).

builtin.module {
  %0 = cylon.input "a" {index = 0 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "x": f64>
  %1 = cylon.sort %0 by ["x"] ascending [0 : i64] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
  %2 = cylon.limit %1 3 : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
  cylon.output "table" %2 : !cylon.table<"k": i64, "x": f64>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "a"
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.sort [[A]] by ["x"] ascending [0 : i64] {cylon.dist = #cylon.dist<blocks>}
// CHECK-NEXT: [[L:%[0-9a-z_]+]] = cylon.limit [[S]] 3 {cylon.dist = #cylon.dist<blocks>}
// CHECK-NEXT: [[G:%[0-9a-z_]+]] = cylon.gather [[L]] {cylon.dist = #cylon.dist<root>}
// CHECK-NEXT: [[S2:%[0-9a-z_]+]] = cylon.sort [[G]] by ["x"] ascending [0 : i64] {cylon.dist = #cylon.dist<root>}
// CHECK-NEXT: [[L2:%[0-9a-z_]+]] = cylon.limit [[S2]] 3 {cylon.dist = #cylon.dist<root>}
// CHECK-NEXT: cylon.output "table" [[L2]]
// CHECK-NOT:  cylon.range_shuffle

// -----

// drop_duplicates shuffles by its subset; first/last keep the input order (a shuffle keeps
// each rank's rows in order), so a group-by with first runs on shuffled raw rows.

builtin.module {
  %0 = cylon.input "a" {index = 0 : i64, source_types = ["int64", "float64"]} : !cylon.table<"k": i64, "x": f64>
  %1 = cylon.distinct %0 {subset = ["k"]} : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "x": f64>
  %2 = cylon.aggregate %0 by ["k"] aggs [["first", "x", "f"]] : !cylon.table<"k": i64, "x": f64> -> !cylon.table<"k": i64, "f": f64?>
  cylon.output "tuple" %1, %2 : !cylon.table<"k": i64, "x": f64>, !cylon.table<"k": i64, "f": f64?>
}

// CHECK:      [[A:%[0-9a-z_]+]] = cylon.input "a"
// CHECK-NEXT: [[S:%[0-9a-z_]+]] = cylon.shuffle [[A]] by ["k"] {cylon.dist = #cylon.dist<hash ["k"]>}
// CHECK-NEXT: [[D:%[0-9a-z_]+]] = cylon.distinct [[S]] {cylon.dist = #cylon.dist<hash ["k"]>, subset = ["k"]}
// CHECK-NEXT: [[F:%[0-9a-z_]+]] = cylon.aggregate [[S]] by ["k"] aggs [["first", "x", "f"]]
