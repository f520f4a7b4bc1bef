"""``CVMFS_HTTP_PROXY`` as ``[cernvm] proxy`` writes it: groups and members (docs/guest.md §3.9)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from cvmctx.catalog.encoded import EMPTY_MEMBER, MEMBER, PORT
from cvmctx.catalog.values import CASE, EMPTY, WHITESPACE
from cvmctx.model.codecs.core import Codec, Parsed, Refused, SpecForm, check_line

_PROXY_HOST = (
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])"
)
_PROXY_MEMBER = re.compile(r"http://" + _PROXY_HOST + r"(?::(?P<port>[0-9]{1,5}))?", re.ASCII)
_PROXY_WORDS = ("DIRECT", "auto")


@dataclass(frozen=True)
class CvmfsProxy(Codec[tuple[tuple[str, ...], ...]]):
    """A CVMFS proxy string (``CVMFS_HTTP_PROXY``): ``http://a:3128|http://b:3128;DIRECT``.

    The value is the tuple of fail-over groups (split on ``;``), each a tuple of load-balanced
    members (split on ``|``). A member is ``DIRECT``, ``auto`` or ``http://host[:port]``.
    """

    kind: ClassVar[str] = "CVMFS proxy list (http://host:port|...;DIRECT)"

    def spec_form(self) -> SpecForm:
        return SpecForm("groups", sep=";", field_sep="|")

    def parse(self, text: str) -> Parsed[tuple[tuple[str, ...], ...]]:
        check_line(text)
        if not text:
            raise Refused(EMPTY, "an empty proxy leaves CVMFS with no proxy setting (the "
                          "guest removes CVMFS_HTTP_PROXY), so no repository mounts",
                          "write DIRECT for no proxy, or http://host:port;DIRECT")
        space = re.search(r"\s", text, re.ASCII)
        if space is not None:
            raise Refused(WHITESPACE, "CVMFS does not allow spaces in the proxy list (and a "
                          "space before ';' starts a comment on the guest)",
                          "write the list without spaces, e.g. http://p:3128;DIRECT",
                          space.start())
        groups: list[tuple[str, ...]] = []
        offset = 0
        for group in text.split(";"):
            members: list[str] = []
            for member in group.split("|"):
                _check_proxy_member(member, offset)
                members.append(member)
                offset += len(member) + 1
            groups.append(tuple(members))
        return Parsed(tuple(groups))

    def render(self, value: tuple[tuple[str, ...], ...]) -> str:
        return ";".join("|".join(group) for group in value)

    def example(self) -> str:
        return "http://squid.example.org:3128;DIRECT"


def _check_proxy_member(member: str, offset: int) -> None:
    if not member:
        raise Refused(EMPTY_MEMBER, "the proxy list has an empty entry (a doubled, leading "
                      "or trailing ';' or '|')", "remove the extra ';' or '|'", offset)
    if member in _PROXY_WORDS:
        return
    folded = next((w for w in _PROXY_WORDS if w.lower() == member.lower()), None)
    if folded is not None:
        raise Refused(CASE, f"CVMFS only knows '{folded}' written exactly so",
                      f"write '{folded}'", offset)
    match = _PROXY_MEMBER.fullmatch(member)
    if match is None:
        raise Refused(MEMBER, "each proxy must be DIRECT, auto or http://host[:port] (groups "
                      "separated by ';', load-balanced proxies within a group by '|')",
                      "write e.g. http://squid.example.org:3128;DIRECT", offset)
    port = match.group("port")
    if port is not None and not 0 < int(port) < 65536:
        raise Refused(PORT, "the proxy port must be between 1 and 65535",
                      "write the squid's port, e.g. 3128", offset)
