"""`mockown.fieldwise`: the dataclasses that are not stored kinds (settings, requests, results) inherit `==`, `repr`
and, when frozen, `hash` from `Fieldwise` / `Value` instead of dataclasses compiling them for each class at every
start-up; they answer as the made ones would (a twin dataclass made the standard way, with the same fields and the
same `frozen`), frozen ones stay frozen and hashable, the others unhashable."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mockown
from mockown.fieldwise import Fieldwise, Value
from mockown.store.base import Record

from .test_record_base import like_its_twin

for _module in pkgutil.walk_packages(mockown.__path__, "mockown."):  # the lazily loaded endpoint modules too
    if not _module.name.endswith("__main__"):
        importlib.import_module(_module.name)


def _dataclasses() -> list[type[Any]]:
    found = {
        obj
        for module in list(sys.modules.values())
        if getattr(module, "__name__", "").startswith("mockown")
        for obj in vars(module).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__.startswith("mockown")
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


ALL = _dataclasses()
VALUES_CLASSES = [cls for cls in ALL if not issubclass(cls, Record)]


def _frozen(cls: type[Any]) -> bool:
    return bool(cls.__dataclass_params__.frozen)


HASHABLE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))


def test_every_dataclass_of_the_package_inherits_eq_and_repr() -> None:
    """Each of them (the stored kinds too): no `==`, `repr` or `hash` compiled for the class itself."""
    assert len(VALUES_CLASSES) >= 30
    for cls in ALL:
        assert issubclass(cls, Fieldwise), cls
        assert not {"__eq__", "__repr__"} & set(vars(cls)), cls
        assert issubclass(cls, Value) == _frozen(cls), cls
        assert "__hash__" not in vars(cls) or vars(cls)["__hash__"] is None, cls


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALUES_CLASSES), st.data())
def test_eq_repr_and_hash_are_the_dataclass_ones(cls: type[Any], data: st.DataObject) -> None:
    a, b, ta, tb = like_its_twin(cls, data, HASHABLE)  # repr, == and != as the twin's
    if _frozen(cls):
        assert hash(a) == hash(ta) and hash(b) == hash(tb)
    else:
        with pytest.raises(TypeError, match="unhashable"):
            hash(a)


def test_frozen_ones_stay_frozen() -> None:
    from mockown.config import Config

    config = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.port = 1  # type: ignore[misc]
    assert config == Config() and hash(config) == hash(Config()) and config != Config(port=1)
    assert repr(config).startswith("Config(host='127.0.0.1', port=8080,")
