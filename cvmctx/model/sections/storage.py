"""[storage]: EC2 ephemeral disks, swap and the space-allocating daemon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from cvmctx.catalog.values import FALSE_MEANS_TRUE
from cvmctx.model.codecs.core import Codec, Parsed, Refused, SpecForm, check_line
from cvmctx.model.codecs.flags import FALSE_WORDS
from cvmctx.model.codecs.lists import PathList
from cvmctx.model.codecs.scalars import Integer
from cvmctx.model.sections._base import Section, guest_key

# Spellings a user means as "off", which Python's bool(string) reads as True.
FALSE_LOOKING = FALSE_WORDS - {""}


@dataclass(frozen=True)
class PythonBool(Codec[str]):
    """A value the guest tests with ``bool(string)``: only the empty string is false.

    The text is kept verbatim (the guest never looks at it beyond "empty or not").
    """

    kind: ClassVar[str] = "empty (off) or any text (on)"

    def spec_form(self) -> SpecForm:
        return SpecForm("bool", true_word="true", false_word="")

    def parse(self, text: str) -> Parsed[str]:
        check_line(text)
        if text.lower() in FALSE_LOOKING:
            # Written as "off", read as on: the guest does the opposite of what the text says.
            raise Refused(FALSE_MEANS_TRUE, "the guest reads this value with Python's "
                          "bool(): any non-empty text, this one included, means on; only an "
                          "empty value turns it off", "write 'daemon =' (empty) to turn the "
                          "daemon off")
        return Parsed(text)

    def example(self) -> str:
        return "<empty for off>"


class Storage(Section):
    """Mounts EC2 ephemeral disks, turns on swap and pre-allocates space (docs/guest.md §3.8).

    **Needs EC2 meta-data** ``block-device-mapping/``: without it (a context CD, most
    non-EC2 clouds) the plugin returns and does nothing. With it, the guest runs ``swapon`` on
    the ``swap`` device, mounts every ``ephemeral*`` device at ``/ephemeral/<N>`` and moves each
    directory of ``relocate-paths`` (``:``-separated absolute paths on the guest) onto the
    ephemeral disks, leaving a symlink behind. Directories that do not exist are skipped.

    Gotchas: ``daemon`` is read with Python's ``bool(string)``, so **any non-empty value means
    on**, ``daemon = False`` included (CernVM Online writes exactly that); only an empty value,
    ``daemon =``, turns the space-allocating daemon off; cvmctx refuses a value that spells off
    (``False``, ``no``, ``0``). ``pre-allocated-space`` is in GB
    (default 0): with the daemon on it is passed to the daemon, with the daemon off that much
    space is allocated on each ephemeral disk at boot.
    """

    SECTION: ClassVar[str] = "storage"
    PLUGINS: ClassVar[tuple[str, ...]] = ("storage",)

    daemon: Annotated[str | None, PythonBool()] = guest_key(
        "daemon", "Space-allocating daemon: empty turns it off, any other text turns it on.",
        default="on",
    )
    pre_allocated_space: Annotated[int | None, Integer()] = guest_key(
        "pre-allocated-space", "Space to pre-allocate on the ephemeral disks, in GB.", default="0"
    )
    relocate_paths: Annotated[
        tuple[str, ...] | None, PathList(sep=":", what="a directory on the guest")
    ] = guest_key(
        "relocate-paths", "Directories to move onto the ephemeral disks, ':'-separated."
    )
