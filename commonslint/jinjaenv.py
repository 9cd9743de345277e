"""The engine's Jinja2 side: the sandboxed environment and code compiled by Jinja2.

Imported only when something needs Jinja2 itself: translating a built-in rule the per-user
cache does not hold yet, a user's rule pack (always evaluated in the sandbox), or an expression
or template the translator does not cover. A lint of the built-in rules on a warm cache never
imports this module (issue 7: importing Jinja2 was about 20 ms of every pre-commit run).
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.environment import Template
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from commonslint import fastrun
from commonslint.lazyfacts import LazyFacts

VERSION = jinja2.__version__
# What a rule evaluated by Jinja2 raises when it uses a missing fact or an unsafe attribute.
FAILURES: tuple[type[Exception], ...] = (UndefinedError, SecurityError)

# Attribute names a plain dict has of its own (`items`, `keys`, `get`...): for these Jinja2's
# attribute-first lookup gives the method, so the fast path below must not answer them.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class FactsEnvironment(SandboxedEnvironment):
    """The sandbox, with a fast path for what facts are made of: `facts.card.meta` on plain dicts
    (and `LazyFacts`, a dict to every reader, with no public attribute of its own).

    Jinja2 tries `getattr` first and falls back to the item, so every `a.b` on a dict raised and
    caught an AttributeError; for a name that is not a dict attribute the answer is the item (or
    undefined) either way, so looking the item up first gives the same result without the
    exception. Anything else goes through the sandbox unchanged.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if (kind is dict or kind is LazyFacts) and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        return super().getattr(obj, attribute)


def environment() -> SandboxedEnvironment:
    env = FactsEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    # The same functions the translated code calls, so both paths share one definition.
    env.filters["plural"] = fastrun.plural
    env.filters["codes"] = fastrun.codes
    return env


def compile_expression(env: SandboxedEnvironment, source: str) -> Any:
    """Jinja2's code for `result = <source>` (raises `TemplateSyntaxError`)."""
    parser = Parser(env, source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        raise TemplateSyntaxError(
            "unexpected text after the expression", parser.stream.current.lineno
        )
    body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
    node = nodes.Template(body, lineno=1)
    node.set_environment(env)
    return env.compile(node)


def compile_template(env: SandboxedEnvironment, source: str) -> Any:
    return env.compile(source)


class Expression:
    """A compiled expression or template, run against a ready-made variables dict.

    Jinja2's own `TemplateExpression(**facts)` and `Template.render(**facts)` merge the globals
    and the facts into a fresh dict on every call, which was most of the engine's time in an
    audit of many cards; here the caller builds that dict once per repository (`variables`)
    and every rule reuses it. A rule's expression only ever writes to its own context's `vars`.
    """

    __slots__ = ("_blocks", "_env", "_root")

    def __init__(self, env: SandboxedEnvironment, code: Any) -> None:
        template = Template.from_code(env, code, env.make_globals(None))
        self._env = template.environment
        self._root = template.root_render_func
        self._blocks = template.blocks

    def __call__(self, variables: dict[str, Any]) -> Any:
        context = Context(self._env, variables, None, self._blocks)
        for _ in self._root(context):
            pass
        return context.vars["result"]

    def within(self, shared: Any) -> Any:
        """Evaluate an expression in a context shared with other expressions over the same
        variables (an expression only sets `result`, so clearing `vars` is a fresh start).
        `shared` is the engine's per-run holder, which makes the context on first use."""
        context = shared.context
        if context is None:
            context = shared.context = Context(self._env, shared.variables, None, {})
        context.vars.clear()
        context.exported_vars.clear()
        for _ in self._root(context):
            pass
        return context.vars["result"]

    def render(self, variables: dict[str, Any]) -> str:
        context = Context(self._env, variables, None, self._blocks)
        return self._env.concat(self._root(context))  # type: ignore[attr-defined,no-any-return]
