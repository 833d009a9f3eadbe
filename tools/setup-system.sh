#!/usr/bin/env bash
# System packages the tests need that npm cannot bring, installed from Debian's packages.
# .ci/run calls it before `npm test`; run it by hand (as root) on a new machine:
#   bash tools/setup-system.sh
#
# - softhsm2: real PKCS#11 tokens (/usr/lib/softhsm/libsofthsm2.so, softhsm2-util) for the
#   Luna driver and emulator tests (test/drivers/luna, test/emulator/luna).
#
# Does nothing when everything is there already (a second run takes milliseconds).
set -euo pipefail

SOFTHSM_LIB=/usr/lib/softhsm/libsofthsm2.so

if [ -e "$SOFTHSM_LIB" ] && command -v softhsm2-util >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: $SOFTHSM_LIB is missing and this is not root: run 'sudo apt-get install -y softhsm2'" >&2
  exit 1
fi
echo "setup-system: installing Debian softhsm2 ($SOFTHSM_LIB missing)"
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
apt-get update -qq
apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
if [ ! -e "$SOFTHSM_LIB" ]; then
  echo "setup-system: softhsm2 installed but $SOFTHSM_LIB is still missing" >&2
  exit 1
fi
echo "setup-system: $(softhsm2-util --version | head -n 1 | sed 's/^/softhsm2 /') at $SOFTHSM_LIB"
