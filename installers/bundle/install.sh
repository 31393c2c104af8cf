#!/bin/sh
# Installs Keyward from this offline bundle, after verifying it:
#   1. SHA256SUMS.sig is a valid Ed25519 signature over SHA256SUMS by keyward-bundle.pub
#      (compare the key's fingerprint, printed below, with the one you were given out of band,
#      or pass it: --expect-key SHA256_HEX);
#   2. every file listed in SHA256SUMS has that SHA-256.
# Then, as root: dpkg -i the .deb. As another user (or with --user): the app-image tarball into
# ~/.local/opt/keyward, with ~/.local/bin/keyward and ~/.local/bin/keyward-console.
# Nothing is installed if any check fails. Needs only sh, openssl and sha256sum; makes no network call.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
expect=""
mode=auto
verify_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --expect-key) expect=$2; shift 2 ;;
    --user) mode=user; shift ;;
    --verify-only) verify_only=1; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
fail() { echo "install.sh: $*" >&2; echo "install.sh: nothing was installed." >&2; exit 1; }
cd "$here"
for f in SHA256SUMS SHA256SUMS.sig keyward-bundle.pub; do [ -f "$f" ] || fail "$f is missing from the bundle."; done
fp=$(openssl pkey -pubin -in keyward-bundle.pub -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1) \
  || fail "keyward-bundle.pub is not a public key."
echo "Bundle signing key: ed25519 sha256:$fp"
if [ -n "$expect" ] && [ "$expect" != "$fp" ]; then fail "the signing key is not the expected one ($expect)."; fi
openssl pkeyutl -verify -pubin -inkey keyward-bundle.pub -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig >/dev/null 2>&1 \
  || fail "the signature over SHA256SUMS does not verify: the bundle was altered."
sha256sum --quiet --strict -c SHA256SUMS >/dev/null 2>&1 || { sha256sum -c SHA256SUMS 2>&1 | grep -v ': OK$' >&2; \
  fail "a file's SHA-256 does not match SHA256SUMS: the bundle is damaged or altered."; }
echo "Signature and checksums verified."
[ "$verify_only" = 1 ] && exit 0
deb=$(ls keyward_*.deb 2>/dev/null | head -1)
tarball=$(ls keyward-*-linux-x64.tar.gz 2>/dev/null | head -1)
if [ "$mode" = auto ] && [ "$(id -u)" = 0 ] && [ -n "$deb" ]; then
  dpkg -i "$deb"
  echo "Installed $(dpkg-query -W -f='${Package} ${Version}' keyward): 'keyward --help', 'man keyward'."
else
  [ -n "$tarball" ] || fail "no app-image tarball in the bundle."
  dest="${HOME}/.local/opt"
  mkdir -p "$dest" "${HOME}/.local/bin"
  rm -rf "$dest/keyward"
  tar -C "$dest" -xzf "$tarball"
  ln -sf "$dest/keyward/bin/keyward" "${HOME}/.local/bin/keyward"
  ln -sf "$dest/keyward/bin/keyward-console" "${HOME}/.local/bin/keyward-console"
  echo "Installed into $dest/keyward; ~/.local/bin/keyward is on PATH when ~/.local/bin is."
fi
