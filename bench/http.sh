#!/usr/bin/env bash
# Authenticated, audited KV reads over the local HTTPS endpoint next to nginx serving a static JSON
# of the same size over TLS 1.3, in the same run on this machine: wrk, 50 keep-alive connections.
# Prints requests/s for both, the ratio, and p99 latency; also the endpoint's own ceiling on this
# machine: sys/health, which is TLS and HTTP only (no token, no storage, no audit); and, during the
# KV run, the latencies of one more client reading 50 times a second, each request timed by curl.
# The reads are made with an AppRole token, as a pipeline makes them (BENCH_AS=operator: the admin's).
# The endpoint is warmed up first (WARMUP_SECONDS, default 90): on 2 cores the JIT compiler is
# still busy for a minute or two, and a long-running endpoint is measured, not a cold start.
# Usage: bench/http.sh [seconds, default 30]
set -euo pipefail
SECONDS_PER_RUN="${1:-30}"
WARMUP_SECONDS="${WARMUP_SECONDS:-90}"
# Whose token reads: approle (default; a pipeline with its own least-privilege policy) or operator
# (the admin operator, whose built-in policy records no grant usage).
BENCH_AS="${BENCH_AS:-approle}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for tool in wrk nginx openssl curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "installing $tool" >&2
    apt-get update -qq >&2 && apt-get install -y -qq wrk nginx openssl curl >&2
  fi
done

WORK="$(mktemp -d)"
VAULT_PORT=18210
NGINX_PORT=18443
cleanup() {
  [[ -n "${SERVE_PID:-}" ]] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null || true
  [[ -f "$WORK/nginx/nginx.pid" ]] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export KEYWARD_HOME="$WORK/home"
export KEYWARD_PASSPHRASE="bench unseal passphrase"
export KEYWARD_ADMIN_PASSPHRASE="bench admin passphrase"
export KEYWARD_OPERATOR_PASSPHRASE="$KEYWARD_ADMIN_PASSPHRASE"
export KEYWARD_ADDRESS="https://127.0.0.1:$VAULT_PORT"
mkdir -p "$KEYWARD_HOME"
# Rate limits off for the measurement; everything else (TLS, audit, policy) as in production.
printf 'listen = 127.0.0.1\nport = %s\nrate_limit_per_source = 0\nrate_limit_per_identity = 0\nauto_seal_minutes = 0\n' \
  "$VAULT_PORT" > "$KEYWARD_HOME/keyward.properties"
KW="$ROOT/bin/keyward"
"$KW" init --admin admin >/dev/null
"$KW" serve > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 100); do
  "$KW" status >/dev/null 2>&1 && break
  sleep 0.3
done
"$KW" login operator --name admin >/dev/null
"$KW" kv put bench/db password=bench-value-0123456789 user=svc >/dev/null
TOKEN="$(cat "$KEYWARD_HOME/.token")"
URL="https://127.0.0.1:$VAULT_PORT/v1/secret/data/bench/db"
if [[ "$BENCH_AS" == approle ]]; then
  # A pipeline: an AppRole whose own policy grants read on its secrets (usage is recorded per grant).
  cat > "$WORK/policy.yaml" <<YAML
keyward: 1
policies:
  - name: bench-read
    rules:
      - id: bench
        path: secret/bench/*
        capabilities:
          - read
        owner: bench
        justification: benchmark reads
        expires: 2099-01-01T00:00:00Z
approles:
  - name: bench
    policies:
      - bench-read
    token_ttl: 2h
YAML
  "$KW" policy apply "$WORK/policy.yaml" >/dev/null
  API="https://127.0.0.1:$VAULT_PORT/v1"
  field() { grep -o "\"$1\":\"[^\"]*\"" | head -1 | cut -d'"' -f4; }
  ROLE_ID="$(curl -s --cacert "$KEYWARD_HOME/tls/ca.pem" -H "X-Vault-Token: $TOKEN" \
    "$API/auth/approle/role/bench/role-id" | field role_id)"
  SECRET_ID="$(curl -s --cacert "$KEYWARD_HOME/tls/ca.pem" -H "X-Vault-Token: $TOKEN" -X POST -d '{}' \
    "$API/auth/approle/role/bench/secret-id" | field secret_id)"
  TOKEN="$(curl -s --cacert "$KEYWARD_HOME/tls/ca.pem" -X POST \
    -d "{\"role_id\":\"$ROLE_ID\",\"secret_id\":\"$SECRET_ID\"}" "$API/auth/approle/login" | field client_token)"
  [[ -n "$TOKEN" ]] || { echo "AppRole login failed" >&2; exit 1; }
fi
BODY="$(curl -s --cacert "$KEYWARD_HOME/tls/ca.pem" -H "X-Vault-Token: $TOKEN" "$URL")"

# nginx with its own EC P-256 certificate, TLS 1.3 only, serving a JSON of the same size.
mkdir -p "$WORK/nginx/html/v1"
printf '%s' "$BODY" > "$WORK/nginx/html/v1/data.json"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=localhost" \
  -keyout "$WORK/nginx/key.pem" -out "$WORK/nginx/cert.pem" >/dev/null 2>&1
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_protocols TLSv1.3;
    ssl_certificate $WORK/nginx/cert.pem;
    ssl_certificate_key $WORK/nginx/key.pem;
    root $WORK/nginx/html;
    location / { default_type application/json; }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
sleep 0.5

run_wrk() { # url [header]
  if [[ $# -gt 1 ]]; then
    wrk -t2 -c50 -d"${SECONDS_PER_RUN}s" --latency -H "$2" "$1"
  else
    wrk -t2 -c50 -d"${SECONDS_PER_RUN}s" --latency "$1"
  fi
}
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {print $2}'; }

echo "warming up the endpoint (${WARMUP_SECONDS} s)..." >&2
wrk -t2 -c50 -d"${WARMUP_SECONDS}s" -H "X-Vault-Token: $TOKEN" "$URL" >/dev/null
# While wrk loads the endpoint, one more client reads the same secret 50 times a second over its
# own keep-alive connection, as a pipeline would: its latencies are timed by curl, per request.
PROBE_N=$(( 50 * (SECONDS_PER_RUN > 6 ? SECONDS_PER_RUN - 4 : 2) ))
for _ in $(seq "$PROBE_N"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$URL"; done > "$WORK/probe.cfg"
(sleep 2; curl --rate 50/s -s -K "$WORK/probe.cfg" -w '%{time_total}\n' --cacert "$KEYWARD_HOME/tls/ca.pem" \
  -H "X-Vault-Token: $TOKEN" > "$WORK/probe.txt") &
PROBE_PID=$!
VAULT_OUT="$(run_wrk "$URL" "X-Vault-Token: $TOKEN")"
wait "$PROBE_PID" || true
NGINX_OUT="$(run_wrk "https://127.0.0.1:$NGINX_PORT/v1/data.json")"
HEALTH_OUT="$(run_wrk "https://127.0.0.1:$VAULT_PORT/v1/sys/health")"
errors="$(echo "$VAULT_OUT" | awk '/Non-2xx/ {print $NF}')"

V_RPS="$(echo "$VAULT_OUT" | rps)"; N_RPS="$(echo "$NGINX_OUT" | rps)"
V_P99="$(echo "$VAULT_OUT" | p99)"; N_P99="$(echo "$NGINX_OUT" | p99)"
H_RPS="$(echo "$HEALTH_OUT" | rps)"; H_P99="$(echo "$HEALTH_OUT" | p99)"
echo "wrk -t2 -c50 -d${SECONDS_PER_RUN}s, keep-alive, TLS 1.3, body ${#BODY} bytes, $(nproc) cores"
printf '%-44s %12s req/s   p99 %s\n' "keyward: audited KV read ($BENCH_AS token)" "$V_RPS" "$V_P99"
sort -n "$WORK/probe.txt" | awk '{a[NR] = $1} END { if (NR > 0) printf "%-44s %12s reads   p50 %.2fms p99 %.2fms max %.2fms\n", \
  "keyward, meanwhile: one client at 50 reads/s", NR, 1000 * a[int(NR * 0.5) + 1], 1000 * a[int(NR * 0.99) + 1], 1000 * a[NR] }'
printf '%-44s %12s req/s   p99 %s\n' "nginx: static JSON" "$N_RPS" "$N_P99"
printf '%-44s %12s req/s   p99 %s\n' "keyward: sys/health (TLS + HTTP only)" "$H_RPS" "$H_P99"
awk -v v="$V_RPS" -v n="$N_RPS" 'BEGIN { printf "ratio keyward/nginx: %.2f\n", v / n }'
awk -v h="$H_RPS" -v n="$N_RPS" 'BEGIN { printf "ceiling (sys/health)/nginx: %.2f\n", h / n }'
[[ -n "$errors" ]] && echo "non-2xx answers from keyward: $errors"
exit 0
