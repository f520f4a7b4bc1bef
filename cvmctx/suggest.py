"""Did-you-mean: the one rule by which cvmctx suggests a known name for a mistyped one (a
section, a key, a plugin, a finding's code). Bottom of the stack: imports nothing of cvmctx."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: How alike a word and its suggestion must be (difflib's ratio). 0.75 allows a letter or two
#: wrong in a short name (``cernvn`` -> ``cernvm``, ``organisation`` -> ``organisations``) and
#: refuses far-fetched ones, which would send a user after a key that does something else.
CUTOFF = 0.75


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to ``word``, if one is near enough."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=CUTOFF)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str], form: str = "'{}'") -> str | None:
    """``did you mean 'x'?`` for the nearest choice (``form`` writes it: ``[{}]`` for a
    section header), or None when none is near."""
    match = closest(word, choices)
    return None if match is None else f"did you mean {form.format(match)}?"
