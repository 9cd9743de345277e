"""The runtime of the built-in rules' translated code, without Jinja2 (issue 7).

`commonslint.fastpath` translates the built-in rules' expressions and message templates into
plain Python functions; the functions it writes call only what is defined here, so a lint whose
rules are all built-in, with the translations in the per-user cache, never imports Jinja2 (about
a fifth of a pre-commit run's time went to that import). Each piece copies what Jinja2 (the
version the project is tested with) does in the engine's environment: a `SandboxedEnvironment`
with `StrictUndefined`, `autoescape=False` and the engine's item-first lookup on plain dicts.

- `getattr`/`getitem` follow the sandbox's lookups, including its refusal of underscore and
  internal attributes (an undefined that raises `SecurityError` when used);
- `StrictUndefined` and `UndefinedError` behave, and word their messages, as Jinja2's do, so a
  rule that reads a missing fact fails as loudly as before, naming the fact;
- `FILTERS` and `TESTS` are the filters and tests the translator may emit calls to, each the
  same computation as Jinja2's (the translator checks that the environment's filter is the
  Jinja2 built-in it stands for; anything else stays on Jinja2).

`tests/test_rule_translation.py` holds every translated expression and message to Jinja2's
answers on real cards.
"""

from __future__ import annotations

import types
from collections import abc
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from commonslint.lazyfacts import LazyFacts

# Part of the translated-code cache key: translated code calls the names in `namespace()`,
# so any change to those names or to the translation must change this.
VERSION = "7-lazyfacts-gates"

_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "missing"})()


class UndefinedError(Exception):
    """Raised when a rule uses an undefined value (Jinja2's `UndefinedError`, same wording)."""


class SecurityError(Exception):
    """Raised when a rule uses an attribute the sandbox refuses (Jinja2's `SecurityError`)."""


def _type_repr(obj: Any) -> str:
    """`jinja2.utils.object_type_repr`: how an undefined's message names the object."""
    if obj is None:
        return "None"
    if obj is Ellipsis:
        return "Ellipsis"
    cls = type(obj)
    if cls.__module__ == "builtins":
        return f"{cls.__name__} object"
    return f"{cls.__module__}.{cls.__name__} object"


class StrictUndefined:
    """Jinja2's `StrictUndefined`: a missing value that fails on any use but `is defined`."""

    __slots__ = ("_undefined_exception", "_undefined_hint", "_undefined_name", "_undefined_obj")

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = _MISSING,
        name: Any = None,
        exc: type[Exception] = UndefinedError,
    ) -> None:
        self._undefined_hint = hint
        self._undefined_obj = obj
        self._undefined_name = name
        self._undefined_exception = exc

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is _MISSING:
            return f"{self._undefined_name!r} is undefined"
        if not isinstance(self._undefined_name, str):
            return f"{_type_repr(self._undefined_obj)} has no element {self._undefined_name!r}"
        return f"{_type_repr(self._undefined_obj)!r} has no attribute {self._undefined_name!r}"

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
        raise self._undefined_exception(self._undefined_message)

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__" and name[-2:] == "__":
            raise AttributeError(name)
        return self._fail_with_undefined_error()

    __add__ = __radd__ = __sub__ = __rsub__ = _fail_with_undefined_error
    __mul__ = __rmul__ = __div__ = __rdiv__ = _fail_with_undefined_error
    __truediv__ = __rtruediv__ = _fail_with_undefined_error
    __floordiv__ = __rfloordiv__ = _fail_with_undefined_error
    __mod__ = __rmod__ = _fail_with_undefined_error
    __pos__ = __neg__ = _fail_with_undefined_error
    __call__ = __getitem__ = _fail_with_undefined_error
    __lt__ = __le__ = __gt__ = __ge__ = _fail_with_undefined_error
    __int__ = __float__ = __complex__ = _fail_with_undefined_error
    __pow__ = __rpow__ = _fail_with_undefined_error
    __iter__ = __str__ = __len__ = _fail_with_undefined_error
    __eq__ = __ne__ = __bool__ = __hash__ = _fail_with_undefined_error  # type: ignore[assignment]
    __contains__ = _fail_with_undefined_error

    def __repr__(self) -> str:
        return "Undefined"


# ------------------------------------------------------------------ lookups (the sandbox's)

_DICT_ATTRIBUTES = frozenset(dir(dict))
_UNSAFE_GENERATOR_ATTRIBUTES = {"gi_frame", "gi_code"}
_UNSAFE_COROUTINE_ATTRIBUTES = {"cr_frame", "cr_code"}
_UNSAFE_ASYNC_GENERATOR_ATTRIBUTES = {"ag_code", "ag_frame"}


def _is_internal_attribute(obj: Any, attr: str) -> bool:
    """`jinja2.sandbox.is_internal_attribute` (Jinja2 3.1 lists no function or method names)."""
    if isinstance(obj, type):
        if attr == "mro":
            return True
    elif isinstance(obj, (types.CodeType, types.TracebackType, types.FrameType)):
        return True
    elif isinstance(obj, types.GeneratorType):
        if attr in _UNSAFE_GENERATOR_ATTRIBUTES:
            return True
    elif isinstance(obj, types.CoroutineType):
        if attr in _UNSAFE_COROUTINE_ATTRIBUTES:
            return True
    elif isinstance(obj, types.AsyncGeneratorType) and attr in _UNSAFE_ASYNC_GENERATOR_ATTRIBUTES:
        return True
    return attr.startswith("__")


def _checked(obj: Any, attribute: str, value: Any) -> Any:
    if (
        isinstance(value, (types.MethodType, types.BuiltinMethodType))
        and value.__name__ in ("format", "format_map")
        and isinstance(value.__self__, str)
    ):
        # The sandbox hands out a sandboxed `str.format`; rather than copy it, fail loudly
        # (the translator already keeps any literal `.format` on Jinja2).
        raise SecurityError("str.format is not available to translated rules")
    if attribute.startswith("_") or _is_internal_attribute(obj, attribute):
        return StrictUndefined(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.",
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )
    return value


def getattr_(obj: Any, attribute: str) -> Any:
    """`a.b`: the engine's `FactsEnvironment.getattr` (item first on a plain dict or a
    `LazyFacts`, for a name that is not a dict attribute), then the sandbox's
    attribute-then-item lookup."""
    kind = type(obj)
    if (kind is dict or kind is LazyFacts) and attribute not in _DICT_ATTRIBUTES:
        try:
            return obj[attribute]
        except (KeyError, TypeError):
            pass
    try:
        value = getattr(obj, attribute)
    except AttributeError:
        try:
            return obj[attribute]
        except (TypeError, LookupError):
            pass
    else:
        return _checked(obj, attribute, value)
    return StrictUndefined(obj=obj, name=attribute)


def getitem(obj: Any, argument: Any) -> Any:
    """`a[b]`: the sandbox's item-then-attribute lookup."""
    try:
        return obj[argument]
    except (TypeError, LookupError):
        if isinstance(argument, str):
            try:
                value = getattr(obj, argument)
            except AttributeError:
                pass
            else:
                return _checked(obj, argument, value)
    return StrictUndefined(obj=obj, name=argument)


def call(func: Any, *args: Any) -> Any:
    """`f(...)`: the sandbox's `call` and `Context.call`, for callables that take no context
    (facts hold plain data; a Jinja2-aware callable cannot turn up here)."""
    if getattr(func, "unsafe_callable", False) or getattr(func, "alters_data", False):
        raise SecurityError(f"{func!r} is not safely callable")
    if hasattr(func, "jinja_pass_arg") or (
        callable(func) and hasattr(func.__call__, "jinja_pass_arg")
    ):
        raise TypeError(f"{func!r} needs Jinja2's context, which translated rules do not have")
    try:
        return func(*args)
    except StopIteration:
        return StrictUndefined(
            "value was undefined because a callable raised a StopIteration exception"
        )


# ------------------------------------------------------------------ the project's own filters


def plural(n: Any, word: str, plural: str | None = None) -> str:
    """`n | plural('card')`: the word, with an `s` unless there is exactly one."""
    return word if n == 1 else (plural or word + "s")


def codes(items: Iterable[Any]) -> str:
    """`names | codes`: each item in backticks, comma-separated."""
    return ", ".join(f"`{i}`" for i in items)


# ------------------------------------------------------------------ Jinja2's filters and tests


def _soft_str(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def first(seq: Iterable[Any]) -> Any:
    try:
        return next(iter(seq))
    except StopIteration:
        return StrictUndefined("No first item, sequence was empty.")


def last(seq: Any) -> Any:
    try:
        return next(iter(reversed(seq)))
    except StopIteration:
        return StrictUndefined("No last item, sequence was empty.")


def _attribute_parts(attribute: Any) -> list[Any]:
    if attribute is None:
        return []
    if isinstance(attribute, str):
        return [int(x) if x.isdigit() else x for x in attribute.split(".")]
    return [attribute]


def _attrgetter(attribute: Any, default: Any = None) -> Callable[[Any], Any]:
    parts = _attribute_parts(attribute)

    def attrgetter(item: Any) -> Any:
        for part in parts:
            item = getitem(item, part)
            if default is not None and isinstance(item, StrictUndefined):
                item = default
        return item

    return attrgetter


def join(value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    if attribute is not None:
        value = map(_attrgetter(attribute), value)
    return str(d).join(map(str, value))


def map_attribute(value: Any, attribute: Any, default: Any = None) -> Iterator[Any]:
    """`map(attribute=..., default=...)`, a generator as Jinja2's is."""
    if value:
        func = _attrgetter(attribute, default=default)
        for item in value:
            yield func(item)


def default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    if isinstance(value, StrictUndefined) or (boolean and not value):
        return default_value
    return value


def _test_sequence(value: Any) -> bool:
    try:
        len(value)
        value.__getitem__  # noqa: B018
    except Exception:
        return False
    return True


def _test_iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _test_number(value: Any) -> bool:
    import numbers  # small, and only a rule that asks needs it

    return isinstance(value, numbers.Number)


# Jinja2's name for each filter -> the function here. `map` is absent: only its
# `attribute=` form is translated, to `map_attribute`.
FILTERS: dict[str, Callable[..., Any]] = {
    "length": len,
    "count": len,
    "first": first,
    "last": last,
    "join": join,
    "list": list,
    "string": _soft_str,
    "lower": lambda s: _soft_str(s).lower(),
    "upper": lambda s: _soft_str(s).upper(),
    "default": default,
    "d": default,
    "plural": plural,
    "codes": codes,
}

TESTS: dict[str, Callable[..., bool]] = {
    "defined": lambda value: not isinstance(value, StrictUndefined),
    "undefined": lambda value: isinstance(value, StrictUndefined),
    "none": lambda value: value is None,
    "boolean": lambda value: value is True or value is False,
    "false": lambda value: value is False,
    "true": lambda value: value is True,
    "integer": lambda value: isinstance(value, int) and value is not True and value is not False,
    "float": lambda value: isinstance(value, float),
    "string": lambda value: isinstance(value, str),
    "mapping": lambda value: isinstance(value, abc.Mapping),
    "number": _test_number,
    "sequence": _test_sequence,
    "iterable": _test_iterable,
    "callable": callable,
    "sameas": lambda value, other: value is other,
    "in": lambda value, seq: value in seq,
}


def namespace() -> dict[str, Any]:
    """The globals translated functions run with (the names `fastpath` writes calls to)."""
    names: dict[str, Any] = {
        "__builtins__": {
            "type": type,
            "dict": dict,
            "str": str,
            "len": len,
            "list": list,
            "enumerate": enumerate,
            "Exception": Exception,  # the combined gates catch a failing probe
        },
        "_getattr": getattr_,
        "_getitem": getitem,
        "_undefined": StrictUndefined,
        "_call": call,
        "_map_attribute": map_attribute,
        "_LazyFacts": LazyFacts,
    }
    for name, func in FILTERS.items():
        names[f"_F_{name}"] = func
    for name, func in TESTS.items():
        names[f"_T_{name}"] = func
    return names
