"""How every command's ``--help`` reads: names as words, and examples shown as written.

typer (0.29) prints an argument as ``{file}`` in the usage line and ``FILE <list[Path]>`` in
its table, and an option without a metavar by its Python type (``<path>``, ``<int range>``).
Users read a help page for the words to type: ``FILE...``, ``[USERDATA]``, ``-o FILE``,
``--format [auto|text|json]``. This command class renders the usage line and the tables that
way, and prints the command's epilog as an "Examples" block line for line (click rewraps an
epilog into one paragraph). Imports only typer.
"""

from __future__ import annotations

import inspect
from typing import Any

from typer.core import TyperCommand, TyperGroup


def _argument_name(param: Any) -> str:
    name = str(param.metavar or param.name).upper()
    return f"{name}..." if param.nargs != 1 else name


def _choices(param: Any) -> str | None:
    """``[a|b|c]`` for an option that takes one of a few words."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not descriptor.is_choice or not descriptor.choices:
        return None
    return "[" + "|".join(str(getattr(c, "value", c)) for c in descriptor.choices) + "]"


class Command(TyperCommand):
    """A typer command whose help names arguments and option values as words."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if param.param_type_name == "option" and param.metavar is None:
                param.metavar = _choices(param)  # idempotent: the same words every time
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), record[1]))
            else:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        if not self.epilog:
            return
        with formatter.section("Examples"):
            for line in inspect.cleandoc(self.epilog).splitlines():
                formatter.write(f"{'':>{formatter.current_indent}}{line}\n" if line else "\n")


class Group(TyperGroup):
    """The ``cvmctx`` command itself: its epilog is an examples block too."""

    format_epilog = Command.format_epilog


# One example block per command, shown by ``--help`` as written. Run in this order from one
# directory (with a root.pub and a password.txt there), every line works: the tests do so.
EXAMPLES = {
    "cvmctx": """
        cvmctx build -s cernvm --set cernvm.organisations=cms -o userdata.txt
        cvmctx validate userdata.txt
        cvmctx iso userdata.txt --root-pubkey root.pub -o context.iso
        # each command's --help has examples; 'cvmctx sections cernvm' lists the keys
    """,
    "build": """
        # CMS user data for EC2: plain text, checked against the 16,384-byte limit
        cvmctx build -s cernvm --set cernvm.repositories=cms,grid -o userdata.txt
        # a script run before the plugins, and the whole as base64 for a raw API call
        cvmctx build userdata.txt --script setup.sh --phase before --encoding base64 -o userdata.b64
        # from a deployment spec, one key overridden
        cvmctx build site.toml --set cernvm.repositories=cms -o userdata.txt
        # and the aws command that starts a machine with it (set $IMAGE_ID, $INSTANCE_TYPE)
        cvmctx build site.toml -o userdata.txt --print-cmd aws
    """,
    "validate": """
        cvmctx validate userdata.txt userdata.b64
        # in CI: warnings fail too, as SARIF for code scanning
        cvmctx validate --strict --format sarif userdata.txt > cvmctx.report.sarif
    """,
    "sections": """
        cvmctx sections
        cvmctx sections cernvm
    """,
    "explain": """
        cvmctx explain ini.continuation-dropped
        cvmctx explain cernvm.x509-cert.not-base64
    """,
    "iso": """
        # a context CD for libvirt or OpenNebula, with root's ssh key
        cvmctx iso userdata.txt --root-pubkey root.pub -o context.iso
        # dated for a release: the same inputs give the same bytes anywhere
        SOURCE_DATE_EPOCH=1767225600 cvmctx iso userdata.txt -o release.iso
        # from a deployment spec (cvmctx init --for kvm writes one)
        cvmctx iso site.toml -o context.iso
    """,
    "inspect": """
        cvmctx inspect context.iso
        cvmctx inspect --format json userdata.txt
    """,
    "domain": """
        cvmctx domain --name cernvm1 --disk cernvm.hdd --iso context.iso -o cernvm1.xml
        # then: virsh define cernvm1.xml && virsh start cernvm1
    """,
    "fleet": """
        # a context CD per worker node, with per-host values from hosts.csv
        cvmctx fleet site.toml --hosts hosts.csv -o fleet/
        # EC2 user data too, every failing host reported, the good ones written
        cvmctx fleet site.toml --hosts hosts.csv --what both --keep-going -o fleet/
    """,
    "init": """
        cvmctx init site.toml --for kvm
        cvmctx iso site.toml -o context.iso
    """,
    "schema": """
        cvmctx schema -o cvmctx-spec.schema.json
        # then the first line of site.toml: #:schema ./cvmctx-spec.schema.json
    """,
    "launch ec2": """
        # the seed's EC2 example: check what the API allows, then start the machine
        cvmctx launch ec2 examples/cms-ec2/spec.toml --image ami-12345678 --dry-run
        cvmctx launch ec2 examples/cms-ec2/spec.toml --image ami-12345678 --key-name ami --wait
        # one machine per host of a fleet built with --what userdata
        cvmctx launch ec2 fleet/manifest.json --image ami-12345678
    """,
    "launch libvirt": """
        # the seed's KVM example: the CD built beside the image, the domain defined and started
        cvmctx launch libvirt examples/atlas-panda/spec.toml --disk /data/cernvm.hdd
        # one machine per host of a fleet built with --what iso, each on its own overlay
        cvmctx launch libvirt fleet/manifest.json --disk /data/cernvm.hdd --overlay
    """,
    "instances": """
        cvmctx instances cvmctx-launch.json
        cvmctx instances --format json cvmctx-launch.json
    """,
    "terminate": """
        cvmctx terminate cvmctx-launch.json --host wn001
        cvmctx terminate cvmctx-launch.json --yes
    """,
    "hash-password": """
        cvmctx hash-password --stdin < password.txt
        # with no --stdin on a terminal, it asks twice without echo
    """,
}


# ---------------------------------------------------------------- shell completion
# Called only when the shell asks (typer's --install-completion), so the section models are
# imported then and never on a normal run.


def complete_section(incomplete: str) -> list[str]:
    """Section names the guest reads, for ``--section`` and ``cvmctx sections``."""
    from cvmctx.model.sections import REGISTRY

    return sorted(name for name in REGISTRY if name.startswith(incomplete.lower()))


def complete_set(incomplete: str) -> list[str]:
    """``SECTION.`` first, then the keys that section's plugin reads, each with its ``=``."""
    from cvmctx.model.sections import REGISTRY

    section, dot, key = incomplete.partition(".")
    if not dot:
        return [f"{name}." for name in complete_section(section)]
    cls = REGISTRY.get(section.lower())
    if cls is None:
        return []
    keys = sorted({spec.key for spec in cls.key_specs()})
    return [f"{section}.{k}=" for k in keys if k.startswith(key.lower())]
