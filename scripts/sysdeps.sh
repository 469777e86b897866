#!/usr/bin/env bash
# Installs the Debian packages the project needs (dot for exports, chromium for
# browser tests and static plot export) when they are missing. Fast no-op when present.
set -euo pipefail
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "resnet-viz: missing system packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
  echo "resnet-viz: continuing; exports needing 'dot' and the browser tests will not work" >&2
  exit 0
fi
echo "resnet-viz: installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
