import pyarrow as pa
import pytest

from cylonc.runtime.types import (
    compute_type, from_arrow, schema_from_arrow, schema_to_arrow, to_arrow,
)

PLAN_TYPES = {
    "bool": pa.bool_(), "int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(),
    "int64": pa.int64(), "uint8": pa.uint8(), "uint16": pa.uint16(), "uint32": pa.uint32(),
    "uint64": pa.uint64(), "float32": pa.float32(), "float64": pa.float64(),
    "string": pa.string(), "date32": pa.date32(),
    "timestamp[s]": pa.timestamp("s"), "timestamp[ms]": pa.timestamp("ms"),
    "timestamp[us]": pa.timestamp("us"), "timestamp[ns]": pa.timestamp("ns"),
    "timestamp[us, tz=UTC]": pa.timestamp("us", tz="UTC"),
    "timestamp[ns, tz=America/New_York]": pa.timestamp("ns", tz="America/New_York"),
    "decimal128(12, 2)": pa.decimal128(12, 2),
    "large_string": pa.large_string(), "string_view": pa.string_view(),
    "dictionary<values=string, indices=int32, ordered=0>": pa.dictionary(pa.int32(), pa.string()),
    "dictionary<values=int64, indices=int8, ordered=0>": pa.dictionary(pa.int8(), pa.int64()),
}


@pytest.mark.parametrize("s,t", PLAN_TYPES.items())
def test_round_trip(s, t):
    assert to_arrow(s) == t
    assert from_arrow(t) == s


def test_dictionary_short_form():
    assert to_arrow("dictionary<values=string>") == pa.dictionary(pa.int32(), pa.string())


@pytest.mark.parametrize("bad", ["double", "int", "list<int64>", "timestamp[xs]", "", None])
def test_bad_strings(bad):
    with pytest.raises(ValueError):
        to_arrow(bad)


@pytest.mark.parametrize("t", [pa.list_(pa.int64()), pa.float16(), pa.binary(), pa.null(),
                               pa.decimal256(40, 2), pa.struct([("a", pa.int8())])])
def test_unsupported_arrow(t):
    with pytest.raises(ValueError, match="unsupported"):
        from_arrow(t)


def test_compute_type():
    assert compute_type(pa.decimal128(10, 3)) == pa.float64()
    assert compute_type(pa.large_string()) == pa.string()
    assert compute_type(pa.string_view()) == pa.string()
    assert compute_type(pa.dictionary(pa.int16(), pa.large_string())) == pa.string()
    assert compute_type(pa.int32()) == pa.int32()


def test_schemas():
    fields = [{"name": "a", "type": "int64", "nullable": False},
              {"name": "b", "type": "timestamp[ms, tz=UTC]", "nullable": True}]
    s = schema_to_arrow(fields)
    assert s == pa.schema([pa.field("a", pa.int64(), False),
                           pa.field("b", pa.timestamp("ms", "UTC"))])
    assert schema_from_arrow(s) == fields
    with pytest.raises(ValueError, match="column 'x'"):
        schema_from_arrow(pa.schema([("x", pa.list_(pa.int8()))]))
