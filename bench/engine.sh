#!/usr/bin/env bash
# Durable writes/s and audited reads/s through the engine next to raw H2 on this machine.
# Usage: bench/engine.sh [seconds per run, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl vault-core -am test-compile
mvn -q -B -pl vault-core dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Dbench.seconds="${1:-8}" \
  -cp "vault-core/target/test-classes:vault-core/target/classes:$(cat vault-core/target/bench-classpath.txt)" \
  dev.keyward.vault.bench.EngineBenchmark
