#!/usr/bin/env bash
# Sets up and runs every test project; ends with one line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_UI_LANGUAGE=en
log=$(mktemp)
# The suite runs its test collections in parallel. Tests that assert a wall-clock bound (ffmpeg gone within 2 s of a
# cancel) carry the trait Category=Timing and run afterwards on their own, one at a time, so that no assertion
# depends on how loaded the machine is.
dotnet test Media.sln -c Release --no-build --filter "Category!=Timing" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
dotnet test Media.sln -c Release --no-build -m:1 --filter "Category=Timing" -- xUnit.ParallelizeTestCollections=false 2>&1 | tee -a "$log"
timing_status=${PIPESTATUS[0]}
[ "$status" -ne 0 ] || status=$timing_status

# xunit prints one summary per assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
assemblies=$(grep -cE '^(Passed|Failed)!' "$log" || true)
# A crashed test host ends its assembly's run early, and xunit still prints a summary of the tests that ran before
# the crash: each aborted run counts as one failure, so the last line never reads green over a crash.
aborted=$(grep -cE '^Test Run Aborted' "$log" || true)
rm -f "$log"
if [ "$aborted" -gt 0 ]; then
  echo "$aborted test run(s) aborted: a test host crashed (its reason is above); the tests after the crash did not run"
  failed=$((failed + aborted))
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ] || [ "$assemblies" -lt 2 ]; then
  exit 1
fi
