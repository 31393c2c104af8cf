#!/usr/bin/env bash
# Policy decisions/s with 1,000 policies and 10,000 rules, against a linear regex scan as reference.
# Usage: bench/policy.sh [seconds per run, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -o -pl vault-core test-compile
mvn -q -B -o -pl vault-core dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Dbench.seconds="${1:-3}" \
  -cp "vault-core/target/test-classes:vault-core/target/classes:$(cat vault-core/target/bench-classpath.txt)" \
  dev.keyward.vault.bench.PolicyBenchmark
