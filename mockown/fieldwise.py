"""Field-wise `==`, `hash` and the dataclass `repr`, written once for the dataclasses made at every start-up.

A dataclass makes its own `__repr__`, `__eq__` and (frozen) `__hash__` by compiling source text for each class:
about half of what making a class costs, and ~100 dataclasses are made at every start-up. A class declared
`@dataclass(..., repr=False, eq=False)` on one of these bases inherits them instead, and they answer as the made
ones would (`tests/core/test_record_base.py` compares them with dataclasses' own): `==` compares the fields with
`compare=True` against another instance of exactly the same class, as the running Python's dataclasses do (until
3.12 as one tuple against another, whose items equal when identical; from 3.13 an instance equals itself, then
field by field, so two instances sharing one NaN differ), `repr` shows the fields with
`repr=True` (an instance that contains itself shows `...`), and `Value`'s `hash` is the hash of the tuple of the
fields a frozen dataclass hashes. `Fieldwise` instances are unhashable, as those of an `eq=True` dataclass that is
not frozen.
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
import sys
from collections.abc import Callable, Iterable
from typing import Any

_COMPARED: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}
_HASHED: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}
_SHOWN: dict[type[Any], tuple[str, ...]] = {}
# dataclasses' own `==` since Python 3.13: `self is other`, then field by field (before: one tuple against another)
_FIELD_BY_FIELD = sys.version_info >= (3, 13)


def _getter(names: Iterable[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of `names` as one tuple (a dataclass compares and hashes a tuple)."""
    names = tuple(names)
    if len(names) == 1:  # attrgetter of one name gives the bare value: a 1-tuple keeps tuple equality's rules
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    if names:
        return operator.attrgetter(*names)
    return lambda obj: ()


def _compared(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    getter = _COMPARED.get(cls)
    if getter is None:
        getter = _COMPARED[cls] = _getter(f.name for f in dataclasses.fields(cls) if f.compare)
    return getter


def _hashed(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    getter = _HASHED.get(cls)
    if getter is None:  # dataclasses' rule: `hash=None` follows `compare`
        fields = dataclasses.fields(cls)
        getter = _HASHED[cls] = _getter(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    return getter


class Fieldwise:
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        cls = self.__class__
        if other.__class__ is not cls:
            return NotImplemented
        values = _compared(cls)
        if _FIELD_BY_FIELD:
            return self is other or all(a == b for a, b in zip(values(self), values(other), strict=True))
        return bool(values(self) == values(other))

    __hash__ = None  # type: ignore[assignment]  # as an `eq=True` dataclass: mutable, so unhashable

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        cls = self.__class__
        names = _SHOWN.get(cls)
        if names is None:
            names = _SHOWN[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.repr)  # type: ignore[arg-type]
        return f"{cls.__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in names)})"


class Value(Fieldwise):
    """The base of a frozen dataclass (`@dataclass(frozen=True, repr=False, eq=False)`): hashable, as one is."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]  # Fieldwise's None: unhashable unless frozen
        return hash(_hashed(self.__class__)(self))
