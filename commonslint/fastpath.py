"""Translation of the built-in rules' expressions and messages into plain Python (the fast path).

The built-in rule packs are code we ship, so they need no sandbox; evaluating their expressions
and rendering their messages through Jinja2's template machinery was the largest share of
linting a card, and importing Jinja2 at all a fifth of a pre-commit run. Here an expression or
a message template is parsed with Jinja2's own parser (so whitespace control and constant
folding are Jinja2's) and its `jinja2.nodes` tree translated into one Python function of the
variables dict that computes what Jinja2's compiled code computes, calling only
`commonslint.fastrun`, which does not import Jinja2:

- names are looked up in the variables, a missing one giving a strict undefined, exactly as
  Jinja2 does, so a rule that reads a missing fact still fails loudly, naming the fact;
- `a.b` on a plain dict is the item when the key is there and is not a dict attribute (what the
  engine's `FactsEnvironment.getattr` answers); everything else goes through `fastrun`'s copy
  of the sandbox's lookups;
- tests and filters are `fastrun`'s copies of the ones the environment holds, and only when the
  environment's function is the one copied; `and`, `or`, `not`, comparisons and `x if c else y`
  are Python's own, as in Jinja2's compiled code;
- in a template, `{{ x }}` outputs `str(x)` (the environment has no `finalize` and does not
  autoescape), `{% if %}` and `{% for %}` (with `loop.index`, `loop.first`, `loop.last`...)
  are Python's `if` and `for`.

Only a small subset is translated; anything else raises `Unsupported` and the engine keeps that
expression or template on the Jinja2 path, so correctness never depends on the translator
covering everything. User packs never come here: they keep the full sandbox. This module
imports Jinja2: it runs only when the per-user cache has no translation yet.
"""

from __future__ import annotations

import inspect
import math
import types
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2 import filters as jinja_filters
from jinja2 import tests as jinja_tests
from jinja2.environment import Environment
from jinja2.optimizer import optimize
from jinja2.parser import Parser

from commonslint import fastrun

VERSION = fastrun.VERSION

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
# What `loop.<name>` is in a loop over `_s` at index `_i` (of `_n` items).
_LOOP_ATTRIBUTES = {
    "index": "({i} + 1)",
    "index0": "{i}",
    "revindex": "({n} - {i})",
    "revindex0": "({n} - {i} - 1)",
    "first": "({i} == 0)",
    "last": "({i} == {n} - 1)",
    "length": "{n}",
}
# The sandbox hands out a sandboxed `str.format`, which `fastrun` does not copy.
_FORMAT_ATTRIBUTES = ("format", "format_map")


class Unsupported(Exception):
    """The expression uses something the translator does not handle; keep it on Jinja2."""


def translate(env: Environment, source: str) -> types.CodeType:
    """The code of a function `f(variables)` computing the expression `source`.

    Raises `TemplateSyntaxError` for an invalid expression and `Unsupported` for one outside
    the translated subset.
    """
    return _function_code(f"def _rule(_v):\n    return {_expression_body(env, source)}\n")


def _expression_body(env: Environment, source: str) -> str:
    """The Python expression (of the variables `_v`) computing the expression `source`."""
    return _Translator(env).expression(_parse_expression(env, source))


def _parse_expression(env: Environment, source: str) -> nodes.Expr:
    """The expression's tree, constants folded as Jinja2 folds them."""
    parser = Parser(env, source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        raise TemplateSyntaxError(
            "unexpected text after the expression", parser.stream.current.lineno
        )
    # Jinja2 folds constants before generating code; do the same so both see one tree.
    expr.set_environment(env)
    return optimize(expr, env)  # type: ignore[no-any-return]


def translate_gates(env: Environment, sources: list[str | None]) -> types.CodeType:
    """The code of `f(variables, rules, unknown)` giving, in order, `(rules[i], gate)` for each
    rule whose gate expression `sources[i]` is true, `gate` being its value; a gate that fails,
    or whose truth fails (an undefined), or a rule without one (`None`) gives `unknown`, for
    the engine to evaluate in full and report a failure with the rule's name.

    Every gate of a run in one function: the same values as calling each gate's own function
    (`translate`), without a call and a loop step per rule. Each gate's temporaries are
    assigned before they are read, so the gates can share their names.
    """
    # A first pass counts how often each variable and `variable.attribute...` is read; the
    # second computes those read more than once only once (`_Translator.shared`).
    counter = _Translator(env, frozenset())
    for source in sources:
        if source is not None:
            counter.expression(_parse_expression(env, source))
    hoist = frozenset(key for key, count in counter.uses.items() if count > 1)
    translator = _Translator(env, hoist)
    bodies = [
        None if source is None else translator.expression(_parse_expression(env, source))
        for source in sources
    ]
    lines = ["def _gates(_v, _r, _U):"]
    for var, original in translator.eager:  # a variable: read at once, as it cannot fail
        lines.append(f"    {var} = {original}")
        # `LazyFacts` is read as a dict is (its `__getitem__` works out a pending value).
        lines.append(f"    {var}d = type({var}) is dict or type({var}) is _LazyFacts")
    if translator.definitions:  # every hoisted path starts not computed
        lines.append(f"    {' = '.join(translator.definitions)} = _U")
    lines += ["    _o = []", "    _a = _o.append"]
    for index, body in enumerate(bodies):
        if body is None:
            lines.append(f"    _a((_r[{index}], _U))")
            continue
        lines += [
            "    try:",
            f"        if _g := {body}:",
            f"            _a((_r[{index}], _g))",
            "    except Exception:",
            f"        _a((_r[{index}], _U))",
        ]
    lines.append("    return _o")
    return _function_code("\n".join(lines) + "\n")


def translate_template(env: Environment, source: str) -> types.CodeType:
    """The code of a function `f(variables)` rendering the template `source` to a string.

    Raises `TemplateSyntaxError` for an invalid template and `Unsupported` for one outside the
    translated subset.
    """
    if env.finalize is not None or env.autoescape is not False:
        raise Unsupported("an environment that finalizes or escapes output")
    template = optimize(env.parse(source), env)
    translator = _Translator(env)
    # The output as one string grown in place (`+=` on the only reference to it): for a
    # message's few pieces, half the time of a list, its `append`s and a `join`, and equal.
    lines = ["def _message(_v):", "    _o = ''"]
    translator.statements(template.body, lines, 1)
    lines.append("    return _o")
    return _function_code("\n".join(lines) + "\n")


def _function_code(source: str) -> types.CodeType:
    module = compile(source, "<commonslint rule>", "exec")
    for const in module.co_consts:
        if isinstance(const, types.CodeType):
            return const
    raise AssertionError("no function in the translated module")  # pragma: no cover


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


def _jinja_filter(name: str) -> Any:
    """The function the environment should hold for a filter `fastrun` copies."""
    if name in ("plural", "codes"):
        return getattr(fastrun, name)
    return jinja_filters.FILTERS.get(name)


class _Loop:
    """A `{% for %}` being translated: its Python names, and whether `loop` is used."""

    def __init__(self, index: str, length: str) -> None:
        self.index = index
        self.length = length


class _Translator:
    def __init__(self, env: Environment, hoist: frozenset[str] | None = None) -> None:
        self.env = env
        self.temps = 0
        self.locals: dict[str, str] = {}  # a loop variable's Jinja name -> its Python name
        self.loop: _Loop | None = None
        # Gates only (`translate_gates`): the variables and `variable.attribute...` paths to
        # compute once (`hoist`), how often each path is read (`uses`), and the names holding
        # them (`definitions`).
        self.hoist = hoist
        self.uses: dict[str, int] = {}
        self.definitions: list[str] = []
        self._hoisted: dict[str, str] = {}
        # Hoisted variables (not paths): `(name, its translation)`, computed at the top of
        # the gates, since looking a variable up never fails; `<name>d` says it is a dict.
        self.eager: list[tuple[str, str]] = []
        self._eager_names: set[str] = set()

    def shared(self, key: str, original: str) -> str:
        """`original` (the translation of the path `key`), or, for a path to hoist, its value
        computed once, at its first use; where computing it failed the next use computes it
        again, failing the same way. The facts are plain data that rules only read, so a path
        gives the same value wherever it is read."""
        if self.hoist is None:
            return original
        self.uses[key] = self.uses.get(key, 0) + 1
        if key not in self.hoist:
            return original
        var = self._hoisted.get(key)
        if var is None:
            var = self._hoisted[key] = f"_h{len(self._hoisted) + 1}"
            if "." not in key:
                self.eager.append((var, original))
                self._eager_names.add(var)
            else:
                self.definitions.append(var)
        if var in self._eager_names:
            return var
        # Computed at its first use, not at the top: many paths are read only behind an `and`
        # that is usually false. Where computing it fails it stays `_U`, and each later use
        # computes it again, failing the same way inside its own gate.
        return f"({var} if {var} is not _U else ({var} := {original}))"

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    # ---------------------------------------------------------------- statements (templates)

    def statements(self, body: list[nodes.Node], lines: list[str], depth: int) -> None:
        pad = "    " * depth
        if not body:
            lines.append(f"{pad}pass")
        for node in body:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    lines.append(f"{pad}_o += {self.output(child)}")
            elif isinstance(node, nodes.If):
                self.if_statement(node, lines, depth)
            elif isinstance(node, nodes.For):
                self.for_statement(node, lines, depth)
            else:
                raise Unsupported(type(node).__name__)

    def output(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.TemplateData):
            return repr(node.data)
        if isinstance(node, nodes.Const) and _plain_constant(node.value):
            return repr(str(node.value))  # folded at compile time, as Jinja2 does
        return f"str({self.expression(node)})"

    def if_statement(self, node: nodes.If, lines: list[str], depth: int) -> None:
        pad = "    " * depth
        lines.append(f"{pad}if {self.expression(node.test)}:")
        self.statements(node.body, lines, depth + 1)
        for branch in node.elif_:
            lines.append(f"{pad}elif {self.expression(branch.test)}:")
            self.statements(branch.body, lines, depth + 1)
        if node.else_:
            lines.append(f"{pad}else:")
            self.statements(node.else_, lines, depth + 1)

    def for_statement(self, node: nodes.For, lines: list[str], depth: int) -> None:
        if node.else_ or node.test is not None or node.recursive:
            raise Unsupported("for with else, a filter or recursion")
        target = node.target
        if not isinstance(target, nodes.Name) or target.name == "loop":
            raise Unsupported("for over several names")
        pad = "    " * depth
        iterable = self.expression(node.iter)  # outside the loop's own names
        number = self.temps = self.temps + 1
        name, items, index, length = (f"_l{number}", f"_s{number}", f"_i{number}", f"_n{number}")
        saved = (self.locals.get(target.name), self.loop)
        self.locals[target.name] = name
        self.loop = _Loop(index, length)
        # `list` first: Jinja2's loop context needs the length for `loop.last`; iterating a
        # missing value fails here as in Jinja2 (a strict undefined refuses to be iterated).
        lines.append(f"{pad}{items} = list({iterable})")
        lines.append(f"{pad}{length} = len({items})")
        lines.append(f"{pad}for {index}, {name} in enumerate({items}):")
        self.statements(node.body, lines, depth + 1)
        previous, self.loop = saved
        if previous is None:
            del self.locals[target.name]
        else:
            self.locals[target.name] = previous

    # ---------------------------------------------------------------- expressions

    def expression(self, node: nodes.Node) -> str:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise Unsupported(type(node).__name__)
        return method(node)  # type: ignore[no-any-return]

    visit = expression

    def visit_Name(self, node: nodes.Name) -> str:
        if node.ctx != "load":
            raise Unsupported("store")
        if node.name in self.locals:
            return self.locals[node.name]
        if node.name == "loop" and self.loop is not None:
            raise Unsupported("`loop` other than its index, length, first and last")
        if node.name in self.env.globals:
            # Jinja2 merges its globals (`range`, `namespace`...) into the variables; the fast
            # path's variables are the facts alone.
            raise Unsupported(f"the global {node.name!r}")
        name = repr(node.name)
        return self.shared(node.name, f"(_v[{name}] if {name} in _v else _undefined(name={name}))")

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
        if node.attr in _FORMAT_ATTRIBUTES:
            raise Unsupported("str.format")
        target = node.node
        if (
            self.loop is not None
            and isinstance(target, nodes.Name)
            and target.name == "loop"
            and "loop" not in self.locals
        ):
            if node.attr not in _LOOP_ATTRIBUTES:
                raise Unsupported(f"loop.{node.attr}")
            return _LOOP_ATTRIBUTES[node.attr].format(i=self.loop.index, n=self.loop.length)
        obj = self.visit(target)
        attr = repr(node.attr)
        if node.attr in _DICT_ATTRIBUTES:
            # A dict's own attribute (`items`, `get`...) wins over its key, as in Jinja2.
            return f"_getattr({obj}, {attr})"
        if obj in self._eager_names:  # the same, on a variable read at the top
            translated = (
                f"({obj}[{attr}] if {obj}d and {attr} in {obj} else _getattr({obj}, {attr}))"
            )
        else:
            t = self.temp()
            translated = (
                f"({t}[{attr}] if type({t} := {obj}) is dict and {attr} in {t} "
                f"else _getattr({t}, {attr}))"
            )
        path = self.path(node)
        return translated if path is None else self.shared(path, translated)

    def path(self, node: nodes.Node) -> str | None:
        """`card.front.status` for a chain of plain attributes on a variable (not a loop's),
        the paths `shared` may compute once; None for anything else."""
        attrs = []
        while isinstance(node, nodes.Getattr):
            if node.attr in _DICT_ATTRIBUTES or node.attr in _FORMAT_ATTRIBUTES:
                return None
            attrs.append(node.attr)
            node = node.node
        if not isinstance(node, nodes.Name) or node.name in self.locals:
            return None
        return ".".join([node.name, *reversed(attrs)])

    def visit_Getitem(self, node: nodes.Getitem) -> str:
        if isinstance(node.arg, nodes.Slice) or node.ctx != "load":
            raise Unsupported("slice")
        if isinstance(node.arg, nodes.Const) and node.arg.value in _FORMAT_ATTRIBUTES:
            raise Unsupported("str.format")
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
        if self.env.tests.get(node.name) is not jinja_tests.TESTS.get(node.name):
            raise Unsupported(f"test {node.name!r} is not Jinja2's own")
        if node.name == "none" and not (node.args or node.kwargs):
            return f"({self.visit(node.node)} is None)"  # what `tests.test_none` computes
        return self._apply(node, "_T_", fastrun.TESTS.get(node.name))

    def visit_Filter(self, node: nodes.Filter) -> str:
        if node.node is None:
            raise Unsupported("filter block")
        expected = _jinja_filter(node.name)
        if expected is None or self.env.filters.get(node.name) is not expected:
            raise Unsupported(f"filter {node.name!r} is not the one translated")
        if node.name == "map":
            return self._map(node)
        return self._apply(node, "_F_", fastrun.FILTERS.get(node.name))

    def _map(self, node: nodes.Filter) -> str:
        """`map(attribute='a.b', default=...)`; mapping a filter stays on Jinja2."""
        kwargs = {kw.key: kw.value for kw in node.kwargs}
        if (
            node.args
            or node.dyn_args is not None
            or node.dyn_kwargs is not None
            or "attribute" not in kwargs
            or set(kwargs) - {"attribute", "default"}
        ):
            raise Unsupported("map other than map(attribute=...)")
        args = [self.visit(node.node), self.visit(kwargs["attribute"])]  # type: ignore[arg-type]
        if "default" in kwargs:
            args.append(self.visit(kwargs["default"]))
        return f"_map_attribute({', '.join(args)})"

    def _apply(self, node: nodes.Filter | nodes.Test, prefix: str, func: Any) -> str:
        if func is None or not node.name.isidentifier():
            raise Unsupported(f"unknown filter or test {node.name!r}")
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise Unsupported("*args or **kwargs")
        try:  # wrong arguments stay on Jinja2, which words the error its own way
            inspect.signature(func).bind(None, *node.args, **{kw.key: None for kw in node.kwargs})
        except (TypeError, ValueError):
            raise Unsupported(f"arguments of {node.name!r}") from None
        args = [self.visit(node.node)]  # type: ignore[arg-type]
        args += [self.visit(arg) for arg in node.args]
        args += [f"{kw.key}={self.visit(kw.value)}" for kw in node.kwargs]
        return f"{prefix}{node.name}({', '.join(args)})"

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
        # through the sandbox's attribute and call checks (fastrun's copies).
        rest = f", {args}" if args else ""
        return (
            f"({t}.get({args}) if type({t} := {obj}) is dict "
            f"else _call(_getattr({t}, 'get'){rest}))"
        )
