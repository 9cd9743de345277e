"""The engine: evaluates each enabled rule's expressions against the facts.

The built-in rules' expressions and messages run as plain Python functions translated from
their Jinja2 source (`commonslint.fastpath`, run by `commonslint.fastrun`); a user's rule pack,
and anything the translator does not cover, runs in Jinja2's sandbox (`commonslint.jinjaenv`).

Translating or compiling costs about 0.4 ms an expression, which for every rule on every commit
would be most of a pre-commit run's budget, so the results are kept in the per-user cache
(`marshal`, as Jinja2's own bytecode cache does), in two files:

- `fast-*`: the translated code of the built-in rules, keyed by commonslint's version, the
  translator's (`fastrun.VERSION`) and the rule text. Not by Jinja2's version: the translated
  code calls only `fastrun`, so Jinja2 plays no part in running it, and finding Jinja2's
  version would mean importing it (or `importlib.metadata`), which is what this file exists to
  avoid. A Jinja2 release that reads a rule differently is caught by the equivalence tests
  before it is supported, not by the cache.
- `code-*`: Jinja2's compiled code (user packs, fallbacks), keyed also by Jinja2's version,
  read only when Jinja2 is imported anyway.

So a lint whose rules are all built-in, on a warm cache, does not import Jinja2 at all. A
missing or unwritable cache only costs time.
"""

from __future__ import annotations

import operator
import sys
import types
from collections.abc import Iterable
from typing import Any

from commonslint import __version__, cache, fastrun
from commonslint.findings import Finding, Fix, Location, Severity
from commonslint.rulepacks import PackError, Rule

_CACHE_VERSION = "3"


# A probe that was not run, or failed: the rule's parts are evaluated from the start.
_UNKNOWN: Any = object()


class RuleError(Exception):
    """A rule that fails while it is evaluated (a broken user pack); exit 2."""


def __getattr__(name: str) -> Any:
    """Jinja2-side names once defined here (`FactsEnvironment`, `Expression`,
    `_environment`), imported only when asked for."""
    if name in ("FactsEnvironment", "Expression", "_environment"):
        from commonslint import jinjaenv

        return jinjaenv.environment if name == "_environment" else getattr(jinjaenv, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _rule_failures() -> tuple[type[Exception], ...]:
    """What a failing rule raises; Jinja2's own errors only when Jinja2 has been loaded."""
    jinja = sys.modules.get("commonslint.jinjaenv")
    return (
        fastrun.UndefinedError,
        fastrun.SecurityError,
        TypeError,
        ValueError,
        AttributeError,
        KeyError,
        IndexError,
        ZeroDivisionError,
        *(jinja.FAILURES if jinja is not None else ()),
    )


def _syntax_errors() -> tuple[type[Exception], ...]:
    """Jinja2's `TemplateSyntaxError`, if Jinja2 is loaded (only it can have raised one)."""
    jinja2 = sys.modules.get("jinja2")
    return (jinja2.TemplateSyntaxError,) if jinja2 is not None else ()


class Compiler:
    """Translates and compiles expressions and templates, through the cache.

    `env` is the Jinja2 environment to compile with; by default the engine's own, made (and
    Jinja2 imported) only when something needs it.
    """

    def __init__(self, env: Any, key_material: str) -> None:
        self._env = env
        self._material = key_material
        self.path = cache.cache_file(
            "fast", f"{_CACHE_VERSION}|{__version__}|{fastrun.VERSION}|{key_material}"
        )
        self.codes: dict[str, Any] = cache.read(self.path) or {}
        self.dirty = False
        self._jinja_path: Any = None
        self._jinja_codes: dict[str, Any] | None = None
        self._jinja_dirty = False
        self._namespace: dict[str, Any] | None = None

    @property
    def env(self) -> Any:
        if self._env is None:
            from commonslint import jinjaenv

            self._env = jinjaenv.environment()
        return self._env

    def _code(self, kind: str, source: str) -> Any:
        from commonslint import jinjaenv

        if self._jinja_codes is None:
            self._jinja_path = cache.cache_file(
                "code",
                f"{_CACHE_VERSION}|{jinjaenv.VERSION}|{type(self.env).__name__}|{self._material}",
            )
            self._jinja_codes = cache.read(self._jinja_path) or {}
        key = f"{kind}\0{source}"
        code = self._jinja_codes.get(key)
        if code is None:
            if kind == "expr":
                code = jinjaenv.compile_expression(self.env, source)
            else:
                code = jinjaenv.compile_template(self.env, source)
            self._jinja_codes[key] = code
            self._jinja_dirty = True
        return code

    def _translated(self, kind: str, source: Any) -> Any:
        """The translated function (a built-in rule's expression or message, or a run's
        gates), or None when the translator does not cover `source`; both answers are cached."""
        key = f"{kind}\0{source if isinstance(source, str) else repr(source)}"
        code = self.codes.get(key)
        if code is None:
            from commonslint import fastpath

            translate = {
                "fast": fastpath.translate,
                "fast-template": fastpath.translate_template,
                "gates": fastpath.translate_gates,
            }[kind]
            try:
                code = translate(self.env, source)
            except fastpath.Unsupported:
                code = False
            self.codes[key] = code
            self.dirty = True
        if code is False:
            return None
        if self._namespace is None:
            self._namespace = fastrun.namespace()
        return types.FunctionType(code, self._namespace)

    def gates(self, sources: list[str | None]) -> Any:
        """`fastpath.translate_gates(sources)` as a function, through the cache; None when a
        source is outside the translated subset (each gate then runs as its own function)."""
        return self._translated("gates", sources)

    def fast_expression(self, source: str) -> FastExpression | None:
        """The expression as plain Python (trusted built-in rules only), or None."""
        function = self._translated("fast", source)
        return None if function is None else FastExpression(function)

    def fast_template(self, source: str) -> FastTemplate | None:
        """The message template as plain Python (trusted built-in rules only), or None."""
        function = self._translated("fast-template", source)
        return None if function is None else FastTemplate(function)

    def expression(self, source: str) -> Any:
        from commonslint import jinjaenv

        return jinjaenv.Expression(self.env, self._code("expr", source))

    def template(self, source: str) -> Any:
        from commonslint import jinjaenv

        return jinjaenv.Expression(self.env, self._code("tmpl", source))

    def save(self) -> None:
        if self.dirty:
            cache.write(self.path, self.codes)
            self.dirty = False
        if self._jinja_dirty:
            cache.write(self._jinja_path, self._jinja_codes)
            self._jinja_dirty = False


class _Shared:
    """One run's variables, and the Jinja2 context its Jinja2 expressions share (made by the
    first of them, so a run with none never makes one)."""

    __slots__ = ("context", "variables")

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables
        self.context: Any = None


class FastExpression:
    """A built-in rule's expression translated to a Python function (`commonslint.fastpath`)."""

    __slots__ = ("function",)

    def __init__(self, function: Any) -> None:
        self.function = function

    def __call__(self, variables: dict[str, Any]) -> Any:
        return self.function(variables)

    def within(self, shared: _Shared) -> Any:
        return self.function(shared.variables)


class FastTemplate:
    """A built-in rule's message translated to a Python function (`commonslint.fastpath`)."""

    __slots__ = ("function",)

    def __init__(self, function: Any) -> None:
        self.function = function

    def render(self, variables: dict[str, Any]) -> str:
        return self.function(variables)  # type: ignore[no-any-return]


class CompiledRule:
    def __init__(self, rule: Rule, compiler: Compiler, fast: bool = True) -> None:
        self.rule = rule
        self._compiler = compiler
        # Only the packs we ship skip the sandbox; a user's pack always runs inside it.
        self._fast = fast and rule.builtin is True
        self.when = self._compile("when", rule.when)
        self.for_each = self._compile("for_each", rule.for_each) if rule.for_each else None
        self._at: Any = None
        self._message: Any = None
        self._fix: Any = None
        self._severity: Any = None
        if self._fast:
            # A built-in rule's parts are looked up at once (cached code, no Jinja2), so that
            # the engine knows whether any part of any rule needs Jinja2 before it runs.
            parts = [self.when, self.for_each, self.at, self.message]
            parts += [self.fix, self.severity_from]
            self.uses_jinja = not all(
                part is None or isinstance(part, (FastExpression, FastTemplate)) for part in parts
            )
        else:
            self.uses_jinja = True
        # A translated expression that decides, when false, that the rule does not fire.
        gate = self.for_each if rule.for_each else self.when
        self.probe = gate.function if isinstance(gate, FastExpression) else None
        # A rule whose parts are all translated runs through `Engine._direct`, which calls the
        # functions themselves: (when, for_each, at, message, fix, severity_from), absent
        # parts None.
        self.functions: tuple[Any, ...] | None = None
        if self._fast and not self.uses_jinja:
            parts = [self.when, self.for_each, self.at, self.message, self.fix, self.severity_from]
            self.functions = tuple(None if part is None else part.function for part in parts)

    def _compile(self, what: str, source: str, template: bool = False) -> Any:
        try:
            if self._fast:
                if template:
                    fast: Any = self._compiler.fast_template(source)
                else:
                    fast = self._compiler.fast_expression(source)
                if fast is not None:
                    return fast
            if template:
                return self._compiler.template(source)
            return self._compiler.expression(source)
        except _syntax_errors() as exc:
            raise PackError(
                f"{self.rule.pack}: rule {self.rule.code!r}: `{what}` is not a valid Jinja2 "
                f"{'template' if template else 'expression'}: {exc.message}"  # type: ignore[attr-defined]
            ) from None

    # A user rule's parts that only a firing rule needs are compiled on first use.
    @property
    def at(self) -> Any:
        if self._at is None:
            self._at = self._compile("at", self.rule.at)
        return self._at

    @property
    def message(self) -> Any:
        if self._message is None:
            self._message = self._compile("message", self.rule.message, template=True)
        return self._message

    @property
    def fix(self) -> Any:
        if self.rule.fix and self._fix is None:
            self._fix = self._compile("fix", self.rule.fix)
        return self._fix

    @property
    def severity_from(self) -> Any:
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
        self.compiler = Compiler(None, material)
        self.rules = [CompiledRule(rule, self.compiler, fast) for rule in rules]
        # Jinja2 merges its globals (`range`, `namespace`...) into the variables; only code it
        # compiled can use them (the translator keeps any expression naming one on Jinja2).
        self.globals: dict[str, Any] = {}
        if any(compiled.uses_jinja for compiled in self.rules):
            self.globals = dict(self.compiler.env.globals)
        self._by_stage: dict[tuple[str, str], list[CompiledRule]] = {}
        self._gates: dict[tuple[str, str], Any] = {}
        self._loops: dict[tuple[str, str], list[tuple[str, ...]] | None] = {}
        # Messages already rendered -> their whitespace-normalised form: most findings repeat
        # a message seen before, and a look-up costs a tenth of `split` and `join`. Cleared
        # when full, so it stays small over a long run.
        self._normalised: dict[str, str] = {}

    def run(self, facts: dict[str, Any], stage: str = "facts") -> list[Finding]:
        kind = facts.get("card", {}).get("kind", "model")
        findings: list[Finding] = []
        # What Jinja2 would merge per call, merged once (rules only read the variables).
        variables = {**self.globals, **facts} if self.globals else facts
        shared: _Shared | None = None  # made for the first rule that is not `_direct`
        places: dict[int, tuple[Any, Location]] = {}  # `_direct`'s locations of this run
        gated = self._gates.get((stage, kind)) or self._gated(stage, kind)
        # Most rules do not fire on most cards: a translated condition (or `for_each`) that is
        # false is the whole answer, and a true one is not asked again. A failure is evaluated
        # again below, where it is reported with the rule's name.
        for compiled, gate in gated(variables):
            if compiled.functions is not None:
                findings += self._direct(compiled, variables, gate, places)
            else:
                if shared is None:
                    shared = _Shared(variables)
                findings += self._evaluate(compiled, variables, shared, gate)
        compiler = self.compiler
        if compiler.dirty or compiler._jinja_dirty:
            compiler.save()
        return findings

    def idle(self, facts: dict[str, Any], stage: str) -> bool:
        """True when `run(facts, stage)` is sure to give no finding without running it: every
        rule of the stage loops (`for_each`) over a plain fact path, `suppressions.unused`
        say, that is an empty list in `facts`, so none has an item to fire on. The
        suppressions stage is such a run on nearly every card (~0.6 us a card)."""
        kind = facts.get("card", {}).get("kind", "model")
        key = (stage, kind)
        loops = self._loops.get(key, False)
        if loops is False:
            loops = self._loops[key] = _loop_paths(self._selected(stage, kind))
        if loops is None:
            return False
        for path in loops:
            value: Any = facts
            for name in path:
                if type(value) is not dict or name not in value:
                    return False
                value = value[name]
            if type(value) is not list or value:
                return False
        return True

    def _selected(self, stage: str, kind: str) -> list[CompiledRule]:
        key = (stage, kind)
        selected = self._by_stage.get(key)
        if selected is None:
            selected = [c for c in self.rules if c.rule.stage == stage and kind in c.rule.kinds]
            self._by_stage[key] = selected
        return selected

    def _gated(self, stage: str, kind: str) -> Any:
        """The function giving `(rule, gate)` for each selected rule that may fire, in order:
        `gate` is its probe's true value, or `_UNKNOWN` (no probe, or the probe failed)."""
        key = (stage, kind)
        gated = self._gates.get(key)
        if gated is None:
            selected = self._selected(stage, kind)
            gated = _probe_each(selected)
            if any(c.probe is not None for c in selected):
                # The probes as one translated function (`fastpath.translate_gates`): a forty
                # rule run is one call, not forty calls and forty loop steps.
                sources = [_probe_source(c) for c in selected]
                combined = self.compiler.gates(sources)
                if combined is not None:
                    # `combined(variables, rules, unknown)` called as `combined(variables)`:
                    # the other two are its defaults (a fresh function from `_translated`).
                    combined.__defaults__ = (tuple(selected), _UNKNOWN)
                    gated = combined
            self._gates[key] = gated
        return gated

    def _evaluate(
        self, compiled: CompiledRule, facts: dict[str, Any], shared: _Shared, gate: Any = _UNKNOWN
    ) -> list[Finding]:
        """The rule's findings; `gate` is what its probe (its `for_each`, else its `when`)
        already gave, or `_UNKNOWN`."""
        rule = compiled.rule
        step = "for_each"
        known = gate is not _UNKNOWN
        try:
            items: Iterable[Any] = [None]
            if compiled.for_each is not None:
                items = (gate if known else compiled.for_each.within(shared)) or []
                if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
                    raise RuleError(f"`for_each` gave {type(items).__name__}, not a list")
            found = []
            for item in items:
                step = "when"
                if compiled.for_each is None:
                    context = facts
                    if not known and not compiled.when.within(shared):
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
            raise _named(rule, str(exc)) from None
        except _rule_failures() as exc:
            raise _named(rule, f"`{step}` failed: {type(exc).__name__}: {exc}") from None

    def _direct(
        self,
        compiled: CompiledRule,
        facts: dict[str, Any],
        gate: Any,
        places: dict[int, tuple[Any, Location]] | None = None,
    ) -> list[Finding]:
        """`_evaluate` for a rule whose parts are all translated functions (`functions`): the
        same findings and the same errors, without the wrappers, and with one copy of the
        variables for all of a `for_each`'s items (the functions only read it).

        `places` maps `id(value)` to `(value, its Location)` for the `at` values seen in this
        run: a third of findings point where another finding of the card does (the front
        matter, the first heading), and the facts are read-only, so one `Location` serves all
        (the value is kept, so its id is not reused while the map lives)."""
        rule = compiled.rule
        when, for_each, at, message, fix, severity_from = compiled.functions  # type: ignore[misc]
        normalised = self._normalised
        if places is None:
            places = {}
        step = "for_each"
        try:
            items: Iterable[Any] = (None,)
            context = facts
            if for_each is None:
                step = "when"
                if gate is _UNKNOWN and not when(facts):
                    return []
            else:
                items = (for_each(facts) if gate is _UNKNOWN else gate) or []
                if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
                    raise RuleError(f"`for_each` gave {type(items).__name__}, not a list")
                context = dict(facts)
            found = []
            for item in items:
                if for_each is not None:
                    step = "when"
                    context["item"] = item
                    if not when(context):
                        continue
                step = "at"
                value = at(context)
                place = places.get(id(value))
                if place is None:
                    location = _location(value, facts)
                    places[id(value)] = (value, location)
                else:
                    location = place[1]
                step = "message"
                text = message(context)
                normal = normalised.get(text)
                if normal is None:
                    normal = " ".join(text.split())
                    if len(normalised) >= 4096:
                        normalised.clear()
                    normalised[text] = normal
                severity = rule.severity
                if severity_from is not None:
                    step = "severity_from"
                    severity = Severity.parse(str(severity_from(context)))
                fixed = None
                if fix is not None:
                    step = "fix"
                    fixed = _fix(fix(context), location, rule)
                found.append(Finding(rule.code, rule.name, severity, normal, location, fixed))
            return found
        except RuleError as exc:
            raise _named(rule, str(exc)) from None
        except _rule_failures() as exc:
            raise _named(rule, f"`{step}` failed: {type(exc).__name__}: {exc}") from None


# Names that are not a fact path in a `for_each`: a dict's own attributes (`a.items` is the
# method, in Jinja2 and in the translation alike), Jinja2's literals and keywords.
_NOT_PATH = frozenset(dir(dict)) | {
    *("true", "false", "none", "True", "False", "None"),
    *("and", "or", "not", "in", "is", "if", "else", "loop"),
}


def _loop_paths(selected: list[CompiledRule]) -> list[tuple[str, ...]] | None:
    """For `Engine.idle`: each rule's `for_each` as the names of a plain path (`a.b`), or None
    if a rule has no `for_each` or another one (`_NOT_PATH`)."""
    paths = []
    for compiled in selected:
        source = (compiled.rule.for_each or "").strip()
        names = tuple(source.split("."))
        if not all(n.isidentifier() and n not in _NOT_PATH for n in names):
            return None
        paths.append(names)
    return paths


def _probe_source(compiled: CompiledRule) -> str | None:
    """The source of the rule's probe (its `for_each`, else its `when`), None if it has none."""
    if compiled.probe is None:
        return None
    rule = compiled.rule
    return rule.for_each if rule.for_each else rule.when


def _probe_each(selected: list[CompiledRule]) -> Any:
    """`Engine._gated`'s function, calling each rule's probe in turn (the reference for the
    combined function, and what runs when there is nothing to combine)."""

    def gated(variables: dict[str, Any]) -> list[tuple[CompiledRule, Any]]:
        out = []
        for compiled in selected:
            probe = compiled.probe
            gate: Any = _UNKNOWN
            if probe is not None:
                try:
                    gate = probe(variables)
                    if not gate:
                        continue
                except Exception:  # raised again, with the rule named, by the evaluation
                    gate = _UNKNOWN
            out.append((compiled, gate))
        return out

    return gated


def _named(rule: Rule, problem: str) -> RuleError:
    """A rule's failure, saying which rule of which pack (both evaluation paths word it so)."""
    return RuleError(f"{rule.pack}: rule {rule.code!r}: {problem}")


# The five fields of a location mapping, fetched in one C call.
_PLACE = operator.itemgetter("path", "line", "column", "end_line", "end_column")
_LOCATIONS: dict[tuple[Any, ...], Location] = {}


def _location(value: Any, facts: dict[str, Any]) -> Location:
    if type(value) is dict:
        # Nearly every `at` value is a full location mapping of positive ints (the facts'
        # own): then it is `Location(*fields)` from one look-up. Anything else takes the
        # general branch below.
        try:
            fields = _PLACE(value)
            # Locations already made, by their fields: most cards' findings point at a few
            # places (line 1, the front matter), and a `Location` is immutable. Only fields
            # that passed the test below are stored; a value equal to one of them (`True` for
            # 1, `2.0` for 2) gives an equal `Location` on the general branch too, so only the
            # path's type is asked again. An unhashable field goes to the general branch.
            location = _LOCATIONS.get(fields)
        except (KeyError, TypeError):
            pass
        else:
            if location is not None and type(fields[0]) is str:
                return location
            path, line, column, end_line, end_column = fields
            if (
                type(path) is str
                and type(line) is int
                and type(column) is int
                and type(end_line) is int
                and type(end_column) is int
                and line
                and column
                and end_line
                and end_column
            ):
                location = Location(path, line, column, end_line, end_column)
                if len(_LOCATIONS) >= 4096:
                    _LOCATIONS.clear()  # stays small over a long run
                _LOCATIONS[fields] = location
                return location
        # The common case, a location mapping, first; `int()` only for what is not an int
        # already (where it would give back the same value).
        path = value.get("path")
        if type(path) is str:
            get = value.get
            line = get("line") or 1
            if type(line) is not int:
                line = int(line)
            column = get("column") or 1
            if type(column) is not int:
                column = int(column)
            end_line = get("end_line") or line
            if type(end_line) is not int:
                end_line = int(end_line)
            end_column = get("end_column") or column
            if type(end_column) is not int:
                end_column = int(end_column)
            return Location(path, line, column, end_line, end_column)
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
    get = value.get
    # Positional, in `Fix`'s field order (keyword arguments cost a third more).
    return Fix(
        str(get("path", location.path)),
        int(get("start", 0)),
        int(get("end", 0)),
        str(value["text"]),
        rule.name,
        str(get("description") or rule.fix_description or ""),
        bool(get("create", False)),
    )
