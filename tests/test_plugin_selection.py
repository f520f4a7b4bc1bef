"""Which plugins the guest runs, as `cvmctx validate` and `cvmctx build` see it (issue 8, items
7 and 8).

The guest's rule is guest-format.md §2 "Enabling plugins" (ami.py ``_getEnabledPlugins``): start
from default.cfg's ``rootsshkeys``, add ``plugin.lower()`` for each word of ``[amiconfig]
plugins.split()``, remove those of ``disabled_plugins``; Python 2 does both on a byte string,
so words are split on ASCII whitespace only (space, ``\\t``, ``\\v``, ``\\f``, ``\\r``) and only
ASCII letters change case. ``disabed_plugins`` (the seed's spelling) is read by nothing.

Every case goes through both commands (typer's CliRunner, in-process, so that the many cases
stay cheap; two smoke tests run the real ``python -m cvmctx``), with the exact findings (code,
severity, line) and exit code. Every case also checks cvmctx's enabled set against
:func:`guest_enabled`, the rule replayed on bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Run
from typer.testing import CliRunner

from cvmctx.cli.app import app
from cvmctx.guest import ini
from cvmctx.model.load import read_context
from cvmctx.model.plugins import enabled_in

HEAD = "[amiconfig]\n"
CERNVM = "[cernvm]\nshell = /bin/bash\n"
HOST = "[hostname]\nhostname = vm.example.org\n"

Finding = tuple[str, str, int | None]  # code, severity, line
E, W, INFO = "error", "warning", "info"


def guest_enabled(text: str) -> set[str]:
    """guest-format.md §2, replayed on bytes: Python 3's ``bytes.split()`` and ``bytes.lower()``
    are Python 2's ``str.split()`` and ``str.lower()`` (ASCII whitespace, ASCII letters)."""
    block = ini.read(text).blocks.get("amiconfig")
    values = block.values() if block is not None else {}
    on = {b"rootsshkeys"} | {w.lower() for w in values.get("plugins", "").encode().split()}
    on -= {w.lower() for w in values.get("disabled_plugins", "").encode().split()}
    return {w.decode() for w in on}


# ---------------------------------------------------------------------------- running


_RUNNER = CliRunner(env={"X509_USER_PROXY": None, "COLUMNS": "200", "NO_COLOR": "1"})
_POSITIONED = re.compile(r"^\S+?(?::(\d+)(?::\d+)?)?: (error|warning|info)\[([^\]]+)\]", re.M)


def validate(path: Path) -> tuple[int, list[Finding]]:
    result = _RUNNER.invoke(app, ["validate", "--format", "json", str(path)])
    doc = json.loads(result.stdout)
    findings = [(f["code"], f["severity"], f["line"]) for f in doc["files"][0]["findings"]]
    return result.exit_code, findings


def build(*args: str | Path) -> tuple[int, list[Finding], str]:
    result = _RUNNER.invoke(app, ["build", *map(str, args)])
    assert "Traceback" not in result.stderr
    findings = [
        (code, severity, int(line) if line else None)
        for line, severity, code in _POSITIONED.findall(result.stderr)
    ]
    return result.exit_code, findings, result.stderr


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    validate: tuple[int, list[Finding]]
    build: tuple[int, list[Finding]]
    output: str | None = None  # what build writes (None: it refuses)


def _check(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_bytes(case.text.encode("utf-8"))
    context, _ = read_context(case.text)
    assert enabled_in(context) == guest_enabled(case.text)

    assert validate(path) == case.validate

    out = tmp_path / "out.txt"
    code, findings, stderr = build(path, "-o", out)
    assert (code, findings) == case.build, stderr
    if case.output is None:
        assert not out.exists()
        return
    written = out.read_text(encoding="utf-8")
    assert written == case.output
    # What build writes means to the guest what the input meant (plus the plugins of the
    # sections present, which build enables by default), and reads back clean of errors.
    assert guest_enabled(written) >= guest_enabled(case.text)
    assert validate(out)[0] == 0
    plain = tmp_path / "plain.txt"
    assert build(path, "--no-enable-plugins", "-o", plain)[0] == 0
    assert guest_enabled(plain.read_text(encoding="utf-8")) == guest_enabled(case.text)


# ---------------------------------------------------------------------------- case


DISABLED_UPPER = ("amiconfig.disabled_plugins.upper-case", INFO, 2)
CASE_CASES = [
    Case(
        "CernVM",
        HEAD + "plugins = CernVM\n" + CERNVM,
        (0, [("amiconfig.plugins.upper-case", INFO, 2)]),
        (0, [("amiconfig.plugins.upper-case", INFO, 2)]),
        HEAD + "plugins = cernvm\n" + CERNVM,
    ),
    Case(
        "CERNVM-HostName",
        HEAD + "plugins = CERNVM HostName\n" + CERNVM + HOST,
        (0, [("amiconfig.plugins.upper-case", INFO, 2)]),
        (0, [("amiconfig.plugins.upper-case", INFO, 2)]),
        HEAD + "plugins = cernvm hostname\n" + CERNVM + HOST,
    ),
    Case(
        "one-name-three-spellings",
        HEAD + "plugins = cernvm CernVM CERNVM\n" + CERNVM,
        (0, [("amiconfig.plugins.upper-case", INFO, 2)]),
        (0, [("amiconfig.plugins.upper-case", INFO, 2)]),
        HEAD + "plugins = cernvm\n" + CERNVM,
    ),
    Case(
        "disabled-RootSSHKeys",
        HEAD + "disabled_plugins = RootSSHKeys\n",
        (0, [("amiconfig.default-disabled", INFO, 2), DISABLED_UPPER]),
        (0, [("amiconfig.default-disabled", INFO, 2), DISABLED_UPPER]),
        HEAD + "disabled_plugins = rootsshkeys\n",
    ),
    Case(
        "disabled-CernVM",
        HEAD + "plugins = cernvm\ndisabled_plugins = CernVM\n" + CERNVM,
        (
            0,
            [
                ("amiconfig.plugins.also-disabled", W, 3),
                ("amiconfig.disabled_plugins.upper-case", INFO, 3),
                ("plugin.not-enabled", W, 4),
            ],
        ),
        (
            0,
            [
                ("amiconfig.plugins.also-disabled", W, 3),
                ("amiconfig.disabled_plugins.upper-case", INFO, 3),
                ("plugin.not-enabled", W, 4),
            ],
        ),
        HEAD + "plugins = cernvm\ndisabled_plugins = cernvm\n" + CERNVM,
    ),
]


@pytest.mark.parametrize("case", CASE_CASES, ids=[c.id for c in CASE_CASES])
def test_names_are_read_in_lower_case(case: Case, tmp_path: Path) -> None:
    """guest-format.md §2: the guest adds and removes ``plugin.lower()``, so ``CernVM`` enables
    (or disables) ``cernvm``. validate counts it so; build writes the lower-case name, once."""
    _check(case, tmp_path)


# ---------------------------------------------------------------------------- separators


def _separated(id_: str, sep: str) -> Case:
    return Case(
        id_,
        HEAD + f"plugins = cernvm{sep}hostname\n" + CERNVM + HOST,
        (0, []),
        (0, []),
        HEAD + "plugins = cernvm hostname\n" + CERNVM + HOST,
    )


SEPARATOR_CASES = [
    _separated("tab", "\t"),
    _separated("vertical-tab", "\x0b"),
    _separated("form-feed", "\x0c"),
    _separated("carriage-return-inside", "\r"),
    _separated("run-of-blanks", " \t\x0b\x0c  "),
    Case(
        "vt-and-upper-case",
        HEAD + "plugins = CernVM\x0bHOSTNAME\n" + CERNVM + HOST,
        (0, [("amiconfig.plugins.upper-case", INFO, 2)]),
        (0, [("amiconfig.plugins.upper-case", INFO, 2)]),
        HEAD + "plugins = cernvm hostname\n" + CERNVM + HOST,
    ),
    Case(
        "disabled-form-feed",
        HEAD + "plugins = cernvm\ndisabled_plugins = rootsshkeys\x0ccernvm\n" + CERNVM,
        (
            0,
            [
                ("amiconfig.plugins.also-disabled", W, 3),
                ("amiconfig.default-disabled", INFO, 3),
                ("plugin.not-enabled", W, 4),
            ],
        ),
        (
            0,
            [
                ("amiconfig.plugins.also-disabled", W, 3),
                ("amiconfig.default-disabled", INFO, 3),
                ("plugin.not-enabled", W, 4),
            ],
        ),
        HEAD + "plugins = cernvm\ndisabled_plugins = rootsshkeys cernvm\n" + CERNVM,
    ),
]


@pytest.mark.parametrize("case", SEPARATOR_CASES, ids=[c.id for c in SEPARATOR_CASES])
def test_ascii_whitespace_separates_names(case: Case, tmp_path: Path) -> None:
    """guest-format.md §2: ``str.split()`` on bytes splits on any run of ASCII whitespace, tabs,
    ``\\v``, ``\\f`` and a CR inside the line included. It is one list to the guest; build
    writes it with single spaces."""
    _check(case, tmp_path)


# ---------------------------------------------------------------------------- not separators


def _joined(id_: str, joint: str) -> Case:
    return Case(
        id_,
        HEAD + f"plugins = cernvm{joint}hostname\n" + CERNVM + HOST,
        (
            1,
            [
                ("amiconfig.plugins.character", E, 2),
                ("plugin.not-enabled", W, 3),
                ("plugin.not-enabled", W, 5),
            ],
        ),
        (1, [("amiconfig.plugins.character", E, 2)]),
    )


JOINED_CASES = [
    _joined("no-break-space", "\u00a0"),
    _joined("em-space", "\u2003"),
    _joined("ideographic-space", "\u3000"),
    _joined("narrow-no-break-space", "\u202f"),
    _joined("zero-width-space", "\u200b"),
    _joined("next-line", "\u0085"),
    _joined("file-separator", "\x1c"),  # whitespace to Python 3's str.split(), not to bytes'
    _joined("semicolon", ";"),
    _joined("pipe", "|"),
    _joined("slash", "/"),
    Case(
        "accented-letter",
        HEAD + "plugins = c\u00e9rnvm\n" + CERNVM,
        (1, [("amiconfig.plugins.character", E, 2), ("plugin.not-enabled", W, 3)]),
        (1, [("amiconfig.plugins.character", E, 2)]),
    ),
    Case(
        "fullwidth-letter",
        HEAD + "plugins = \uff23ernvm\n" + CERNVM,
        (1, [("amiconfig.plugins.character", E, 2), ("plugin.not-enabled", W, 3)]),
        (1, [("amiconfig.plugins.character", E, 2)]),
    ),
    Case(
        "disabled-no-break-space",
        HEAD + "disabled_plugins = rootsshkeys\u00a0cernvm\n",
        (1, [("amiconfig.disabled_plugins.character", E, 2)]),
        (1, [("amiconfig.disabled_plugins.character", E, 2)]),
    ),
    Case(
        "lone-no-break-space",  # a word holding no name: harmless, both plugins run
        HEAD + "plugins = cernvm \u00a0 hostname\n" + CERNVM + HOST,
        (0, [("amiconfig.plugins.unknown", W, 2)]),
        (0, [("amiconfig.plugins.unknown", W, 2)]),
        HEAD + "plugins = cernvm \u00a0 hostname\n" + CERNVM + HOST,
    ),
]


@pytest.mark.parametrize("case", JOINED_CASES, ids=[c.id for c in JOINED_CASES])
def test_other_characters_join_names_into_one(case: Case, tmp_path: Path) -> None:
    """guest-format.md §2: only ASCII whitespace separates names, so a no-break space or any
    other Unicode space, a control character or punctuation makes one word of two names, which
    no plugin has: neither plugin is enabled. validate says so (an error, and each section is
    ignored); build refuses the value (exit 1) with the fix."""
    _check(case, tmp_path)


def test_the_message_names_the_character_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "u.txt"
    path.write_text(HEAD + "plugins = cernvm\u00a0hostname\n" + CERNVM + HOST, encoding="utf-8")
    result = _RUNNER.invoke(app, ["validate", "--format", "json", str(path)])
    (first, *_) = json.loads(result.stdout)["files"][0]["findings"]
    assert first["column"] == 17  # the no-break space itself
    assert "U+00A0 (NO-BREAK SPACE)" in first["message"]
    assert "'cernvm<U+00A0>hostname' is read as one name" in first["message"]
    assert first["hint"] == "separate names with plain spaces: cernvm hostname"


# ---------------------------------------------------------------------------- commas


COMMA_CASES = [
    Case(
        "comma",
        HEAD + "plugins = cernvm,hostname\n" + CERNVM + HOST,
        (
            1,
            [
                ("amiconfig.plugins.comma", E, 2),
                ("plugin.not-enabled", W, 3),
                ("plugin.not-enabled", W, 5),
            ],
        ),
        (1, [("amiconfig.plugins.comma", E, 2)]),
    ),
    Case(
        "comma-space",  # 'cernvm,' is one name, 'hostname' another: only hostname runs
        HEAD + "plugins = cernvm, hostname\n" + CERNVM + HOST,
        (1, [("amiconfig.plugins.comma", E, 2), ("plugin.not-enabled", W, 3)]),
        (1, [("amiconfig.plugins.comma", E, 2)]),
    ),
    Case(
        "space-comma",  # 'cernvm' runs, ',hostname' is one name
        HEAD + "plugins = cernvm ,hostname\n" + CERNVM + HOST,
        (1, [("amiconfig.plugins.comma", E, 2), ("plugin.not-enabled", W, 5)]),
        (1, [("amiconfig.plugins.comma", E, 2)]),
    ),
    Case(
        "lone-comma",  # a word holding no name: harmless, both plugins run
        HEAD + "plugins = cernvm , hostname\n" + CERNVM + HOST,
        (0, [("amiconfig.plugins.unknown", W, 2)]),
        (0, [("amiconfig.plugins.unknown", W, 2)]),
        HEAD + "plugins = cernvm , hostname\n" + CERNVM + HOST,
    ),
    Case(
        "disabled-comma",
        HEAD + "disabled_plugins = rootsshkeys,cernvm\n",
        (1, [("amiconfig.disabled_plugins.comma", E, 2)]),
        (1, [("amiconfig.disabled_plugins.comma", E, 2)]),
    ),
]


@pytest.mark.parametrize("case", COMMA_CASES, ids=[c.id for c in COMMA_CASES])
def test_commas_do_not_separate_names(case: Case, tmp_path: Path) -> None:
    """guest-format.md §2: the lists are split on whitespace only, so ``cernvm,hostname`` is
    one plugin name that does not exist (and ``cernvm,`` is not ``cernvm``)."""
    _check(case, tmp_path)


# ---------------------------------------------------------------------------- disabed_plugins


MISSPELLED_CASES = [
    Case(
        "rootsshkeys",
        HEAD + "disabed_plugins = rootsshkeys\n",
        (0, [("key.not-read", W, 2)]),
        (1, [("build.misspelled-key", E, 2)]),
    ),
    Case(
        "enabled-plugin",
        HEAD + "plugins = cernvm\ndisabed_plugins = cernvm\n" + CERNVM,
        (0, [("key.not-read", W, 3)]),
        (1, [("build.misspelled-key", E, 3)]),
    ),
    Case(
        "empty",
        HEAD + "disabed_plugins =\n",
        (0, [("key.not-read", W, 2)]),
        (1, [("build.misspelled-key", E, 2)]),
    ),
    Case(
        "key-in-mixed-case",
        HEAD + "Disabed_Plugins = RootSSHKeys cernvm\n",
        (0, [("ini.key-case", INFO, 2), ("key.not-read", W, 2)]),
        (1, [("ini.key-case", INFO, 2), ("build.misspelled-key", E, 2)]),
    ),
    Case(
        "next-to-disabled_plugins",
        HEAD + "disabed_plugins = cernvm\ndisabled_plugins = rootsshkeys\n",
        (0, [("key.not-read", W, 2), ("amiconfig.default-disabled", INFO, 3)]),
        (1, [("build.misspelled-key", E, 2), ("amiconfig.default-disabled", INFO, 3)]),
    ),
]


@pytest.mark.parametrize("case", MISSPELLED_CASES, ids=[c.id for c in MISSPELLED_CASES])
def test_disabed_plugins_disables_nothing(case: Case, tmp_path: Path) -> None:
    """guest-format.md §2 and §6.5: the guest reads ``disabled_plugins`` only, so the seed's
    ``disabed_plugins`` disables nothing and rootsshkeys stays on. validate warns; build
    refuses it (exit 1): it neither ships a line that does nothing nor turns it into
    ``disabled_plugins``, an effect the user did not write."""
    _check(case, tmp_path)
    lines = case.text.splitlines(keepends=True)
    without = "".join(line for line in lines if not line.lower().startswith("disabed_plugins"))
    assert enabled_in(read_context(case.text)[0]) == enabled_in(read_context(without)[0])


def test_build_refuses_disabed_plugins_from_set() -> None:
    """The same through ``--set``: no line to point at, the same refusal and fix."""
    code, findings, stderr = build("--set", "amiconfig.disabed_plugins=rootsshkeys")
    assert (code, findings) == (1, [("build.misspelled-key", E, None)])
    assert "hint: to disable them write 'disabled_plugins = rootsshkeys'" in stderr


# ---------------------------------------------------------------------------- the real CLI


def test_real_cli_validate_and_build(cvmctx: Run, tmp_path: Path) -> None:
    """``python -m cvmctx``, not the in-process runner: the same findings and exit codes."""
    (tmp_path / "case.txt").write_text(HEAD + "plugins = CernVM\n" + CERNVM, encoding="utf-8")
    (tmp_path / "nbsp.txt").write_text(
        HEAD + "plugins = cernvm\u00a0hostname\n" + CERNVM + HOST, encoding="utf-8"
    )
    (tmp_path / "seed.txt").write_text(HEAD + "disabed_plugins = rootsshkeys\n", encoding="utf-8")

    proc = cvmctx("validate", "case.txt", "nbsp.txt", "seed.txt")
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "case.txt:2:11: info[amiconfig.plugins.upper-case]" in out
    assert "nbsp.txt:2:17: error[amiconfig.plugins.character]" in out
    assert "seed.txt:2:1: warning[key.not-read]" in out

    proc = cvmctx("build", "case.txt", "-o", "case.out")
    assert proc.returncode == 0, proc.stderr.decode()
    assert (tmp_path / "case.out").read_text() == HEAD + "plugins = cernvm\n" + CERNVM
    proc = cvmctx("build", "nbsp.txt", "-o", "nbsp.out")
    assert proc.returncode == 1
    assert "nbsp.txt:2:17: error[amiconfig.plugins.character]" in proc.stderr.decode()
    proc = cvmctx("build", "seed.txt", "-o", "seed.out")
    assert proc.returncode == 1
    assert "seed.txt:2:1: error[build.misspelled-key]" in proc.stderr.decode()
    assert not (tmp_path / "nbsp.out").exists() and not (tmp_path / "seed.out").exists()


def test_amiconfig_header_in_another_case_runs_nothing() -> None:
    """guest-format.md §2: ``getSection('amiconfig')`` finds ``[AMIConfig]`` but indexes
    ``_sections['amiconfig']``: the KeyError stops amiconfig before any plugin runs."""
    context, diags = read_context("[AMIConfig]\nplugins = cernvm\n" + CERNVM)
    assert enabled_in(context) == set()
    assert [(d.code, d.line) for d in diags] == [("ini.section-case", 1)]
    assert "before running any plugin" in diags[0].message
    both, _ = read_context("[AMIConfig]\nplugins = x\n[amiconfig]\nplugins = cernvm\n")
    assert enabled_in(both) == {"rootsshkeys", "cernvm"}


def test_a_mistyped_plugin_name_gets_the_whole_suggestion() -> None:
    from cvmctx.api import validate_bytes

    result = validate_bytes(b"[amiconfig]\nplugins = cernvn\n[cernvm]\norganisations = cms\n")
    (found,) = [d for d in result.report if d.code == "amiconfig.plugins.unknown"]
    assert found.message == "no CernVM plugin is called 'cernvn'; did you mean 'cernvm'?"
    assert found.hint == "write 'cernvm'"
