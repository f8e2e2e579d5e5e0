#!/usr/bin/env bash
# make run: the background-job worker and the web server, started and stopped together.
# The worker's output goes to var/worker.log; Ctrl-C (or the server ending) stops both.
set -euo pipefail
BIN=${BIN:-.venv/bin}
PORT=${PORT:-8000}
mkdir -p var
"$BIN/python" manage.py db_worker --no-reload >var/worker.log 2>&1 &
worker=$!
stop() { kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM
echo "后台任务进程已启动（manage.py db_worker，PID $worker，日志 var/worker.log）"
echo "网页服务：http://127.0.0.1:$PORT/ （按 Ctrl-C 同时停止网页服务和后台任务进程）"
"$BIN/python" manage.py runserver --insecure --noreload "127.0.0.1:$PORT"
