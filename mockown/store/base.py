"""`Record`, the base of every stored kind: field-wise `==` and the dataclass `repr`, written once.

A dataclass makes its own `__repr__` and `__eq__` by compiling source text for each class, about half of what
making the class costs; ~50 record kinds are made at every start-up. Records are declared
`@dataclass(slots=True, repr=False, eq=False)` and inherit these two, which answer as the made ones would
(`tests/core/test_record_base.py` compares them with dataclasses' own): `==` compares the fields with
`compare=True` as one tuple against another record of exactly the same class, `repr` shows the fields with
`repr=True`, and a record that contains itself shows `...`. Defining `__eq__` makes records unhashable, as
`eq=True` dataclasses are.
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
from collections.abc import Callable
from typing import Any

_COMPARED: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {}
_SHOWN: dict[type[Any], tuple[str, ...]] = {}


def _compared(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """The values `==` compares, as a tuple (a dataclass compares two tuples)."""
    getter = _COMPARED.get(cls)
    if getter is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
        if len(names) == 1:  # attrgetter of one name gives the bare value: a 1-tuple keeps tuple equality's rules
            one = operator.attrgetter(names[0])
            getter = lambda rec: (one(rec),)  # noqa: E731
        elif names:
            getter = operator.attrgetter(*names)
        else:
            getter = lambda rec: ()  # noqa: E731
        _COMPARED[cls] = getter
    return getter


class Record:
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        cls = self.__class__
        if other.__class__ is not cls:
            return NotImplemented
        values = _compared(cls)
        return bool(values(self) == values(other))

    __hash__ = None  # type: ignore[assignment]  # as an `eq=True` dataclass: mutable, so unhashable

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        cls = self.__class__
        names = _SHOWN.get(cls)
        if names is None:
            names = _SHOWN[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.repr)  # type: ignore[arg-type]
        return f"{cls.__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in names)})"
