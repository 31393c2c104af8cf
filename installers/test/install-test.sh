#!/usr/bin/env bash
# Install test of the packages (run as root, after the test suite: .ci/run calls it).
#   installers/test/install-test.sh [--skip-build]
# 1. Builds the offline bundle (the .deb, the app-image tarball, SHA256SUMS, the Ed25519 signature).
# 2. A bundle with a bad checksum is refused by install.sh and installs nothing.
# 3. install.sh verifies and runs dpkg -i; the installed keyward: --version, --help, the man page.
# 4. The flow: init, serve (sealed, unsealed with 'keyward unseal' over its local socket), a KV write
#    and read over HTTPS, backup, restore into a second home, serve it, 'keyward audit verify', the
#    restore as the restored vault's first new entry.
# 5. The same flow in a network namespace with no route, under strace -f -e trace=connect: every
#    connect() must be to loopback or a local socket.
# 6. The installed console under Xvfb shows the unlock screen (docs/screenshots/installed-unlock.png).
# 7. dpkg --purge removes the package and everything it linked.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
skip_build=0
[ "${1:-}" = "--skip-build" ] && skip_build=1
[ "$(id -u)" = 0 ] || { echo "install-test: run as root (dpkg -i, ip netns)" >&2; exit 2; }
T=$(mktemp -d /tmp/keyward-install-test.XXXXXX)
chmod 755 "$T"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  ip netns del kwtest 2>/dev/null || true
}
trap cleanup EXIT
step() { echo "install-test: $*"; }
fail() { echo "install-test: FAILED: $*" >&2; exit 1; }
start=$(date +%s)
passed=0

# ---------------------------------------------------------------- 1. bundle
if [ "$skip_build" = 1 ] && ls installers/target/jpackage/keyward_*.deb >/dev/null 2>&1; then
  installers/bundle.sh --skip-build
else
  installers/bundle.sh
fi
bundle=$(ls -d installers/target/bundle/keyward-*-offline | head -1)
step "bundle built in $(( $(date +%s) - start )) s: $bundle ($(du -sh "$bundle" | cut -f1))"

# ---------------------------------------------------------------- 2. a bad checksum is refused
dpkg --purge keyward >/dev/null 2>&1 || true
cp -r "$bundle" "$T/bad"
printf 'x' >> "$T/bad/$(basename "$(ls "$bundle"/keyward_*.deb)")"
if "$T/bad/install.sh" > "$T/bad.log" 2>&1; then fail "install.sh installed a bundle with a bad checksum"; fi
grep -q "nothing was installed" "$T/bad.log" || fail "install.sh gave no clear error: $(cat "$T/bad.log")"
dpkg -s keyward >/dev/null 2>&1 && fail "the bad bundle left a package installed"
cp -r "$bundle" "$T/forged"
echo "0000000000000000000000000000000000000000000000000000000000000000  extra" >> "$T/forged/SHA256SUMS"
"$T/forged/install.sh" --verify-only > "$T/forged.log" 2>&1 && fail "install.sh accepted an altered SHA256SUMS"
step "a bundle with a bad checksum or an altered SHA256SUMS is refused: $(grep -m1 'install.sh:' "$T/bad.log")"
passed=$((passed + 1))

# ---------------------------------------------------------------- 3. install
# What the .deb declares it needs (on an air-gapped machine these come from its own Debian mirror).
deps=$(dpkg-deb -f "$bundle"/keyward_*.deb Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | grep -v '^$')
missing=""
for d in $deps; do dpkg -s "$d" >/dev/null 2>&1 || missing="$missing $d"; done
if [ -n "$missing" ]; then
  step "installing the package's dependencies:$missing"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
"$bundle/install.sh" > "$T/install.log" 2>&1 || fail "install.sh: $(cat "$T/install.log")"
grep -q "Signature and checksums verified" "$T/install.log" || fail "install.sh did not verify"
command -v keyward >/dev/null || fail "keyward is not on PATH"
[ "$(readlink -f "$(command -v keyward)")" = /opt/keyward/bin/keyward ] || fail "keyward on PATH is not the installed one"
keyward --version | grep -q "keyward 0" || fail "keyward --version"
keyward --help | grep -q "backup" || fail "keyward --help lists no backup command"
[ -e /usr/share/man/man1/keyward.1 ] && grep -q "keyward" /usr/share/man/man1/keyward.1 || fail "no man page"
man -w keyward >/dev/null 2>&1 || [ -e /usr/share/man/man1/keyward.1 ] || fail "man keyward"
[ -e /usr/share/applications/keyward-console.desktop ] || fail "no desktop entry"
[ -e /usr/share/icons/hicolor/256x256/apps/keyward.png ] || fail "no icon"
[ -e /usr/lib/systemd/user/keyward.service ] || fail "no systemd user unit"
step "installed: $(keyward --version); keyward on PATH, man page, desktop entry, icon, systemd user unit"
passed=$((passed + 1))

# ---------------------------------------------------------------- 4. the flow
# flow DIR PORT1 PORT2: everything a pipeline and an operator do, with the installed command only.
cat > "$T/flow.sh" <<'FLOW'
#!/usr/bin/env bash
set -euo pipefail
D=$1 P1=$2 P2=$3
export HOME=$D/user
mkdir -p "$HOME"
unset KEYWARD_HOME KEYWARD_ADDRESS KEYWARD_TOKEN KEYWARD_PASSPHRASE KEYWARD_CA_CERT
printf 'unseal passphrase of the install test\n' > "$D/unseal"
printf 'admin passphrase of the install test\n' > "$D/admin"
printf 'backup passphrase of the install test\n' > "$D/backup-pass"
H1=$D/home1 H2=$D/home2
kw1() { keyward --home "$H1" -a "https://127.0.0.1:$P1" "$@"; }
kw2() { keyward --home "$H2" -a "https://127.0.0.1:$P2" "$@"; }
wait_for() { for _ in $(seq 1 240); do if eval "$1"; then return 0; fi; sleep 0.5; done; echo "timed out: $1" >&2; return 1; }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
keyward --version
keyward --home "$H1" init --passphrase-file "$D/unseal" --admin-passphrase-file "$D/admin" > "$D/init.log"
# The service as the systemd unit runs it: sealed, waiting for 'keyward unseal' on its local socket.
keyward --home "$H1" serve --port "$P1" --wait-for-unseal > "$D/serve1.log" 2>&1 &
S1=$!
wait_for "[ -S '$H1/unseal.sock' ]"
KEYWARD_PASSPHRASE="$(cat "$D/unseal")" keyward --home "$H1" unseal > "$D/unseal.log"
wait_for "kw1 status > /dev/null 2>&1"
kw1 login operator --name admin --passphrase-file "$D/admin" > /dev/null
kw1 kv put app/db password=install-test-canary > /dev/null
[ "$(kw1 kv get app/db --field password)" = install-test-canary ]
echo "kv write and read over HTTPS: ok"
kw1 backup --out "$D/vault.kwbak" --protect passphrase --passphrase-file "$D/backup-pass" | tee "$D/backup.log"
grep -q "protection: passphrase" "$D/backup.log"
keyward backup inspect "$D/vault.kwbak" > /dev/null
stop "$S1"
keyward --home "$H2" restore "$D/vault.kwbak" --passphrase-file "$D/backup-pass" | tee "$D/restore.log"
if keyward --home "$H2" restore "$D/vault.kwbak" --passphrase-file "$D/backup-pass" > "$D/again.log" 2>&1; then
  echo "a restore into a non-empty home was not refused" >&2; exit 1
fi
grep -q "not empty" "$D/again.log"
keyward --home "$H2" serve --port "$P2" --passphrase-file "$D/unseal" > "$D/serve2.log" 2>&1 &
S2=$!
wait_for "kw2 status > /dev/null 2>&1"
kw2 login operator --name admin --passphrase-file "$D/admin" > /dev/null
[ "$(kw2 kv get app/db --field password)" = install-test-canary ]
kw2 audit verify | tee "$D/verify.log"
kw2 -o json audit verify > "$D/verify.json"
grep -q '"ok" : true' "$D/verify.json"
stop "$S2"
if grep -R -q install-test-canary "$D"/serve*.log "$D"/*.log; then echo "a secret value reached a log" >&2; exit 1; fi
echo "flow: ok"
FLOW
chmod 755 "$T/flow.sh"
mkdir -p "$T/plain"
t0=$(date +%s)
"$T/flow.sh" "$T/plain" 18310 18311 > "$T/plain.log" 2>&1 || { cat "$T/plain.log" "$T"/plain/serve*.log >&2; fail "the flow"; }
grep -q "flow: ok" "$T/plain.log" || fail "the flow did not finish"
step "flow (init, serve, unseal over the local socket, KV over HTTPS, backup, restore, audit verify): ok in $(( $(date +%s) - t0 )) s"
passed=$((passed + 1))

# ---------------------------------------------------------------- 5. no route, strace on connect()
ip netns add kwtest
ip netns exec kwtest ip link set lo up
ip netns exec kwtest ip route 2>/dev/null | grep -q . && fail "the namespace has a route"
mkdir -p "$T/netns"
t0=$(date +%s)
ip netns exec kwtest strace -f --seccomp-bpf -e trace=connect -o "$T/strace.log" "$T/flow.sh" "$T/netns" 18320 18321 \
  > "$T/netns.log" 2>&1 || { tail -50 "$T/netns.log" >&2; fail "the flow without a route"; }
grep -q "flow: ok" "$T/netns.log" || fail "the flow without a route did not finish"
connects=$(grep -c 'connect(' "$T/strace.log" || true)
outside=$(grep 'connect(' "$T/strace.log" | grep -v 'sa_family=AF_UNIX' \
  | grep -v 'inet_addr("127\.0\.0\.1")' | grep -v 'inet_pton(AF_INET6, "::1"' | grep -v 'resumed>' || true)
if [ -n "$outside" ]; then echo "$outside" | head -20 >&2; fail "a connection outside loopback was attempted"; fi
inet=$(grep 'connect(' "$T/strace.log" | grep -c 'AF_INET' || true)
step "the same flow in a network namespace with no route: ok in $(( $(date +%s) - t0 )) s; strace saw $connects connect() calls, $inet to loopback, none elsewhere"
cp "$T/strace.log" installers/target/install-test-strace.log
passed=$((passed + 1))

# ---------------------------------------------------------------- 6. the console under Xvfb
mkdir -p "$T/gui/user"
shot=docs/screenshots/installed-unlock.png
env -i PATH="$PATH" HOME="$T/gui/user" KEYWARD_HOME="$T/plain/home1" JAVA_TOOL_OPTIONS="-Dprism.order=sw" \
  xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    keyward-console > '"$T"'/console.log 2>&1 &
    c=$!
    # Wait for the window to be drawn (the screen is one flat colour until then), then let it settle.
    for _ in $(seq 1 40); do
      sleep 3
      import -window root '"$T"'/shot.png 2>/dev/null || continue
      [ "$(identify -format %k '"$T"'/shot.png 2>/dev/null || echo 0)" -gt 64 ] && break
    done
    sleep 8
    import -window root '"$T"'/shot.png
    kill $c 2>/dev/null || true' || fail "the console under Xvfb"
colours=$(identify -format '%k' "$T/shot.png" 2>/dev/null || echo 0)
[ "${colours:-0}" -gt 16 ] || fail "the console's screenshot is blank ($colours colours): $(tail -5 "$T/console.log")"
cp "$T/shot.png" "$shot"
step "the installed console under Xvfb: $shot ($colours colours)"
passed=$((passed + 1))

# ---------------------------------------------------------------- 7. removal
dpkg --purge keyward > "$T/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$T/purge.log")"
for f in /opt/keyward /usr/bin/keyward /usr/bin/keyward-console /usr/share/man/man1/keyward.1 \
  /usr/share/applications/keyward-console.desktop /usr/share/icons/hicolor/256x256/apps/keyward.png \
  /usr/lib/systemd/user/keyward.service; do
  [ -e "$f" ] || [ -L "$f" ] && fail "$f is left after removal"
done
step "dpkg --purge removed the package and everything it linked"
passed=$((passed + 1))

step "done in $(( $(date +%s) - start )) s"
echo "install-test: $passed passed, 0 failed"
