#!/usr/bin/env bash
# The seed's EC2 example (its Perl script's $user_data), built from command-line flags.
# Writes the user data to the file named by $1 (default: userdata.txt beside this script).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/userdata.txt}
cvmctx build \
  --script "$here/script.sh" --phase after \
  --section cernvm \
  --set cernvm.organisations=cms \
  --set cernvm.repositories=cms \
  --set cernvm.users=testcms:cms:12345678 \
  --set cernvm.shell=/bin/bash \
  --set cernvm.services=ntpd \
  --set cernvm.environment=CMS_SITECONFIG=EC2,CMS_ROOT=/opt/cms \
  -o "$out"
