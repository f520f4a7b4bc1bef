"""The words and operators of a shell text as bash's lexer cuts them, for reading context.sh
statically (guest-format.md §4: HEPiX sources context.sh with bash as root).

What this knows of bash: only an unquoted newline ends a line; blanks are space and tab; a
backslash-newline is removed wherever it is unquoted (also between and inside words, never in
a comment or in single quotes); ``#`` starts a comment only at the start of a word; single
quotes keep everything; in double quotes a backslash escapes only ``$ ` " \\`` and newline;
``$'...'`` is ANSI-C quoting, decoded here; ``$"..."`` is translated with the guest's message
catalogs, so its value is not known for sure; ``$name``, ``${...}``, ``$(...)``, ``$((...))``,
``$[...]`` and backticks are expansions, skipped over so that the next word is still found; a
``$`` that starts none of these is a literal ``$``; the operators are ``; & | ( ) < >`` and their
combinations; here-document bodies are not words. Where the skipping of an expansion may be
wrong (a ``case`` inside ``$(...)``), :attr:`Lexer.loose` says so.
"""

from __future__ import annotations

import re

from cvmctx.guest.contextsh.tokens import NAME_CHAR, Broken, Newline, Op, Token, Word, ansi_escape

__all__ = ["Broken", "Lexer", "Newline", "Op", "Token", "Word"]
_OPERATORS = sorted(
    [";;&", ";;", ";&", ";", "&&", "&>>", "&>", "&", "||", "|&", "|", "<<<", "<<-", "<<", "<>",
     "<&", "<", ">>", ">&", ">|", ">", "(", ")"],
    key=len, reverse=True,
)  # fmt: skip


_OPERATOR_CHARS = frozenset("|&;<>()")
# Where a run of plain characters ends: the characters the lexer's loops look at one by one.
_UNQUOTED_SPECIAL = re.compile(r"[ \t\n|&;<>()\\'\"$`]")
_DOUBLE_QUOTED_SPECIAL = re.compile(r'[\\"$`]')




_MAX_NESTING = 50  # expansions inside expansions: deeper is given up (Broken, not sure)
_PLAIN_PARAMETER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-]")
_OPERATOR_PARAMETER = re.compile(r"[A-Za-z_0-9@*]+:?\?")  # ${NAME?...}: bash exits if unset
_RISKY = re.compile(r"\bcase\b|<<|#|\\\n")  # where skipping $( ... ) by counting may be wrong
_RISKY_BRACE = re.compile(r"['\"`\\]|\$\(")  # ${ ... }: quotes in it depend on where it is
_SPECIAL_PARAMETERS = frozenset("@*#?-$!0123456789")


class Lexer:
    """Tokens of ``text`` one by one; ``Newline(len(text))`` at the end, then again forever."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.loose = False  # an expansion was skipped by guesswork: bash may cut differently
        self._guessed = False
        self._nesting = 0
        self._heredocs: list[tuple[str, bool]] = []
        self._want_delimiter: bool | None = None  # after << (False) or <<- (True)

    @property
    def at_end(self) -> bool:
        return self.i >= len(self.text)

    def next(self) -> Token:
        text, n = self.text, len(self.text)
        i = self._skip_blanks(self.i)
        if i < n and text[i] == "#":
            while i < n and text[i] != "\n":
                i += 1
        if i >= n:
            self.i = n
            return Newline(n)
        if text[i] == "\n":
            self.i = self._heredoc_bodies(i + 1)
            return Newline(i)
        if text[i] in _OPERATOR_CHARS:
            op = next(o for o in _OPERATORS if text.startswith(o, i))
            self.i = i + len(op)
            if op in ("<<", "<<-"):
                self._want_delimiter = op == "<<-"
            return Op(op, i)
        self._guessed = False
        word = self._word(i)
        if isinstance(word, Word):
            word.guessed = self._guessed
        if isinstance(word, Broken):
            self.i = n
            return Broken(word.start, sure=not self.loose)
        self.i = word.end
        if self._want_delimiter is not None:
            self._heredocs.append((word.value, self._want_delimiter))
            self._want_delimiter = None
        return word

    def _skip_blanks(self, i: int) -> int:
        """Past spaces, tabs, backslash-newlines, and a CR that ends a line (contextsh.crlf
        reports CR LF files: bash would try to run each CR-only line as a command)."""
        text, n = self.text, len(self.text)
        while i < n:
            if text[i] in " \t" or text.startswith("\r\n", i) or (text[i] == "\r" and i + 1 == n):
                i += 1
            elif text.startswith("\\\n", i):
                i += 2
            else:
                break
        return i

    def _heredoc_bodies(self, i: int) -> int:
        """Past the bodies of the here-documents the line just ended opened."""
        text = self.text
        for delimiter, strip_tabs in self._heredocs:
            while i < len(text):
                end = text.find("\n", i)
                end = len(text) if end < 0 else end
                line = text[i:end]
                i = end + 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
        self._heredocs.clear()
        return min(i, len(text))

    def _word(self, i: int) -> Word | Broken:
        text, n = self.text, len(self.text)
        word = Word(i)
        while i < n and text[i] not in " \t\n" and text[i] not in _OPERATOR_CHARS:
            c = text[i]
            if c == "\\":
                if text.startswith("\\\n", i):
                    i += 2
                    continue
                word.has_quotes = True
                if i + 1 >= n:
                    word.add("\\", i, True)
                    i += 1
                    continue
                word.add(text[i + 1], i + 1, True)
                i += 2
            elif c == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    return Broken(i)
                word.has_quotes = True
                word.add_run(text[i + 1 : close], i + 1, True)
                i = close + 1
            elif c == '"':
                end = self._double_quoted(i, word)
                if end is None:
                    return Broken(i)
                i = end
            elif c == "$" and text[self._after(i + 1) : self._after(i + 1) + 1] == "'":
                end = self._ansi_c(self._after(i + 1) - 1, word)
                if end is None:
                    return Broken(i)
                i = end
            elif c == "$" and text[self._after(i + 1) : self._after(i + 1) + 1] == '"':
                word.unsure = word.unsure or (i, 'a $"..." string is translated with the '
                                              "guest's message catalogs")  # fmt: skip
                end = self._double_quoted(self._after(i + 1), word)
                if end is None:
                    return Broken(i)
                i = end
            elif c in "$`":
                end = self._expansion(i, word)
                if end is None:
                    return Broken(i)
                i = end
            else:
                stop = _UNQUOTED_SPECIAL.search(text, i + 1)
                end = n if stop is None else stop.start()
                word.add_run(text[i:end], i, False)
                i = end
        word.end = i
        return word

    def _double_quoted(self, i: int, word: Word) -> int | None:
        """``"..."`` from the quote at ``i``; the index after the closing quote."""
        text, n = self.text, len(self.text)
        word.has_quotes = True
        j = i + 1
        while j < n and text[j] != '"':
            c = text[j]
            if c == "\\" and j + 1 < n and text[j + 1] in '$`"\\\n':
                if text[j + 1] != "\n":
                    word.add(text[j + 1], j + 1, True)
                j += 2
            elif c in "$`":
                end = self._expansion(j, word)
                if end is None:
                    return None
                j = end
            else:  # a plain character, or a backslash that escapes nothing: the run up to the next
                stop = _DOUBLE_QUOTED_SPECIAL.search(text, j + 1)  # character that may be special
                end = n if stop is None else stop.start()
                word.add_run(text[j:end], j, True)
                j = end
        return None if j >= n else j + 1

    def _expansion(self, i: int, word: Word) -> int | None:
        """An expansion at ``i`` (``$...`` or a backtick): recorded in ``word``, skipped; a
        ``$`` that starts no expansion is a literal ``$``. None when the text ends inside."""
        text, n = self.text, len(self.text)
        at = self._after(i + 1)  # a backslash-newline may stand between $ and the rest
        nxt = text[at] if at < n else ""
        if text[i] == "`":
            end = self._skip_until(i + 1, "`")
        elif nxt == "(":
            end = self._skip_balanced(at + 1, "(", ")")
            if text[self._after(at + 1) : self._after(at + 1) + 1] == "(":
                word.may_fail = word.may_fail or "line"  # $(( ... )): 1/0, a bad operator
        elif nxt == "{":
            end = self._skip_balanced(at + 1, "{", "}")
            inside = text[at + 1 : (end or n) - 1].replace("\\\n", "")
            if _OPERATOR_PARAMETER.match(inside):
                word.may_fail = "shell"
            elif not _PLAIN_PARAMETER.fullmatch(inside):
                word.may_fail = word.may_fail or "line"
        elif nxt == "[":
            end = self._skip_balanced(at + 1, "[", "]")
            word.may_fail = word.may_fail or "line"
        elif nxt == "$" and text[self._after(at + 1) : self._after(at + 1) + 1] in ("(", "{"):
            self.loose = self._guessed = True  # bash 5.2 reads "$$(" as $ and $( ... in some
            return None  # places and as $$ and ( in others: where this word ends is a guess
        elif nxt in _SPECIAL_PARAMETERS and nxt:
            end = at + 1
        elif nxt and (nxt.isascii() and (nxt.isalpha() or nxt == "_")):
            end = at
            while end < n and (NAME_CHAR.fullmatch(text[end]) or text.startswith("\\\n", end)):
                end += 2 if text[end] == "\\" else 1
        else:
            word.add("$", i, False)
            return i + 1
        if word.expansion is None:
            word.expansion = i
        return end

    def _after(self, i: int) -> int:
        """``i``, or past the backslash-newlines there (bash removes them before anything)."""
        while self.text.startswith("\\\n", i):
            i += 2
        return i

    def _skip_until(self, i: int, close: str) -> int | None:
        text = self.text
        while i < len(text):
            if text[i] == "\\":
                i += 2
            elif text[i] == close:
                return i + 1
            else:
                i += 1
        return None

    def _skip_balanced(self, i: int, open_: str, close: str) -> int | None:
        """Past the ``close`` that balances an ``open_`` before ``i``, over quotes, nested
        expansions and comments; None when the text ends first. For ``$(...)`` holding ``case``
        patterns, a here-document or a comment this is a guess: the lexer is :attr:`loose`."""
        if self._nesting >= _MAX_NESTING:  # "$( "$( ... nested deeper than any real file
            self.loose = self._guessed = True
            return None
        self._nesting += 1
        try:
            end = self._balanced(i, open_, close)
        finally:
            self._nesting -= 1
        risky = _RISKY if open_ == "(" else _RISKY_BRACE
        if risky.search(self.text, i, len(self.text) if end is None else end):
            self.loose = self._guessed = True
        return end

    def _balanced(self, i: int, open_: str, close: str) -> int | None:
        text, n = self.text, len(self.text)
        depth = 1
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "'" and open_ != "{":
                quote_end = text.find("'", i + 1)
                if quote_end < 0:
                    return None
                i = quote_end + 1
                continue
            if c in '"`':
                past = (self._double_quoted(i, Word(i)) if c == '"'
                        else self._skip_until(i + 1, "`"))  # fmt: skip
                if past is None:
                    return None
                i = past
                continue
            if c == "#" and open_ == "(" and (i == 0 or text[i - 1] in " \t\n;|&("):
                while i < n and text[i] != "\n":
                    i += 1
                continue
            if c == open_ and (open_ != "{" or text[i - 1] == "$"):  # in ${ only ${ nests
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return None

    def _ansi_c(self, i: int, word: Word) -> int | None:
        """``$'...'``, decoded as bash does for the escapes whose result does not depend on the
        locale; a ``\\u``, ``\\U``, ``\\c`` or a byte that is not ASCII makes ``word`` unsure.
        A NUL ends the string's value: bash keeps nothing of it after a ``\\0``."""
        text, n = self.text, len(self.text)
        word.has_quotes = True
        j, cut = i + 2, False
        while j < n and text[j] != "'":
            size, char = ansi_escape(text, j)
            if char is None:
                word.unsure = word.unsure or (j, "a $'...' escape in it gives a character "
                                              "that depends on the guest's locale, or a byte "
                                              "that is not text")  # fmt: skip
            elif char == "\0":
                cut = True
            elif not cut:
                for k, c in enumerate(char):
                    word.add(c, j + k, True)
            j += size
        return None if j >= n else j + 1
