"""The restricted evaluator: what BPMN models may do, what they may not, and how each failure is reported."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import UnsafeExpression, ValidationError
from engine.expressions import MAX_ITERATIONS, ExpressionFailed, check, evaluate, execute

DATA = {"amount": 150, "status": "ok", "items": [1, 2, 3], "order": {"lines": [{"qty": 2}], "ref": "A-1"}}

# (source, fragment of the message) refused wherever an expression is accepted.
REFUSED_EXPRESSIONS = [
    ("__import__('os')", "name '__import__' is not allowed"),
    ("open('/etc/passwd')", "name 'open' is not allowed"),
    ("eval('1')", "name 'eval' is not allowed"),
    ("exec('1')", "name 'exec' is not allowed"),
    ("getattr(status, 'upper')", "name 'getattr' is not allowed"),
    ("compile('1', 'x', 'eval')", "name 'compile' is not allowed"),
    ("globals()", "name 'globals' is not allowed"),
    ("().__class__.__base__.__subclasses__()", "attribute '__subclasses__' is not allowed"),
    ("status.__class__", "attribute '__class__' is not allowed"),
    ("_secret", "name '_secret' is not allowed"),
    ("'{0.__class__}'.format(1)", "attribute 'format' is not allowed"),
    ("isinstance(amount, int)", "function 'isinstance' is not allowed"),
    ("lambda: 1", "lambda is not allowed"),
    ("(y := 1)", ":= operator is not allowed"),
    ("max(*items)", "* unpacking is not allowed"),
    ("dict(**order)", "** unpacking is not allowed"),
    ("order['lines'][0].get.__self__", "attribute '__self__' is not allowed"),
]
# Refused only once the value's type is known, so check() cannot see them.
REFUSED_AT_RUN_TIME = [
    ("status.encode()", "attribute 'encode' is not allowed"),
    ("amount.to_bytes(10**9, 'big')", "attribute 'to_bytes' is not allowed"),
    ("due.replace(year=1)", "attribute 'replace' is not allowed"),
    ("items.__len__", "attribute '__len__' is not allowed"),
    ("len.__self__", "attribute '__self__' is not allowed"),
    ("len.x", "attribute access on builtin_function_or_method values is not allowed"),
]

# Statements refused in scripts.
REFUSED_STATEMENTS = [
    ("import os", "import is not allowed in BPMN scripts"),
    ("from os import path", "import is not allowed in BPMN scripts"),
    ("def f():\n    pass", "def is not allowed"),
    ("class C:\n    pass", "class is not allowed"),
    ("f = lambda: 1", "lambda is not allowed"),
    ("while True:\n    pass", "while is not allowed"),
    ("with x:\n    pass", "with is not allowed"),
    ("try:\n    pass\nexcept Exception:\n    pass", "try is not allowed"),
    ("global x", "global is not allowed"),
    ("nonlocal x", "nonlocal is not allowed"),
    ("return 1", "return is not allowed"),
    ("yield 1", "yield is not allowed"),
    ("async def f():\n    pass", "def is not allowed"),
    ("raise ValueError()", "raise is not allowed"),
    ("assert x", "assert is not allowed"),
    ("for i in items:\n    break", "break is not allowed"),
    ("order.ref = 1", "assigning to or deleting attributes is not allowed"),
    ("_hidden = 1", "name '_hidden' is not allowed"),
    ("x = 1\ny = open('f')", "line 2: name 'open' is not allowed"),
]


@pytest.mark.parametrize(("source", "message"), REFUSED_EXPRESSIONS + REFUSED_AT_RUN_TIME)
def test_evaluate_refuses_unsafe_expressions(source: str, message: str) -> None:
    with pytest.raises(UnsafeExpression) as raised:
        evaluate(source, {**DATA, "due": date(2026, 1, 31)})
    assert message in str(raised.value)


@pytest.mark.parametrize(("source", "message"), REFUSED_EXPRESSIONS + REFUSED_STATEMENTS)
def test_execute_refuses_unsafe_scripts(source: str, message: str) -> None:
    context = dict(DATA)
    with pytest.raises(UnsafeExpression) as raised:
        execute(source, context)
    assert message in str(raised.value)
    assert context == DATA  # refused before anything ran


@pytest.mark.parametrize(("source", "message"), REFUSED_EXPRESSIONS)
def test_check_refuses_unsafe_expressions_without_running_them(source: str, message: str) -> None:
    with pytest.raises(UnsafeExpression) as raised:
        check(source)
    assert message in str(raised.value)


@pytest.mark.parametrize(("source", "message"), REFUSED_STATEMENTS)
def test_check_refuses_unsafe_scripts(source: str, message: str) -> None:
    with pytest.raises(UnsafeExpression) as raised:
        check(source, "exec")
    assert message in str(raised.value)


def test_a_statement_where_an_expression_belongs_is_refused_if_unsafe_and_rejected_otherwise() -> None:
    with pytest.raises(UnsafeExpression, match="import is not allowed"):
        evaluate("import os", DATA)
    with pytest.raises(UnsafeExpression, match="import is not allowed"):
        check("import os")
    with pytest.raises(ValidationError) as raised:
        check("x = 1")
    assert not isinstance(raised.value, UnsafeExpression)
    with pytest.raises(ExpressionFailed, match="a single expression is expected"):
        evaluate("x = 1", DATA)


def test_check_reports_syntax_errors_as_validation_errors_not_unsafe() -> None:
    for source, mode in [("amount >", "eval"), ("if x\n    y = 1", "exec"), ("   ", "eval")]:
        with pytest.raises(ValidationError) as raised:
            check(source, mode)
        assert not isinstance(raised.value, UnsafeExpression)
    with pytest.raises(ExpressionFailed, match="syntax error"):
        evaluate("amount >", DATA)


def test_check_accepts_valid_sources_and_runs_nothing() -> None:
    assert check("10**10**8") is None  # a run-time bound: check must not compute it
    assert check("1 / 0") is None
    assert check("missing_name > 1") is None
    assert check("total = 0\nfor x in items:\n    total += x", "exec") is None
    with pytest.raises(ValueError):
        check("1", "single")


def test_huge_exponent_is_refused_before_it_is_computed() -> None:
    for source in ("10**10**8", "2**100000", "amount ** 10**7"):
        with pytest.raises(UnsafeExpression, match="exponent too large"):
            evaluate(source, DATA)  # refused before computing: computing it would not finish
    assert evaluate("2**64", {}) == 18446744073709551616
    assert evaluate("2 ** -1", {}) == 0.5


@pytest.mark.parametrize(
    "source",
    [
        "'a' * 10**9",
        "[0] * 10**9",
        "'a'.ljust(10**9)",
        "('a' * 100000).replace('a', 'aa')",
        "' '.join(['a' * 100000] * 10)",
        "('a' * 60000) + ('b' * 60000)",
        "range(10**100)",
        "range(200000)",
    ],
)
def test_size_bounds_on_strings_lists_and_ranges(source: str) -> None:
    with pytest.raises(UnsafeExpression, match="too long"):
        evaluate(source, DATA)


@pytest.mark.parametrize("source", ["f'{amount:>1000000000}'", "f'{1.5:.999999999f}'", "'%0999999999d' % 1"])
def test_format_widths_are_bounded(source: str) -> None:
    with pytest.raises(UnsafeExpression, match="format width or precision too large"):
        evaluate(source, DATA)


def test_number_growth_and_round_are_bounded() -> None:
    with pytest.raises(UnsafeExpression, match="number too large"):
        execute("x = 2\nfor i in range(40):\n    x = x * x", {})
    with pytest.raises(UnsafeExpression, match="number too large"):
        evaluate("1 << 10**9", {})
    with pytest.raises(UnsafeExpression, match="round"):
        evaluate("round(123, -10**9)", {})
    assert evaluate("round(2.675, 2)", {}) == round(2.675, 2)


def test_in_place_growth_and_shared_structures_are_bounded() -> None:
    with pytest.raises(UnsafeExpression, match="line 3: result too long"):
        execute("l = [1]\nfor i in range(25):\n    l.extend(l)", {})
    with pytest.raises(UnsafeExpression, match="too large"):
        execute("row = [0] * 100000\ngrid = [row] * 100000\ntext = str(grid)", {})
    with pytest.raises(UnsafeExpression, match="task data this script produced is too large"):
        execute("row = [0] * 1000\ngrid = [row] * 100000", {})
    with pytest.raises(ExpressionFailed, match="start value must be a number"):
        evaluate("sum([[0] * 100000] * 100000, [])", {})


def test_iteration_budget_covers_loops_and_comprehensions() -> None:
    context: dict = {}
    execute("n = 0\nfor i in range(300):\n    for j in range(300):\n        n += 1", context)
    assert context["n"] == 90_000
    with pytest.raises(UnsafeExpression, match="too many loop iterations") as raised:
        execute("for i in range(1000):\n    for j in range(1000):\n        pass", {})
    assert "line 2" in str(raised.value)
    with pytest.raises(UnsafeExpression, match="too many loop iterations"):
        evaluate("[1 for i in range(1000) for j in range(1000)]", {})
    with pytest.raises(UnsafeExpression, match="too many loop iterations"):  # one budget shared by both
        execute(f"for i in range({MAX_ITERATIONS // 2 + 1}):\n    pass\nx = [i for i in range(60000)]", {})
    assert len(evaluate("[i for i in range(50000)]", {})) == 50_000  # the budget is per call


@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_arithmetic_matches_python(a: int, b: int) -> None:
    names = {"a": a, "b": b}
    assert evaluate("a + b * 3 - (a - b)", names) == a + b * 3 - (a - b)
    assert evaluate("abs(a) ** 2", names) == abs(a) ** 2
    assert evaluate("-a // 7 + a % 5", names) == -a // 7 + a % 5
    if b:
        assert evaluate("a / b", names) == a / b
        assert evaluate("a // b, a % b", names) == divmod(a, b)
    else:
        with pytest.raises(ExpressionFailed, match="ZeroDivisionError"):
            evaluate("a / b", names)


@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_comparisons_and_boolean_logic_match_python(x: int, lo: int, hi: int) -> None:
    names = {"x": x, "lo": lo, "hi": hi}
    assert evaluate("lo < x <= hi", names) is (lo < x <= hi)
    assert evaluate("x == lo or x != hi and not x >= 0", names) == (x == lo or x != hi and not x >= 0)
    assert evaluate("'big' if x > hi else 'small'", names) == ("big" if x > hi else "small")
    assert evaluate("x in [lo, hi]", names) is (x in [lo, hi])


@given(st.text(max_size=50))
def test_string_methods_match_python(text: str) -> None:
    names = {"s": text}
    assert evaluate("s.strip().lower()", names) == text.strip().lower()
    assert evaluate("s.startswith('a') or len(s.split()) > 2", names) == (
        text.startswith("a") or len(text.split()) > 2
    )
    assert evaluate("f'<{s}>'", names) == f"<{text}>"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("amount > 100 and status == 'ok'", True),
        ("100 < amount <= 300", True),
        ("order['lines'][0]['qty'] * 2", 4),
        ("order.get('missing', 'default')", "default"),
        ("items[-1] + items[0]", 4),
        ("items[1:]", [2, 3]),
        ("sum(items) / len(items)", 2.0),
        ("sorted(items, reverse=True)", [3, 2, 1]),
        ("[x * 2 for x in items if x > 1]", [4, 6]),
        ("{k: v for k, v in order.items() if k == 'ref'}", {"ref": "A-1"}),
        ("any(x > 2 for x in items)", True),
        ("all([True, None is None, not False])", True),
        ("f'{status.upper()} {amount:>5} {amount / 3:.2f} {status!r}'", "OK   150 50.00 'ok'"),
        ("'A' in order['ref']", True),
        ("str(amount) + '%'", "150%"),
        ("int('42') + float('0.5') + round(2.5) + min(items) + max(1, 2)", 47.5),
        ("list(zip(items, 'abc'))[1]", (2, "b")),
        ("dict(enumerate(items))[2]", 3),
        ("tuple(set([1, 1])) + (True,)", (1, True)),
        ("list(range(2, 8, 3))", [2, 5]),
        ("'%s-%05.1f' % (status, 2.25)", "ok-002.2"),
        ("'PT72H'", "PT72H"),
        ("due.year == 2026 and due.isoformat() == '2026-01-31'", True),
        ("\n      amount > 100\n    ", True),  # BPMN XML indents its text
    ],
)
def test_allowed_expressions(source: str, expected: object) -> None:
    assert evaluate(source, {**DATA, "due": date(2026, 1, 31)}) == expected


def test_scripts_update_the_context_in_place() -> None:
    context = {"items": [5, 15, 25], "order": {"lines": [{"qty": 2}]}, "unused": 1}
    execute(
        """
        total, count = 0, 0
        big = []
        for i, value in enumerate(items):
            if value > 20:
                big.append(value)
            elif value > 10:
                pass
            else:
                count += 1
            total += value
        order["lines"][0]["qty"] *= 10
        order["status"] = "checked" if total > 40 else "low"
        order["lines"].append({"qty": 1})
        summary = f"{count} small, {len(big)} big, total {total}"
        del unused
        del order["lines"][1]
        for key in ["a", "b"]:
            order[key] = key.upper()
        """,
        context,
    )
    assert context == {
        "items": [5, 15, 25],
        "order": {"lines": [{"qty": 20}], "status": "checked", "a": "A", "b": "B"},
        "total": 45,
        "count": 1,
        "big": [25],
        "i": 2,
        "value": 25,
        "summary": "1 small, 1 big, total 45",
        "key": "b",
    }


def test_runtime_errors_are_expression_failures_not_unsafe() -> None:
    with pytest.raises(ExpressionFailed) as raised:
        evaluate("amount > 100", {})
    assert "name 'amount' is not defined" in str(raised.value)
    assert "amount > 100" in str(raised.value)
    assert not isinstance(raised.value, UnsafeExpression)
    for source, kind in [
        ("order['nope']", "KeyError"),
        ("amount / 0", "ZeroDivisionError"),
        ("status > 1", "TypeError"),
        ("items[10]", "IndexError"),
        ("status.nope", "AttributeError"),
        ("int('x')", "ValueError"),
    ]:
        with pytest.raises(ExpressionFailed, match=kind):
            evaluate(source, DATA)


def test_script_runtime_errors_name_the_line() -> None:
    context = {"a": 1}
    with pytest.raises(ExpressionFailed, match="line 2: name 'missing' is not defined") as raised:
        execute("b = a + 1\nc = missing * 2", context)
    assert "c = missing * 2" in str(raised.value)
    assert context == {"a": 1, "b": 2}  # like exec: statements before the error took effect
    with pytest.raises(ExpressionFailed, match="name 'gone' is not defined"):
        execute("del gone", {})
    with pytest.raises(ExpressionFailed, match="cannot unpack 3 values into 2 targets"):
        execute("x, y = [1, 2, 3]", {})
    with pytest.raises(ExpressionFailed, match="RuntimeError"):
        execute("d = {'a': 1}\nfor k in d:\n    d[k + 'x'] = 1", {})


def test_a_failure_inside_a_comprehension_leaves_the_evaluator_usable() -> None:
    with pytest.raises(ExpressionFailed):
        evaluate("[missing for x in items]", DATA)
    assert evaluate("[x for x in items]", DATA) == [1, 2, 3]
    assert evaluate("x", {"x": "outer"}) == "outer"


def test_evaluation_is_thread_safe() -> None:
    errors: list[str] = []

    def worker(n: int) -> None:
        for _ in range(300):
            if evaluate("[v * 2 for v in values][-1] + n", {"values": list(range(n)), "n": n}) != 3 * n - 2:
                errors.append(f"wrong result in thread {n}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
