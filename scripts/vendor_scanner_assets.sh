#!/usr/bin/env bash
# Vendors the QR decoder for the offline scanner into assets/scanner/vendor/ (self-hosted, no CDN).
# Reproducible: a pinned version from the npm registry (npm verifies the tarball's integrity hash),
# the files copied unchanged, their SHA-256 recorded in assets/scanner/vendor/SHA256SUMS.
#   zxing-wasm (MIT, https://github.com/Sec-ant/zxing-wasm): dist/iife/reader/index.js (global ZXingWASM)
#   and dist/reader/zxing_reader.wasm (served at /scanner/vendor/zxing_reader.wasm).
set -euo pipefail
ZXING_WASM_VERSION="3.1.4"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/assets/scanner/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack --silent "zxing-wasm@${ZXING_WASM_VERSION}" >/dev/null
tar xzf "zxing-wasm-${ZXING_WASM_VERSION}.tgz"
mkdir -p "$DEST"
cp package/dist/iife/reader/index.js "$DEST/zxing-reader.js"
cp package/dist/reader/zxing_reader.wasm "$DEST/zxing_reader.wasm"
cp package/LICENSE "$DEST/zxing-wasm.LICENSE"
echo "zxing-wasm ${ZXING_WASM_VERSION}" > "$DEST/VERSION"
(cd "$DEST" && sha256sum zxing-reader.js zxing_reader.wasm > SHA256SUMS)
echo "vendored zxing-wasm ${ZXING_WASM_VERSION} into ${DEST}"
