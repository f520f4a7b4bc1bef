"""Issue 10 item 4: library callers get the CLI's guarantees, from the public API."""

from __future__ import annotations

import base64
from importlib import resources
from pathlib import Path

import pytest

import cvmctx
from cvmctx import (
    BuildRequest,
    Compress,
    CvmctxError,
    Encoding,
    IsoRequest,
    build,
    make_iso,
    validate_bytes,
)
from cvmctx.cd.image import read_image
from cvmctx.guest.contextsh.file import read_context_sh, user_data_of


def test_the_public_api_resolves_and_is_typed() -> None:
    for name in cvmctx.__all__:
        assert getattr(cvmctx, name) is not None, name
    assert resources.files("cvmctx").joinpath("py.typed").is_file()
    with pytest.raises(AttributeError):
        _ = cvmctx.no_such_name  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"encoding": Encoding.BASE64}, "a context CD carries the user data plain"),
        ({"compress": Compress.ALWAYS}, "a context CD carries the user data uncompressed"),
    ],
)
def test_make_iso_refuses_what_a_cd_cannot_carry(change: dict[str, object], said: str) -> None:
    request = BuildRequest(sections=["cernvm"], environ={}, **change)  # type: ignore[arg-type]
    with pytest.raises(CvmctxError, match=said):
        make_iso(IsoRequest(build=request, environ={}))


def test_make_iso_needs_no_cloud_budget_and_never_gzips() -> None:
    """BuildRequest's defaults (EC2 budget, auto gzip) are a cloud's: a CD has neither."""
    users = ",".join(f"user{i}:cms:$6$" + "a" * 16 + "$" + "b" * 86 for i in range(200))
    request = BuildRequest(sections=["cernvm"], sets=[f"cernvm.users={users}"], environ={})
    result = make_iso(IsoRequest(build=request, environ={}))
    context_sh = read_image(result.image).files["context.sh"].decode("utf-8")
    payload = user_data_of(read_context_sh(context_sh)[0])
    assert len(payload) > 16384 and payload.startswith(b"[amiconfig]\n")  # over EC2's, plain
    assert validate_bytes(result.image).report.fails() is False


def test_the_library_reads_no_environment_unless_asked(tmp_path: Path) -> None:
    proxy = tmp_path / "x509up"
    proxy.write_bytes(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    key = tmp_path / "id.pub"
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0d"
                   "h2l9GKJl me@host\n", encoding="utf-8")  # fmt: skip
    environ = {"X509_USER_PROXY": str(proxy), "ROOT_PUBKEY": str(key)}
    built = build(BuildRequest(sections=["cernvm"], environ=environ))
    assert "x509-cert" not in built.text
    asked = build(BuildRequest(sections=["cernvm"], environ=environ, use_env_proxy=True))
    assert "x509-cert = " + base64.b64encode(proxy.read_bytes()).decode() in asked.text
    image = make_iso(IsoRequest(build=BuildRequest(sections=["cernvm"], environ=environ),
                                environ=environ)).image  # fmt: skip
    assert "root.pub" not in read_image(image).files
    image = make_iso(IsoRequest(build=BuildRequest(sections=["cernvm"], environ=environ),
                                environ=environ, use_env_pubkey=True)).image  # fmt: skip
    assert read_image(image).files["root.pub"] == key.read_bytes()


def test_the_library_refuses_to_drop_a_cloud_config_part(tmp_path: Path) -> None:
    """build() itself, not only the CLI, refuses input it cannot carry over."""
    cc = tmp_path / "cc.yaml"
    cc.write_text("#cloud-config\nusers:\n  - name: alice\n")
    with pytest.raises(cvmctx.FindingsError) as caught:
        build(BuildRequest(userdata=cc))
    found = [(d.code, d.line) for d in caught.value.report.diagnostics]
    assert ("build.part-dropped", 1) in found
    with pytest.raises(cvmctx.FindingsError):
        make_iso(IsoRequest(build=BuildRequest(userdata=cc)))
