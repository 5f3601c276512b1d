#!/usr/bin/env bash
# Install the Debian packages the tests run for real (nginx as the edge), when missing.
# Used by `make test` and `make preview`; needs root (or sudo) the first time only.
set -euo pipefail

want=()
for spec in "$@"; do
  pkg="${spec%%:*}" bin="${spec#*:}"
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || [ -x "/usr/bin/$bin" ] || want+=("$pkg")
done
[ "${#want[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "system-packages: missing ${want[*]}; install them with apt-get (needs root), then run again" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-packages: missing ${want[*]} and no apt-get here; install them with your package manager" >&2
  exit 1
fi
echo "system-packages: installing ${want[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
