#!/bin/sh
# Run manage.py on the server with the production environment, as the service account:
#   sudo -u zhongxinzu /opt/zhongxinzu/app/deploy/manage.sh migrate
# Variables already set on the command line win over the file, e.g. for a restore drill:
#   sudo -u zhongxinzu env DATABASE_URL=postgres://…/zhongxinzu_drill deploy/manage.sh migrate
# ZXZ_ENV_FILE, ZXZ_APP and ZXZ_VENV override the paths of README「部署」.
set -eu
ENV_FILE="${ZXZ_ENV_FILE:-/etc/zhongxinzu/zhongxinzu.env}"
APP="${ZXZ_APP:-/opt/zhongxinzu/app}"
VENV="${ZXZ_VENV:-/opt/zhongxinzu/venv}"

while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
        "" | "#"*) continue ;;
    esac
    key="${line%%=*}"
    value="${line#*=}"
    case "$key" in
        *[!A-Za-z0-9_]* | [0-9]*) echo "manage.sh: ignoring bad line in $ENV_FILE: $key" >&2; continue ;;
    esac
    if eval "[ -z \"\${$key+set}\" ]"; then
        export "$key=$value"
    fi
done <"$ENV_FILE"

cd "$APP"
exec "$VENV/bin/python" manage.py "$@"
