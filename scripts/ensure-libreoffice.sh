#!/usr/bin/env bash
# Make sure Debian's LibreOffice (Writer and Calc without the GUI) is installed, with CJK
# fonts: the suite converts every generated .docx and .xlsx to PDF with `soffice --headless`
# and measures the pages (zhongxinzu/documents/tests/test_libreoffice_render.py).
set -euo pipefail

SOFFICE="${SOFFICE:-soffice}"

PACKAGES=(libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk fontconfig)

have_soffice() { command -v "$SOFFICE" >/dev/null 2>&1; }
have_fonts() { fc-list :lang=zh 2>/dev/null | grep -q .; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# Writer and Calc bring the import filters (soffice alone converts nothing); the GUI variants
# do as well.
have_filters() {
    { installed libreoffice-writer-nogui || installed libreoffice-writer; } &&
        { installed libreoffice-calc-nogui || installed libreoffice-calc; }
}

if have_soffice && have_fonts && have_filters; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-libreoffice: LibreOffice（Writer/Calc）或中文字体缺失，且当前不是 root，无法自动安装。" >&2
    echo "请执行：sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
    exit 1
fi

echo "ensure-libreoffice: installing Debian packages ${PACKAGES[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

if ! have_soffice; then
    echo "ensure-libreoffice: $SOFFICE still missing after apt-get install" >&2
    exit 1
fi
"$SOFFICE" --version >&2
