#!/usr/bin/env bash
# Build the bundle that an isolated intranet installs from (README「部署」):
#   dist/zhongxinzu-<version>.tar.gz = the committed source + wheelhouse/ with every wheel it
#   needs (and setuptools, for the editable install) + wheelhouse/SHA256SUMS.
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

"$PY" -m pip wheel --quiet --wheel-dir "$STAGE/$NAME/wheelhouse" \
    "$STAGE/$NAME" "setuptools>=68" wheel pip
# The project's own wheel is not used: production runs from the source tree (-e).
rm -f "$STAGE/$NAME"/wheelhouse/zhongxinzu-*.whl
(cd "$STAGE/$NAME/wheelhouse" && sha256sum -- *.whl >SHA256SUMS)

mkdir -p "$OUT"
tar -czf "$OUT/$NAME.tar.gz" -C "$STAGE" "$NAME"
(cd "$OUT" && sha256sum "$NAME.tar.gz" >"$NAME.tar.gz.sha256")
echo "$OUT/$NAME.tar.gz"
