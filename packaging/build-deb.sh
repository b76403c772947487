#!/usr/bin/env bash
# Builds the Debian package from a built binary with dpkg-deb (no other tool than dpkg and
# binutils' strip). The release package comes from the release build:
#
#   cargo build --release -p motcua
#   packaging/build-deb.sh target/release/motcua target/debian
#
# The install test (crates/cli/tests/it/package.rs) packages the test build's binary with
# this same script (DEB_COMPRESSION=none: a debug binary is large and CI has two cores).
# Prints the path of the .deb it wrote.
set -euo pipefail
bin="${1:?usage: build-deb.sh PATH/TO/motcua OUT_DIR}"
out="${2:?usage: build-deb.sh PATH/TO/motcua OUT_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
version="$("$bin" --version | awk '{print $2}')"
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/motcua" "$stage/usr/share/doc/motcua"
# Symbols are not shipped (a release binary is built without debug info anyway).
strip --strip-all -o "$stage/usr/bin/motcua" "$bin"
chmod 0755 "$stage/usr/bin/motcua"
install -m 0644 "$here/motcua.service" "$stage/lib/systemd/system/motcua.service"
install -m 0640 "$here/motcua.toml" "$stage/etc/motcua/motcua.toml"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/motcua/README.md"
[ -f "$root/docs/operations.md" ] && install -m 0644 "$root/docs/operations.md" "$stage/usr/share/doc/motcua/operations.md"
printf 'motcua\nLicense: AGPL-3.0-or-later (/usr/share/common-licenses/GPL-3 and the GNU AGPL v3 text at https://www.gnu.org/licenses/agpl-3.0.txt)\n' \
    >"$stage/usr/share/doc/motcua/copyright"

for f in postinst prerm postrm; do install -m 0755 "$here/debian/$f" "$stage/DEBIAN/$f"; done
install -m 0644 "$here/debian/conffiles" "$stage/DEBIAN/conffiles"
size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$here/debian/control.in" >"$stage/DEBIAN/control"
(cd "$stage" && find usr lib -type f -exec md5sum {} + >DEBIAN/md5sums)

mkdir -p "$out"
deb="$out/motcua_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$stage" "$deb" >/dev/null
echo "$deb"
