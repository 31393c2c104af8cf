#!/usr/bin/env bash
# Propagation numbers (not tests), on this machine: KV write latency with no webhook, one healthy
# webhook and one that hangs; write-to-receiver delivery latency over HTTPS; how soon a waiting
# long poll of the change feed returns after a write.
# Usage: bench/propagation.sh [samples=200]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl vault-core test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="vault-core/target/classes:vault-core/target/test-classes:$(cat vault-core/target/bench.classpath)"
exec java -cp "$CP" dev.keyward.vault.bench.PropagationBench "$@"
