"""Plain-Python evaluation of the built-in rules' expressions (the engine's fast path).

The built-in rule packs are code we ship, so they need no sandbox; evaluating their ~40
expressions through Jinja2's template machinery (a `Context` per evaluation, name resolution,
the sandbox's attribute checks) was the largest share of linting a card. Here an expression is
parsed with Jinja2's own parser and its `jinja2.nodes` tree translated into one Python function
of the variables dict that computes what Jinja2's compiled code computes:

- names are looked up in the variables, a missing one giving the environment's (strict)
  undefined, exactly as Jinja2 does, so a rule that reads a missing fact still fails loudly;
- `a.b` on a plain dict is the item when the key is there and is not a dict attribute (what the
  engine's `FactsEnvironment.getattr` answers); everything else calls that same `getattr`,
  so the undefined values and their error messages are Jinja2's own;
- `a[b]`, tests, filters and calls go through the environment's `getitem`, `tests`, `filters`
  and `call`, as Jinja2's compiled code does; `and`, `or`, `not`, comparisons and `x if c else
  y` are Python's own, as in Jinja2's compiled code.

Only a small subset of node types is translated; anything else raises `Unsupported` and the
engine keeps that expression on the Jinja2 path, so correctness never depends on the
translator covering everything. User packs never come here: they keep the full sandbox.
"""

from __future__ import annotations

import math
import types
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.environment import Environment
from jinja2.nodes import EvalContext
from jinja2.optimizer import optimize
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.utils import _PassArg

# Part of the compiled-code cache key: a change to the translation must not reuse old code.
VERSION = "1"

_OPERATORS = {
    "eq": "==",
    "ne": "!=",
    "gt": ">",
    "gteq": ">=",
    "lt": "<",
    "lteq": "<=",
    "in": "in",
    "notin": "not in",
}
_DICT_ATTRIBUTES = frozenset(dir(dict))


class Unsupported(Exception):
    """The expression uses something the translator does not handle; keep it on Jinja2."""


def translate(env: Environment, source: str) -> types.CodeType:
    """The code of a function `f(variables)` computing the expression `source`.

    Raises `TemplateSyntaxError` for an invalid expression and `Unsupported` for one outside
    the translated subset.
    """
    parser = Parser(env, source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        raise TemplateSyntaxError(
            "unexpected text after the expression", parser.stream.current.lineno
        )
    # Jinja2 folds constants before generating code; do the same so both see one tree.
    expr.set_environment(env)
    expr = optimize(expr, env)
    body = _Translator(env).visit(expr)
    module = compile(f"def _rule(_v):\n    return {body}\n", "<commonslint rule>", "exec")
    for const in module.co_consts:
        if isinstance(const, types.CodeType):
            return const
    raise AssertionError("no function in the translated module")  # pragma: no cover


def runtime(env: Environment) -> dict[str, Any]:
    """The globals the translated functions run with, bound to `env`."""

    def call(variables: dict[str, Any], func: Any, *args: Any, **kwargs: Any) -> Any:
        return env.call(Context(env, variables, None, {}), func, *args, **kwargs)  # type: ignore[attr-defined]

    namespace: dict[str, Any] = {
        "__builtins__": {"type": type, "dict": dict},
        "_getattr": env.getattr,
        "_getitem": env.getitem,
        "_undefined": env.undefined,
        "_env": env,
        "_evalctx": lambda: EvalContext(env),
        "_context": lambda variables: Context(env, variables, None, {}),
        "_call": call,
    }
    for name, func in env.tests.items():
        if name.isidentifier():
            namespace[f"_T_{name}"] = func
    for name, func in env.filters.items():
        if name.isidentifier():
            namespace[f"_F_{name}"] = func
    return namespace


def function(code: types.CodeType, namespace: dict[str, Any]) -> Any:
    return types.FunctionType(code, namespace)


def _plain_constant(value: Any) -> bool:
    """A value whose `repr` is Python source for an equal value."""
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if type(value) in (list, tuple):
        return all(_plain_constant(v) for v in value)
    if type(value) is dict:
        return all(_plain_constant(k) and _plain_constant(v) for k, v in value.items())
    return False


class _Translator:
    def __init__(self, env: Environment) -> None:
        self.env = env
        self.temps = 0

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def visit(self, node: nodes.Node) -> str:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise Unsupported(type(node).__name__)
        return method(node)  # type: ignore[no-any-return]

    def visit_Name(self, node: nodes.Name) -> str:
        if node.ctx != "load":
            raise Unsupported("store")
        name = repr(node.name)
        return f"(_v[{name}] if {name} in _v else _undefined(name={name}))"

    def visit_Const(self, node: nodes.Const) -> str:
        if not _plain_constant(node.value):
            raise Unsupported(f"constant of type {type(node.value).__name__}")
        return repr(node.value)  # a list constant (folded by Jinja2) is a fresh list each time

    def visit_List(self, node: nodes.List) -> str:
        return "[" + ", ".join(self.visit(item) for item in node.items) + "]"

    def visit_Tuple(self, node: nodes.Tuple) -> str:
        if node.ctx != "load":
            raise Unsupported("store")
        return "(" + "".join(self.visit(item) + ", " for item in node.items) + ")"

    def visit_Dict(self, node: nodes.Dict) -> str:
        pairs = (f"{self.visit(p.key)}: {self.visit(p.value)}" for p in node.items)
        return "{" + ", ".join(pairs) + "}"

    def visit_Getattr(self, node: nodes.Getattr) -> str:
        obj = self.visit(node.node)
        attr = repr(node.attr)
        if node.attr in _DICT_ATTRIBUTES:
            # A dict's own attribute (`items`, `get`...) wins over its key, as in Jinja2.
            return f"_getattr({obj}, {attr})"
        t = self.temp()
        return (
            f"({t}[{attr}] if type({t} := {obj}) is dict and {attr} in {t} "
            f"else _getattr({t}, {attr}))"
        )

    def visit_Getitem(self, node: nodes.Getitem) -> str:
        if isinstance(node.arg, nodes.Slice) or node.ctx != "load":
            raise Unsupported("slice")
        return f"_getitem({self.visit(node.node)}, {self.visit(node.arg)})"

    def visit_Compare(self, node: nodes.Compare) -> str:
        parts = [self.visit(node.expr)]
        for operand in node.ops:
            parts.append(_OPERATORS[operand.op])
            parts.append(self.visit(operand.expr))
        return "(" + " ".join(parts) + ")"

    def visit_And(self, node: nodes.And) -> str:
        return f"({self.visit(node.left)} and {self.visit(node.right)})"

    def visit_Or(self, node: nodes.Or) -> str:
        return f"({self.visit(node.left)} or {self.visit(node.right)})"

    def visit_Not(self, node: nodes.Not) -> str:
        return f"(not {self.visit(node.node)})"

    def visit_CondExpr(self, node: nodes.CondExpr) -> str:
        if node.expr2 is None:
            raise Unsupported("if-expression without else")
        return (
            f"({self.visit(node.expr1)} if {self.visit(node.test)} else {self.visit(node.expr2)})"
        )

    def visit_Test(self, node: nodes.Test) -> str:
        if node.name == "none" and not (node.args or node.kwargs):
            return f"({self.visit(node.node)} is None)"  # what `tests.test_none` computes
        return self._apply(node, "_T_", self.env.tests.get(node.name))

    def visit_Filter(self, node: nodes.Filter) -> str:
        if node.node is None:
            raise Unsupported("filter block")
        return self._apply(node, "_F_", self.env.filters.get(node.name))

    def _apply(self, node: nodes.Filter | nodes.Test, prefix: str, func: Any) -> str:
        if func is None or not node.name.isidentifier():
            raise Unsupported(f"unknown filter or test {node.name!r}")
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise Unsupported("*args or **kwargs")
        passed = {
            _PassArg.context: "_context(_v), ",
            _PassArg.eval_context: "_evalctx(), ",
            _PassArg.environment: "_env, ",
        }.get(_PassArg.from_obj(func), "")  # type: ignore[arg-type]
        args = [self.visit(node.node)]  # type: ignore[arg-type]
        args += [self.visit(arg) for arg in node.args]
        args += [f"{kw.key}={self.visit(kw.value)}" for kw in node.kwargs]
        return f"{prefix}{node.name}({passed}{', '.join(args)})"

    def visit_Call(self, node: nodes.Call) -> str:
        # Only `mapping.get(...)`, the one call the built-in rules make.
        target = node.node
        if not (
            isinstance(target, nodes.Getattr)
            and target.attr == "get"
            and not node.kwargs
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            raise Unsupported("call")
        obj = self.visit(target.node)
        args = ", ".join(self.visit(arg) for arg in node.args)
        t = self.temp()
        # On a plain dict `.get` is dict.get, which the sandbox allows; anything else goes
        # through the sandbox's attribute and call checks, as in Jinja2.
        rest = f", {args}" if args else ""
        return (
            f"({t}.get({args}) if type({t} := {obj}) is dict "
            f"else _call(_v, _getattr({t}, 'get'){rest}))"
        )
