#!/usr/bin/env bash
# Make sure Debian's Chromium is installed, with CJK fonts (so Chinese renders in screenshots)
# and libatomic1 (the Node.js driver inside the Playwright wheel needs it; a minimal Debian
# lacks it). The browser tests drive /usr/bin/chromium; Playwright never downloads a browser.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

PACKAGES=(chromium fonts-noto-cjk fontconfig libatomic1)

have_fonts() { fc-list :lang=zh 2>/dev/null | grep -q .; }
have_libatomic() { ldconfig -p 2>/dev/null | grep -q 'libatomic\.so\.1 '; }

if [ -x "$CHROMIUM" ] && have_fonts && have_libatomic; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-chromium: $CHROMIUM、中文字体或 libatomic1 缺失，且当前不是 root，无法自动安装。" >&2
    echo "请执行：sudo apt-get install -y ${PACKAGES[*]}" >&2
    exit 1
fi

echo "ensure-chromium: installing Debian packages ${PACKAGES[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: $CHROMIUM still missing after apt-get install" >&2
    exit 1
fi
"$CHROMIUM" --version >&2
