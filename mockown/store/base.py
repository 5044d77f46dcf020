"""`Record`, the base of every stored kind: field-wise `==` and the dataclass `repr` (`mockown.fieldwise`).

Records are declared `@dataclass(slots=True, repr=False, eq=False)` and inherit these two instead of dataclasses
compiling both for each of the ~50 kinds at every start-up. Records are unhashable, as `eq=True` dataclasses are.
"""

from __future__ import annotations

from ..fieldwise import Fieldwise


class Record(Fieldwise):
    __slots__ = ()
