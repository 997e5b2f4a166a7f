"""Property tests: hypothesis-generated tables and pipelines agree under pandas and cylonc.

Tables have ints, exact floats (quarters), strings, dates, nulls, duplicate and skewed keys, and
may be empty. Fixed pipelines exercise the filter / assign / groupby-agg / merge paths on them;
`test_random_pipeline` also generates the pipeline: a random chain of API operations, written out
as Python source (shown in a failure report) and run by pandas and by cylonc with and without
optimization.

``CYLONC_HYPOTHESIS_EXAMPLES=N`` runs N examples per property test (nightly); the default runs
360 pipelines in all (most of the random ones distinct).
"""

import datetime
import hashlib
import os
import random
import tempfile
from dataclasses import dataclass

import pyarrow as pa
import pytest
from difftables import DATES_AS_DATETIME64
from helpers import check
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("CYLONC_HYPOTHESIS_EXAMPLES", "0") or 0)


def examples(default):
    return settings(max_examples=EXAMPLES or default, deadline=None, derandomize=True,
                    database=None, suppress_health_check=list(HealthCheck))


# --- tables ------------------------------------------------------------------------------------

DAY0 = datetime.date(1994, 1, 1)
KEYS = st.one_of(st.just(1), st.integers(0, 4))
QUARTERS = st.integers(-200, 200).map(lambda n: n / 4)
SMALL_INTS = st.integers(-20, 20)
GROUPS = st.sampled_from(["a", "b", "c", "ä"])
DATES = st.integers(0, 40).map(lambda n: DAY0 + datetime.timedelta(days=61 * n))
TEXT = st.text(alphabet="abAB é", max_size=4)

LEFT = {"k": (pa.int64(), KEYS), "g": (pa.string(), GROUPS), "x": (pa.float64(), QUARTERS),
        "i": (pa.int64(), SMALL_INTS), "d": (pa.date32(), DATES), "s": (pa.string(), TEXT)}
RIGHT = {"k": (pa.int64(), st.integers(0, 5)), "y": (pa.float64(), QUARTERS),
         "s": (pa.string(), TEXT)}


@st.composite
def tables(draw, spec, max_rows=25):
    """A table of ``spec`` (name -> (type, values)); each column may or may not hold nulls."""
    n = draw(st.integers(0, max_rows))
    columns = {}
    for name, (typ, values) in spec.items():
        if draw(st.booleans()):
            values = st.one_of(values, values, st.none())
        columns[name] = pa.array(draw(st.lists(values, min_size=n, max_size=n)), typ)
    return pa.table(columns)


# --- fixed pipelines on generated tables -------------------------------------------------------


def f_compare(t):
    return t[t.x > 0]


def f_and(t):
    return t[(t.i >= -5) & (t.x < 10)]


def f_or_string(t):
    return t[(t.k == 1) | t.s.str.startswith("a")]


def f_isin(t):
    return t[t.g.isin(["a", "ä"])]


def f_date(t):
    return t[t.d >= datetime.date(1995, 1, 1)]


def f_between(t):
    return t[t.x.between(-10, 10)]


def f_nulls(t):
    return t[t.s.notna() & t.i.isna()]


def f_scalar(t):
    return t[t.x > t.x.mean()]


def f_mod(t):
    return t[t.i % 3 == 1]


def f_contains(t):
    return t[t.s.str.contains("b") | t.g.str.endswith("c")]


FILTERS = [f_compare, f_and, f_or_string, f_isin, f_date, f_between, f_nulls, f_scalar, f_mod,
           f_contains]


@examples(40)
@given(t=tables(LEFT), fn=st.sampled_from(FILTERS))
def test_filter(t, fn):
    check(fn, t, variants=False)


def a_arith(t):
    return t.assign(p=t.x * 2 - t.i, q=t.i + t.k, n=-t.x, m=t.i * t.k)


def a_div(t):
    return t.assign(r=t.x / t.i, w=t.i / t.k)


def a_intdiv(t):
    return t.assign(fd=t.i // 3, md=t.i % -4, fx=t.x // 2)


def a_str(t):
    return t.assign(u=t.s.str.upper(), lo=t.g.str.lower(), n=t.s.str.len(),
                    sl=t.s.str.slice(1, 3))


def a_misc(t):
    return t.assign(f=t.x.fillna(0.0), r=t.x.round(0), ab=t.x.abs(), wh=t.x.where(t.i > 0, -1.0),
                    pw=t.i ** 2)


def a_nulls(t):
    return t.assign(xn=t.x.isna(), gi=t.g.isin(["a", "b"]), sf=t.s.fillna("?"))


def a_cast(t):
    return t.assign(xi=t.x.fillna(0).astype("int64"), fi=t.i.astype("float64"))


def a_scalar(t):
    return t.assign(dev=t.x - t.x.mean(), share=t.i / t.i.sum())


def a_dates(t):
    return t.assign(y=t.d.dt.year, m=t.d.dt.month, dd=t.d.dt.day)


ASSIGNS = [(fn, {}) for fn in (a_arith, a_div, a_intdiv, a_str, a_misc, a_nulls, a_cast,
                               a_scalar)] + [(a_dates, DATES_AS_DATETIME64)]


@examples(40)
@given(t=tables(LEFT), case=st.sampled_from(ASSIGNS))
def test_assign(t, case):
    fn, kw = case
    check(fn, t, variants=False, **kw)


def g_basic(t):
    return t.groupby("k", as_index=False).agg(s=("x", "sum"), m=("x", "mean"), n=("x", "count"),
                                              z=("x", "size"))


def g_two_keys(t):
    return t.groupby(["g", "k"], as_index=False).agg(lo=("i", "min"), hi=("i", "max"),
                                                     u=("s", "nunique"))


def g_spread(t):
    return t.groupby("g", as_index=False).agg(sd=("x", "std"), v=("x", "var"), f=("s", "first"),
                                              la=("s", "last"))


def g_single(t):
    return t.groupby("k").x.sum()


def g_single_two_keys(t):
    return t.groupby(["g", "k"]).i.mean()


def g_date_key(t):
    return t.groupby("d", as_index=False).agg(n=("i", "count"), f=("x", "first"),
                                              la=("i", "last"))


def g_min_max(t):
    return t.groupby("k", as_index=False).agg(dmin=("d", "min"), dmax=("d", "max"),
                                              smin=("s", "min"), smax=("s", "max"))


def g_after_filter(t):
    f = t[t.x > 0]
    return f.groupby("g", as_index=False).agg(total=("i", "sum"), n=("i", "size"))


GROUPBYS = [g_basic, g_two_keys, g_spread, g_single, g_single_two_keys, g_date_key, g_min_max,
            g_after_filter]


@examples(40)
@given(t=tables(LEFT), fn=st.sampled_from(GROUPBYS))
def test_groupby_agg(t, fn):
    check(fn, t, variants=False)


def _merge(how):
    def q(left, right):
        return left.merge(right, on="k", how=how)

    q.__name__ = f"merge_{how}"
    return q


def m_semi(left, right):
    return left.merge(right, on="k", how="semi")


def m_semi_ref(left, right):
    return left[left.k.isin(right.k)]


def m_anti(left, right):
    return left.merge(right, on="k", how="anti")


def m_anti_ref(left, right):
    return left[~left.k.isin(right.k)]


def m_left_on(left, right):
    r = right.rename(columns={"k": "rk"})
    return left.merge(r, left_on="k", right_on="rk", how="left")


def m_then_groupby(left, right):
    j = left.merge(right, on="k")
    return j.groupby("g", as_index=False).agg(yy=("y", "sum"), xx=("x", "sum"), n=("y", "size"))


MERGES = ([(_merge(how), None) for how in
           ("inner", "left", "right", "outer", "left_anti", "right_anti")]
          + [(m_semi, m_semi_ref), (m_anti, m_anti_ref), (m_left_on, None),
             (m_then_groupby, None)])


@examples(40)
@given(left=tables(LEFT), right=tables(RIGHT, max_rows=8), case=st.sampled_from(MERGES))
def test_merge(left, right, case):
    fn, ref = case
    check(fn, left, right, reference=ref, variants=False)


# --- random pipelines --------------------------------------------------------------------------

# Column kinds: "int"; "q" (floats whose sums are exact in any order); "float" (elementwise
# results computed identically by any IEEE implementation); "real" (aggregates whose last bits
# depend on the order of summation: never compared with a literal or deduplicated);
# "str"; "date".
NUMERIC = ("int", "q", "float", "real")
LEVEL = {"int": 0, "q": 1, "float": 2, "real": 3}
BY_LEVEL = {v: k for k, v in LEVEL.items()}
DATE_LITERALS = ["datetime.date(1995, 1, 1)", "datetime.date(1994, 5, 3)",
                 "datetime.date(1998, 12, 31)"]

_SOURCES = tempfile.TemporaryDirectory(prefix="cylonc-gen-")
_LOADED: dict = {}


def _load(source: str):
    """The ``pipeline`` function of ``source``, written to a real file (so its lines exist)."""
    if source not in _LOADED:
        path = os.path.join(_SOURCES.name,
                            f"gen_{hashlib.sha1(source.encode()).hexdigest()[:12]}.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        namespace = {"__name__": "generated_pipeline"}
        exec(compile(source, path, "exec"), namespace)
        _LOADED[source] = namespace["pipeline"]
    return _LOADED[source]


@dataclass(frozen=True)
class Pipeline:
    cylonc_source: str
    pandas_source: str
    sorted_by: tuple | None

    def __repr__(self):
        if self.cylonc_source == self.pandas_source:
            return f"\n{self.cylonc_source}"
        return f"\n# cylonc\n{self.cylonc_source}\n# pandas\n{self.pandas_source}"

    @property
    def cylonc(self):
        return _load(self.cylonc_source)

    @property
    def pandas(self):
        return _load(self.pandas_source)


def _combine(*kinds):
    level = max(LEVEL[k] for k in kinds)
    return BY_LEVEL[level]


class Draws:
    """Choices drawn from hypothesis (shrinkable)."""

    def __init__(self, draw):
        self.draw = draw

    def int(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def choice(self, seq):
        return self.draw(st.sampled_from(seq))

    def bool(self):
        return self.draw(st.booleans())

    def permutation(self, seq):
        return self.draw(st.permutations(seq))

    def subset(self, seq, most):
        return self.draw(st.lists(st.sampled_from(seq), min_size=1, max_size=most, unique=True))


class Seeded:
    """Choices from a seeded `random.Random`: one seed, one pipeline (many distinct ones)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def int(self, lo, hi):
        return self.rng.randint(lo, hi)

    def choice(self, seq):
        return self.rng.choice(list(seq))

    def bool(self):
        return self.rng.random() < 0.5

    def permutation(self, seq):
        return self.rng.sample(list(seq), len(seq))

    def subset(self, seq, most):
        return self.rng.sample(list(seq), self.rng.randint(1, min(most, len(seq))))


def _predicate(ch, cols):
    comparable = [c for c, k in cols.items() if k != "real"]
    if not comparable:
        return None
    name = ch.choice(comparable)
    kind, col = cols[name], f"t[{name!r}]"
    if kind in ("int", "q", "float"):
        lit = ch.int(-20, 20) if kind == "int" else ch.int(-200, 200) / 4
        form = ch.int(0, 2)
        if form == 0:
            op = ch.choice([">", "<", ">=", "<=", "=="])
            return f"({col} {op} {lit!r})"
        if form == 1:
            return f"{col}.between({lit!r}, {lit + 10!r})"
        return f"({col} > {col}.mean())" if kind != "float" else f"({col} >= {lit!r})"
    if kind == "str":
        return ch.choice([f"({col} == 'a')", f"{col}.isin(['a', 'b', 'ä'])",
                                     f"{col}.str.startswith('a')", f"{col}.str.contains('b')"])
    op = ch.choice([">=", "<"])
    return f"({col} {op} {ch.choice(DATE_LITERALS)})"


def generate(ch) -> "Pipeline":
    """A random chain of API operations on ``t`` (LEFT) that may merge with ``r`` (RIGHT)."""
    cols = {"k": "int", "g": "str", "x": "q", "i": "int", "d": "date", "s": "str"}
    cc_lines, pd_lines = [], []
    fresh = iter(range(100))
    merged = False
    order_known = True

    def emit(line, pandas_line=None):
        cc_lines.append(line)
        pd_lines.append(pandas_line or line)

    for _ in range(ch.int(1, 4)):
        ops = ["filter", "assign", "project", "groupby", "dedup", "rename"]
        if not merged and cols.get("k") == "int":
            ops.append("merge")
        op = ch.choice(ops)
        numeric = [c for c, k in cols.items() if k in NUMERIC]
        if op == "filter":
            preds = [p for p in (_predicate(ch, cols) for _ in range(ch.int(1, 2))) if p]
            if preds:
                emit(f"t = t[{ch.choice([' & ', ' | ']).join(preds)}]")
        elif op == "assign":
            name = ch.choice([f"c{next(fresh)}", *numeric]) if numeric else None
            strings = [c for c, k in cols.items() if k == "str"]
            choices = (["binary", "literal", "unary"] if numeric else []) + (
                ["string"] if strings else [])
            if not choices:
                continue
            kind = ch.choice(choices)
            if kind == "string":
                a = ch.choice(strings)
                expr, out = ch.choice([
                    (f"t[{a!r}].str.upper()", "str"), (f"t[{a!r}].str.len()", "int"),
                    (f"t[{a!r}].str.slice(0, 2)", "str"), (f"t[{a!r}].fillna('?')", "str")])
                name = name or f"c{next(fresh)}"
            else:
                a, b = ch.choice(numeric), ch.choice(numeric)
                ka, kb = cols[a], cols[b]
                if kind == "binary":
                    op_ = ch.choice(["+", "-", "*", "/"])
                    expr = f"t[{a!r}] {op_} t[{b!r}]"
                    out = _combine(ka, kb, "float" if op_ == "/" else "int")
                elif kind == "literal":
                    lit = ch.choice([2, 3, -1, 0.5])
                    op_ = ch.choice(["+", "-", "*"])
                    expr = f"t[{a!r}] {op_} {lit!r}"
                    out = _combine(ka, "q" if isinstance(lit, float) else "int")
                    if ka == "int" and ch.bool():
                        expr, out = ch.choice([f"t[{a!r}] // 3", f"t[{a!r}] % 4"]), "int"
                else:
                    expr = ch.choice([f"t[{a!r}].abs()", f"-t[{a!r}]", f"t[{a!r}].fillna(0)",
                                      f"t[{a!r}].where(t[{a!r}] > 0, 0)"])
                    out = ka
            emit(f"t = t.assign({name}={expr})")
            cols[name] = out
        elif op == "project":
            order = ch.permutation(list(cols))
            keep = order[: ch.int(1, len(order))]
            emit(f"t = t[{list(keep)!r}]")
            cols = {c: cols[c] for c in keep}
        elif op == "rename":
            old = ch.choice(list(cols))
            new = f"r{next(fresh)}"
            emit(f"t = t.rename(columns={{{old!r}: {new!r}}})")
            cols = {new if c == old else c: k for c, k in cols.items()}
        elif op == "dedup":
            exact = [c for c, k in cols.items() if k != "real"]
            if len(exact) == len(cols) and ch.bool():
                emit("t = t.drop_duplicates()")
            elif exact and order_known:
                subset = ch.subset(exact, 2)
                emit(f"t = t.drop_duplicates(subset={subset!r})")
        elif op == "groupby":
            keyable = [c for c, k in cols.items() if k in ("int", "str", "date")]
            if not keyable:
                continue
            keys = ch.subset(keyable, 2)
            rest = [c for c in cols if c not in keys]
            if not rest:
                continue
            aggs, out_cols = [], {k: cols[k] for k in keys}
            for _ in range(ch.int(1, 3)):
                c = ch.choice(rest)
                kind = cols[c]
                fns = ["min", "max", "count", "size", "nunique", "first", "last"]
                if kind in NUMERIC:
                    fns += ["sum", "mean"]
                fn = ch.choice(fns)
                name = f"a{next(fresh)}"
                aggs.append(f"{name}=({c!r}, {fn!r})")
                out_cols[name] = ("int" if fn in ("count", "size", "nunique")
                                  else "real" if fn == "mean"
                                  else ("real" if kind == "float" else kind) if fn == "sum"
                                  else kind)
            emit(f"t = t.groupby({keys!r}, as_index=False).agg({', '.join(aggs)})")
            cols = out_cols
        elif op == "merge":
            how = ch.choice(["inner", "left", "right", "outer", "left_anti", "right_anti",
                             "semi", "anti"])
            if how == "semi":
                emit("t = t.merge(r, on='k', how='semi')", "t = t[t.k.isin(r.k)]")
            elif how == "anti":
                emit("t = t.merge(r, on='k', how='anti')", "t = t[~t.k.isin(r.k)]")
            else:
                emit(f"t = t.merge(r, on='k', how={how!r})")
                clash = "s" in cols
                cols = {(c + "_x" if clash and c == "s" else c): k for c, k in cols.items()}
                cols["y"] = "q"
                cols["s_y" if clash else "s"] = "str"
            merged = True
            order_known = False

    sorted_by = None
    final = ch.choice(["table", "sort_head", "scalars", "single"])
    keyable = [c for c, k in cols.items() if k in ("int", "str", "date")]
    numeric = [c for c, k in cols.items() if k in NUMERIC]
    if final == "sort_head":
        by = list(cols)
        asc = [ch.bool() for _ in by]
        emit(f"return t.sort_values({by!r}, ascending={asc!r}).head({ch.int(0, 6)})")
        sorted_by = tuple(zip(by, asc))
    elif final == "scalars":
        c = ch.choice(list(cols))
        parts = [f"'n': t[{c!r}].count()", f"'hi': t[{c!r}].max()"]
        if numeric:
            parts.append(f"'total': t[{ch.choice(numeric)!r}].sum()")
        emit(f"return {{{', '.join(parts)}}}")
    elif final == "single" and keyable and len(cols) > 1:
        key = ch.choice(keyable)
        col = ch.choice([c for c in cols if c != key])
        fn = ch.choice(["sum", "mean", "max", "count", "nunique", "size", "first"]
                       if cols[col] in NUMERIC else
                       ["max", "count", "nunique", "size", "first", "last"])
        emit(f"return t.groupby({key!r})[{col!r}].{fn}()")
    else:
        emit("return t")

    def source(lines):
        body = "".join(f"    {line}\n" for line in lines)
        return f"import datetime\n\n\ndef pipeline(t, r):\n{body}"

    return Pipeline(source(cc_lines), source(pd_lines), sorted_by)


@st.composite
def pipelines(draw):
    return generate(Draws(draw))


def _mix(seed, *tables) -> str:
    """A seed that changes with the tables too (hypothesis keeps reusing drawn integers)."""
    digest = hashlib.sha1(repr([t.to_pydict() for t in tables]).encode()).hexdigest()
    return f"{seed}:{digest}"


@examples(150)
@given(seed=st.integers(0, 2**32 - 1), t=tables(LEFT), r=tables(RIGHT, max_rows=8))
def test_random_pipeline(seed, t, r):
    """The pipeline's seed mixes in the tables, so nearly every example is a new pipeline."""
    p = generate(Seeded(_mix(seed, t, r)))
    note(repr(p))
    check(p.cylonc, t, r, reference=p.pandas, sorted_by=p.sorted_by, variants=False)


@examples(50)
@given(p=pipelines(), t=tables(LEFT), r=tables(RIGHT, max_rows=8))
def test_random_pipeline_shrinking(p, t, r):
    """Pipelines drawn from hypothesis itself: a failure shrinks to a minimal pipeline."""
    check(p.cylonc, t, r, reference=p.pandas, sorted_by=p.sorted_by, variants=False)


@pytest.mark.slow
@settings(max_examples=max(EXAMPLES, 1000), deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), t=tables(LEFT, max_rows=200),
       r=tables(RIGHT, max_rows=40))
def test_random_pipeline_larger_tables(seed, t, r):
    p = generate(Seeded(_mix(seed, t, r)))
    note(repr(p))
    check(p.cylonc, t, r, reference=p.pandas, sorted_by=p.sorted_by, variants=False)
