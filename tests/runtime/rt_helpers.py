"""Plan builders shared by the runtime tests."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from cylonc.runtime.types import schema_from_arrow


def fields(**types) -> list[dict]:
    return [{"name": n, "type": t, "nullable": True} for n, t in types.items()]


def schema_of_table(table: pa.Table) -> list[dict]:
    return schema_from_arrow(table.schema)


def col(name, type):
    return {"k": "col", "name": name, "type": type}


def lit(value, type):
    return {"k": "lit", "value": value, "type": type}


def sref(ref, type):
    return {"k": "scalar", "ref": ref, "type": type}


def call(fn, type, *args, **opts):
    return {"k": "call", "fn": fn, "args": list(args), "type": type, **opts}


def make_plan(inputs, nodes, output, udfs=None):
    return {"format": "cylonc.plan", "version": 1, "inputs": inputs, "nodes": nodes,
            "output": output, "udfs": udfs or {}}


def input_spec(name, schema, source_schema=None):
    return {"name": name, "schema": schema, "source_schema": source_schema or schema}


def input_node(id, name, schema, columns=None):
    return {"id": id, "op": "input", "name": name, "columns": columns, "schema": schema}


def table_out(ref):
    return {"kind": "table", "items": [{"key": None, "ref": ref}]}


def scalar_out(ref):
    return {"kind": "scalar", "items": [{"key": None, "ref": ref}]}


def to_table(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


def one_input_plan(table: pa.Table, nodes, out_ref=None, name="t", output=None, udfs=None):
    """A plan whose node 0 is the input `name` (all columns of `table`)."""
    sch = schema_of_table(table)
    sch = [dict(f, type={"large_string": "string"}.get(f["type"], f["type"])) for f in sch]
    src = schema_of_table(table)
    all_nodes = [input_node(0, name, sch)] + list(nodes)
    if output is None:
        output = table_out(all_nodes[-1]["id"] if out_ref is None else out_ref)
    return make_plan([input_spec(name, sch, src)], all_nodes, output, udfs)
