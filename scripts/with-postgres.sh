#!/usr/bin/env bash
# Run a command with DATABASE_URL pointing at a real PostgreSQL server:
#   1. $TEST_DATABASE_URL, if set;
#   2. else a server already listening on 127.0.0.1:5432 that lets `postgres` in without a
#      password (the development machines run one);
#   3. else a private, throw-away cluster: PostgreSQL's binaries (Debian's `postgresql`
#      package, installed when missing and run as root), initdb in a temporary directory,
#      started on a private port, and always stopped and removed afterwards.
# There is no "skip": when no server can be had this script fails, and so does `make test`.
#
#   scripts/with-postgres.sh .venv/bin/pytest -m "not browser"
#
# Knobs (all optional): PG_PROBE_HOST / PG_PROBE_PORT (where to look for a running server,
# default 127.0.0.1:5432), PG_PRIVATE_PORT (first port tried for the private cluster, default
# 55432), PG_KEEP_LOG=1 (print the private server's log at exit), PYTHON (used to probe when
# psql is not installed).
set -euo pipefail

PROBE_HOST="${PG_PROBE_HOST:-127.0.0.1}"
PROBE_PORT="${PG_PROBE_PORT:-5432}"
PRIVATE_PORT="${PG_PRIVATE_PORT:-55432}"

say() { echo "with-postgres: $*" >&2; }
die() {
    say "错误：$*"
    say "PostgreSQL 测试无法运行（不会跳过）。请设置 TEST_DATABASE_URL，或在 127.0.0.1:5432 启动" \
        "PostgreSQL，或以 root 运行以便自动安装并启动临时集群。"
    exit 1
}

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Can we log in with this URL? psql when installed, else psycopg, else just the TCP port.
can_connect() {
    local url="$1" host="$2" port="$3"
    port_open "$host" "$port" || return 1
    if command -v psql >/dev/null 2>&1; then
        PGCONNECT_TIMEOUT=5 psql "$url" -Atqc 'select 1' >/dev/null 2>&1
        return
    fi
    local py="${PYTHON:-python3}"
    if "$py" -c 'import psycopg' >/dev/null 2>&1; then
        "$py" - "$url" >/dev/null 2>&1 <<'PY'
import sys

import psycopg

psycopg.connect(sys.argv[1], connect_timeout=5).close()
PY
        return
    fi
    return 0
}

run() {
    export DATABASE_URL="$1"
    shift
    # Read by zhongxinzu/tests/test_deploy.py: the suite must really be on PostgreSQL.
    export EXPECT_DB_VENDOR=postgresql
    say "DATABASE_URL=${DATABASE_URL%%\?*}"
    "$@"
}

# 1. An explicitly named server.
if [ -n "${TEST_DATABASE_URL:-}" ]; then
    run "$TEST_DATABASE_URL" "$@"
    exit $?
fi

# 2. A server already running on the usual port.
LOCAL_URL="postgres://postgres@${PROBE_HOST}:${PROBE_PORT}/postgres"
if can_connect "$LOCAL_URL" "$PROBE_HOST" "$PROBE_PORT"; then
    run "$LOCAL_URL" "$@"
    exit $?
fi
if port_open "$PROBE_HOST" "$PROBE_PORT"; then
    say "something listens on ${PROBE_HOST}:${PROBE_PORT} but does not let postgres in" \
        "without a password; using a private cluster instead"
else
    say "no server on ${PROBE_HOST}:${PROBE_PORT}; using a private cluster"
fi

# 3. A private cluster.
pg_bindir() {
    local dir
    dir="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
    elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

BINDIR="$(pg_bindir)"
if [ -z "$BINDIR" ]; then
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL 未安装，且当前不是 root，无法执行 apt-get install postgresql"
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL 未安装，且本机没有 apt-get"
    say "installing Debian's postgresql package"
    # Keep the package's own `main` cluster from starting: we run a private one and stop it.
    POLICY=/usr/sbin/policy-rc.d
    ADDED_POLICY=""
    if [ ! -e "$POLICY" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$POLICY"
        chmod 755 "$POLICY"
        ADDED_POLICY=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    status=0
    { apt-get update -q && apt-get install -y -q postgresql; } || status=$?
    [ -z "$ADDED_POLICY" ] || rm -f "$POLICY"
    [ "$status" -eq 0 ] || die "apt-get install postgresql 失败（退出码 $status）"
    BINDIR="$(pg_bindir)"
    [ -n "$BINDIR" ] || die "安装后仍找不到 initdb"
fi

# initdb refuses to run as root: as root the cluster belongs to the `postgres` user.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "没有 postgres 系统用户，无法以 root 身份运行 initdb"
    as_owner() { runuser -u postgres -- "$@"; }
    OWNER=postgres
else
    as_owner() { "$@"; }
    OWNER="$(id -un)"
fi

PORT="$PRIVATE_PORT"
while port_open 127.0.0.1 "$PORT"; do
    PORT=$((PORT + 1))
    [ "$PORT" -lt $((PRIVATE_PORT + 100)) ] || die "找不到空闲端口（从 $PRIVATE_PORT 起）"
done

WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/zhongxinzu-pg.XXXXXX")"
DATA="$WORKDIR/data"
LOG="$WORKDIR/server.log"
chown "$OWNER" "$WORKDIR"
chmod 700 "$WORKDIR"

# shellcheck disable=SC2317  # called through the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -f "$DATA/postmaster.pid" ]; then
        say "stopping the private cluster on port $PORT"
        as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null 2>&1 ||
            as_owner "$BINDIR/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "${PG_KEEP_LOG:-}" ] && [ -f "$LOG" ]; then
        cat "$LOG" >&2
    fi
    rm -rf "$WORKDIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "initdb in $WORKDIR (owner $OWNER, $("$BINDIR/postgres" --version))"
as_owner "$BINDIR/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$WORKDIR/initdb.log" 2>&1 || { cat "$WORKDIR/initdb.log" >&2; die "initdb 失败"; }

# Throw-away data: durability settings off for speed. Only loopback, socket in our own dir.
as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORKDIR -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    start >/dev/null || { cat "$LOG" >&2; die "PostgreSQL 临时集群启动失败"; }

URL="postgres://postgres@127.0.0.1:${PORT}/postgres"
can_connect "$URL" 127.0.0.1 "$PORT" || { cat "$LOG" >&2; die "无法连接临时集群 $URL"; }
say "private cluster up on 127.0.0.1:$PORT"

status=0
run "$URL" "$@" || status=$?
exit "$status"
