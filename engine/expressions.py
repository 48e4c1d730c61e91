"""Restricted evaluation of BPMN expressions and scripts.

SpiffWorkflow runs gateway conditions, timers, DMN cells, service parameters and scripts through plain
`eval`/`exec` with full builtins, so a BPMN file could run anything on the server. Everything goes through
here instead: a static check of the syntax tree (cached, and the same check runs at deploy time), then
simpleeval for expressions and a small statement interpreter for scripts. Numbers, sizes and iterations are
bounded, because simpleeval alone does not stop a model from exhausting CPU or memory.

A budget bounds what a step's expressions may cost in total: CPU time (checked between nodes and at
every call), work (items touched by each builtin or method call, the deep size of what is compared or
sorted — a single C call cannot be interrupted, so its cost is charged before it runs) and memory (items
and characters created). Callables passed as values (``key=`` callbacks) are wrapped so that every call
they make is charged too. Going over raises OverBudget, which the engine turns into an incident.
"""

from __future__ import annotations

import ast
import re
import textwrap
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, NoReturn

import simpleeval
from simpleeval import DEFAULT_OPERATORS, EvalWithCompoundTypes, InvalidExpression, NameNotDefined

from engine.errors import UnsafeExpression, ValidationError

MAX_LENGTH = 100_000  # longest string, list, dict or range an expression may build
MAX_INT_BITS = 10_000  # about 3,000 decimal digits
MAX_ITERATIONS = 100_000  # for-loop and comprehension steps per evaluate()/execute() call
MAX_DATA_SIZE = 1_000_000  # a script's task data afterwards, in items (a string counts 1 per 16 characters)
MAX_ROUND_DIGITS = 1_000  # round(1, -10**9) would compute 10**(10**9)
MAX_SOURCE = 50_000  # characters of one expression or script
MAX_DEPTH = 100  # nesting of one expression's syntax tree
STEP_CPU_SECONDS = 1.0  # CPU time all the expressions and scripts of one step may use together
MAX_WORK = 30_000_000  # items touched by calls and comparisons in one step (about half a second)
MAX_ALLOCATED = 5_000_000  # items and characters created in one step
MAX_INSTANCES = 1_000  # multi-instance loopCardinality


class OverBudget(UnsafeExpression):
    """A step's expressions went over their CPU, work or memory budget."""


class _Meter:
    """What is left of a budget: CPU deadline (thread time), work and allocation units."""

    __slots__ = ("cpu_deadline", "wall_deadline", "work", "allocated", "seconds", "charges")

    def __init__(self, seconds: float = STEP_CPU_SECONDS) -> None:
        self.seconds = seconds
        self.cpu_deadline = time.thread_time() + seconds
        self.wall_deadline = time.perf_counter() + seconds
        self.work = MAX_WORK
        self.allocated = MAX_ALLOCATED
        self.charges = 0

    def time(self) -> None:
        """CPU time is what is budgeted, but the wall clock is far cheaper to read (the thread's CPU clock
        is a system call): the CPU clock is read only once as much wall time as budget is left has gone by
        (CPU time never runs ahead of wall time)."""
        now = time.perf_counter()
        if now < self.wall_deadline:
            return
        left = self.cpu_deadline - time.thread_time()
        if left <= 0:
            raise OverBudget.single(f"over its CPU budget ({self.seconds:g} s per step)")
        self.wall_deadline = now + max(left, 0.01)

    def charge(self, work: int) -> None:
        """Charge ``work`` units; the clock (a system call, ~5 µs) is read for big charges and every
        256th small one, so many cheap calls (`key=` callbacks, a gateway loop's conditions) are
        timed too."""
        self.work -= work
        if self.work < 0:
            raise OverBudget.single(f"over its work budget ({MAX_WORK:,} items per step)")
        self.charges += 1
        if work > 1000 or not self.charges & 255:
            self.time()

    def allocate(self, value: Any) -> Any:
        if isinstance(value, _SIZED):
            self.allocated -= len(value)
            if self.allocated < 0:
                raise OverBudget.single(f"over its memory budget ({MAX_ALLOCATED:,} items per step)")
        return value


_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_CONTAINERS = (list, tuple, dict, set, frozenset)


def _meter() -> _Meter:
    meter = getattr(_local, "meter", None)
    return meter if meter is not None else _Meter()


@contextmanager
def budget(seconds: float = STEP_CPU_SECONDS) -> Iterator[None]:
    """One budget shared by every expression and script run inside (the engine opens one per step)."""
    previous = getattr(_local, "meter", None)
    _local.meter = _Meter(seconds)
    try:
        yield
    finally:
        _local.meter = previous


def _deep(value: Any, limit: int) -> int:
    """Items a comparison, hash or sort of ``value`` may visit, up to about ``limit``: what a C call over
    it costs, charged before the call runs. A container shared many times counts each time it is
    reached (comparing ``[row] * 1000`` compares ``row`` a thousand times) but is itself read once."""
    if not isinstance(value, _CONTAINERS):
        if isinstance(value, range):
            return len(value) + 1
        return len(value) // 64 + 1 if isinstance(value, str) else 1
    sizes: dict[int, int] = {}

    def size(item: Any, depth: int) -> int:
        known = sizes.get(id(item))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            return limit + 1
        sizes[id(item)] = limit + 1  # a cycle back here is as bad as it gets
        total = len(item) + 1
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, _CONTAINERS):
                total += size(child, depth + 1)
                if total > limit:
                    break
        sizes[id(item)] = total
        return total

    return size(value, 0)


def _active() -> _Meter:
    return _local.active


def _charge_deep(*values: Any) -> None:
    meter = _active()
    meter.charge(sum(_deep(v, meter.work) for v in values))


class ExpressionFailed(Exception):
    """An expression failed while running (missing name, bad key, 1/0): a bug in the model, not an attack."""

    def __init__(self, message: str, expression: str) -> None:
        super().__init__(f"{message} (in {expression.strip()!r})")
        self.expression = expression


def _refuse(message: str, line: int | None = None) -> UnsafeExpression:
    return UnsafeExpression.single(message, line=line)


def _bound(length: int) -> None:
    if length > MAX_LENGTH:
        raise _refuse(f"result too long (more than {MAX_LENGTH:,} characters or items)")


def _check_size(value: Any, limit: int, what: str) -> None:
    """Refuse a value whose text or stored form would be huge; shared and cyclic items count every time.

    Costs one step per item visited, and stops once `limit` units (see MAX_DATA_SIZE) are used up.
    """
    budget, stack = limit, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            budget -= 1 + len(item) // 16
        elif isinstance(item, int):
            budget -= 1 + item.bit_length() // 64
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            budget -= len(item) + 1
            if budget >= 0:
                stack.extend(item.items() if isinstance(item, dict) else item)
        else:
            budget -= 1
        if budget < 0:
            raise _refuse(f"{what} is too large")


_NUMBER_RUNS = re.compile(r"\d+")
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_widths(numbers: list[str | None]) -> None:
    """Refuse a format width or precision that would allocate a huge string (`f"{x:>1000000000}"`)."""
    for number in numbers:
        if number == "*" or (number and (len(number.lstrip("0")) > 6 or int(number) > MAX_LENGTH)):
            raise _refuse("format width or precision too large")


# Operators: simpleeval's, with bounds on everything that can grow a value fast.
def _pow(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and abs(a) > 1 and b * a.bit_length() > MAX_INT_BITS:
        raise _refuse("exponent too large")
    return a**b


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            raise _refuse("number too large")
    elif isinstance(a, int) and hasattr(b, "__len__"):
        _bound(a * len(b))
    elif isinstance(b, int) and hasattr(a, "__len__"):
        _bound(b * len(a))
    return a * b


def _add(a: Any, b: Any) -> Any:
    if hasattr(a, "__len__") and hasattr(b, "__len__"):
        _bound(len(a) + len(b))
    return a + b


def _lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and a.bit_length() + b > MAX_INT_BITS:
        raise _refuse("number too large")
    return a << b


def _mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        widths = [n for match in _PRINTF.findall(a) for n in match]
        _check_widths(widths)
        _bound(len(a) + sum(int(n) for n in widths if n and n.isdigit()))  # all fields together
        _check_size(b, MAX_LENGTH, "value to format")
    return a % b


def _compared(operator: Any) -> Any:
    """A comparison that charges the deep size of what it compares (nested lists compare item by item)."""

    def compare(a: Any, b: Any) -> Any:
        if isinstance(a, _CONTAINERS) or isinstance(b, _CONTAINERS):
            _charge_deep(a, b)
        return operator(a, b)

    return compare


def _sized(operator: Any) -> Any:
    def grow(a: Any, b: Any) -> Any:
        return _active().allocate(operator(a, b))

    return grow


_OPERATORS = {
    **DEFAULT_OPERATORS,
    ast.Add: _sized(_add),
    ast.Mult: _sized(_mul),
    ast.Pow: _pow,
    ast.LShift: _lshift,
    ast.Mod: _sized(_mod),
}
for _op in (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn):
    _OPERATORS[_op] = _compared(DEFAULT_OPERATORS[_op])


# Builtins: an allow-list; wrappers bound what the originals would let grow.
def _range(*args: int) -> range:
    result = range(*args)
    _bound(len(result[: MAX_LENGTH + 1]))  # len() of the whole range overflows for huge ones
    return result


def _round(number: Any, ndigits: int | None = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise _refuse(f"round() to more than {MAX_ROUND_DIGITS} digits is not allowed")
    return round(number, ndigits)


def _str(*args: Any) -> str:
    if args:
        _check_size(args[0], MAX_LENGTH, "value to convert to text")
    return str(*args)


def _sum(iterable: Any, start: Any = 0) -> Any:
    if not isinstance(start, (int, float, Decimal)):
        raise TypeError("sum() start value must be a number")
    return sum(iterable, start)


def _enumerate(iterable: Any, start: int = 0) -> list[tuple[int, Any]]:
    return list(enumerate(iterable, start))


def _zip(*iterables: Any) -> list[tuple[Any, ...]]:
    return list(zip(*iterables, strict=False))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FUNCTIONS = {
    **{f.__name__: f for f in (len, min, max, abs, int, float, bool, sorted, any, all, list, dict, set)},
    "tuple": tuple,
    **{"range": _range, "round": _round, "str": _str, "sum": _sum, "enumerate": _enumerate, "zip": _zip},
}
# Calls whose C code compares or hashes its arguments item by item, all the way down.
_DEEP_CALLS = frozenset({sorted, min, max, set, dict, tuple})
_DEEP_METHODS = _words("count index remove sort issubset issuperset isdisjoint difference intersection union")
_LINEAR_METHODS = _words("copy insert reverse symmetric_difference")  # O(1) otherwise: append, get, pop, …
_DENIED_NAMES = _words(
    "open eval exec compile getattr setattr delattr globals locals vars dir type input breakpoint help exit "
    "quit memoryview object super print"
)

# Attributes: an allow-list per exact type, so a value can only reach harmless methods and fields.
_DATE = _words("year month day weekday isoweekday isoformat strftime")
_INT = _words("bit_length conjugate denominator imag numerator real")
_ATTRS: dict[type, frozenset[str]] = {
    str: _words(
        "capitalize casefold center count endswith find index isalnum isalpha isdecimal isdigit islower"
        " isnumeric isspace istitle isupper join ljust lower lstrip partition removeprefix removesuffix"
        " replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase"
        " title upper zfill"
    ),
    list: _words("append clear copy count extend index insert pop remove reverse sort"),
    dict: _words("clear copy get items keys pop popitem setdefault update values"),
    set: _words(
        "add clear copy difference discard intersection isdisjoint issubset issuperset pop remove"
        " symmetric_difference union update"
    ),
    tuple: _words("count index"),
    int: _INT,
    bool: _INT,
    float: _words("as_integer_ratio conjugate imag is_integer real"),
    date: _DATE,
    datetime: _DATE | _words("hour minute second microsecond date"),
    timedelta: _words("days seconds microseconds total_seconds"),
}
_PADDING = frozenset({"center", "ljust", "rjust", "zfill"})


# Static check: which syntax is allowed, and what refused syntax is called in messages.
_EXPR_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.BinOp,
    ast.UnaryOp,
    ast.IfExp,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.Compare,
    ast.Call,
    ast.FormattedValue,
    ast.JoinedStr,
    ast.Constant,
    ast.Attribute,
    ast.Subscript,
    ast.Name,
    ast.List,
    ast.Tuple,
    ast.Slice,
    ast.comprehension,
    ast.keyword,
    ast.expr_context,
    ast.operator,
    ast.boolop,
    ast.unaryop,
    ast.cmpop,
)
_STMT_NODES = (ast.Module, ast.Assign, ast.AugAssign, ast.Expr, ast.If, ast.For, ast.Pass, ast.Delete)
_LABELS = {
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.FunctionDef: "def",
    ast.AsyncFunctionDef: "def",
    ast.ClassDef: "class",
    ast.Lambda: "lambda",
    ast.While: "while",
    ast.With: "with",
    ast.AsyncWith: "with",
    ast.AsyncFor: "async for",
    ast.Try: "try",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Return: "return",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Await: "await",
    ast.Raise: "raise",
    ast.Assert: "assert",
    ast.NamedExpr: "the := operator",
    ast.SetComp: "a set comprehension",
    ast.Starred: "* unpacking",
    ast.AnnAssign: "an annotated assignment",
    ast.MatMult: "the @ operator",
    ast.Match: "match",
    getattr(ast, "TryStar", ast.Try): "try",
    ast.Break: "break",
    ast.Continue: "continue",
}


def _check_name(name: str, line: int | None) -> None:
    if name.startswith("_") or name in _DENIED_NAMES:
        raise _refuse(f"name {name!r} is not allowed", line)


def _check_tree(tree: ast.AST, mode: str) -> None:
    """Refuse any syntax outside the allow-list; nothing is run."""
    allowed = _EXPR_NODES + _STMT_NODES if mode == "exec" else _EXPR_NODES
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None) if mode == "exec" else None
        if not isinstance(node, allowed) or isinstance(node, ast.MatMult):
            label = _LABELS.get(type(node), type(node).__name__)
            raise _refuse(f"{label} is not allowed in BPMN scripts", line)
        if isinstance(node, ast.Name):
            _check_name(node.id, line)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_") or node.attr in simpleeval.DISALLOW_METHODS:
                raise _refuse(f"attribute {node.attr!r} is not allowed", line)
            if not isinstance(node.ctx, ast.Load):
                raise _refuse("assigning to or deleting attributes is not allowed", line)
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id not in _FUNCTIONS:
                _check_name(node.func.id, line)
                raise _refuse(f"function {node.func.id!r} is not allowed", line)
            if not isinstance(node.func, (ast.Name, ast.Attribute)):
                raise _refuse("only named functions and methods can be called", line)
            if any(keyword.arg is None for keyword in node.keywords):
                raise _refuse("** unpacking is not allowed in BPMN scripts", line)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            if len(node.value) > MAX_LENGTH:
                raise _refuse(f"literal longer than {MAX_LENGTH:,} characters", line)
        elif isinstance(node, ast.comprehension) and node.is_async:
            raise _refuse("async comprehensions are not allowed in BPMN scripts", line)


@lru_cache(maxsize=4096)
def _compile(source: str, mode: str) -> Any:
    """Parse and check once per distinct source: the expression node ("eval") or statement list ("exec")."""
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    text = textwrap.dedent(source).strip()  # BPMN XML indents its text
    if not text and mode == "eval":
        raise ValidationError.single("expression is empty")
    if len(text) > MAX_SOURCE:
        raise _refuse(f"longer than {MAX_SOURCE:,} characters")
    try:
        tree = ast.parse(text, mode=mode)
    except (RecursionError, MemoryError):  # `-` * 100000 + `1`: the parser itself gives up
        raise _refuse(f"nested more than {MAX_DEPTH} levels deep") from None
    except SyntaxError as exc:
        if mode == "eval":
            try:
                statements = ast.parse(text, mode="exec")
            except SyntaxError:
                pass
            else:
                _check_tree(statements, "exec")  # `import os` here is refused as unsafe, not a typo
                raise ValidationError.single("a single expression is expected here, not statements") from None
        raise ValidationError.single(f"syntax error: {exc.msg}", line=exc.lineno) from None
    _check_depth(tree)
    _check_tree(tree, mode)
    return tree.body


def _check_depth(tree: ast.AST) -> None:
    """Refuse deep nesting (`1+1+…` a hundred thousand times): evaluating it would overflow the stack."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse(f"nested more than {MAX_DEPTH} levels deep", getattr(node, "lineno", None))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Evaluator(EvalWithCompoundTypes):
    """simpleeval with attribute and call guards, f-string bounds and a statement interpreter for scripts."""

    def __init__(self) -> None:
        super().__init__(operators=_OPERATORS, functions=dict(_FUNCTIONS), names={})
        self.line: int | None = None

    def start(self, source: str, names: Mapping[str, Any]) -> None:
        self.expr, self.names, self.line = source, names, None
        self.meter = _local.active = _meter()
        self.meter.charge(1)  # a model looping through gateways runs many small expressions
        self.nodes_seen = 0
        # simpleeval counts comprehension steps in _max_count up to its MAX_COMPREHENSION_LENGTH; starting
        # below zero makes that one budget of MAX_ITERATIONS, shared with for-loops (see _tick).
        self._max_count = simpleeval.MAX_COMPREHENSION_LENGTH - MAX_ITERATIONS

    def _eval(self, node: ast.AST) -> Any:
        # simpleeval also scans every intermediate result for modules and forbidden functions, which costs
        # O(size) on each use of a big list. Not needed here: calls only reach _FUNCTIONS and allow-listed
        # methods of allow-listed types, and attributes of any other type are refused.
        self.nodes_seen += 1
        if not self.nodes_seen & 1023:
            self.meter.time()
        return self.nodes[type(node)](node)

    def _tick(self) -> None:
        self._max_count += 1
        if self._max_count > simpleeval.MAX_COMPREHENSION_LENGTH:
            raise _refuse(f"too many loop iterations (more than {MAX_ITERATIONS:,})")

    def _eval_comprehension(self, node: ast.AST) -> Any:
        try:
            return self.meter.allocate(super()._eval_comprehension(node))
        except simpleeval.IterableTooLong:
            if self._max_count > simpleeval.MAX_COMPREHENSION_LENGTH:
                raise _refuse(f"too many loop iterations (more than {MAX_ITERATIONS:,})") from None
            raise

    def _eval_subscript(self, node: ast.Subscript) -> Any:
        value = super()._eval_subscript(node)
        return self.meter.allocate(value) if isinstance(node.slice, ast.Slice) else value

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        value = self._eval(node.value)
        allowed = _ATTRS.get(type(value))
        if allowed is None:
            raise _refuse(f"attribute access on {type(value).__name__} values is not allowed")
        if node.attr not in allowed:
            if hasattr(type(value), node.attr):
                raise _refuse(f"attribute {node.attr!r} is not allowed")
            raise AttributeError(f"{type(value).__name__!r} object has no attribute {node.attr!r}")
        return getattr(value, node.attr)

    def _eval_call(self, node: ast.Call) -> Any:
        func = self._eval(node.func) if isinstance(node.func, ast.Attribute) else self.functions[node.func.id]
        args = [self._metered(self._eval(arg)) for arg in node.args]
        kwargs = {keyword.arg: self._metered(self._eval(keyword.value)) for keyword in node.keywords}
        return self._invoke(func, args, kwargs)

    def _metered(self, value: Any) -> Any:
        """A function passed as a value (``key=len``, ``key=a.count``) is charged at each call it makes."""
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._invoke(value, list(args), kwargs)

        return call

    def _invoke(self, func: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call an allow-listed function or method, with its cost charged first and its growth bounded."""
        owner = getattr(func, "__self__", None)
        if not isinstance(owner, _SIZED):
            owner = None
        meter, name = self.meter, getattr(func, "__name__", "")
        if func in _DEEP_CALLS or (owner is not None and name in _DEEP_METHODS):
            meter.charge(sum(_deep(v, meter.work) for v in (owner, *args, *kwargs.values())))
        else:
            scanned = owner if isinstance(owner, (str, bytes)) or name in _LINEAR_METHODS else None
            meter.charge(1 + sum(len(v) for v in (scanned, *args) if isinstance(v, (*_SIZED, range))))
        if isinstance(owner, str) and args:  # these would allocate before any check on the result
            if name in _PADDING and isinstance(args[0], int):
                _bound(args[0])
            elif name == "replace" and len(args) > 1 and isinstance(args[0], str):
                _bound(len(owner) + owner.count(args[0]) * max(0, len(args[1]) - len(args[0])))
            elif name == "join":
                args[0] = list(args[0])
                _bound(sum(len(s) for s in args[0] if isinstance(s, str)) + len(owner) * len(args[0]))
        result = func(*args, **kwargs)
        if isinstance(owner, (list, dict, set)):  # append/extend/update grow their owner in place
            _bound(len(owner))
            meter.charge(1)
        return meter.allocate(result)

    def _eval_formattedvalue(self, node: ast.FormattedValue) -> str:
        value = self._eval(node.value)
        _check_size(value, MAX_LENGTH, "value to format")
        if node.conversion != -1:
            value = {115: str, 114: repr, 97: ascii}[node.conversion](value)
        spec = self._eval(node.format_spec) if node.format_spec else ""
        _check_widths(_NUMBER_RUNS.findall(spec))
        return format(value, spec)

    def run(self, body: list[ast.stmt]) -> None:
        """Run statements; the static check has already refused every kind not handled here."""
        for stmt in body:
            self.line = stmt.lineno
            kind = type(stmt)
            if kind is ast.Assign:
                value = self._eval(stmt.value)
                for target in stmt.targets:
                    self._assign(target, value)
            elif kind is ast.AugAssign:
                operator, target = self.operators[type(stmt.op)], stmt.target
                if isinstance(target, ast.Name):
                    self.names[target.id] = operator(self._eval(target), self._eval(stmt.value))
                else:
                    container, key = self._eval(target.value), self._eval(target.slice)
                    container[key] = operator(container[key], self._eval(stmt.value))
            elif kind is ast.Expr:
                self._eval(stmt.value)
            elif kind is ast.If:
                self.run(stmt.body if self._eval(stmt.test) else stmt.orelse)
            elif kind is ast.For:
                for item in self._eval(stmt.iter):
                    self.line = stmt.lineno
                    self._tick()
                    self._assign(stmt.target, item)
                    self.run(stmt.body)
                self.run(stmt.orelse)  # no `break`, so a for-else always runs
            elif kind is ast.Delete:
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        if target.id not in self.names:
                            raise NameNotDefined(target.id, self.expr)
                        del self.names[target.id]
                    else:
                        del self._eval(target.value)[self._eval(target.slice)]

    def _assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
        elif isinstance(target, ast.Subscript):
            self._eval(target.value)[self._eval(target.slice)] = value
        else:  # a tuple or list of targets: the static check allows nothing else
            values = list(value)
            if len(values) != len(target.elts):
                raise ValueError(f"cannot unpack {len(values)} values into {len(target.elts)} targets")
            for element, item in zip(target.elts, values, strict=True):
                self._assign(element, item)


_local = threading.local()  # one evaluator per thread: it holds per-call state (names, counters)


def _evaluator() -> _Evaluator:
    evaluator = getattr(_local, "evaluator", None)
    if evaluator is None:
        evaluator = _local.evaluator = _Evaluator()
    return evaluator


def _parsed(source: str, mode: str) -> Any:
    try:
        return _compile(source, mode)
    except UnsafeExpression:
        raise
    except ValidationError as exc:  # a syntax error found at run time is a bug in the model
        raise ExpressionFailed(str(exc), source) from None


def _reraise(exc: Exception, source: str, line: int | None) -> NoReturn:
    """Refusals stay UnsafeExpression (with the script line); everything else becomes ExpressionFailed."""
    where = f"line {line}: " if line else ""
    if isinstance(exc, UnsafeExpression):
        if exc.problems[0].line or not line:
            raise exc
        raise type(exc).single(exc.problems[0].message, line=line) from exc
    if isinstance(exc, NameNotDefined):
        raise ExpressionFailed(f"{where}name {exc.name!r} is not defined", source) from exc
    if isinstance(exc, simpleeval.IterableTooLong):
        raise _refuse(f"result too long (more than {MAX_LENGTH:,} characters or items)", line) from exc
    if isinstance(exc, InvalidExpression):
        raise _refuse(str(exc), line) from exc
    raise ExpressionFailed(f"{where}{type(exc).__name__}: {exc}", source) from exc


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """Evaluate one Python expression against task data, refusing anything outside the allow-lists."""
    node = _parsed(expression, "eval")
    evaluator = _evaluator()
    evaluator.start(expression, names)
    try:
        result = evaluator._eval(node)
        if isinstance(result, _CONTAINERS):
            _check_size(result, MAX_DATA_SIZE, "the value of this expression")
        return result
    except Exception as exc:
        _reraise(exc, expression, None)
    finally:
        evaluator.names = {}  # don't keep task data alive between calls


def execute(script: str, context: dict[str, Any]) -> None:
    """Run a small script; its assignments update `context` in place, as SpiffWorkflow script tasks expect."""
    body = _parsed(script, "exec")
    evaluator = _evaluator()
    evaluator.start(script, context)
    try:
        evaluator.run(body)
        _check_size(context, MAX_DATA_SIZE, "the task data this script produced")
    except Exception as exc:
        _reraise(exc, script, evaluator.line)
    finally:
        evaluator.names = {}


def check(source: str, mode: str = "eval") -> None:
    """Check an expression ("eval") or script ("exec") at deploy time without running it.

    Raises UnsafeExpression for refused constructs and ValidationError if it does not parse.
    """
    _compile(source, mode)
