"""The sandbox an eval's Jinja2 templates compile in, and what a template may not do (checked when it is loaded)."""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from harness.registry.specs import PromptSpec

MAX_REPEAT = 10_000
"""The longest string or list a template may build with `*`."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, also refusing `**` and `*` that would build a huge string or list."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Refuse `**` and oversized `*` before Jinja2 evaluates them."""
        if operator == "**":
            raise SecurityError("the ** operator is not allowed in templates")
        sizes = [len(x) for x in (left, right) if isinstance(x, (str, list, tuple))]
        counts = [x for x in (left, right) if isinstance(x, int)]
        if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_REPEAT:
            raise SecurityError(f"a template may not build a sequence longer than {MAX_REPEAT}")
        return super().call_binop(context, operator, left, right)


SANDBOX = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
SANDBOX.globals.clear()  # no range/lipsum/cycler/…: a template sees the sample's fields and nothing else


def template_problems(prompt: PromptSpec) -> list[tuple[str, str]]:
    """(part, message) for each template that does not compile or tries to reach other templates."""
    problems = []
    for part, source in _parts(prompt):
        try:
            ast = SANDBOX.parse(source)
        except TemplateSyntaxError as exc:
            problems.append((part, f"template syntax error on template line {exc.lineno}: {exc.message}"))
            continue
        if list(meta.find_referenced_templates(ast)):
            problems.append((part, "templates may not include, import or extend other templates"))
        problems += [(part, message) for message in _reach_problems(ast)]
    return problems


SAFE_FILTERS = frozenset(
    {
        "capitalize",
        "default",
        "first",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "reverse",
        "sort",
        "string",
        "title",
        "trim",
        "truncate",
        "unique",
        "upper",
        "wordcount",
    }
)
"""Filters a template may use: none of them can be made to build a string much longer than its input."""


def _reach_problems(ast: nodes.Template) -> list[str]:
    """Why a template reaches beyond plain sample data or could run long: a call, an attribute or key starting with
    `_`, a filter outside SAFE_FILTERS, `%` or `**`, `set` or `with`, a join whose separator is not written out, a
    loop inside a loop, or a huge constant repeat (and at render, a prompt over MAX_PROMPT_CHARS: data/prompt.py)."""
    found = []
    if any(True for _ in ast.find_all(nodes.Call)):
        found.append("templates may not call functions or methods: use fields, filters and loops")
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        name: object
        if isinstance(node, nodes.Getattr):
            name = node.attr
        else:
            assert isinstance(node, nodes.Getitem)
            name = getattr(node.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            found.append(f"templates may not reach {name!r}: attributes and keys starting with _ are not sample data")
            break
    unsafe = sorted({f.name for f in ast.find_all(nodes.Filter) if f.name not in SAFE_FILTERS})
    if unsafe:
        found.append(f"filter {unsafe[0]!r} is not allowed in templates (allowed: {', '.join(sorted(SAFE_FILTERS))})")
    for operator, symbol in ((nodes.Mod, "%"), (nodes.Pow, "**")):
        if any(True for _ in ast.find_all(operator)):
            found.append(f"the {symbol} operator is not allowed in templates")
    if any(True for _ in ast.find_all((nodes.Assign, nodes.AssignBlock, nodes.With))):
        found.append("templates may not set variables (`set` or `with`): they show sample fields as they are")
    for join in (f for f in ast.find_all(nodes.Filter) if f.name == "join"):
        if any(not isinstance(arg, nodes.Const) for arg in [*join.args, *(kw.value for kw in join.kwargs)]):
            found.append("join's separator must be written in the template (`join(', ')`), not taken from a field")
            break
    if any(any(True for _ in loop.find_all(nodes.For)) for loop in ast.find_all(nodes.For)):
        found.append("templates may not nest a loop inside a loop")
    for node in ast.find_all(nodes.Mul):
        sizes = [n.value for n in (node.left, node.right) if isinstance(n, nodes.Const) and isinstance(n.value, int)]
        if any(size > MAX_REPEAT for size in sizes):
            found.append(f"a template may not repeat anything more than {MAX_REPEAT} times")
    return found


def template_fields(prompt: PromptSpec) -> set[str]:
    """Names of the sample fields the templates read (assumes they compile)."""
    names: set[str] = set()
    for _, source in _parts(prompt):
        names |= meta.find_undeclared_variables(SANDBOX.parse(source))
    return names


def _parts(prompt: PromptSpec) -> list[tuple[str, str]]:
    """(part, template source) for the system prompt, when there is one, and the user prompt."""
    parts = [("user", prompt.user)]
    if prompt.system:
        parts.insert(0, ("system", prompt.system))
    return parts
