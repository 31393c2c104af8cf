#!/usr/bin/env bash
# Backup benchmark (not a test): fills a vault with 100,000 secrets and 1,000,000 audit entries
# through the engine (bulk loader, big batches), then prints the backup time, the restore time
# (into an empty directory) and the restored vault's unseal + audit verification time.
# Usage: bench/backup.sh [secrets=100000] [audit entries=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl vault-core test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="vault-core/target/classes:vault-core/target/test-classes:$(cat vault-core/target/bench.classpath)"
exec java -Xmx2g -cp "$CP" dev.keyward.vault.bench.BackupBench "$@"
