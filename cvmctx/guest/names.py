"""Which key and section names survive the guest's INI reader as themselves (guest-format.md §2).

cvmctx writes an option as ``key = value`` and a header as ``[name]``. The guest's reader
(:mod:`cvmctx.guest.ini`) keeps an option line only when it matches ConfigParser's ``OPTCRE``
(``[^:=\\s][^:=]*\\s*[:=]\\s*.*``) and is neither a header (``SECTCRE``: ``[`` ... ``]`` at
the start) nor a comment (``#`` or ``;`` first, or a first word ``rem`` in any case); it then strips
whitespace around the key and lower-cases it. A key given on the command line must read back
as exactly that key, or what cvmctx wrote is not what the guest reads: these functions say why
a name fails, in one line, for the usage error (exit 2) of ``--set`` and ``--section``.
"""

from __future__ import annotations

import re

from cvmctx.guest import ini, pytext

_LINE_BREAKS = "\n\r"


def shown(name: str) -> str:
    """The name as a one-line message can show it: quoted when it holds odd characters."""
    if name and name.isprintable() and not any(ch in pytext.ASCII_WS + "'" for ch in name):
        return name
    return repr(name)


_NAME_RUN = re.compile(r"[A-Za-z0-9_.-]*")


def argument_head(argument: str) -> str:
    """The part of a command-line argument a message may show when it does not parse.

    An argument such as ``cernvm.users:alice:cms:S3cret`` may hold a secret right after the
    name, so only the leading run of name characters is shown, and "..." marks what is left out.
    """
    head = _NAME_RUN.match(argument)
    shown_part = head.group(0) if head else ""
    return shown(shown_part) + ("..." if len(shown_part) < len(argument) else "")


def key_problem(key: str) -> str | None:
    """Why the guest would not read ``key = value`` back as option ``key``; None if it would."""
    if not key:
        return "the key is empty: the guest needs a name before the '=' (its reader drops the line)"
    if any(ch in _LINE_BREAKS for ch in key):
        return "the key holds a line break: the guest reads the text after it as another line"
    if "\x00" in key:
        return "the key holds a NUL byte, which the guest's download path drops (§1.2)"
    if key[0] in pytext.ASCII_WS:
        return ("the key starts with whitespace: the guest drops lines that start with "
                "whitespace (it takes them for continuation lines)")
    if key != pytext.guest_strip(key):
        return (f"the key ends with whitespace, which the guest strips: it reads "
                f"'{pytext.guest_strip(key)}'")
    sep = next((ch for ch in key if ch in ":="), None)
    if sep is not None:
        before = pytext.guest_strip(key.split(sep, 1)[0])
        return (f"the key holds '{sep}': the guest's key ends at the first ':' or '=', so it "
                f"reads the key '{before}' and the rest as the value")
    if key[0] in "#;":
        return f"the key starts with '{key[0]}': the guest reads the line as a comment"
    if pytext.is_comment(key + " = x"):
        return "the key's first word is 'rem' (in any case): the guest reads the line as a comment"
    if key[0] == "[":
        return ("the key starts with '[': the guest reads a line that starts with '[' and has "
                "a ']' later as a section header")
    if pytext.ascii_lower(key) != key:
        return f"the guest lower-cases keys: it reads '{pytext.ascii_lower(key)}', so write that"
    doc = ini.read(f"[s]\n{key} = x\n")
    block = doc.blocks.get("s")
    if block is None or list(block.options) != [key]:  # pragma: no cover - the rules above
        return "the guest's reader does not read this key back as itself"
    return None


def section_problem(name: str) -> str | None:
    """Why the guest would not read ``[name]`` as section ``name``; None if it would."""
    if not name:
        return "the section name is empty: '[]' is no header to the guest"
    if any(ch in _LINE_BREAKS for ch in name):
        return "the section name holds a line break: a header must fit on one line"
    if "]" in name:
        return (f"the section name holds ']': the guest's header ends at the first ']', so it "
                f"reads [{name.split(']', 1)[0]}]")
    if name != pytext.guest_strip(name):
        return ("the section name starts or ends with whitespace: the guest keeps it, so no "
                "plugin finds the section")
    if name == "DEFAULT":
        return "[DEFAULT] holds ConfigParser's defaults: no plugin ever sees its options"
    if pytext.ascii_lower(name) != name:
        return (f"the guest looks sections up in lower case: with [{name}] the plugin fails "
                f"(KeyError); write [{pytext.ascii_lower(name)}]")
    return None


__all__ = ["key_problem", "section_problem", "shown"]
