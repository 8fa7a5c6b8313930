"""Dataclasses to JSON-ready data and back: the one serialisation of settings and run records.

:func:`to_plain` writes every field of a dataclass by name, in declaration order (nested
dataclasses as dicts, tuples as lists); :func:`from_plain` reads such a dict back through the
class's type hints.  Two field options keep older files readable:

* :func:`omit_none` — the key is left out while the value is None (a record whose keys depend on
  what happened: a run's ``adapted`` only when the clip was too short);
* :func:`omit_default` — the key is left out while the value is the default (a field added to a
  settings class after files were keyed by the others: the old keys stay valid).

And one more: :func:`local` — the key is never written (how a run is done, not what it
computes: a cache folder, the history file a result is recorded in), so a dict that keys
results leaves it out by construction and every other field reaches the key.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from typing import Any, TypeVar, cast

OMIT = "omit"
"""Field metadata key: ``"none"``, ``"default"`` or ``"local"`` (see the module docstring)."""

T = TypeVar("T")


def omit_none(default: Any = None) -> Any:
    """A field written only when it is not None."""
    return dataclasses.field(default=default, metadata={OMIT: "none"})


def omit_default(default: Any) -> Any:
    """A field written only when it differs from its default (an immutable one)."""
    return dataclasses.field(default=default, metadata={OMIT: "default"})


def local(**field_kwargs: Any) -> Any:
    """A field never written (``default=`` or ``default_factory=`` as for :func:`dataclasses.field`)."""
    return dataclasses.field(**field_kwargs, metadata={OMIT: "local"})


def to_plain(value: Any) -> Any:
    """JSON-ready data: dataclasses as dicts by field, tuples as lists, NumPy scalars as Python ones."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            omit = f.metadata.get(OMIT)
            if omit == "local" or (omit == "none" and item is None) or (omit == "default" and item == f.default):
                continue
            out[f.name] = to_plain(item)
        return out
    if isinstance(value, (tuple, list)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    np = sys.modules.get("numpy")  # no NumPy scalar can exist before NumPy is imported (`mirror --help` never is)
    if np is not None and isinstance(value, np.generic):
        return value.item()
    return value


def from_plain(cls: type[T], data: dict) -> T:
    """An instance of the dataclass ``cls`` from :func:`to_plain`'s dict.

    Keys the class does not know are ignored; fields missing from ``data`` take their defaults.
    """
    hints = typing.get_type_hints(cls)
    kwargs = {
        f.name: _convert(hints[f.name], data[f.name])
        for f in dataclasses.fields(cast(Any, cls))
        if f.init and f.name in data
    }
    return cls(**kwargs)


class Plain:
    """Mixin for a dataclass: :meth:`to_dict` and :meth:`from_dict` through :func:`to_plain` and :func:`from_plain`.

    The one serialisation of the settings classes (``tests/test_settings.py`` round-trips each).
    """

    def to_dict(self) -> dict:
        """Every field by name, in declaration order (nested settings as dicts, tuples as lists)."""
        return to_plain(self)

    @classmethod
    def from_dict(cls, data: dict) -> Any:
        """An instance from :meth:`to_dict`'s dict (missing keys take their defaults)."""
        return from_plain(cls, data)


def _convert(hint: Any, value: Any) -> Any:
    """``value`` read as the type ``hint``: nested dataclasses built, lists made tuples where declared."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is type(None):
                continue
            if dataclasses.is_dataclass(arg) and isinstance(value, dict):
                return from_plain(arg, value)  # type: ignore[arg-type]
            if typing.get_origin(arg) in (tuple, list, dict) or arg in (tuple, list, dict):
                return _convert(arg, value)
        return value
    if dataclasses.is_dataclass(hint) and isinstance(value, dict):
        return from_plain(hint, value)  # type: ignore[arg-type]
    if origin is tuple and isinstance(value, (list, tuple)):
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        if args:
            return tuple(_convert(a, v) for a, v in zip(args, value, strict=True))
        return tuple(value)
    if origin is list and isinstance(value, (list, tuple)):
        return [_convert(args[0], v) for v in value] if args else list(value)
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return {k: _convert(args[1], v) for k, v in value.items()}
    return value


__all__ = ["OMIT", "Plain", "from_plain", "omit_default", "omit_none", "to_plain"]
