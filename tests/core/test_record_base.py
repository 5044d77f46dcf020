"""`mockown.store.base.Record`: the `==` and `repr` every stored kind inherits answer as the ones `@dataclass`
would have made (checked against a twin dataclass made the standard way, with the same fields), records stay
slotted and unhashable, and every registered kind uses them."""

from __future__ import annotations

import dataclasses
import math
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mockown.http.app  # noqa: F401 - loads every API, so every record kind is registered
from mockown.http.app import _apis
from mockown.store import RECORD_TYPES
from mockown.store.base import Record

_apis()
KINDS = sorted((meta.cls for meta in RECORD_TYPES.values()), key=lambda cls: cls.__qualname__)


def _twin(cls: type[Any]) -> type[Any]:
    """A dataclass with `cls`'s name, fields (their repr/compare flags) and frozenness, whose `==`, `repr` and (frozen)
    `hash` dataclasses make."""
    fields = [(f.name, Any, dataclasses.field(repr=f.repr, compare=f.compare)) for f in dataclasses.fields(cls)]
    frozen = bool(cls.__dataclass_params__.frozen)
    twin = dataclasses.make_dataclass(cls.__name__, fields, eq=True, repr=True, frozen=frozen)
    twin.__qualname__ = cls.__qualname__
    return twin


def _build(cls: type[Any], values: dict[str, Any]) -> Any:
    """An instance of `cls` with exactly `values`, whatever its __init__ wants (fields set one by one)."""
    rec = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(rec, name, value)
    return rec


VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)  # fmt: skip


def test_every_kind_is_a_record_without_its_own_eq_or_repr() -> None:
    assert len(KINDS) >= 45
    for cls in KINDS:
        assert issubclass(cls, Record), cls
        assert "__eq__" not in vars(cls) and "__repr__" not in vars(cls), cls  # no per-class compiled methods
        assert "__slots__" in vars(cls) and not hasattr(_build(cls, {}), "__dict__"), cls


def like_its_twin(cls: type[Any], data: st.DataObject, values: st.SearchStrategy[Any]) -> tuple[Any, ...]:
    """Two instances of `cls` with `values` drawn (the second sharing some of the first's), and the same two of its
    `_twin`: `repr`, `==` and `!=` answer as the twin's. Returns the four (`test_fieldwise` checks `hash` too)."""
    names = [f.name for f in dataclasses.fields(cls)]
    first = {n: data.draw(values, label=n) for n in names}
    second = {n: data.draw(st.sampled_from([first[n], data.draw(values)]), label=f"other {n}") for n in names}
    twin = _twin(cls)
    a, b = _build(cls, first), _build(cls, second)
    ta, tb = _build(twin, first), _build(twin, second)
    assert repr(a) == repr(ta)
    assert (a == b) == (ta == tb)
    assert (a != b) == (ta != tb)
    return a, b, ta, tb


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KINDS), st.data())
def test_eq_and_repr_are_the_dataclass_ones(cls: type[Any], data: st.DataObject) -> None:
    a, _, _, _ = like_its_twin(cls, data, VALUES)
    assert a == a  # the same values (a NaN included): a tuple compares identical items as equal


def test_a_record_that_contains_itself_shows_dots() -> None:
    cls = KINDS[0]
    names = [f.name for f in dataclasses.fields(cls)]
    rec, twin = _build(cls, dict.fromkeys(names)), _build(_twin(cls), dict.fromkeys(names))
    object.__setattr__(rec, names[0], [rec])
    object.__setattr__(twin, names[0], [twin])
    assert repr(rec) == repr(twin)
    assert f"{names[0]}=[...]" in repr(rec)


def test_other_classes_and_values_are_not_equal_and_records_are_unhashable() -> None:
    first, second = KINDS[0], KINDS[1]
    a = _build(first, {f.name: 1 for f in dataclasses.fields(first)})
    b = _build(second, {f.name: 1 for f in dataclasses.fields(second)})
    assert a != b and a != 1 and a != {f.name: 1 for f in dataclasses.fields(first)}
    assert a.__eq__(b) is NotImplemented
    with pytest.raises(TypeError, match="unhashable"):
        hash(a)


@dataclasses.dataclass(slots=True, repr=False, eq=False)
class _One(Record):
    x: Any


@dataclasses.dataclass(slots=True, repr=False, eq=False)
class _NoFields(Record):
    pass


def test_one_field_and_no_field_compare_as_dataclasses_do() -> None:
    """One field: as the running Python's dataclasses compare it (until 3.12 a 1-tuple, whose one NaN object equals
    itself; from 3.13 field by field, where it does not, but an instance equals itself); two NaN objects never
    equal; no field: always equal."""
    nan = math.nan
    twin = _twin(_One)
    shared = _One(nan) == _One(nan)
    assert shared is (twin(nan) == twin(nan)) is (sys.version_info < (3, 13))
    same = _One(nan)
    assert (same == same) is True and (same != same) is False
    assert (_One(nan) == _One(float("nan"))) is (twin(nan) == twin(float("nan"))) is False
    assert (_One([1]) == _One([1])) and _One(1) != _One(2)
    assert _NoFields() == _NoFields() and repr(_NoFields()) == repr(_twin(_NoFields)())
