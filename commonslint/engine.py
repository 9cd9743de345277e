"""The engine: evaluates each enabled rule's sandboxed Jinja2 expressions against the facts.

Compiling Jinja2 costs about 0.4 ms an expression, which for every rule on every commit would be
most of a pre-commit run's budget; so compiled code objects are kept in a per-user cache keyed by
the rule text and the Python and Jinja2 versions (`marshal`, as Jinja2's own bytecode cache does).
A missing or unwritable cache only costs time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jinja2
from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.environment import Template
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from commonslint import cache, fastpath
from commonslint.findings import Finding, Fix, Location, Severity
from commonslint.rulepacks import PackError, Rule

_CACHE_VERSION = "2"


class RuleError(Exception):
    """A rule that fails while it is evaluated (a broken user pack); exit 2."""


# Attribute names a plain dict has of its own (`items`, `keys`, `get`...): for these Jinja2's
# attribute-first lookup gives the method, so the fast path below must not answer them.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class FactsEnvironment(SandboxedEnvironment):
    """The sandbox, with a fast path for what facts are made of: `facts.card.meta` on plain dicts.

    Jinja2 tries `getattr` first and falls back to the item, so every `a.b` on a dict raised and
    caught an AttributeError; for a name that is not a dict attribute the answer is the item (or
    undefined) either way, so looking the item up first gives the same result without the
    exception. Anything else goes through the sandbox unchanged.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        return super().getattr(obj, attribute)


def _environment() -> SandboxedEnvironment:
    env = FactsEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters["plural"] = lambda n, word, plural=None: word if n == 1 else (plural or word + "s")
    env.filters["codes"] = lambda items: ", ".join(f"`{i}`" for i in items)
    return env


class Compiler:
    """Compiles expressions and templates to code objects, through the cache."""

    def __init__(self, env: SandboxedEnvironment, key_material: str) -> None:
        self.env = env
        self.path = cache.cache_file(
            "code",
            f"{_CACHE_VERSION}|{fastpath.VERSION}|{jinja2.__version__}|{type(env).__name__}"
            f"|{key_material}",
        )
        self.codes: dict[str, Any] = cache.read(self.path) or {}
        self.dirty = False
        self._runtime: dict[str, Any] | None = None

    def _code(self, kind: str, source: str) -> Any:
        key = f"{kind}\0{source}"
        code = self.codes.get(key)
        if code is None:
            if kind == "expr":
                parser = Parser(self.env, source, state="variable")
                expr = parser.parse_expression()
                if not parser.stream.eos:
                    raise TemplateSyntaxError(
                        "unexpected text after the expression", parser.stream.current.lineno
                    )
                body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
                node = nodes.Template(body, lineno=1)
                node.set_environment(self.env)
                code = self.env.compile(node)
            else:
                code = self.env.compile(source)
            self.codes[key] = code
            self.dirty = True
        return code

    def fast_expression(self, source: str) -> FastExpression | None:
        """The expression as plain Python (trusted built-in rules only), or None when it uses
        something the translator does not cover; both answers are cached."""
        key = f"fast\0{source}"
        code = self.codes.get(key)
        if code is None:
            try:
                code = fastpath.translate(self.env, source)
            except fastpath.Unsupported:
                code = False
            self.codes[key] = code
            self.dirty = True
        if code is False:
            return None
        if self._runtime is None:
            self._runtime = fastpath.runtime(self.env)
        return FastExpression(fastpath.function(code, self._runtime))

    def expression(self, source: str) -> Expression:
        code = self._code("expr", source)
        return Expression(Template.from_code(self.env, code, self.env.make_globals(None)))

    def template(self, source: str) -> Expression:
        code = self._code("tmpl", source)
        return Expression(Template.from_code(self.env, code, self.env.make_globals(None)))

    def save(self) -> None:
        if self.dirty:
            cache.write(self.path, self.codes)
            self.dirty = False


class Expression:
    """A compiled expression or template, run against a ready-made variables dict.

    Jinja2's own `TemplateExpression(**facts)` and `Template.render(**facts)` merge the globals
    and the facts into a fresh dict on every call, which was most of the engine's time in an
    audit of many cards; here the caller builds that dict once per repository (`variables`)
    and every rule reuses it. A rule's expression only ever writes to its own context's `vars`.
    """

    __slots__ = ("_blocks", "_env", "_root")

    def __init__(self, template: Template) -> None:
        self._env = template.environment
        self._root = template.root_render_func
        self._blocks = template.blocks

    def __call__(self, variables: dict[str, Any]) -> Any:
        context = Context(self._env, variables, None, self._blocks)
        for _ in self._root(context):
            pass
        return context.vars["result"]

    def within(self, context: Context) -> Any:
        """Evaluate an expression in a context shared with other expressions over the same
        variables (an expression only sets `result`, so clearing `vars` is a fresh start)."""
        context.vars.clear()
        context.exported_vars.clear()
        for _ in self._root(context):
            pass
        return context.vars["result"]

    def render(self, variables: dict[str, Any]) -> str:
        context = Context(self._env, variables, None, self._blocks)
        return self._env.concat(self._root(context))  # type: ignore[attr-defined,no-any-return]


class FastExpression:
    """A built-in rule's expression translated to a Python function (`commonslint.fastpath`)."""

    __slots__ = ("function",)

    def __init__(self, function: Any) -> None:
        self.function = function

    def __call__(self, variables: dict[str, Any]) -> Any:
        return self.function(variables)

    def within(self, context: Context) -> Any:
        return self.function(context.parent)


class CompiledRule:
    def __init__(self, rule: Rule, compiler: Compiler, fast: bool = True) -> None:
        self.rule = rule
        self._compiler = compiler
        # Only the packs we ship skip the sandbox; a user's pack always runs inside it.
        self._fast = fast and rule.builtin is True
        self.when = self._compile("when", rule.when)
        self.for_each = self._compile("for_each", rule.for_each) if rule.for_each else None
        self._at: Expression | FastExpression | None = None
        self._message: Expression | None = None
        self._fix: Expression | FastExpression | None = None
        self._severity: Expression | FastExpression | None = None
        # A translated expression that decides, when false, that the rule does not fire.
        gate = self.for_each if rule.for_each else self.when
        self.probe = gate.function if isinstance(gate, FastExpression) else None

    def _compile(self, what: str, source: str, template: bool = False) -> Any:
        try:
            if template:
                return self._compiler.template(source)
            if self._fast:
                fast = self._compiler.fast_expression(source)
                if fast is not None:
                    return fast
            return self._compiler.expression(source)
        except TemplateSyntaxError as exc:
            raise PackError(
                f"{self.rule.pack}: rule {self.rule.code!r}: `{what}` is not a valid Jinja2 "
                f"{'template' if template else 'expression'}: {exc.message}"
            ) from None

    # The parts only a firing rule needs are compiled on first use.
    @property
    def at(self) -> Expression | FastExpression:
        if self._at is None:
            self._at = self._compile("at", self.rule.at)
        return self._at

    @property
    def message(self) -> Expression:
        if self._message is None:
            self._message = self._compile("message", self.rule.message, template=True)
        return self._message

    @property
    def fix(self) -> Expression | FastExpression | None:
        if self.rule.fix and self._fix is None:
            self._fix = self._compile("fix", self.rule.fix)
        return self._fix

    @property
    def severity_from(self) -> Expression | FastExpression | None:
        if self.rule.severity_from and self._severity is None:
            self._severity = self._compile("severity_from", self.rule.severity_from)
        return self._severity


class Engine:
    """`fast=False` evaluates every rule through Jinja2, built-in ones included (for tests that
    compare the two paths)."""

    def __init__(self, rules: Iterable[Rule], fast: bool = True) -> None:
        rules = list(rules)
        material = "\n".join(
            f"{r.code}|{r.when}|{r.for_each}|{r.at}|{r.message}|{r.fix}|{r.severity_from}"
            for r in rules
        )
        self.compiler = Compiler(_environment(), material)
        self.rules = [CompiledRule(rule, self.compiler, fast) for rule in rules]
        self.globals = dict(self.compiler.env.globals)
        self._by_stage: dict[tuple[str, str], list[CompiledRule]] = {}

    def save_cache(self) -> None:
        self.compiler.save()

    def run(self, facts: dict[str, Any], stage: str = "facts") -> list[Finding]:
        kind = facts.get("card", {}).get("kind", "model")
        findings: list[Finding] = []
        variables = {**self.globals, **facts}  # what Jinja2 would merge per call, merged once
        shared: Context | None = None
        for compiled in self._selected(stage, kind):
            probe = compiled.probe
            if probe is not None:
                # Most rules do not fire on most cards: a translated condition (or `for_each`)
                # that is false is the whole answer. A true one, or a failure, is evaluated
                # again below, where a failure is reported with the rule's name.
                try:
                    if not probe(variables):
                        continue
                except Exception:  # re-raised, with the rule named, by `_evaluate`
                    pass
            if shared is None:
                shared = Context(self.compiler.env, variables, None, {})
            findings.extend(self._evaluate(compiled, variables, shared))
        self.compiler.save()
        return findings

    def _selected(self, stage: str, kind: str) -> list[CompiledRule]:
        key = (stage, kind)
        selected = self._by_stage.get(key)
        if selected is None:
            selected = [c for c in self.rules if c.rule.stage == stage and kind in c.rule.kinds]
            self._by_stage[key] = selected
        return selected

    def _evaluate(
        self, compiled: CompiledRule, facts: dict[str, Any], shared: Context
    ) -> list[Finding]:
        rule = compiled.rule
        step = "for_each"
        try:
            items: Iterable[Any] = [None]
            if compiled.for_each is not None:
                items = compiled.for_each.within(shared) or []
                if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
                    raise RuleError(f"`for_each` gave {type(items).__name__}, not a list")
            found = []
            for item in items:
                step = "when"
                if compiled.for_each is None:
                    context = facts
                    if not compiled.when.within(shared):
                        continue
                else:
                    context = dict(facts, item=item)
                    if not compiled.when(context):
                        continue
                step = "at"
                location = _location(compiled.at(context), facts)
                step = "message"
                message = " ".join(compiled.message.render(context).split())
                severity = rule.severity
                if compiled.severity_from is not None:
                    step = "severity_from"
                    severity = Severity.parse(str(compiled.severity_from(context)))
                fix = None
                if compiled.fix is not None:
                    step = "fix"
                    fix = _fix(compiled.fix(context), location, rule)
                found.append(Finding(rule.code, rule.name, severity, message, location, fix))
            return found
        except RuleError as exc:
            raise RuleError(f"{rule.pack}: rule {rule.code!r}: {exc}") from None
        except (
            UndefinedError,
            SecurityError,
            TypeError,
            ValueError,
            AttributeError,
            KeyError,
            IndexError,
            ZeroDivisionError,
        ) as exc:
            raise RuleError(
                f"{rule.pack}: rule {rule.code!r}: `{step}` failed: {type(exc).__name__}: {exc}"
            ) from None


def _location(value: Any, facts: dict[str, Any]) -> Location:
    if isinstance(value, str):
        return Location(value, 1, 1, 1, 1)
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        line = int(value.get("line") or 1)
        column = int(value.get("column") or 1)
        return Location(
            value["path"],
            line,
            column,
            int(value.get("end_line") or line),
            int(value.get("end_column") or column),
        )
    if value is None:
        card = facts.get("card", {})
        return Location(card.get("path", "README.md"), 1, 1, 1, 1)
    raise RuleError(f"`at` gave {type(value).__name__}; expected a location or a path")


def _fix(value: Any, location: Location, rule: Rule) -> Fix | None:
    if value is None or value is False:
        return None
    if not isinstance(value, dict) or "text" not in value:
        raise RuleError("`fix` must give a mapping with `text` (and `start`/`end`, or `create`)")
    return Fix(
        path=str(value.get("path", location.path)),
        start=int(value.get("start", 0)),
        end=int(value.get("end", 0)),
        text=str(value["text"]),
        fixer=rule.name,
        description=str(value.get("description") or rule.fix_description or ""),
        create=bool(value.get("create", False)),
    )
