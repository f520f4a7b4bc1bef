"""The core plugin sections ([cernvm], [storage], [condor], [squid], [ganglia]): every guest
hazard gives its exact finding at the right place, valid data round-trips, structured codecs
satisfy parse(render(v)) == v, and no password or secret reaches a message
(guest-format.md §3.8-§3.11, §3.15)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sectiondata import B64_PEM, PUBKEY
from sectionkit import COLUMN, LINE, assert_finding, load, one

from cvmctx.diagnostics import Severity
from cvmctx.model.codecs.core import Refused, check_line
from cvmctx.model.codecs.proxy import CvmfsProxy
from cvmctx.model.sections._base import Section
from cvmctx.model.sections.cernvm import Cernvm
from cvmctx.model.sections.cernvm_users import UserEntry, Users
from cvmctx.model.sections.cernvm_values import (
    ContextCommand,
    EnvEntry,
    Environment,
    ExtraRepository,
)
from cvmctx.model.sections.condor import Condor
from cvmctx.model.sections.ganglia import Ganglia
from cvmctx.model.sections.squid import Squid
from cvmctx.model.sections.storage import Storage

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
MARKER = "S3cr3tMarker"
CORE: tuple[type[Section], ...] = (Cernvm, Storage, Condor, Squid, Ganglia)




# ------------------------------------------------------------------ hazards
# (class, values, code, severity, line, column) for the first value (at LINE, COLUMN), or for
# the section as a whole (line None).
HAZARDS = [
    # §3.9 users
    (Cernvm, [("users", "a:b:c:d")], "cernvm.users.fields", E, LINE, COLUMN),
    (Cernvm, [("users", "ok:g:,bad:g")], "cernvm.users.fields", E, LINE, COLUMN + 6),
    (Cernvm, [("users", "")], "cernvm.users.fields", E, LINE, COLUMN),
    (Cernvm, [("users", "a:b:,")], "cernvm.users.fields", E, LINE, COLUMN + 5),
    (Cernvm, [("users", "panda:atlas:")], "cernvm.users.random", INFO, LINE, COLUMN + 12),
    (Cernvm, [("users", "a:b:pw")], "cernvm.users.plaintext-password", W, LINE, COLUMN + 4),
    (Cernvm, [("users", "a:b:$1$ab$cdef")], "cernvm.users.unrecognised-hash", W, LINE, COLUMN + 4),
    (Cernvm, [("users", "a:b:$5$ab$cdef")], "cernvm.users.unrecognised-hash", W, LINE, COLUMN + 4),
    (Cernvm, [("users", "a:b:$6$short")], "cernvm.users.bad-hash", W, LINE, COLUMN + 4),
    (Cernvm, [("users", "a:b:pa ss")], "cernvm.users.password-space", E, LINE, COLUMN + 6),
    (Cernvm, [("users", "a:b:pa\tss")], "cernvm.users.password-space", E, LINE, COLUMN + 6),
    (Cernvm, [("users", "a:b:pw*x")], "cernvm.users.glob", W, LINE, COLUMN + 6),
    (Cernvm, [("users", "a:b:p[1]")], "cernvm.users.glob", W, LINE, COLUMN + 5),
    (Cernvm, [("users", "a:b:-n")], "cernvm.users.echo-option", E, LINE, COLUMN + 4),
    (Cernvm, [("users", "1a:b:")], "cernvm.users.user", E, LINE, COLUMN),
    (Cernvm, [("users", "a:b c:")], "cernvm.users.group", E, LINE, COLUMN + 2),
    (Cernvm, [("users", "Alice:b:")], "cernvm.users.name-style", W, LINE, COLUMN),
    (Cernvm, [("users", "root:root:")], "cernvm.users.root", W, LINE, COLUMN),
    (Cernvm, [("users", "a:b:,a:c:")], "cernvm.users.duplicate", W, LINE, COLUMN + 5),
    # §3.9 environment
    (Cernvm, [("environment", "A=x=y")], "cernvm.environment.fields", E, LINE, COLUMN),
    (Cernvm, [("environment", "A=1,x,y")], "cernvm.environment.fields", E, LINE, COLUMN + 4),
    (Cernvm, [("environment", "")], "cernvm.environment.fields", E, LINE, COLUMN),
    (Cernvm, [("environment", "1A=x")], "cernvm.environment.name", E, LINE, COLUMN),
    (
        Cernvm,
        [("environment", "CMS_ROOT=/a,CMS=b")],
        "cernvm.environment.prefix",
        W,
        LINE,
        COLUMN + 12,
    ),
    (Cernvm, [("environment", "CMS=b,CMS_ROOT=/a")], "cernvm.environment.prefix", W, LINE,
     COLUMN + 6),
    (Cernvm, [("environment", "A=1,A=2")], "cernvm.environment.duplicate", W, LINE, COLUMN + 4),
    (Cernvm, [("environment", 'A="x"')], "cernvm.environment.double-quote", W, LINE, COLUMN + 2),
    (Cernvm, [("environment", "A=$HOME")], "cernvm.environment.shell-expansion", W, LINE,
     COLUMN + 2),
    (Cernvm, [("environment", "A=`id`")], "cernvm.environment.shell-expansion", W, LINE,
     COLUMN + 2),
    (Cernvm, [("environment", "A=")], "cernvm.environment.empty-value", W, LINE, COLUMN + 2),
    # §3.9 contextualization_command
    (Cernvm, [("contextualization_command", "user1:/bin/x")],
     "cernvm.contextualization_command.user", E, LINE, COLUMN),
    (Cernvm, [("contextualization_command", "/bin/x")],
     "cernvm.contextualization_command.user", E, LINE, COLUMN),
    (Cernvm, [("contextualization_command", "root:/bin/x")],
     "cernvm.contextualization_command.system-user", E, LINE, COLUMN),
    (Cernvm, [("contextualization_command", "a:")],
     "cernvm.contextualization_command.empty-command", E, LINE, COLUMN),
    (Cernvm, [("contextualization_command", "a:/x.sh,b:/y.sh")],
     "cernvm.contextualization_command.list", E, LINE, COLUMN + 7),
    (Cernvm, [("contextualization_command", "panda:'/bin/x -t 1'"), ("users", "panda:atlas:")],
     "cernvm.contextualization_command.quoted", E, LINE, COLUMN + 6),
    (Cernvm, [("contextualization_command", 'panda:"/bin/x -t 1"'), ("users", "panda:atlas:")],
     "cernvm.contextualization_command.quoted", W, LINE, COLUMN + 6),
    (Cernvm, [("contextualization_command", "panda:/bin/x $HOME"), ("users", "panda:atlas:")],
     "cernvm.contextualization_command.shell-expansion", W, LINE, COLUMN + 13),
    (Cernvm, [("contextualization_command", "panda:/bin/x")],
     "cernvm.contextualization_command.user-not-created", W, None, None),
    # §3.9 proxy (§2: a space before ';' is a comment, and CVMFS wants no spaces at all)
    (Cernvm, [("proxy", "http://p:3128| http://q:3128")], "cernvm.proxy.whitespace", E, LINE,
     COLUMN + 14),
    (Cernvm, [("proxy", "http://p:3128;;DIRECT")], "cernvm.proxy.empty-member", E, LINE,
     COLUMN + 14),
    (Cernvm, [("proxy", "http://p:3128;direct")], "cernvm.proxy.case", E, LINE, COLUMN + 14),
    (Cernvm, [("proxy", "p:3128;DIRECT")], "cernvm.proxy.member", E, LINE, COLUMN),
    (Cernvm, [("proxy", "http://p:99999")], "cernvm.proxy.port", E, LINE, COLUMN),
    (Cernvm, [("proxy", "")], "cernvm.proxy.empty", E, LINE, COLUMN),
    # §3.9 extra_repositories
    (Cernvm, [("extra_repositories", "r|s")], "cernvm.extra_repositories.fields", E, LINE,
     COLUMN),
    (Cernvm, [("extra_repositories", "r|s|not base64!")], "cernvm.extra_repositories.not-base64",
     E, LINE, COLUMN + 4),
    (Cernvm, [("extra_repositories", f"r|http://s|{PUBKEY}")], "cernvm.extra_repositories.server",
     E, LINE, COLUMN + 2),
    (Cernvm, [("extra_repositories", f"a/b|s|{PUBKEY}")], "cernvm.extra_repositories.name", E,
     LINE, COLUMN),
    (Cernvm, [("extra_repositories", "r|s|QUJD")], "cernvm.extra_repositories.not-pem", W, LINE,
     COLUMN + 4),
    # §3.9 other keys
    # An unexpanded $x509_cert: the guest's decodestring skips '$' and '_' and decodes the rest
    # (guest-format.md §3.9), writing bytes that are no PEM.
    (Cernvm, [("x509-cert", "$x509_cert")], "cernvm.x509-cert.not-pem", E, LINE, COLUMN),
    (Cernvm, [("x509-cert", "QUJDRA")], "cernvm.x509-cert.not-base64", E, LINE, COLUMN),
    (Cernvm, [("x509-cert", base64.b64encode(b"x").decode())], "cernvm.x509-cert.not-pem", E,
     LINE, COLUMN),
    (Cernvm, [("eos-x509-cert", "QUJDR")], "cernvm.eos-x509-cert.not-base64", E, LINE, COLUMN),
    (Cernvm, [("eos-x509-cert", "!!")], "cernvm.eos-x509-cert.not-pem", E, LINE, COLUMN),
    (Cernvm, [("x509-cert-file", "proxy.pem")], "cernvm.x509-cert-file.not-absolute", E, LINE,
     COLUMN),
    (Cernvm, [("x509-user", "Bad User")], "cernvm.x509-user.name", E, LINE, COLUMN),
    (Cernvm, [("group_profile", "group-cms")], "cernvm.group_profile.no-effect", W, LINE, COLUMN),
    (Cernvm, [("edition", "desktop")], "cernvm.edition.case", E, LINE, COLUMN),
    (Cernvm, [("startxdm", "yes")], "cernvm.startxdm.choice", E, LINE, COLUMN),
    (Cernvm, [("auto_login", "On")], "cernvm.auto_login.case", E, LINE, COLUMN),
    (Cernvm, [("screenres", "1280*800")], "cernvm.screenres.format", E, LINE, COLUMN),
    (Cernvm, [("swap_size", "2 GB")], "cernvm.swap_size.format", E, LINE, COLUMN),
    (Cernvm, [("shell", "bash")], "cernvm.shell.not-absolute", E, LINE, COLUMN),
    (Cernvm, [("shell", "/bin/zsh")], "cernvm.shell.unusual-shell", W, LINE, COLUMN),
    (Cernvm, [("organisations", "CMS")], "cernvm.organisations.not-lowercase", W, LINE, COLUMN),
    (Cernvm, [("repositories", "cms, atlas")], "cernvm.repositories.space-in-item", E, LINE,
     COLUMN + 4),
    (Cernvm, [("eos-readaheadsize", "4M")], "cernvm.eos-readaheadsize.not-integer", E, LINE,
     COLUMN),
    (Cernvm, [("entitlement_key", 'k"ey')], "cernvm.entitlement_key.double-quote", W, LINE,
     COLUMN + 1),
    (Cernvm, [("config_url", "http://x/")], "key.not-read", W, LINE, 1),
    # §3.9 keys needed together
    (Cernvm, [("eos-server", "eos.example.org"), ("users", "a:b:")], "cernvm.missing-key", E,
     None, None),
    (Cernvm, [("eos-x509-cert", B64_PEM)], "cernvm.missing-key", E, None, None),
    (Cernvm, [("eos-server", "eos.example.org")], "cernvm.key-ignored", W, None, None),
    (Cernvm, [("eos-readcachesize", "1")], "cernvm.key-ignored", W, None, None),
    # §3.8 storage
    (Storage, [("daemon", "False")], "storage.daemon.false-means-true", E, LINE, COLUMN),
    (Storage, [("daemon", "no")], "storage.daemon.false-means-true", E, LINE, COLUMN),
    (Storage, [("daemon", "0")], "storage.daemon.false-means-true", E, LINE, COLUMN),
    (Storage, [("daemon", "off")], "storage.daemon.false-means-true", E, LINE, COLUMN),
    (Storage, [("pre-allocated-space", "20GB")], "storage.pre-allocated-space.not-integer", E,
     LINE, COLUMN),
    (Storage, [("relocate-paths", "srv:/x")], "storage.relocate-paths.not-absolute", E, LINE,
     COLUMN),
    (Storage, [("relocate-paths", "/a::/b")], "storage.relocate-paths.empty-item", E, LINE,
     COLUMN + 3),
    (Storage, [("relocate-paths", "/a:/b c")], "storage.relocate-paths.space-in-path", E, LINE,
     COLUMN + 5),
    # §3.10 condor
    (Condor, [("use_ips", "True")], "condor.use_ips.not-exact", E, LINE, COLUMN),
    (Condor, [("condor_secret", "pass word")], "condor.condor_secret.character", E, LINE,
     COLUMN + 4),
    (Condor, [("condor_secret", "pw;reboot")], "condor.condor_secret.character", E, LINE,
     COLUMN + 2),
    (Condor, [("condor_secret", "$(id)")], "condor.condor_secret.character", E, LINE, COLUMN),
    (Condor, [("condor_secret", "#pw")], "condor.condor_secret.character", E, LINE, COLUMN),
    (Condor, [("condor_user", "con dor")], "condor.condor_user.format", E, LINE, COLUMN),
    (Condor, [("condor_dir", "condor")], "condor.condor_dir.not-absolute", E, LINE, COLUMN),
    (Condor, [("condor_dir", "/srv/a b")], "condor.condor_dir.character", E, LINE, COLUMN + 6),
    (Condor, [("highport", "high")], "condor.highport.not-integer", E, LINE, COLUMN),
    (Condor, [("extra_vars", "A = 1, 2")], "condor.extra_vars.split-line", W, LINE, COLUMN + 6),
    (Condor, [("lowport", "9800")], "condor.ports", E, None, None),
    (Condor, [("highport", "70000")], "condor.highport.too-big", E, None, None),
    (Condor, [("slots", "4")], "key.not-read", W, LINE, 1),
    (Condor, [("filesystem_domain", "x")], "key.not-read", W, LINE, 1),
    (Condor, [("localconfig", "x")], "key.not-read", W, LINE, 1),
    (Condor, [("slot_user", "x")], "key.not-read", W, LINE, 1),
    (Condor, [("cannonical_user", "x")], "key.not-read", W, LINE, 1),
    # §3.15 squid
    (Squid, [("cache_mem", "4096 MB")], "key.not-read", W, LINE, 1),
    (Squid, [("cvmfs_server", "cernvm-webfs.cern.ch")], "key.not-read", W, LINE, 1),
    (Squid, [("maximum_object_size_in_memory", "32 KB")], "key.not-read", W, LINE, 1),
    (Squid, [("cache_dir", "spool")], "squid.cache_dir.not-absolute", E, LINE, COLUMN),
    (Squid, [("cache_dir_size", "50 GB")], "squid.cache_dir_size.not-integer", E, LINE, COLUMN),
    (Squid, [("cache_dir_size", "0")], "squid.cache_dir_size.too-small", E, LINE, COLUMN),
    (Squid, [("backends", "a.cern.ch, b.fnal.gov")], "squid.backends.space-in-item", E, LINE,
     COLUMN + 10),
    # §3.11 ganglia
    (Ganglia, [("url", "http://ganglia.example.org/")], "ganglia.url.character", E, LINE,
     COLUMN + 5),
    (Ganglia, [("name", "my cluster")], "ganglia.name.character", E, LINE, COLUMN + 2),
    (Ganglia, [("owner", "a;b")], "ganglia.owner.character", E, LINE, COLUMN + 1),
    (Ganglia, [("location", "a&b")], "ganglia.location.character", E, LINE, COLUMN + 1),
    (Ganglia, [("port", "x")], "ganglia.port.not-integer", E, LINE, COLUMN),
    (Ganglia, [("ttl", "-1")], "ganglia.ttl.not-integer", E, LINE, COLUMN),
    # gmond's libconfuse takes yes/no, true/false, on/off in any case, nothing else.
    (Ganglia, [("bind_hostname", "1")], "ganglia.bind_hostname.choice", E, LINE, COLUMN),
    (Ganglia, [("bind_hostname", "")], "ganglia.bind_hostname.choice", E, LINE, COLUMN),
]


@pytest.mark.parametrize(
    ("cls", "values", "code", "severity", "line", "column"),
    HAZARDS,
    ids=[f"{h[0].SECTION}:{h[2]}:{i}" for i, h in enumerate(HAZARDS)],
)
def test_hazard_gives_its_finding(
    cls: type[Section],
    values: list[tuple[str, str]],
    code: str,
    severity: Severity,
    line: int | None,
    column: int | None,
) -> None:
    diag = assert_finding(cls, values, code, severity, line, column)
    assert diag.hint


# ------------------------------------------------------------------ messages
def test_users_fields_message_says_no_colon_or_comma_in_a_password() -> None:
    _, diags = load(Cernvm, [("users", "a:b:pa:ss")])
    message = one(diags, "cernvm.users.fields").message
    assert "':'" in message and "','" in message and "password" in message


def test_users_random_message() -> None:
    _, diags = load(Cernvm, [("users", "a:b:")])
    assert "random 8-character password" in one(diags, "cernvm.users.random").message


def test_environment_prefix_message_explains_write_config_to_file() -> None:
    _, diags = load(Cernvm, [("environment", "CMS_ROOT=/a,CMS=b")])
    message = one(diags, "cernvm.environment.prefix").message
    assert "writeConfigToFile" in message and "prefix" in message and "lost" in message


def test_x509_cert_message_says_the_plugin_returns() -> None:
    _, diags = load(Cernvm, [("x509-cert", "QUJDRA")])
    assert "returns immediately" in one(diags, "cernvm.x509-cert.not-base64").message


def test_daemon_message_says_empty_turns_it_off() -> None:
    _, diags = load(Storage, [("daemon", "False")])
    diag = one(diags, "storage.daemon.false-means-true")
    assert "bool" in diag.message and "daemon =" in (diag.hint or "")


def test_ganglia_message_says_gmond_conf_is_left_empty() -> None:
    _, diags = load(Ganglia, [("url", "http://x/")])
    assert "/etc/gmond.conf is left empty" in one(diags, "ganglia.url.character").message


def test_quoted_command_message_says_one_word() -> None:
    _, diags = load(Cernvm, [("contextualization_command", "panda:'/bin/x -t 1'")])
    diag = one(diags, "cernvm.contextualization_command.quoted")
    assert "ONE word" in diag.message and "user:/path/script.sh" in (diag.hint or "")


# ------------------------------------------------------------------ kept values
def test_refused_value_stays_out_of_the_model() -> None:
    model, _ = load(Cernvm, [("users", "a:b:c:d"), ("shell", "/bin/bash")])
    assert isinstance(model, Cernvm) and model.users is None and model.shell == "/bin/bash"


def test_empty_daemon_turns_it_off_silently_and_is_kept() -> None:
    model, diags = load(Storage, [("daemon", "")])
    assert diags == []
    assert isinstance(model, Storage) and model.daemon == ""
    assert model.items() == [("daemon", "")]


def test_daemon_is_kept_verbatim_and_false_is_refused() -> None:
    model, _ = load(Storage, [("daemon", "yes")])
    assert isinstance(model, Storage) and model.daemon == "yes"
    model, _ = load(Storage, [("daemon", "False")])  # bool("False") is True on the guest (§3.8)
    assert isinstance(model, Storage) and model.daemon is None


def test_structured_values() -> None:
    model, _ = load(
        Cernvm,
        [
            ("users", "alice:cms:,bob:cms:pw"),
            ("environment", "A=1,B=2"),
            ("contextualization_command", "alice:/opt/run.sh -v"),
            ("proxy", "http://a:3128|http://b:3128;DIRECT"),
            ("extra_repositories", f"r.example.org|s.example.org:8000|{PUBKEY}"),
        ],
    )
    assert isinstance(model, Cernvm)
    assert model.users == (UserEntry("alice", "cms", ""), UserEntry("bob", "cms", "pw"))
    assert model.environment == (EnvEntry("A", "1"), EnvEntry("B", "2"))
    assert model.contextualization_command == ContextCommand("alice", "/opt/run.sh -v")
    assert model.proxy == (("http://a:3128", "http://b:3128"), ("DIRECT",))
    assert model.extra_repositories == (
        ExtraRepository("r.example.org", "s.example.org:8000", PUBKEY),
    )


def test_user_entry_repr_hides_the_password() -> None:
    shown = repr(UserEntry("bob", "cms", MARKER))
    assert MARKER not in shown and "bob" in shown and "hidden" in shown
    model, _ = load(Cernvm, [("users", f"bob:cms:{MARKER}")])
    assert MARKER not in repr(model)


def test_seed_ec2_example_gives_only_the_plaintext_password_warning() -> None:
    model, diags = load(
        Cernvm,
        [
            ("organisations", "cms"),
            ("repositories", "cms"),
            ("users", "testcms:cms:12345678"),
            ("shell", "/bin/bash"),
            ("services", "ntpd"),
            ("environment", "CMS_SITECONFIG=EC2,CMS_ROOT=/opt/cms"),
        ],
    )
    assert [(d.code, d.severity, d.line, d.column) for d in diags] == [
        ("cernvm.users.plaintext-password", W, LINE + 2, COLUMN + 12)
    ]
    assert isinstance(model, Cernvm) and model.users == (UserEntry("testcms", "cms", "12345678"),)


def test_seed_atlas_command_with_its_user_warns_only_about_quotes() -> None:
    cmd = "panda:'/cvmfs/sft.cern.ch/lcg/external/experimental/panda-pilot/runPanda -t 1'"
    _, diags = load(Cernvm, [("users", "panda:atlas:"), ("contextualization_command", cmd)])
    assert sorted(d.code for d in diags) == [
        "cernvm.contextualization_command.quoted",
        "cernvm.users.random",
    ]


def test_every_core_section_enables_its_own_plugin() -> None:
    for cls in CORE:
        assert cls.PLUGINS == (cls.SECTION,)
    assert "block-device-mapping" in (Storage.__doc__ or "")


def test_secret_keys_are_marked() -> None:
    assert Cernvm.secret_keys() == {
        "entitlement_key",
        "contextualization_key",
        "x509-cert",
        "eos-x509-cert",
    }
    assert Condor.secret_keys() == {"condor_secret"}
    assert Storage.secret_keys() == Squid.secret_keys() == Ganglia.secret_keys() == frozenset()


def test_guest_defaults() -> None:
    shell = Cernvm.key_spec("shell")
    assert shell is not None and shell.guest_default == "/bin/bash"
    port = Ganglia.key_spec("port")
    assert port is not None and port.guest_default == "8649"


# ------------------------------------------------------------------ round trips
def test_round_trip_keeps_unread_keys() -> None:
    model, _ = load(Squid, [("cache_mem", "4096 MB"), ("cache_dir_size", "100")])
    assert model.items() == [("cache_dir_size", "100"), ("cache_mem", "4096 MB")]


# ------------------------------------------------------------------ secrets
def test_passwords_never_appear_in_findings() -> None:
    forms = [
        f"a:b:{MARKER}",
        f"a:b:{MARKER}*",
        f"a:b:{MARKER} x",
        f"a:b:{MARKER}:x",
        f"a:b:$1${MARKER}",
        f"a:b:$6${MARKER}",
        f"a:b:{MARKER},c:d",
        f"root:root:{MARKER}[",
    ]
    for value in forms:
        _, diags = load(Cernvm, [("users", value)])
        assert diags
        for d in diags:
            assert MARKER not in d.message + (d.hint or "") + (d.path or ""), d.code


# ------------------------------------------------------------------ codec properties
NAMES = st.from_regex(r"[a-z_][a-z0-9_-]{0,15}", fullmatch=True)
PASSWORD_CHARS = "".join(chr(c) for c in range(33, 127) if chr(c) not in ":,")
PASSWORDS = st.text(alphabet=PASSWORD_CHARS, max_size=20).filter(
    lambda p: not (p.startswith("-") and set(p[1:]) <= set("neE") and len(p) > 1)
)
USERS = st.lists(st.builds(UserEntry, NAMES, NAMES, PASSWORDS), min_size=1, max_size=5).map(
    tuple
)
ENV_NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
ENV_VALUE_CHARS = "".join(chr(c) for c in range(33, 127) if chr(c) not in ",=")
ENVS = st.lists(
    st.builds(EnvEntry, ENV_NAMES, st.text(alphabet=ENV_VALUE_CHARS, max_size=20)),
    min_size=1,
    max_size=5,
).map(tuple)
LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
HOSTS = st.lists(LABEL, min_size=1, max_size=3).map(".".join)
HTTP = st.builds(
    lambda host, port: f"http://{host}" + ("" if port is None else f":{port}"),
    HOSTS,
    st.none() | st.integers(1, 65535),
)
MEMBERS = st.sampled_from(["DIRECT", "auto"]) | HTTP
PROXIES = st.lists(
    st.lists(MEMBERS, min_size=1, max_size=3).map(tuple), min_size=1, max_size=3
).map(tuple)


@given(USERS)
def test_users_parse_render(value: tuple[UserEntry, ...]) -> None:
    codec = Users()
    text = codec.render(value)
    assert codec.parse(text).value == value
    assert codec.render(codec.parse(text).value) == text


@given(ENVS)
def test_environment_parse_render(value: tuple[EnvEntry, ...]) -> None:
    codec = Environment()
    text = codec.render(value)
    assert codec.parse(text).value == value
    assert codec.render(codec.parse(text).value) == text


@given(PROXIES)
def test_proxy_parse_render(value: tuple[tuple[str, ...], ...]) -> None:
    codec = CvmfsProxy()
    text = codec.render(value)
    parsed = codec.parse(text)
    assert parsed.value == value and parsed.notes == ()
    assert codec.render(parsed.value) == text


@given(st.text(alphabet="ab:,$6 *-nE", max_size=20))
def test_users_render_parse_on_any_accepted_text(text: str) -> None:
    from cvmctx.model.codecs.core import Refused

    codec = Users()
    try:
        parsed = codec.parse(text)
    except Refused:
        return
    assert codec.render(parsed.value) == text


@pytest.mark.parametrize(
    ("text", "note"),
    [('""', "empty-quotes"), (" a", "whitespace"), ("a ;b", "inline-comment"), ("a\nb", "newline")],
)
def test_a_value_no_ini_line_carries_is_refused(text: str, note: str) -> None:
    # the fast path for common values must not let the exact value "" through: the guest's
    # reader turns it into the empty string (guest-format.md §2), so it could not be rendered
    with pytest.raises(Refused) as refused:
        check_line(text)
    assert refused.value.finding.code == note


def test_an_unread_key_whose_value_is_empty_quotes_is_not_rendered_as_written() -> None:
    with pytest.raises(ValueError, match='exactly "" as empty'):
        Squid.model_validate({"other": {"x": '""'}})
