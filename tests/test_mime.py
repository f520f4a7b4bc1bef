"""MIME multipart user data (cloud-init + amiconfig, guest-format.md §1.7): amiconfig reads the
whole message as INI text. Header, boundary and cloud-init lines that land in a section are
harmless unless a plugin reads their key."""

from __future__ import annotations

from cvmctx.api import validate_bytes


def message(*parts: tuple[str, str]) -> bytes:
    out = ['Content-Type: multipart/mixed; boundary="==B=="', "MIME-Version: 1.0", ""]
    for ctype, body in parts:
        out += ["--==B==", f'Content-Type: {ctype}; charset="us-ascii"', "MIME-Version: 1.0",
                "Content-Transfer-Encoding: 7bit", "", body]  # fmt: skip
    out.append("--==B==--")
    return ("\n".join(out) + "\n").encode()


AMI = "[amiconfig]\nplugins=cernvm\n[cernvm]\norganisations=atlas\nusers=panda:atlas:\n"
CLOUD = "#cloud-config\nusers:\n  - name: bob\nruncmd:\n  - [ls, -l]\n"


def findings(data: bytes) -> list[tuple[str, int | None]]:
    return [(d.code, d.line) for d in validate_bytes(data, "mime.txt").report.sorted()]


def test_amiconfig_part_last_is_clean() -> None:
    data = message(("text/cloud-config", CLOUD), ("text/amiconfig-user-data", AMI))
    users = data.decode().split("\n").index("users=panda:atlas:") + 1
    assert findings(data) == [("input.mime-multipart", 1), ("cernvm.users.random", users)]


def test_cloud_config_after_cernvm_overrides_users() -> None:
    data = message(("text/amiconfig-user-data", AMI), ("text/cloud-config", CLOUD))
    lines = data.decode().split("\n")
    users = lines.index("users:") + 1
    assert findings(data) == [
        ("input.mime-multipart", 1),
        ("input.mime-line-read", users),
        ("cernvm.users.fields", users),
    ]  # and the real users line is not reported: it is overridden
    context = validate_bytes(data, "mime.txt").context
    assert context is not None
    cernvm = context.section("cernvm")
    assert cernvm is not None and getattr(cernvm, "users", None) is None  # as the guest: empty


def test_harmless_noise_is_counted_not_reported() -> None:
    script = ("text/x-shellscript", "#!/bin/sh\necho hi\n")  # cloud-init's, not amiconfig's
    data = message(("text/amiconfig-user-data", AMI), script)
    result = validate_bytes(data, "mime.txt")
    assert [d.code for d in result.report] == ["input.mime-multipart", "cernvm.users.random"]
    assert "4 header, boundary or cloud-init line(s)" in result.report.diagnostics[0].message
