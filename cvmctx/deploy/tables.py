"""The spec's own tables (``[build]``, ``[script]``, ``[cd]``, ``[fleet]``) as pydantic models:
they check those tables and, with the sections' models, give the spec's JSON Schema.

Paths in them are relative to the spec's directory. Each field's description is what
``cvmctx schema`` and an editor show; the defaults are the commands' own."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cvmctx.guest.script.part import Phase
from cvmctx.userdata.encoding import Compress, Encoding, Target


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class BuildTable(_Table):
    """How the user data is built (``cvmctx build``'s options)."""

    userdata: str | None = Field(
        default=None,
        description="Existing user data to start from (plain, gzip or base64), relative to "
        "the spec; the spec's sections and keys are applied over it.",
    )
    target: Target = Field(default=Target.EC2, description="Cloud whose size limit applies.")
    compress: Compress = Field(
        default=Compress.AUTO,
        description="auto/never: plain text; always: gzip, only for guests that unpack it "
        "(CernVM 2, the µCernVM bootloader). The context CD always carries plain text.",
    )
    encoding: Encoding = Field(
        default=Encoding.PLAIN,
        description="plain for aws-cli file:// and boto3; base64 for raw API calls. The "
        "context CD always carries plain text.",
    )
    enable_plugins: bool = Field(
        default=True, description="Name every section's plugin in [amiconfig] plugins."
    )
    hash_passwords: bool = Field(
        default=False,
        description="Replace plaintext [cernvm] users passwords by SHA-512 ($6$) hashes "
        "(a random salt: each build differs; give password_hash for a stable fleet).",
    )
    x509_proxy: str | None = Field(
        default=None,
        description="PEM proxy for [cernvm] x509-cert, relative to the spec "
        "(else $X509_USER_PROXY when [cernvm] is present).",
    )
    strict: bool = Field(default=False, description="Fail on warnings too.")


class ScriptTable(_Table):
    """The shell script the guest runs (``--script``, ``--phase``)."""

    file: str | None = Field(default=None, description="The script file, relative to the spec.")
    text: str | None = Field(default=None, description="The script itself (instead of file).")
    phase: Phase = Field(
        default=Phase.AFTER, description="Run the script before or after the plugins."
    )


class CdFileTable(_Table):
    source: str = Field(description="The file to copy onto the CD, relative to the spec.")
    name: str | None = Field(
        default=None, description="Its name on the CD [default: the file's name]."
    )


class CdTable(_Table):
    """The context CD (``cvmctx iso``'s options)."""

    root_pubkey: str | None = Field(
        default=None,
        description="ssh public key file for root, copied as root.pub, relative to the spec.",
    )
    public_key: str | None = Field(
        default=None, description="ssh public key line, inline as PUBLIC_KEY."
    )
    prolog: str | None = Field(
        default=None, description="prolog.sh, sourced before the network [default: empty]."
    )
    epilog: str | None = Field(default=None, description="epilog.sh, sourced at the end of boot.")
    label: str = Field(default="CONTEXT", description="ISO 9660 volume label.")
    variables: dict[str, str] = Field(
        default_factory=dict, description="Extra context.sh variables, NAME = value."
    )
    files: list[str | CdFileTable] = Field(
        default_factory=list,
        description="Extra files for the CD: paths relative to the spec, or "
        "{ source = PATH, name = NAME }.",
    )


class FleetTable(_Table):
    """Defaults for ``cvmctx fleet``."""

    hosts: str | None = Field(
        default=None,
        description="The hosts table (CSV with a header, or a TOML/JSON array of tables), "
        "relative to the spec; --hosts overrides it.",
    )
    what: Literal["userdata", "iso", "both"] = Field(
        default="iso", description="What to write per host; --what overrides it."
    )


#: The spec's own tables by name; every other top-level table is a section.
TABLES: dict[str, type[_Table]] = {
    "build": BuildTable,
    "script": ScriptTable,
    "cd": CdTable,
    "fleet": FleetTable,
}
