#!/usr/bin/env bash
# Benchmark (not a test): unseal latency of the HSM seal vs the passphrase seal, and AES-GCM
# operations/s inside the HSM vs in memory, on a throwaway SoftHSM2 token.
# Needs softhsm2 (apt-get install softhsm2). Usage: bench/seal.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-10}"
LIB=""
for l in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
  [ -f "$l" ] && LIB="$l" && break
done
[ -n "$LIB" ] || { echo "softhsm2 is not installed (apt-get install softhsm2)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$WORK/tokens" > "$WORK/softhsm2.conf"
export SOFTHSM2_CONF="$WORK/softhsm2.conf"
softhsm2-util --init-token --free --label keyward-bench --so-pin 12345678 --pin 1234 >/dev/null
SLOT="$(softhsm2-util --show-slots | awk '/^Slot [0-9]+/{s=$2} /Label:/{if ($2=="keyward-bench") print s}')"

mvn -B -q -o -pl vault-core test-compile >/dev/null
mvn -B -q -o -pl vault-core dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="vault-core/target/classes:vault-core/target/test-classes:$(cat "$WORK/cp.txt")"
java -cp "$CP" dev.keyward.vault.bench.SealBench "$LIB" "$SLOT" 1234 "$ROUNDS"
