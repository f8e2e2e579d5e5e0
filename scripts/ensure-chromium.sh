#!/usr/bin/env bash
# Make sure Debian's Chromium (and CJK fonts, so Chinese renders in screenshots) is installed.
# The browser tests drive /usr/bin/chromium; Playwright never downloads a browser of its own.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

have_fonts() { fc-list :lang=zh 2>/dev/null | grep -q .; }

if [ -x "$CHROMIUM" ] && have_fonts; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-chromium: $CHROMIUM 或中文字体缺失，且当前不是 root，无法自动安装。" >&2
    echo "请执行：sudo apt-get install -y chromium fonts-noto-cjk" >&2
    exit 1
fi

echo "ensure-chromium: installing Debian packages chromium fonts-noto-cjk" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk fontconfig

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: $CHROMIUM still missing after apt-get install" >&2
    exit 1
fi
"$CHROMIUM" --version >&2
