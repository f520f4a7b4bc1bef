#!/usr/bin/env bash
# The seed's KVM example (create_context_iso.sh), done the way the guest reads it:
#   - the proxy from $X509_USER_PROXY goes into [cernvm] x509-cert as single-line base64
#     (the seed's quoted heredoc wrote the literal text '$x509_cert');
#   - contextualization_command without quotes: the guest runs 'su - panda -c "<cmd> &"', and
#     the seed's single quotes would make the whole command one word (guest-format.md §3.9);
#   - [amiconfig] plugins names cernvm (the guest's default.cfg enables only rootsshkeys);
#   - $ROOT_PUBKEY copied as root.pub, ROOT_PUBKEY=root.pub in context.sh, an empty prolog.sh;
#   - dates from $SOURCE_DATE_EPOCH, so the image is the same bytes on every run.
# Usage: X509_USER_PROXY=/tmp/x509up_u$(id -u) ROOT_PUBKEY=~/.ssh/id_ed25519.pub build.sh OUT.iso
# Without them, the example certificate and key beside this script are used.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/context.iso}
export X509_USER_PROXY=${X509_USER_PROXY:-$here/x509up.example.pem}
export ROOT_PUBKEY=${ROOT_PUBKEY:-$here/root.pub.example}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
cvmctx iso -o "$out" \
  --section cernvm \
  --set cernvm.organisations=atlas \
  --set cernvm.repositories=atlas,grid,atlas-condb,sft \
  --set cernvm.users=panda:atlas: \
  --set "cernvm.contextualization_command=panda:/cvmfs/sft.cern.ch/lcg/external/experimental/panda-pilot/runPanda -m /tmp/eos/atlas/vm/copilot -t 1"
