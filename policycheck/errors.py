"""The errors policycheck raises. The library raises; only the CLI prints and exits."""

from __future__ import annotations

from collections.abc import Iterable


def shown(text: str, limit: int = 40) -> str:
    """A name quoted in a message: terminal text (policycheck.escaping), cut short (input names can be anything)."""
    from .escaping import terminal

    text = terminal(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def quoted(text: str, limit: int = 40) -> str:
    """`shown`, in quotes as repr() would choose them (repr itself would double the escapes' backslashes)."""
    inner = shown(text, limit)
    return f'"{inner}"' if "'" in inner and '"' not in inner else "'" + inner.replace("'", "\\'") + "'"


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of `offset` in `text`, for an InputError."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


class PolicycheckError(Exception):
    """Policycheck could not do its job (bad input, bad usage): exit code 2."""

    said_before: str = ""
    """What the loaders said before the error, for stderr ahead of it: a file skipped may be its cause."""


class InputError(PolicycheckError):
    """A problem in one input file, at a line and column when known.

    The message is built from structured facts (what was expected, which key),
    never from an input value or a library's exception text, so that no secret
    from an export or a token can reach the output.
    """

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None):
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class InputErrors(PolicycheckError):
    """Several input errors, one line each."""

    def __init__(self, errors: Iterable[InputError]):
        self.errors = tuple(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class UsageError(PolicycheckError):
    """A bad option, a missing file, a configuration that cannot be used."""
