#!/usr/bin/env bash
# Console numbers on this machine:
#  1. cold start: JVM start to the unlock screen (goal <= 2.5 s) and to the vault being reached
#     (Unseal / Log in enabled), under Xvfb, in both modes: EMBEDDED (the console opens the vault
#     directory itself) and ATTACHED (a keyward serve child owns it; the console attaches over
#     HTTPS); each without and with an AppCDS archive of the launcher's classes (trained by one
#     run, JDK 17 -XX:ArchiveClassesAtExit); next to a bare JavaFX window as the reference;
#  2. search-as-you-type over 100,000 secret paths, next to a plain contains() scan.
# Usage: bench/console.sh [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
# one reactor run, so that vault-core resolves to this checkout's classes
mvn -q -B -pl app -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
deps="$(sed "s#$(pwd)/vault-core/target/classes##; s#[^:]*vault-core-[^:]*SNAPSHOT.jar##; s#::*#:#g" app/target/bench-classpath.txt)"
# CDS archives classes from JAR files only: package this checkout's classes.
mkdir -p target/bench
jar cf target/bench/keyward-app.jar -C app/target/classes .
jar cf target/bench/keyward-vault-core.jar -C vault-core/target/classes .
cp="target/bench/keyward-app.jar:target/bench/keyward-vault-core.jar:${deps#:}"
testcp="app/target/test-classes:$cp"
work="$(mktemp -d)"
serve_pid=""
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$work"' EXIT
embedded="$work/embedded"; attached="$work/attached"
mkdir -p "$embedded" "$attached"
java -cp "$testcp" dev.keyward.console.bench.StartupVault "$embedded"
java -cp "$testcp" dev.keyward.console.bench.StartupVault "$attached"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'port = %s\nlisten = 127.0.0.1\n' "$port" > "$attached/keyward.properties"
printf 'bench unseal passphrase' > "$work/pass"
java -cp "$cp" dev.keyward.vault.cli.KeywardCli serve --home "$attached" --passphrase-file "$work/pass" > "$work/serve.log" 2>&1 &
serve_pid=$!
for i in $(seq 600); do grep -q "^Serving" "$work/serve.log" && break; sleep 0.2; done
grep -q '^Serving' "$work/serve.log" || { echo "keyward serve did not start:"; cat "$work/serve.log"; exit 1; }

start() { # home, extra JVM options...
  local home="$1"; shift
  KEYWARD_HOME="$home" xvfb-run -a -s "-screen 0 1280x800x24" \
    java -Xshare:auto "$@" -Dprism.order=sw -Dkeyward.startupReport=exit -cp "$cp" dev.keyward.console.Launcher 2>&1 \
    | grep -o 'startup-to-[a-z]*-ms=[0-9]*\|startup-failed.*' | tr '\n' ' ' || true
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
measure() { # label, home, extra JVM options...
  local label="$1" home="$2"; shift 2
  local unlock=() ready=()
  for i in $(seq "$runs"); do
    line="$(start "$home" "$@")"
    echo "  $label run $i: $line"
    unlock+=("$(echo "$line" | grep -o 'unlock-ms=[0-9]*' | cut -d= -f2 || true)")
    ready+=("$(echo "$line" | grep -o 'ready-ms=[0-9]*' | cut -d= -f2 || true)")
  done
  echo "$label: median to unlock screen $(printf '%s\n' "${unlock[@]}" | median) ms, to ready $(printf '%s\n' "${ready[@]}" | median) ms"
}

echo "== training the AppCDS archive (one attached start)"
rm -f target/bench/console.jsa
start "$attached" -XX:ArchiveClassesAtExit=target/bench/console.jsa > /dev/null || true
ls -l target/bench/console.jsa | awk '{print "archive: " $5 " bytes"}'

echo "== cold start to the unlock screen ($runs runs each; load: $(cut -d' ' -f1-3 /proc/loadavg))"
measure "embedded" "$embedded"
measure "attached" "$attached"
measure "embedded+cds" "$embedded" -XX:SharedArchiveFile=target/bench/console.jsa
measure "attached+cds" "$attached" -XX:SharedArchiveFile=target/bench/console.jsa
echo "== reference: bare JavaFX window ($runs runs)"
bare=()
for i in $(seq "$runs"); do
  b="$(xvfb-run -a -s "-screen 0 1280x800x24" java -Dprism.order=sw -cp "$testcp" dev.keyward.console.bench.BareWindow | grep -o '[0-9]*$')"
  echo "  bare run $i: $b ms"; bare+=("$b")
done
echo "bare window: median $(printf '%s\n' "${bare[@]}" | median) ms"
echo "== filter over 100,000 secrets"
java -cp "$testcp" dev.keyward.console.bench.FilterBench 100000
