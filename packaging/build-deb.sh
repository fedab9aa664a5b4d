#!/usr/bin/env bash
# Builds the hvpci-dkms Debian package from this tree: build/hvpci-dkms_<version>_all.deb,
# <version> being dkms.conf's PACKAGE_VERSION. `make deb` runs it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../scripts/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--source DIR] [--out DIR]

Stages dkms.conf, driver/ and packaging/ under build/deb/, writes a
changelog for dkms.conf's PACKAGE_VERSION and runs dpkg-buildpackage.
Needs debhelper and dh-dkms (scripts/setup-host.sh installs them).

  --source DIR   take dkms.conf and driver/ from DIR (another checkout or
                 worktree) instead of this tree
  --out DIR      where the .deb goes (default: build/)
  -h, --help     this text
EOF
}

src=$HVPCI_ROOT out=$HVPCI_ROOT/build
while [ $# -gt 0 ]; do
	case $1 in
	--source) need_arg "$1" $#; src=$(cd "$2" && pwd); shift 2 ;;
	--out) need_arg "$1" $#; mkdir -p "$2"; out=$(cd "$2" && pwd); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
for tool in dpkg-buildpackage dh dh_dkms; do
	command -v "$tool" >/dev/null ||
		die "$tool is missing: apt-get install debhelper dh-dkms dpkg-dev"
done
[ -f "$src/dkms.conf" ] || die "no dkms.conf in $src"
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$src/dkms.conf")
[ -n "$version" ] || die "no PACKAGE_VERSION in $src/dkms.conf"

start=$(now_s)
stage=$HVPCI_ROOT/build/deb/hvpci-$version
rm -rf "$HVPCI_ROOT/build/deb"
mkdir -p "$stage/packaging"
# The files git tracks or would track: no build products of a local build.
(cd "$src" && git ls-files -co --exclude-standard -- dkms.conf driver) | grep -v '\.gitignore$' |
	(cd "$src" && xargs -d '\n' cp --parents -a -t "$stage")
cp -a "$HVPCI_ROOT/packaging/debian" "$stage/debian"
cp -a "$HVPCI_ROOT/packaging/takeover" "$stage/packaging/takeover"

# The changelog names the tree it was built from; its date is the commit's,
# so two builds of one commit give the same package.
rev=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
date=$(git -C "$src" log -1 --format=%aD 2>/dev/null || date -R)
cat >"$stage/debian/changelog" <<EOF
hvpci ($version) unstable; urgency=medium

  * Built from the hvpci tree at $rev.

 -- hvpci developers <hvpci@example.org>  $date
EOF

say "building hvpci-dkms $version from $src ($rev)"
(cd "$stage" && dpkg-buildpackage --build=all -us -uc >"$HVPCI_ROOT/build/deb/build.log" 2>&1) ||
	die "dpkg-buildpackage failed; see build/deb/build.log: $(tail -n 3 "$HVPCI_ROOT/build/deb/build.log")"
mkdir -p "$out"
mv "$HVPCI_ROOT/build/deb/hvpci-dkms_${version}_all.deb" "$out/"
say "$out/hvpci-dkms_${version}_all.deb ($(elapsed "$start")s)"
