"""Where each key of a TOML file is: ``tomllib`` gives values without positions, so findings
about a spec could not name its lines. This scanner follows TOML's structure (tables, arrays of
tables, dotted and quoted keys, inline tables, arrays, the four kinds of strings, comments)
without reading the values, and records the line of every key and array element.

Paths are tuples of keys and indexes, as the parsed document nests them:
``("cernvm", "users", 1, "password")``. :func:`line_of` answers with the nearest recorded
ancestor, so every path has a line once the document parsed."""

from __future__ import annotations

from dataclasses import dataclass, field

Path = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Lines:
    """Lines of a parsed TOML document by path (1-based)."""

    at: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        while path:
            if path in self.at:
                return self.at[path]
            path = path[:-1]
        return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.lines = Lines()
        self.tables: dict[Path, int] = {}  # array-of-tables path -> elements so far

    # ------------------------------------------------------------ characters
    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.text[j] if j < len(self.text) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i < len(self.text) and self.text[self.i] == "\n":
                self.line += 1
            self.i += 1

    def skip_blank(self, newlines: bool) -> None:
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.advance()
            elif ch == "#":
                while self.i < len(self.text) and self.text[self.i] != "\n":
                    self.i += 1
            else:
                return

    # ------------------------------------------------------------ keys
    def key(self) -> list[str]:
        """A dotted key: ``a.b``, ``"a b".c``, ``'x'``."""
        parts = [self.simple_key()]
        self.skip_blank(False)
        while self.peek() == ".":
            self.advance()
            self.skip_blank(False)
            parts.append(self.simple_key())
            self.skip_blank(False)
        return parts

    def simple_key(self) -> str:
        ch = self.peek()
        if ch in ('"', "'"):
            return self.string()
        start = self.i
        while self.peek() and self.peek() in _BARE:
            self.i += 1
        return self.text[start : self.i]

    def string(self) -> str:
        """A string of any of TOML's four kinds; its text (for keys: escapes decoded)."""
        quote = self.peek()
        if self.text.startswith(quote * 3, self.i):
            end = self.text.find(quote * 3, self.i + 3)
            while end != -1 and quote == '"' and _escaped(self.text, end):
                end = self.text.find(quote * 3, end + 1)
            end = len(self.text) if end == -1 else end + 3
            while self.text.startswith(quote, end):  # up to two quotes may end the content
                end += 1
            body = self.text[self.i + 3 : end - 3]
            self.advance(end - self.i)
            return body
        self.advance()
        out: list[str] = []
        while self.i < len(self.text) and self.peek() not in (quote, "\n"):
            ch = self.peek()
            if quote == '"' and ch == "\\":
                nxt = self.peek(1)
                if nxt in ("u", "U"):
                    width = 4 if nxt == "u" else 8
                    digits = self.text[self.i + 2 : self.i + 2 + width]
                    try:
                        out.append(chr(int(digits, 16)))
                    except ValueError:
                        out.append(digits)
                    self.advance(2 + width)
                    continue
                out.append(_ESCAPES.get(nxt, nxt))
                self.advance(2)
                continue
            out.append(ch)
            self.advance()
        self.advance()  # the closing quote
        return "".join(out)

    # ------------------------------------------------------------ values
    def value(self, path: Path) -> None:
        ch = self.peek()
        if ch in ('"', "'"):
            self.string()
        elif ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        else:
            while self.peek() and self.peek() not in ",]}\n#":
                self.i += 1

    def array(self, path: Path) -> None:
        self.advance()  # '['
        index = 0
        while True:
            self.skip_blank(True)
            if self.peek() in ("]", ""):
                self.advance()
                return
            self.lines.at[(*path, index)] = self.line
            self.value((*path, index))
            self.skip_blank(True)
            if self.peek() == ",":
                self.advance()
            index += 1

    def inline_table(self, path: Path) -> None:
        self.advance()  # '{'
        while True:
            self.skip_blank(True)
            if self.peek() in ("}", ""):
                self.advance()
                return
            self.key_value(path)
            self.skip_blank(True)
            if self.peek() == ",":
                self.advance()

    def key_value(self, table: Path) -> None:
        line = self.line
        parts = self.key()
        for n in range(1, len(parts) + 1):
            self.lines.at.setdefault((*table, *parts[:n]), line)
        self.skip_blank(False)
        if self.peek() == "=":
            self.advance()
            self.skip_blank(False)
            self.value((*table, *parts))

    # ------------------------------------------------------------ document
    def document(self) -> Lines:
        table: Path = ()
        while True:
            self.skip_blank(True)
            if self.i >= len(self.text):
                return self.lines
            if self.peek() == "[":
                table = self.header()
            else:
                start = self.i
                self.key_value(table)
                if self.i == start:  # not TOML; tomllib has refused it already
                    self.advance()
            while self.peek() and self.peek() != "\n":  # the rest of the line: a comment
                self.i += 1

    def header(self) -> Path:
        line = self.line
        double = self.peek(1) == "["
        self.advance(2 if double else 1)
        self.skip_blank(False)
        parts = self.within_arrays(tuple(self.key()))
        self.advance(2 if double else 1)
        if double:
            index = self.tables.get(parts, 0)
            self.tables[parts] = index + 1
            self.lines.at.setdefault(parts, line)
            parts = (*parts, index)
        self.lines.at.setdefault(parts, line)
        return parts

    def within_arrays(self, key: tuple[str, ...]) -> Path:
        """``[a.b]`` after ``[[a]]`` is a table in a's last element: ``("a", 0, "b")``."""
        out: Path = ()
        for n, part in enumerate(key):
            out = (*out, part)
            if n < len(key) - 1 and out in self.tables:
                out = (*out, self.tables[out] - 1)
        return out


def _escaped(text: str, at: int) -> bool:
    """Whether the quote at ``at`` follows an odd number of backslashes."""
    n = 0
    while at - n - 1 >= 0 and text[at - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def locate(text: str) -> Lines:
    """The line of every key and array element of a document ``tomllib`` has parsed."""
    return _Scanner(text).document()


def dotted(path: Path) -> str:
    """A path as the user writes the key: ``cernvm.users[1].password``; a key that is not a
    bare key quoted as TOML quotes it (``hosts."a b"``)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        name = part if part and all(c in _BARE for c in part) else _quoted(part)
        out += f".{name}" if out else name
    return out


def _quoted(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'
