"""[hepix]: the HEPiX site context tarball."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog.values import EMPTY, HTTPS_ANYWAY, PLAIN_HTTP
from cvmctx.model.codecs.core import Codec, Parsed, Refused, check_line, note
from cvmctx.model.codecs.flags import FALSE_WORDS
from cvmctx.model.codecs.scalars import Text
from cvmctx.model.sections._base import Section, guest_key


@dataclass(frozen=True)
class RequireSsl(Codec[str]):
    """``requiressl`` as ``site_context`` really reads it (docs/guest.md §3.22).

    The plugin passes the value (default ``no``) as the second argument of ``site_context``,
    which calls ``fetchFromIP $tarname $requiressl`` unquoted and then tests
    ``[ "x"$requiressl == "x" -o requiressl == 'no' ]``. The second test compares the literal
    word ``requiressl``, so it is never true: only an **empty** value (which the unquoted call
    turns into no argument at all) gives plain http; any other value, ``no`` included, gives
    https (with ``curl -k``: the certificate is not verified either way).
    """

    kind: ClassVar[str] = "empty (http) or any text (https)"

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        if not text:
            return Parsed(text, (note(PLAIN_HTTP, "with an empty "
                                      "requiressl the guest fetches the context tarball over "
                                      "plain http, unencrypted (site_context uses https for "
                                      "any non-empty value)", "remove the key (or write yes) "
                                      "to fetch over https"),))
        first = re.split(r"[ \t]", text, maxsplit=1)[0]  # bash splits the unquoted word
        if first.lower() in FALSE_WORDS:
            return Parsed(text, (note(HTTPS_ANYWAY, "the guest fetches the "
                                      "context over https whatever non-empty value requiressl "
                                      "has, this one included: site_context compares the word "
                                      "'requiressl' instead of the value, so only an empty "
                                      "value means plain http", "write 'requiressl =' (empty) "
                                      "for http, or remove the key for https"),))
        return Parsed(text)

    def example(self) -> str:
        return "yes"


@dataclass(frozen=True)
class TarballName(Text):
    """``context``: the tarball name, passed unquoted to ``site_context`` and put into a URL."""

    def parse(self, text: str) -> Parsed[str]:
        if not text:
            check_line(text)
            raise Refused(EMPTY, "an empty context name vanishes from site_context's unquoted "
                          "'fetchFromIP $tarname $requiressl': the guest then fetches a tarball "
                          "named after the requiressl value (default 'no') over plain http",
                          "remove the key for default.tgz, or write the tarball's name")
        return super().parse(text)


class Hepix(Section):
    """Fetches and applies a HEPiX site context tarball (docs/guest.md §3.22).

    The plugin runs ``site_context``, which downloads the tarball ``context`` (default
    ``default.tgz``) from ``169.254.169.254/context/<name>`` with ``curl -k``, untars it into
    ``/var/lib/hepix/context``, sources ``init.sh`` and ``context.sh``, and runs
    ``prolog.sh start`` unless ``/etc/contextdone`` exists.

    It always runs (``amiconfig.sh hepix`` forces it with ``amiconfig -f hepix``), whether or
    not it is in ``[amiconfig] plugins``.

    Gotcha: ``requiressl`` does not mean what it says. ``site_context`` compares the literal word
    ``requiressl`` instead of the value, so the guest fetches over **https** for the default
    (``no``) and for any non-empty value, ``no`` included, and over plain **http** only when the
    value is empty (``requiressl =``). Either way ``curl -k`` does not verify the certificate.
    Both values are passed unquoted through the shell, so an empty ``context`` makes the guest
    fetch a tarball named after ``requiressl``.
    """

    SECTION: ClassVar[str] = "hepix"
    PLUGINS: ClassVar[tuple[str, ...]] = ("hepix",)

    context: Annotated[
        str | None,
        TarballName(
            forbid=" \t?#",
            forbid_help="the guest passes the name unquoted through a shell and puts it into "
            "a URL for curl",
        ),
    ] = guest_key("context", "Name of the context tarball to fetch.", default="default.tgz")
    requiressl: Annotated[str | None, RequireSsl()] = guest_key(
        "requiressl",
        "Empty: fetch over plain http; any other text, 'no' included: https (a guest bug).",
        default="no",
    )
