#!/usr/bin/env bash
# The Debian packages the tests need, installed when missing (CI runs as root: .ci/run calls
# this before `npm test`). One package a line: add yours below.
#   chromium: the browser test of the HTML report (test/report/report-html.browser.test.ts)
#   softhsm2: real PKCS#11 tokens (/usr/lib/softhsm/libsofthsm2.so, softhsm2-util) for the Luna
#             driver and emulator tests (test/drivers/luna, test/emulator/luna)
set -euo pipefail

PACKAGES=(
  chromium
  softhsm2
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-system: already installed: ${PACKAGES[*]}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing ${missing[*]}: run as root: sudo bash tools/setup-system.sh" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
echo "setup-system: installed ${missing[*]}"
