#!/usr/bin/env bash
# Stalls of the storage under checkpoints (CheckpointBench): durable writes and reads, their p50/p99/max
# and how many took over 50 ms, with a checkpoint every few MiB of journal.
# Usage: bench/checkpoint.sh [seconds, default 20] [checkpoint MiB, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl vault-core -am test-compile
mvn -q -B -pl vault-core dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -Dbench.seconds="${1:-20}" -Dbench.checkpointMiB="${2:-8}" \
  -cp "vault-core/target/test-classes:vault-core/target/classes:$(cat vault-core/target/bench-classpath.txt)" \
  dev.keyward.vault.storage.CheckpointBench
