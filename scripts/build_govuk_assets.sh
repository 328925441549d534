#!/usr/bin/env bash
# Build the GOV.UK Frontend assets shipped with the ASC Assure web app (no CDN at run time).
#
# Compiles GOV.UK Frontend 6's Sass with Arial instead of GDS Transport (that typeface is licensed
# only for services on GOV.UK domains, which a council's service is not) and copies the JavaScript,
# images and manifest into src/asc_assure/web/static/govuk/. Needs node and npm; run it again when
# upgrading govuk-frontend (keep the version in step with govuk-frontend-jinja).
set -euo pipefail

GOVUK_FRONTEND_VERSION="${GOVUK_FRONTEND_VERSION:-6}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/src/asc_assure/web/static/govuk"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "govuk-frontend@${GOVUK_FRONTEND_VERSION}" sass >/dev/null
DIST="$WORK/node_modules/govuk-frontend/dist/govuk"

cat > "$WORK/asc-assure.scss" <<'SCSS'
// Arial, not GDS Transport: the council's service is not on a GOV.UK domain.
@use "govuk-frontend/dist/govuk" as * with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "assets/"
);
SCSS

npx --no-install sass --no-source-map --style=compressed --quiet-deps \
  --load-path="$WORK/node_modules" "$WORK/asc-assure.scss" "$WORK/govuk-frontend.min.css"

if grep -q "GDS Transport" "$WORK/govuk-frontend.min.css"; then
  echo "error: compiled CSS still references GDS Transport" >&2
  exit 1
fi

rm -rf "$OUT"
mkdir -p "$OUT/assets"
cp "$WORK/govuk-frontend.min.css" "$OUT/"
cp "$DIST/govuk-frontend.min.js" "$OUT/"
cp -R "$DIST/assets/images" "$OUT/assets/"
cp "$DIST/assets/manifest.json" "$OUT/assets/" 2>/dev/null || true
cp "$WORK/node_modules/govuk-frontend/LICENSE"* "$OUT/LICENSE.txt" 2>/dev/null || true
# The bundled fonts are GDS Transport: deliberately not copied.
echo "govuk-frontend $(node -p "require('$WORK/node_modules/govuk-frontend/package.json').version")" > "$OUT/VERSION"
echo "GOV.UK Frontend assets written to $OUT"
ls -R "$OUT" | head -40
