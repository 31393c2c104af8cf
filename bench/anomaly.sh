#!/usr/bin/env bash
# Anomaly detection benchmark (not a test). Prints, on this machine:
#  1. detection quality: weeks of synthetic traffic (pipelines with daily rhythms, operators, labelled
#     anomalies of every detector's kind) replayed through a real vault: precision, recall and false
#     positives per detector;
#  2. the detectors' cost on the read path: audited reads/s with the detectors reading the audit
#     stream and without, alternating runs (goal: under 5% of audited read throughput).
# Usage: bench/anomaly.sh [weeks=4] [seconds-per-throughput-run=5] [threads=8]   (10 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl vault-core test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="vault-core/target/classes:vault-core/target/test-classes:$(cat vault-core/target/bench.classpath)"
exec java -Xmx2g -cp "$CP" dev.keyward.vault.engine.AnomalyBench "$@"
