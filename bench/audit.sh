#!/usr/bin/env bash
# Audit benchmarks (not tests). Prints, on this machine:
#  - offline verification of a 1M-entry evidence bundle (entries/s, MB/s) next to raw SHA-256
#    over the same entry bytes, as a ratio (goal: >= 0.5);
#  - audited operations/s through a real vault with 1 vs 16 concurrent callers (group commit).
# Usage: bench/audit.sh [entries=1000000] [seconds-per-throughput-run=5]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl vault-core test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="vault-core/target/classes:vault-core/target/test-classes:$(cat vault-core/target/bench.classpath)"
exec java -Xmx3g -cp "$CP" dev.keyward.vault.bench.AuditBench "$@"
