#!/usr/bin/env bash
# The rotation scheduler's due set over 10,000 schedules (goal under 10 ms) and its memory, and a
# whole scheduler pass over a real vault holding 10,000 rotation configs.
# Usage: bench/rotation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -o -pl vault-core test-compile
mvn -q -B -o -pl vault-core dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Xmx1g \
  -cp "vault-core/target/test-classes:vault-core/target/classes:$(cat vault-core/target/bench-classpath.txt)" \
  dev.keyward.vault.engine.RotationBench
