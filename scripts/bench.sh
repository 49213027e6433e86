#!/usr/bin/env bash
# Benchmarks (not part of the test command): render overhead vs bare ffmpeg, stage dispatch latency,
# thumbnail frame selection and compositing speed.
# Usage: scripts/bench.sh [--clip FILE] [--repeat N] [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./media bench "$@"
# Covers for every shared video plus the thumbnail numbers (selection time per video-minute, composites/s/core).
for folder in ../shared/media shared/media; do
  if [ -d "$folder" ]; then ./media thumbnails-eval "$folder" --out out/thumbnails-eval; break; fi
done
