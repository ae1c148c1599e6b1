"""How input-derived text is written, one policy per output kind.

Export names, claim values, file names and messages built from them can hold
anything: a newline or CR (a forged line), ESC/CSI (terminal escapes), NUL, BS,
BEL, the bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E/F,
U+061C: text that reads other than it is), U+2028/U+2029 (line breaks to some
viewers). Every writer of a report or a message calls the function here for
its kind of output, and no other escaping:

- `terminal`: text for a terminal or a CI log. Every character that is not
  printable (C0, DEL, C1, Unicode format, separator, surrogate, private and
  unassigned code points) is shown as `\\xNN`, `\\uNNNN` or `\\UNNNNNNNN`;
  `log_line` (and `lines`, for whole outputs) also keeps a line that starts with
  input from reading as a workflow command (`::` at its start is shown as `\\x3a:`).
- `workflow_data`, `workflow_property`: GitHub workflow commands
  (`::error file=...::message`): `terminal`, then the escaping of
  actions/toolkit, so that no value can end the command or start another.
- `markdown_text`, `markdown_code`: GitHub Markdown (step summaries, pull-request
  comments): `terminal`, then every markup character escaped, @mentions,
  #references and bare URLs broken with a zero-width space entity, HTML
  escaped; names in code spans, where nothing renders.
- `html_text`: `terminal`, then HTML-escaped (attributes too).
- `visible`: the same, inside a JSON value that a page's script displays.
- `json_text`: JSON reports stay lossless (consumers match names exactly), but
  every non-printable character is written as a `\\uXXXX` escape, so the file
  itself cannot forge lines or reorder text in a terminal or an editor, and a
  lone surrogate cannot make it unwritable as UTF-8.
- `sarif_message`: SARIF message text (rendered by code-scanning viewers):
  `terminal`, and the brackets of `[text](...)` escaped so no name forms an
  embedded link.
"""

from __future__ import annotations

import json
import re
from typing import Any


def _escape_char(c: str) -> str:
    n = ord(c)
    if n <= 0xFF:
        return f"\\x{n:02x}"
    if n <= 0xFFFF:
        return f"\\u{n:04x}"
    return f"\\U{n:08x}"


def terminal(text: str) -> str:
    """Untrusted text cannot move the cursor, forge lines or reorder what is read (CWE-150)."""
    if text.isprintable():  # the common case, at C speed
        return text
    return "".join(c if c.isprintable() else _escape_char(c) for c in text)


def lines(text: str) -> str:
    """Text of several lines, each of them `terminal`: only our own line breaks stay."""
    return "\n".join(log_line(terminal(line)) for line in text.split("\n"))


def log_line(line: str) -> str:
    """A line of a CI log that starts with input (a file name, a claim): it cannot be a workflow command.

    The Actions runner takes any line that starts with `::` after leading spaces as a command.
    """
    if line.lstrip().startswith("::"):
        return line.replace(":", "\\x3a", 1)
    return line


def workflow_data(text: str) -> str:
    """The message of a workflow command (as actions/toolkit escapes it, after `terminal`)."""
    return terminal(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property value of a workflow command (`file=`, `title=`): `:` and `,` too."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


_MARKUP = r"([\\`*_\[\]!|~<>])"  # patterns compiled (and cached by re) when Markdown is written
# What GitHub links without markup: @user and @org/team mentions, #123 and GH-123
# references, bare URLs and www. hosts. A zero-width space (as an entity, so the
# source stays ASCII) after the trigger breaks each, and renders as nothing.
_AUTOLINK = r"(?i)(?<=@)(?=[A-Za-z0-9])|(?<=#)(?=\d)|(?<=GH)(?=-\d)|(?<=:)(?=//)|(?<=www)(?=\.)"
ZERO_WIDTH = "&#8203;"


def markdown_text(text: str | None) -> str:
    """Free text in Markdown: nothing in it renders as markup, a link, an image, a mention or HTML."""
    out = terminal(text or "").replace("&", "&amp;")
    out = re.sub(_MARKUP, r"\\\1", out)
    out = out.replace("\\<", "&lt;").replace("\\>", "&gt;")
    return re.sub(_AUTOLINK, ZERO_WIDTH, out)


def markdown_code(text: str | None) -> str:
    """A name as a Markdown code span (no markup, link or mention renders inside); `|` escaped for tables."""
    inner = terminal(text or "").replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", inner)), default=0) + 1)
    pad = " " if inner.startswith("`") or inner.endswith("`") or not inner.strip() else ""
    return f"{fence}{pad}{inner}{pad}{fence}"


def html_text(text: str | None) -> str:
    """Input-derived text as HTML: control characters made visible, then escaped (attributes too)."""
    import html

    return html.escape(terminal(text or ""), quote=True)


def visible(value: Any) -> Any:
    """Every string in a JSON-shaped value made `terminal`, for a script that displays it."""
    if isinstance(value, str):
        return terminal(value)
    if isinstance(value, dict):
        return {terminal(k) if isinstance(k, str) else k: visible(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [visible(v) for v in value]
    return value


def _json_escape(c: str) -> str:
    n = ord(c)
    if n <= 0xFFFF:
        return f"\\u{n:04x}"
    n -= 0x10000
    return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"


def json_text(value: Any, **dumps: Any) -> str:
    """`json.dumps` without ASCII escaping, but with every non-printable character escaped."""
    return printable_json(json.dumps(value, ensure_ascii=False, **dumps))


def printable_json(text: str) -> str:
    """JSON text (as json.dumps writes it, ensure_ascii=False) with every non-printable character escaped."""
    if text.isprintable() or text.replace("\n", "").isprintable():  # the common case, at C speed
        return text
    # outside strings json.dumps writes only printable text, newlines and spaces (indent)
    return "\n".join(
        line if line.isprintable() else "".join(c if c.isprintable() else _json_escape(c) for c in line)
        for line in text.split("\n")
    )


def sarif_message(text: str) -> str:
    """SARIF message text: `terminal`; where a `[text](id)` link could form, every bracket escaped (SARIF 3.11.6)."""
    out = terminal(text)
    if "](" not in out:  # plain brackets ("inherits: [base]") stay as they read
        return out
    return out.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
