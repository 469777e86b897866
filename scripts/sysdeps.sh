#!/usr/bin/env bash
# Installs the Debian packages the project needs (dot for exports, chromium for
# browser tests and static plot export, pdflatex for TikZ) when they are missing.
# Fast no-op when present.
set -euo pipefail
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
# TikZ exports: pdflatex with TikZ (texlive-pictures) and preview's tightpage (preview-latex-style);
# pdftoppm (poppler-utils) renders PDFs in the export tests. texlive-latex-extra is not needed.
command -v pdflatex >/dev/null 2>&1 || need+=(texlive-latex-base texlive-pictures preview-latex-style)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
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
