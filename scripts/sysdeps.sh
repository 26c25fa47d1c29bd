#!/usr/bin/env bash
# Installs the Debian packages circlekeeper needs, only when they are missing.
# Arguments: THING:PACKAGE pairs; THING is a shared library (lib*.so*) or a command.
set -u
missing=()
for pair in "$@"; do
  thing=${pair%%:*}
  pkg=${pair#*:}
  case "$thing" in
    lib*.so*) ldconfig -p 2>/dev/null | grep -q "$thing" || missing+=("$pkg") ;;
    *) command -v "$thing" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "circlekeeper: please install ${missing[*]} with your system's package manager" \
       "(without them circlekeeper runs with visual cues only)." >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "circlekeeper: not root and no sudo; please install: ${missing[*]}" >&2
    exit 0
  fi
fi
echo "circlekeeper: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null || echo "circlekeeper: apt-get update failed" >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || echo "circlekeeper: could not install ${missing[*]}; sound may be unavailable" >&2
exit 0
