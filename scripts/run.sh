#!/usr/bin/env bash
# The main job: set up, then run one real clip through the farm with the flagship pattern (tiktok-talking-head:
# pauses cut, the crop on the speaker's face, word-by-word captions, a title, -14 LUFS) and say where to look.
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

pattern="${2:-tiktok-talking-head}"
echo "run: processing $sample with $pattern"
./media process "$sample" --pattern "$pattern" --out out --param title="Made with Media Farm" | tee out/run.txt

video="$(grep -o 'output: .*\.mp4$' out/run.txt | head -1 | cut -c9-)"
echo
echo "Where to look:"
echo "  the video:      $video (play it: the face stays in the 9:16 crop, captions and title inside the frame)"
echo "  a frame:        ffmpeg -ss 1 -i $video -frames:v 1 out/frame.png"
echo "  the captions:   ${video%.mp4}.srt (also .vtt, .ass, .words.json with every word's time and confidence)"
echo "  the edit plan:  ${video%.mp4}.plan.json (cuts, words, crop, texts: edit it and render a revision, see README 'Editing loop')"
echo "  the covers:     out/*thumbnail*"
echo "  all outputs:    out/run.txt; the whole farm with its dashboard: ./media serve, then http://127.0.0.1:5081/dashboard/"
