"""A record's row (a dict of JSON values: a snapshot's, a restore's) checked against the record's annotations.

`checked(cls, row)` hands back the keyword arguments to build `cls` from: every field the row gives, of the
declared type (a JSON list for a tuple field becomes a tuple, a nested record's object that record, an integer
for a float field a float); keys the record does not have are ignored. A value of the wrong type, or a missing
required field, is a `RowError` (a ValueError) naming the field: a restore refuses the snapshot, where the value
stored as given made later requests that read it fail. The checks are compiled once per class; a value of the
exact declared type (most of them: strings, numbers) costs one set lookup.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from ..clock import EARLIEST, LATEST, check_instant

_NONE = type(None)
_MISSING = dataclasses.MISSING


class RowError(ValueError):
    """A row that does not fit its record: `path` is the field (`scopes[2]`, `snapshot.size`), `problem` what."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path, self.problem = path, problem

    def within(self, prefix: str) -> RowError:
        """The same error, its path under `prefix` (a field name, `[3]`, a table's `sf_access_tokens[3]`)."""
        sep = "" if not self.path or self.path.startswith("[") else "."
        return RowError(f"{prefix}{sep}{self.path}" if self.path else prefix, self.problem)


class _Bad(Exception):
    """A value's problem, on its way up to the field that names it (a RowError carries the path)."""


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# A check: the value as stored (the same object, or converted), or RowError / _Bad.
Check = Callable[[Any], Any]


def _keep(value: Any) -> Any:
    return value


def _simple(types_: frozenset[type[Any]], expected: str) -> Check:
    def check(value: Any) -> Any:
        if type(value) in types_:
            return value
        raise _Bad(f"expected {expected}, got {_show(value)}")

    return check


def _number(nullable: bool) -> Check:
    """Every float a record has is an instant or a duration in seconds: one a clock can show (check_instant's
    years 0001 to 9999; ints become floats), or what reads it fails (`iso()` of the year 0 was a 500)."""
    expected = "a number or null" if nullable else "a number"

    def check(value: Any) -> Any:
        kind = type(value)
        if kind is float or kind is int:
            try:
                return check_instant(float(value))
            except (ValueError, OverflowError):
                raise _Bad(f"expected {expected} of seconds in the years 0001 to 9999, got {_show(value)}") from None
        if value is None and nullable:
            return None
        raise _Bad(f"expected {expected}, got {_show(value)}")

    return check


def _each(pairs: Iterable[tuple[Check, Any]]) -> list[Any]:
    """Each value checked by its check; a refusal names the value's index."""
    out = []
    for i, (check, v) in enumerate(pairs):
        try:
            out.append(check(v))
        except _Bad as exc:
            raise RowError(f"[{i}]", str(exc)) from None
        except RowError as exc:
            raise exc.within(f"[{i}]") from None
    return out


def _items(item: Check, value: Any) -> list[Any]:
    return _each((item, v) for v in value)


def _sequence(origin: Any, item: Check, fast: frozenset[type[Any]] | None) -> Check:
    name = "a list"

    def check(value: Any) -> Any:
        if type(value) not in (list, tuple, set, frozenset):
            raise _Bad(f"expected {name}, got {_show(value)}")
        if origin is list and type(value) is list and (fast is None or all(type(v) in fast for v in value)):
            return value  # the common case, as it is: a list of strings
        return origin(_items(item, value))

    return check


def _fixed_tuple(items: tuple[Check, ...]) -> Check:
    def check(value: Any) -> Any:
        if type(value) not in (list, tuple) or len(value) != len(items):
            raise _Bad(f"expected a list of {len(items)}, got {_show(value)}")
        return tuple(_each(zip(items, value, strict=True)))

    return check


def _mapping(item: Check, fast: frozenset[type[Any]] | None) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not dict:
            raise _Bad(f"expected an object, got {_show(value)}")
        if fast is None or all(type(v) in fast for v in value.values()):
            return value
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise RowError(f"[{k!r}]", "expected a string key")
            try:
                out[k] = item(v)
            except _Bad as exc:
                raise RowError(f"[{k!r}]", str(exc)) from None
            except RowError as exc:
                raise exc.within(f"[{k!r}]") from None
        return out

    return check


def _nested(cls: type[Any]) -> Check:
    def check(value: Any) -> Any:
        if type(value) is cls:
            return value
        if type(value) is not dict:
            raise _Bad(f"expected an object, got {_show(value)}")
        return cls(**checked(cls, value))

    return check


def _union(members: list[Any]) -> Check:
    checks = [_compile(m) for m in members]
    expected = " or ".join(_describe(m) for m in members)

    def check(value: Any) -> Any:
        for one in checks:
            try:
                return one(value)
            except (_Bad, RowError):
                continue
        raise _Bad(f"expected {expected}, got {_show(value)}")

    return check


def _literal(choices: tuple[Any, ...]) -> Check:
    def check(value: Any) -> Any:
        for choice in choices:
            if type(value) is type(choice) and value == choice:
                return value
        raise _Bad(f"expected one of {', '.join(_show(c) for c in choices)}, got {_show(value)}")

    return check


_ATOMS: dict[Any, tuple[frozenset[type[Any]], str]] = {
    str: (frozenset({str}), "a string"),
    int: (frozenset({int}), "an integer"),
    bool: (frozenset({bool}), "true or false"),
    _NONE: (frozenset({_NONE}), "null"),
    None: (frozenset({_NONE}), "null"),
}


def _describe(tp: Any) -> str:
    if get_origin(tp) is Annotated:
        return _describe(tp.__origin__)
    if tp in _ATOMS:
        return _ATOMS[tp][1]
    if tp is float:
        return "a number"
    origin = get_origin(tp)
    if origin in (list, tuple, set, frozenset):
        return "a list"
    if origin is dict or dataclasses.is_dataclass(tp):
        return "an object"
    return getattr(tp, "__name__", str(tp))


def _fast(tp: Any) -> frozenset[type[Any]] | None:
    """The exact types a value of `tp` is taken as it is without a look inside, or None for any value."""
    if tp is Any or tp is object:
        return None
    if get_origin(tp) is Annotated:
        return frozenset()
    if tp in _ATOMS:
        return _ATOMS[tp][0]
    if get_origin(tp) in (Union, types.UnionType):
        parts = [_fast(m) for m in get_args(tp)]
        if all(p is not None for p in parts):
            return frozenset().union(*(p for p in parts if p is not None))
    return frozenset()  # floats (ints become floats), containers, records: checked one by one


class Refine:
    """`Annotated[str, Refine(test, "a Salesforce id")]`: a field whose values `test` (raising ValueError) narrows
    further than its type (what reads the value assumes it: `ids.to18` of a user's id was a 500 on '')."""

    __slots__ = ("test", "what")

    def __init__(self, test: Callable[[Any], object], what: str) -> None:
        self.test, self.what = test, what


def between(low: int, high: int | None = None) -> Callable[[Any], object]:
    """A `Refine` test: an integer from `low` to `high` (a count that drives work: bounded as the seed bounds it),
    or from `low` up without `high` (an id the seed takes only from `low`)."""

    def test(value: Any) -> None:
        if value < low or (high is not None and value > high):
            raise ValueError(f"not from {low} to {high}" if high is not None else f"less than {low}")

    return test


def lower_case(value: str) -> None:
    """A `Refine` test: a name stored lower-case because it is looked up lower-cased (a username, an e-mail: the
    sign-in lowers what it is given, so a name with a capital was never found, and two rows differing only in case
    passed the uniqueness check while one of them answered for both)."""
    if value != value.lower():
        raise ValueError("not in lower case")


LOWER_CASE = Refine(lower_case, "text in lower case, as the seed stores it")


def _refined(inner: Check, refine: Refine) -> Check:
    def check(value: Any) -> Any:
        value = inner(value)
        try:
            refine.test(value)
        except ValueError:
            raise _Bad(f"expected {refine.what}, got {_show(value)}") from None
        return value

    return check


def _shaped(shape: type[Any]) -> Check:
    """A plain dict a record keeps (store-friendly) whose keys and values `shape`, a dataclass, spells out: checked
    as that dataclass's row, kept as its dict (the defaults of the keys left out filled in)."""

    def check(value: Any) -> Any:
        if type(value) is not dict:
            raise _Bad(f"expected an object, got {_show(value)}")
        args = checked(shape, value)
        try:
            return dataclasses.asdict(shape(**args))
        except RowError:
            raise
        except ValueError as exc:  # the shape's own rule across its fields (its __post_init__): "n: expected ..."
            path, sep, problem = str(exc).partition(": ")
            if not (sep and path in args):
                raise _Bad(str(exc)) from None
            raise RowError(path, problem if ", got " in problem else f"{problem}, got {_show(args[path])}") from None

    return check


def _compile(tp: Any) -> Check:
    if tp is Any or tp is object:
        return _keep
    if get_origin(tp) is Annotated:  # `Annotated[dict[str, Any], Shape]`: the dict as that dataclass spells it
        shapes = [m for m in tp.__metadata__ if dataclasses.is_dataclass(m) and isinstance(m, type)]
        refines = [m for m in tp.__metadata__ if isinstance(m, Refine)]
        if refines:  # each in turn: `Annotated[str, LOWER_CASE, USERNAME]` names the first one a value fails
            check = _compile(tp.__origin__)
            for refine in refines:
                check = _refined(check, refine)
            return check
        return _shaped(shapes[0]) if shapes else _compile(tp.__origin__)
    if tp in _ATOMS:
        return _simple(*_ATOMS[tp])
    if tp is float:
        return _number(False)
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        members = [a for a in args if a is not _NONE]
        if members == [float]:
            return _number(True)
        if len(members) < len(args):  # Optional: null first, then the member(s)
            inner = _compile(members[0]) if len(members) == 1 else _union(members)
            expected = " or ".join(_describe(m) for m in members) + " or null"

            def optional(value: Any) -> Any:
                if value is None:
                    return None
                try:
                    return inner(value)
                except _Bad:
                    raise _Bad(f"expected {expected}, got {_show(value)}") from None

            return optional
        return _union(members)
    if origin is Literal:
        return _literal(args)
    if origin in (list, set, frozenset) or (origin is tuple and (not args or args[-1] is Ellipsis)):
        item = args[0] if args else Any
        return _sequence(origin, _compile(item), _fast(item) if origin is list else frozenset())
    if origin is tuple:
        return _fixed_tuple(tuple(_compile(a) for a in args))
    if origin is dict:
        item = args[1] if len(args) == 2 else Any
        return _mapping(_compile(item), _fast(item))
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _nested(tp)
    if tp in (list, tuple, set, frozenset, dict):
        return _compile(tp[Any])
    if isinstance(tp, type):
        return _simple(frozenset({tp}), f"a {tp.__name__}")
    return _keep  # an annotation this module does not know: taken as it is, as before


# per class: (name, exact types kept as they are or None for any, check, required, a number field)
_Field = tuple[str, frozenset[type[Any]] | None, Check, bool, bool]
_SPECS: dict[type[Any], tuple[_Field, ...]] = {}
_ABSENT = object()


def _spec(cls: type[Any]) -> tuple[_Field, ...]:
    spec = _SPECS.get(cls)
    if spec is None:
        hints = get_type_hints(cls, include_extras=True)
        spec = _SPECS[cls] = tuple(
            (
                f.name,
                _fast(hints.get(f.name, Any)),
                _compile(hints.get(f.name, Any)),
                f.default is _MISSING and f.default_factory is _MISSING,
                hints.get(f.name) in (float, float | None),
            )
            for f in dataclasses.fields(cls)
            if f.init
        )
    return spec


def checked(cls: type[Any], row: Any) -> dict[str, Any]:
    """The keyword arguments that build `cls` from `row`, every value of its field's type (see the module)."""
    if type(row) is not dict:
        raise RowError("", f"expected an object, got {_show(row)}")
    out: dict[str, Any] = {}
    for name, fast, check, required, number in _spec(cls):
        value = row.get(name, _ABSENT)
        if value is _ABSENT:
            if required:
                raise RowError(name, "missing")
        elif (
            fast is None
            or type(value) in fast
            or (number and type(value) is float and EARLIEST <= value <= LATEST)  # as check_instant, inline
        ):
            out[name] = value
        else:
            try:
                out[name] = check(value)
            except _Bad as exc:
                raise RowError(name, str(exc)) from None
            except RowError as exc:
                raise exc.within(name) from None
    return out


# -- meta values ---------------------------------------------------------------------------------------------
# A meta key mockown reads (`Store.get_meta`), or a family of them (`"own.seq.*"`), -> the check its value takes
# on a restore: a ValueError says what the value must be. Registered by mockown/metakeys.py (the one list of
# them); a key no check names is kept as it is (nothing reads it).
META_CHECKS: dict[str, Callable[[Any], object]] = {}


def checked_meta(values: Any) -> dict[str, Any]:
    """A snapshot's ``_meta`` object, every value a key of `META_CHECKS` names of the shape its reader needs."""
    if type(values) is not dict:
        raise RowError("_meta", f"expected an object, got {_show(values)}")
    for key, value in values.items():
        check = META_CHECKS.get(key)
        if check is None:
            check = next((c for k, c in META_CHECKS.items() if k.endswith("*") and key.startswith(k[:-1])), None)
        if check is None:
            continue
        try:
            check(value)
        except RowError as exc:
            raise exc.within(f"_meta.{key}") from None
        except ValueError as exc:
            raise RowError(f"_meta.{key}", f"{exc}, got {_show(value)}") from None
    return values
