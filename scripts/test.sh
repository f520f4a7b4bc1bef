#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it: lint, types, tests.
# This is the README's test command; .ci/run calls exactly this.
#   PYTHON=python3.13 bash scripts/test.sh   runs it under another interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

# Debian tools the tests drive (installed only where missing).
# command -> Debian package: gzip for byte-identical compression checks, GNU sed/grep/awk for the
# replay of the guest's script extraction, the ISO readers, blkid and libvirt's XML validator.
missing=()
for pair in bash:bash gzip:gzip sed:sed grep:grep awk:gawk base64:coreutils \
            xorriso:xorriso isoinfo:genisoimage blkid:util-linux \
            virt-xml-validate:libvirt-clients xmllint:libxml2-utils; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
# qemu-img makes the overlays of `launch libvirt --overlay`; libvirt-python (the libvirt extra)
# compiles against libvirt's headers, found through pkg-config
command -v qemu-img >/dev/null || missing+=(qemu-utils)
command -v pkg-config >/dev/null || missing+=(pkg-config)
pkg-config --exists libvirt 2>/dev/null || missing+=(libvirt-dev)
# locale sources, for the test that builds under a Latin-1 locale (localedef into a temp dir)
[ -f /usr/share/i18n/locales/en_US ] || missing+=(locales)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install -q -e '.[dev]'

echo "== ruff"
"$VENV/bin/ruff" check cvmctx tests
echo "== mypy --strict"
"$VENV/bin/mypy" cvmctx
echo "== generated pages are current"
for module in cvmctx.catalog cvmctx.report.sections cvmctx.cli.clidoc cvmctx.deploy.schema; do
  "$VENV/bin/python" -m "$module" --check
done
echo "== pytest"
log=$(mktemp)
set +e
"$VENV/bin/python" -m pytest -q -rs "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 5 ]; then
  echo "test.sh: pytest collected no tests" >&2
  exit 1
fi
if [ "$rc" != 0 ]; then
  exit "$rc"
fi
if grep -Eq '[0-9]+ skipped' "$log"; then
  echo "test.sh: tests were skipped; every test must run here" >&2
  exit 1
fi
