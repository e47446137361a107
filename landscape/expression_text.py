"""Formula text before it becomes a tree: length and character checks, '^' as power, and
``ast.parse`` with Python's SyntaxError turned into a sentence a person understands.

Every refusal that has a place says where, against the text as the user typed it: the 1-based
position of the offending part and that part itself (``refuse``). Parts of the formula are quoted
as code (`x**2`), which reads as quoted text and keeps a page that renders its messages as Markdown
from turning ``__import__`` into bold "import" or ``2*x*y`` into italics. ``from_expression``
parses a whitespace-collapsed copy (its cache key) and moves positions back with ``relocate``.
"""

from __future__ import annotations

import ast
import keyword
import re
import warnings

from landscape.expression_functions import FUNCTIONS, ExpressionError

MAX_LENGTH = 500
MAX_DEPTH = 50  # nesting levels (parentheses here, the tree in expression_parse)
MAX_QUOTE = 30  # longest part of the formula quoted in a message

EXAMPLE = "e.g. x**2 + 3*y**2 or sin(x)*cos(y)"


ALLOWED = (
    "Allowed: numbers, x, y, pi, e, + - * / ** ^ and parentheses, and the functions "
    + ", ".join(FUNCTIONS)
    + "."
)
IMPLICIT = ("Implicit multiplication is not supported: write `2*x`, not `2x`, and "
            "`(x+1)*(y-1)`.")


SYNTAX_HINTS = {
    ":=": "assignments (:=) are not allowed",
    "=": "'=' is not allowed: type only the right-hand side, like `x**2 + y**2`",
    ":": "':' is not allowed (no lambdas, slices or dictionaries)",
}
REFUSED_CHARS = {
    "#": "comments (#) are not allowed",
    "\\": "backslashes are not allowed",
    ";": "type one formula only: ';' is not allowed",
}
CHAR_HINTS = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "²": "**2", "π": "pi"}
#: One token of formula text: a name, a number (with its exponent), a two-character operator, or
#: any other single character.
TOKEN = r"[A-Za-z_]\w*|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\*\*|//|:=|[=!<>]=|\S"
#: Two things side by side with no operator between them (2x, 2 x, x y, (x+1)(y), x (y)).
JUXTAPOSED = r"\d\s*[a-df-zA-DF-Z_(]|\d\s+[eE]|\)\s*[\w(]|\w\s+[\w(]"


def quote(part: str) -> str:
    """A part of the formula as a code span: `x**2`, shortened past MAX_QUOTE characters."""
    short = part if len(part) <= MAX_QUOTE else part[: MAX_QUOTE - 3]
    fence = "``" if "`" in short else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{short}{pad}{fence}" + ("..." if short != part else "")


def token_at(text: str, start: int) -> tuple[int, int]:
    """(start, end) of the token of ``text`` that begins at ``start`` (one character if none)."""
    match = re.match(TOKEN, text[start:])
    return start, start + (len(match.group()) if match else 1)


def refuse(message: str, text: str = "", start: int | None = None, end: int | None = None,
           hint: str = "") -> ExpressionError:
    """An ExpressionError: a capitalised sentence, then, when ``start`` is given, where in
    ``text`` (1-based position and the part from ``start`` to ``end``, by default one token,
    unless the sentence already quotes it), then ``hint`` (further sentences)."""
    reason = message[0].upper() + message[1:]
    span = None
    where = ""
    if start is not None and text:
        start = min(max(start, 0), max(len(text) - 1, 0))
        span = token_at(text, start) if end is None or end <= start else (start, end)
        part = quote(text[span[0] : span[1]])
        where = f" (at position {span[0] + 1})" if part in reason else \
            f" (at position {span[0] + 1}: {part})"
    body = reason.rstrip(".") + where + "."
    return ExpressionError(body + (" " + hint if hint else ""), reason=reason, hint=hint,
                           text=text, span=span)


def relocate(err: ExpressionError, parsed: str, original: str,
             index: list[int]) -> ExpressionError:
    """``err`` about ``parsed`` (a normalised copy of ``original``; ``index[i]`` is where its
    character i came from, plus one entry for its end) restated against ``original``."""
    if err.span is None or err.text != parsed:
        return err
    start, end = err.span
    new_start = index[start]
    new_end = index[end - 1] + 1 if end > start else new_start
    return refuse(err.reason, original, new_start, new_end, err.hint)


def collapse_whitespace(text: str) -> tuple[str, list[int]]:
    """``" ".join(text.split())`` and, for each of its characters (and its end), the index in
    ``text`` it came from (a collapsed run of whitespace maps to the run's first character)."""
    out: list[str] = []
    index: list[int] = []
    for match in re.finditer(r"\S+", text):
        if out:
            out.append(" ")
            index.append(index[-1] + 1)
        out.append(match.group())
        index.extend(range(match.start(), match.end()))
    index.append(index[-1] + 1 if index else len(text))
    return "".join(out), index


def check_characters(text: str, offset: int = 0, original: str = "") -> None:
    """Refuse non-ASCII and control characters early, with a hint for look-alikes. ``text`` is
    ``original[offset:]`` (the stripped formula); positions are reported in ``original``."""
    original = original or text
    for i, ch in enumerate(text):
        if ch in REFUSED_CHARS:
            raise refuse(REFUSED_CHARS[ch], original, offset + i, offset + i + 1)
        if ch in CHAR_HINTS:
            raise refuse(f"the character {quote(ch)} is not allowed; write {quote(CHAR_HINTS[ch])}",
                         original, offset + i, offset + i + 1)
        if not (ch.isascii() and (ch.isprintable() or ch in "\t\n\r")):
            raise refuse(f"the character {ch!r} is not allowed", original, offset + i,
                         offset + i + 1, hint=ALLOWED)


def source_index(source: str, lineno: int | None, col: int | None,
                 end: bool = False) -> int | None:
    """Index in ``source`` of (1-based line, 0-based column), or None past its end (``end``:
    the end of the source itself is a valid index, as the end of a span)."""
    if lineno is None or col is None:
        return None
    starts = [0] + [m.end() for m in re.finditer("\n", source)]
    if not 1 <= lineno <= len(starts):
        return None
    i = starts[lineno - 1] + col
    return i if 0 <= i < len(source) + end else None


def syntax_message(err: SyntaxError, text: str, source: str,
                   columns: list[int]) -> ExpressionError:
    """A friendly version of Python's SyntaxError, pointing at the text as typed: ``source`` is
    what Python parsed and ``columns[i]`` the index in ``text`` of its character i."""
    at = source_index(source, err.lineno, (err.offset or 0) - 1)
    col = None if at is None else columns[at]
    msg = (err.msg or "").lower()
    for word in re.finditer(r"[A-Za-z_]\w*", text):
        if keyword.iskeyword(word.group()):
            return refuse(f"{quote(word.group())} is a Python keyword, not part of a formula",
                          text, word.start(), word.end(), hint=ALLOWED)
    for token, hint in SYNTAX_HINTS.items():
        if token in text:
            i = text.index(token)
            return refuse(hint, text, i, i + len(token))
    if col is not None and "never closed" in msg:
        return refuse("the parentheses do not match: this `(` is never closed", text, col,
                      col + 1)
    if col is not None and "unmatched" in msg:
        return refuse("the parentheses do not match: this `)` closes nothing", text, col, col + 1)
    if "does not match" in msg:
        return refuse("the parentheses do not match", text, col)
    last = list(re.finditer(TOKEN, text))
    if col is None and last:  # Python ran out of text: the formula stops mid-way
        tail = last[-1]
        return refuse(f"the formula ends with {quote(tail.group())}: something is missing "
                      "after it", text, tail.start(), tail.end())
    side_by_side = list(re.finditer(JUXTAPOSED, text))
    near = [m for m in side_by_side if col is not None and m.start() <= col <= m.end()]
    if near or side_by_side:
        m = (near or side_by_side)[0]
        return refuse("this is not a formula I can read", text, m.start(), m.end(), hint=IMPLICIT)
    if "unterminated string" in msg or "string literal" in msg:
        return refuse("text strings are not allowed", text, col, hint=ALLOWED)
    return refuse(f"this is not a formula I can read ({msg})", text, col, hint=ALLOWED)


def check_parentheses(text: str) -> None:
    """Refuse parentheses nested deeper than MAX_DEPTH (they leave no trace in the ast)."""
    depth = deepest = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        raise refuse(f"too many nested parentheses ({deepest}, at most {MAX_DEPTH})")


def tokens_to_python(text: str, offset: int = 0) -> tuple[str, list[int]]:
    """Replace '^' by '**' (so 2^3^2 and x^2+y^2 mean what a person means) and map columns back:
    ``columns[i]`` is ``offset`` plus the index in ``text`` of source character i (one more entry
    for the end)."""
    out: list[str] = []
    columns: list[int] = []
    for i, ch in enumerate(text):
        piece = "**" if ch == "^" else ch
        out.append(piece)
        columns.extend([offset + i] * len(piece))
    columns.append(offset + len(text))
    return "".join(out), columns


def read(text: object) -> tuple[ast.Expression, str, str, list[int]]:
    """Checked text -> (ast tree in mode "eval", the text, the Python source parsed, column map
    from the source back to the text). Leading and trailing whitespace is ignored; positions in
    messages count in ``text`` as given."""
    if not isinstance(text, str):
        raise ExpressionError(f"A formula must be text, not {type(text).__name__}.")
    stripped = text.strip()
    if not stripped:
        raise ExpressionError(f"Type a formula in x and y, {EXAMPLE}.")
    if len(stripped) > MAX_LENGTH:
        raise ExpressionError(
            f"The formula is too long ({len(stripped)} characters, at most {MAX_LENGTH})."
        )
    lead = len(text) - len(text.lstrip())
    check_characters(stripped, lead, text)
    check_parentheses(stripped)
    source, columns = tokens_to_python(stripped, lead)
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" warnings for '1if'
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise syntax_message(err, text, source, columns) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"This is not a formula I can read ({type(err).__name__}).") from None
    return tree, text, source, columns
