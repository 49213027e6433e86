#!/usr/bin/env bash
# Benchmarks (not part of the test command): render overhead vs bare ffmpeg, stage dispatch latency.
# Usage: scripts/bench.sh [--clip FILE] [--repeat N] [--jobs N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./media bench "$@"
