#!/usr/bin/env bash
# The main job: set up, then run one real clip through the farm (reframe-vertical) and print the outputs.
# Usage: scripts/run.sh [FILE] [PATTERN]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

sample="${1:-}"
if [ -z "$sample" ]; then
  for candidate in ../shared/media/talking_head/obama_wh_weekly_address_a.mp4 shared/media/talking_head/obama_wh_weekly_address_a.mp4; do
    [ -f "$candidate" ] && sample="$candidate" && break
  done
fi
if [ -z "$sample" ]; then
  # No sample footage next to the checkout: make a 5 s 16:9 test clip with a tone.
  mkdir -p out
  sample=out/sample-16x9.mp4
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30:duration=5 \
    -f lavfi -i sine=frequency=440:duration=5 -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$sample"
fi

echo "run: processing $sample"
./media process "$sample" --pattern "${2:-reframe-vertical}" --out out --param title="Made with Media Farm"
