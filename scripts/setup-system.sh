#!/usr/bin/env bash
# Installs what the code verifiers (verifiers/code) compile and run with, and the media tools
# of Omni-Detective (generators/omni), outside the venv: the system packages from apt, then
# TypeScript and Node's type declarations from package-lock.json into ./node_modules.
# `scripts/setup --test` calls it; it needs root for apt.
#
# Reruns are fast: apt is skipped when dpkg already has every package, npm ci when
# node_modules was installed from this very package-lock.json (a stamp of its hash).
set -euo pipefail
cd "$(dirname "$0")/.."

# The JDK (javac, java), Node.js, g++, and Mono's C# compiler and runtime (mcs, mono).
packages=(openjdk-17-jdk-headless nodejs g++ mono-mcs mono-runtime)
# Omni-Detective's clips and observers: speech (espeak-ng), tones and noise (sox), video and
# probing (ffmpeg, ffprobe), OCR (tesseract), and the font ffmpeg's drawtext draws the demo with.
packages+=(espeak-ng sox ffmpeg tesseract-ocr tesseract-ocr-eng fonts-dejavu-core)
# Headless Chromium: tests/report loads `datagen catalog report`'s HTML page from disk in a real
# browser and checks that every inline plot decodes and the lineage SVG renders.
packages+=(chromium)
# Debian's nodejs leaves npm to a package of its own; NodeSource's nodejs bundles npm and
# declares a conflict with that package, so asking for it there fails the whole install.
if ! command -v npm >/dev/null; then
  packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [ "$status" != installed ]; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/setup-system.sh: apt must install ${missing[*]}: run it as root" >&2
    exit 1
  fi
  echo "scripts/setup-system.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # Only the missing ones: naming an installed package would also upgrade it.
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

stamp=node_modules/.datagen-package-lock.sha256
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi
