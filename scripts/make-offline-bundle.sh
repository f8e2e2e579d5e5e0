#!/usr/bin/env bash
# Build the bundle that an isolated intranet installs from (README「部署」):
#   dist/zhongxinzu-<version>.tar.gz = the committed source + wheelhouse/ with every wheel it
#   needs (and setuptools, for the editable install) + wheelhouse/SHA256SUMS + static-vendor/
#   (the chart library installed by `npm ci` from package-lock.json, so the server needs no Node).
# Run it on a connected machine of the same kind as the server: Debian 12, amd64, and the same
# Python minor version (3.11), because some wheels (psycopg-binary, argon2, pydantic-core) are
# built for one Python and one platform.
#
#   scripts/make-offline-bundle.sh [OUTPUT_DIR]        (default: dist)
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-python3}"
OUT="${1:-dist}"
VERSION="$(git describe --tags --always --dirty 2>/dev/null || date +%Y%m%d)"
NAME="zhongxinzu-${VERSION}"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/$NAME"

# Committed files only: no local database, virtualenv or test artifacts.
git archive --format=tar HEAD | tar -x -C "$STAGE/$NAME"

# The front-end files npm installs (package-lock.json: versions and integrity hashes), as
# `make install` lays them out; newer than package-lock.json, so make keeps them offline.
make --no-print-directory static-vendor/echarts/echarts.min.js
cp -R static-vendor "$STAGE/$NAME/static-vendor"
(cd "$STAGE/$NAME" && find static-vendor -type f -exec touch {} + && sha256sum static-vendor/*/* >static-vendor/SHA256SUMS)

"$PY" -m pip wheel --quiet --wheel-dir "$STAGE/$NAME/wheelhouse" \
    "$STAGE/$NAME" "setuptools>=68" wheel pip
# The project's own wheel is not used: production runs from the source tree (-e).
rm -f "$STAGE/$NAME"/wheelhouse/zhongxinzu-*.whl
(cd "$STAGE/$NAME/wheelhouse" && sha256sum -- *.whl >SHA256SUMS)

mkdir -p "$OUT"
tar -czf "$OUT/$NAME.tar.gz" -C "$STAGE" "$NAME"
(cd "$OUT" && sha256sum "$NAME.tar.gz" >"$NAME.tar.gz.sha256")
echo "$OUT/$NAME.tar.gz"
