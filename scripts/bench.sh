#!/usr/bin/env bash
# Benchmarks (not part of the test command): render overhead vs bare ffmpeg, stage dispatch latency,
# pattern single pass vs one ffmpeg per step, thumbnail frame selection and compositing speed.
# Usage: scripts/bench.sh [--clip FILE] [--repeat N] [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./media bench "$@"
# Pattern engine: single-pass render vs the same command bare vs one ffmpeg per step.
./media bench-patterns
# In-process bus vs Kafka (mock cluster in the process), and the S3 blob store vs raw SDK calls (s3rver).
s3dir=$(mktemp -d)
NODE_OPTIONS=--openssl-legacy-provider node .tools/s3rver/node_modules/s3rver/bin/s3rver.js -d "$s3dir" -a 127.0.0.1 -p 4599 --silent --configure-bucket media &
s3pid=$!
sleep 2
./media bench-transport --s3-url http://127.0.0.1:4599 || true
kill "$s3pid"; rm -rf "$s3dir"
# Covers for every shared video plus the thumbnail numbers (selection time per video-minute, composites/s/core).
for folder in ../shared/media shared/media; do
  if [ -d "$folder" ]; then
    ./media thumbnails-eval "$folder" --out out/thumbnails-eval
    # Every built-in pattern on every shared video, each output checked against its preset.
    ./media patterns-eval "$folder" || true
    # Captions: word error rate, timing error, real-time factor and memory.
    ./media captions-eval "$folder"
    break
  fi
done
