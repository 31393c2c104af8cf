#!/usr/bin/env bash
# Builds the offline bundle in one command:
#   installers/bundle.sh [--key ED25519_PRIVATE_KEY.pem] [--skip-build]
# target/bundle/keyward-<version>-offline/ (and a .tar of it) holds the .deb, the app-image tarball,
# install.sh, SHA256SUMS over them, SHA256SUMS.sig (a detached Ed25519 signature) and
# keyward-bundle.pub. Without --key a new signing key is made in installers/target/bundle-key/
# (for a real release keep the key offline and pass it). See docs/installers.md.
set -euo pipefail
cd "$(dirname "$0")/.."
key="" build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --key) key=$2; shift 2 ;;
    --skip-build) build=0; shift ;;
    *) echo "bundle.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$build" = 1 ]; then
  mvn -B -q -Pinstallers -pl installers -am package -DskipTests
fi
out=installers/target/jpackage
deb=$(ls "$out"/keyward_*.deb | head -1)
tarball=$(ls "$out"/keyward-*-linux-x64.tar.gz | head -1)
version=$(basename "$tarball" | sed 's/^keyward-\(.*\)-linux-x64.tar.gz$/\1/')
if [ -z "$key" ]; then
  key=installers/target/bundle-key/keyward-bundle.key
  if [ ! -f "$key" ]; then
    mkdir -p "$(dirname "$key")"
    (umask 077; openssl genpkey -algorithm ed25519 -out "$key")
  fi
fi
dir=installers/target/bundle/keyward-$version-offline
rm -rf "$dir"
mkdir -p "$dir"
cp "$deb" "$tarball" "$dir/"
cp installers/bundle/install.sh "$dir/install.sh"
chmod 755 "$dir/install.sh"
openssl pkey -in "$key" -pubout -out "$dir/keyward-bundle.pub"
(cd "$dir" && sha256sum "$(basename "$deb")" "$(basename "$tarball")" install.sh keyward-bundle.pub > SHA256SUMS)
openssl pkeyutl -sign -inkey "$key" -rawin -in "$dir/SHA256SUMS" -out "$dir/SHA256SUMS.sig"
tar -C "$(dirname "$dir")" -cf "$dir.tar" "$(basename "$dir")"
fp=$(openssl pkey -pubin -in "$dir/keyward-bundle.pub" -outform DER | sha256sum | cut -d' ' -f1)
echo "Bundle: $dir.tar"
echo "Signing key fingerprint (give it out of band): sha256:$fp"
