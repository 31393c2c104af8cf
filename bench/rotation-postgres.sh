#!/usr/bin/env bash
# One PostgreSQL rotation end to end, without the grace period (goal: under 200 ms), against the
# test server (.ci/postgres.sh; KEYWARD_TEST_PG_URL/_USER/_PASSWORD override).
# Usage: bench/rotation-postgres.sh [rotations per run, default 50]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B ${MVN_OFFLINE:-} -pl vault-core -am test-compile
mvn -q -B ${MVN_OFFLINE:-} -pl vault-core dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -cp "vault-core/target/test-classes:vault-core/target/classes:$(cat vault-core/target/bench-classpath.txt)" \
  dev.keyward.vault.bench.PostgresRotationBench "${1:-50}"
