"""Variables that context.sh must not set, because the guest's own scripts (or bash, or the
programs they start) use them after sourcing it (guest-format.md §1.1, §4).

The guest sources context.sh inside its init scripts' shells: in ``loadContext`` and
``setupContext`` (``hepix/extra/hepix_functions``), called by ``vmcontext_prolog`` (both, in
one subshell, then ``runContextualizationScript``), ``vmcontext_hepix`` (``setupContext`` in
the script's own shell, then ``$AMICONFIG user`` and ``hepix``) and ``vmcontext_epilog``
(``loadContext``, then ``runContextualizationScript``). Whatever those shells read after the
source, context.sh can change; whatever they export reaches ``amiconfig.sh`` and amiconfig.
Variables the guest reads *from* context.sh (``EC2_USER_DATA``, ``ROOT_PUBKEY``,
``PUBLIC_KEY``) and ``ONE_CONTEXT_PATH`` (read by nothing) are not here.

Each table names, per variable, the file and function that use it and what the guest then
does. :func:`refusal` is ``cvmctx iso --var``'s check (exit 2); :func:`finding` is validate's.
"""

from __future__ import annotations

__all__ = ["BASH_READONLY", "finding", "refusal"]

_HEPIX = "/etc/init.d/hepix_functions"
_INITSCRIPTS = "/etc/init.d/functions (initscripts; vmcontext_hepix calls them)"

# Read after the source, never assigned in between: context.sh's value is what the guest uses.
_READ_AFTER: dict[str, tuple[str, str]] = {
    # hepix_functions setupContext: `ssh_keyfile=$CONTEXT_DIR/$ROOT_PUBKEY`;
    # runContextualizationScript: `cd $CONTEXT_DIR` before `. ./prolog.sh` / `. ./epilog.sh`.
    "CONTEXT_DIR": (f"setupContext and runContextualizationScript ({_HEPIX})",
                    "the guest then looks for the ROOT_PUBKEY file and for prolog.sh and epilog.sh "
                    "in that directory instead of its copy of the CD"),
    # hepix_functions setupContext: `mkdir -p $AMICONFIG_CONTEXT_DIR/${VERSION}`, the user-data
    # and openssh-key paths, the exported AMICONFIG_CONTEXT_URL, `chmod -R 700`.
    "AMICONFIG_CONTEXT_DIR": (f"setupContext ({_HEPIX})",
                              "the guest then writes the user data and root's key under that "
                              "directory, points amiconfig at it and runs chmod -R 700 on it"),
    # hepix_functions setupContext: `VERSION="2007-12-15"` comes *before* `. context.sh`.
    "VERSION": (f"setupContext ({_HEPIX})",
                "the guest then writes the user data to /var/lib/amiconfig/<its value>/ instead "
                "of 2007-12-15/ and points amiconfig there"),
    # vmcontext_hepix start: `setupContext`, then `$AMICONFIG user` and `$AMICONFIG hepix`.
    "AMICONFIG": ("start() in /etc/init.d/vmcontext_hepix",
                  "the guest then runs its value as root with the argument 'user', then 'hepix', "
                  "instead of /usr/sbin/amiconfig.sh"),
    # vmcontext_hepix start ends with `success` or `warning`: initscripts functions that test
    # BOOTUP and LSB, and echo_success/echo_warning run $MOVE_TO_COL, $SETCOLOR_SUCCESS,
    # $SETCOLOR_WARNING and $SETCOLOR_NORMAL as commands when BOOTUP=color.
    "BOOTUP": (f"success and warning in {_INITSCRIPTS}",
               "the guest then prints vmcontext_hepix's status differently or not at all"),
    "LSB": (f"success and warning in {_INITSCRIPTS}",
            "the guest then prints no status for vmcontext_hepix"),
    "MOVE_TO_COL": (f"echo_success and echo_warning in {_INITSCRIPTS}",
                    "the guest then runs its value as a command, as root, when vmcontext_hepix "
                    "prints its status"),
    "SETCOLOR_SUCCESS": (f"echo_success in {_INITSCRIPTS}",
                         "the guest then runs its value as a command, as root, when "
                         "vmcontext_hepix prints its status"),
    "SETCOLOR_WARNING": (f"echo_warning in {_INITSCRIPTS}",
                         "the guest then runs its value as a command, as root, when "
                         "vmcontext_hepix prints its status"),
    "SETCOLOR_NORMAL": (f"echo_success and echo_warning in {_INITSCRIPTS}",
                        "the guest then runs its value as a command, as root, when "
                        "vmcontext_hepix prints its status"),
}

# Read by a program the guest starts, from its environment: they matter once exported.
_ENVIRONMENT: dict[str, tuple[str, str]] = {
    # amiconfig.sh RetrieveUserData: an AMICONFIG_LOCAL_USER_DATA already in the environment
    # is kept; rpath/amiconfig/instancedata.py reads the user data from it.
    "AMICONFIG_LOCAL_USER_DATA": ("RetrieveUserData in /usr/sbin/amiconfig.sh (and so amiconfig)",
                                  "amiconfig then reads the user data from that file instead "
                                  "of the CD's"),
    # amiconfig.sh Main: `[ ! -e "$AMI_DONE_USER" ] && DO_CONTEXT=1` never clears it, then
    # `if [ "$DO_CONTEXT" != 1 ]` skips a contextualization that already ran.
    "DO_CONTEXT": ("Main in /usr/sbin/amiconfig.sh",
                   "amiconfig.sh then contextualizes again at every boot, ignoring user.done"),
    # amiconfig.sh, top level: `if [ "$AMILOGECHO" != '' ] && [ "$AMILOGECHO" != '0' ]`.
    "AMILOGECHO": ("/usr/sbin/amiconfig.sh",
                   "amiconfig.sh then logs to the console instead of syslog"),
}

# Assigned by the guest after the source: a plain assignment is overwritten before any use,
# and `readonly` makes the guest's own assignment fail, so the guest uses context.sh's value.
_ASSIGNED_AFTER: dict[str, tuple[str, str]] = {
    # hepix_functions setupContext sources /etc/sysconfig/amiconfig, which exports
    # AMICONFIG_CONTEXT_URL=file:/var/lib/amiconfig/2007-12-15.
    "AMICONFIG_CONTEXT_URL": (f"setupContext ({_HEPIX})",
                              "setupContext exports file:/var/lib/amiconfig/2007-12-15 over it"),
    # hepix_functions setupContext: `ssh_keyfile=$CONTEXT_DIR/$ROOT_PUBKEY`, then
    # `mv -f $ssh_keyfile .../openssh-key`; `amiconf=...` rewrites /etc/sysconfig/amiconfig.
    "ssh_keyfile": (f"setupContext ({_HEPIX})",
                    "setupContext sets it to the key file it installs for root"),
    "amiconf": (f"setupContext ({_HEPIX})",
                "setupContext sets it to what it writes to /etc/sysconfig/amiconfig"),
    # hepix_functions runContextualizationScript: `PHASE=$1 COMM=$2 LOGPREFIX=...`, then
    # `. "./${PHASE}.sh" $COMM`.
    "PHASE": (f"runContextualizationScript ({_HEPIX})",
              "runContextualizationScript sets it to the script it sources (prolog, epilog)"),
    "COMM": (f"runContextualizationScript ({_HEPIX})",
             "runContextualizationScript sets it to start or stop"),
    "LOGPREFIX": (f"runContextualizationScript ({_HEPIX})",
                  "runContextualizationScript sets it for its log lines"),
    # vmcontext_hepix start: `RETVAL=$?` after `$AMICONFIG hepix`, then `if [ "$RETVAL" == 0 ]`.
    "RETVAL": ("start() in /etc/init.d/vmcontext_hepix",
               "vmcontext_hepix sets it to amiconfig's exit status"),
}

# Read from the environment by whatever the guest starts (an exported one changes them).
_STARTED = {
    "LD": ("the dynamic loader of every program the guest starts",
           "it loads other libraries into them, as root"),
    "PYTHON": ("the Python interpreter that runs amiconfig",
               "amiconfig then runs with other modules or settings"),
    "ENV": ("every sh the guest starts", "they run the file it names first"),
    "BASH_ENV": ("every bash script the guest starts (amiconfig.sh)",
                 "they run the file it names first, as root"),
}

# bash's own variables: what assigning them does to the shells that source context.sh.
_SHELL = {"PATH", "IFS", "HOME", "SHELL", "CDPATH", "PS4", "POSIXLY_CORRECT", "GLOBIGNORE",
          "TMOUT", "OPTIND"}  # fmt: skip
_SHELL_ENVIRONMENT = {"ENV", "BASH_ENV"}  # read by a shell started later, from its environment
BASH_READONLY = frozenset({"SHELLOPTS", "BASHOPTS", "UID", "EUID", "PPID", "BASH_VERSINFO"})
_DYNAMIC = {"_", "RANDOM", "SRANDOM", "SECONDS", "LINENO", "EPOCHSECONDS", "EPOCHREALTIME",
            "HISTCMD", "FUNCNAME", "GROUPS", "DIRSTACK", "PWD", "OLDPWD"}  # fmt: skip
_INIT = "the init scripts that source context.sh as root (and what they start) use it"


def refusal(name: str) -> str | None:
    """Why ``--var NAME=...`` is refused, or None. Everything a table names is refused: a
    plain assignment either changes what the guest does or is overwritten before it counts."""
    if name in BASH_READONLY:
        return "bash makes it read-only, so assigning it only prints an error at every boot"
    if name in _DYNAMIC:
        return "bash sets it itself, so the value given is lost"
    if name in _SHELL or name in _SHELL_ENVIRONMENT or name.startswith("BASH_"):
        return _INIT
    if name.startswith("LD_"):
        return _INIT  # a plain assignment does nothing, an exported one is worse: refuse both
    if name.startswith("PYTHON"):
        where, then = _STARTED["PYTHON"]
        return (f"{where} reads it from the environment, and context.sh does not export it, "
                f"so it has no effect (exported, {then})")
    if name in _READ_AFTER:
        where, then = _READ_AFTER[name]
        return f"the guest reads it after sourcing context.sh, in {where}: {then}"
    if name in _ENVIRONMENT:
        where, then = _ENVIRONMENT[name]
        return (f"{where} reads it from the environment, and context.sh does not export it, "
                f"so it has no effect (exported, {then})")
    if name in _ASSIGNED_AFTER:
        then = _ASSIGNED_AFTER[name][1]
        return f"the guest assigns it after sourcing context.sh: {then}, so the value is lost"
    return None


def finding(name: str, *, exported: bool, readonly: bool) -> str | None:
    """What the guest does when context.sh sets ``name`` (``exported``: with ``export``;
    ``readonly``: made read-only), for validate's ``contextsh.guest-variable``; None if it is
    not the guest's. bash's read-only variables are left to ``contextsh.readonly``."""
    if name in BASH_READONLY:
        return None
    if name in _ENVIRONMENT or name in _SHELL_ENVIRONMENT or _environment_prefix(name):
        where, then = _ENVIRONMENT.get(name) or _STARTED[_family(name)]
        if exported:
            return f"{where} reads it from the environment, and context.sh exports it: {then}"
        return (f"{where} reads it from the environment, and context.sh does not export it: "
                "the setting has no effect")
    if name in _ASSIGNED_AFTER:
        then = _ASSIGNED_AFTER[name][1]
        if readonly:
            return (f"the guest assigns it after sourcing context.sh ({then}), and readonly "
                    "makes that fail: the guest goes on with context.sh's value instead")
        return f"the guest assigns it after sourcing context.sh: {then}, so the value is lost"
    return refusal(name)


def _family(name: str) -> str:
    return "LD" if name.startswith("LD_") else "PYTHON" if name.startswith("PYTHON") else name


def _environment_prefix(name: str) -> bool:
    """``LD_*`` (the dynamic loader) and ``PYTHON*`` (amiconfig is Python)."""
    return name.startswith(("LD_", "PYTHON"))
