"""Formula text before it becomes a tree: length and character checks, '^' as power, and
``ast.parse`` with Python's SyntaxError turned into a sentence a person understands."""

from __future__ import annotations

import ast
import keyword
import re
import warnings

from landscape.expression_functions import FUNCTIONS, ExpressionError

MAX_LENGTH = 500
MAX_DEPTH = 50  # nesting levels (parentheses here, the tree in expression_parse)

EXAMPLE = "e.g. x**2 + 3*y**2 or sin(x)*cos(y)"


ALLOWED = (
    "Allowed: numbers, x, y, pi, e, + - * / ** ^ and parentheses, and the functions "
    + ", ".join(FUNCTIONS)
    + "."
)
IMPLICIT = "Implicit multiplication is not supported: write 2*x, not 2x, and (x+1)*(y-1)."


SYNTAX_HINTS = {
    ":=": "assignments (:=) are not allowed",
    "=": "'=' is not allowed: type only the right-hand side, like x**2 + y**2",
    ":": "':' is not allowed (no lambdas, slices or dictionaries)",
}
REFUSED_CHARS = {
    "#": "comments (#) are not allowed",
    "\\": "backslashes are not allowed",
    ";": "type one formula only: ';' is not allowed",
}
CHAR_HINTS = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "²": "**2", "π": "pi"}


def refuse(message: str, text: str = "", col: int | None = None) -> ExpressionError:
    """An ExpressionError with a capitalised sentence and, if known, where in the text."""
    where = ""
    if col is not None and text:
        where = f" (at position {col + 1}: '{text[max(col - 8, 0) : col + 8]}')"
    end = "" if message.endswith(".") else "."
    return ExpressionError(message[0].upper() + message[1:] + where + end)


def check_characters(text: str) -> None:
    """Refuse non-ASCII and control characters early, with a hint for look-alikes."""
    for i, ch in enumerate(text):
        if ch in REFUSED_CHARS:
            raise refuse(REFUSED_CHARS[ch], text, i)
        if ch in CHAR_HINTS:
            raise refuse(f"the character '{ch}' is not allowed; write '{CHAR_HINTS[ch]}'", text, i)
        if not (ch.isascii() and (ch.isprintable() or ch in "\t\n\r")):
            raise refuse(f"the character {ch!r} is not allowed. {ALLOWED}", text, i)


def syntax_message(err: SyntaxError, text: str, columns: list[int]) -> ExpressionError:
    """A friendly version of Python's SyntaxError, pointing at the original text."""
    col = columns[min(max((err.offset or 1) - 1, 0), len(columns) - 1)] if columns else 0
    msg = (err.msg or "").lower()
    words = set(re.findall(r"[A-Za-z_]\w*", text))
    python_words = sorted(words & set(keyword.kwlist))
    if python_words:
        return refuse(f"'{python_words[0]}' is a Python keyword, not part of a formula. {ALLOWED}")
    for token, hint in SYNTAX_HINTS.items():
        if token in text:
            return refuse(hint, text, text.index(token))
    if re.search(r"\d\s*[a-df-zA-DF-Z_(]|\d\s+[eE]|\)\s*[\w(]|\w\s+[\w(]", text):
        return refuse(f"this is not a formula I can read. {IMPLICIT}", text, col)
    if "never closed" in msg or "unmatched" in msg or "does not match" in msg:
        return refuse("the parentheses do not match", text, col)
    return refuse(f"this is not a formula I can read ({msg}). {ALLOWED}", text, col)


def check_parentheses(text: str) -> None:
    """Refuse parentheses nested deeper than MAX_DEPTH (they leave no trace in the ast)."""
    depth = deepest = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise refuse(f"too many nested parentheses ({deepest}, at most {MAX_DEPTH})")


def tokens_to_python(text: str) -> tuple[str, list[int]]:
    """Replace '^' by '**' (so 2^3^2 and x^2+y^2 mean what a person means) and map columns back."""
    out: list[str] = []
    columns: list[int] = []
    for i, ch in enumerate(text):
        piece = "**" if ch == "^" else ch
        out.append(piece)
        columns.extend([i] * len(piece))
    columns.append(len(text))
    return "".join(out), columns


def read(text: object) -> tuple[ast.Expression, str, list[int]]:
    """Checked text -> (ast tree in mode "eval", stripped text, column map back to the text)."""
    if not isinstance(text, str):
        raise ExpressionError(f"A formula must be text, not {type(text).__name__}.")
    text = text.strip()
    if not text:
        raise ExpressionError(f"Type a formula in x and y, {EXAMPLE}.")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"The formula is too long ({len(text)} characters, at most {MAX_LENGTH})."
        )
    check_characters(text)
    check_parentheses(text)
    source, columns = tokens_to_python(text)
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" warnings for '1if'
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise syntax_message(err, text, columns) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"This is not a formula I can read ({type(err).__name__}).") from None
    return tree, text, columns
