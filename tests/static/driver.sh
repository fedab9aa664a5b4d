#!/usr/bin/env bash
# Checks on the kernel module's source that a reviewer would run: the kernel's
# checkpatch.pl --strict, a build with zero compiler warnings against every
# guest kernel's headers, and sparse (make C=2) with nothing to say. TAP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../../scripts/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernel VER]...

checkpatch --strict, warning-free builds and sparse on driver/, for each
kernel (default: \$HVPCI_KERNELS, else what linux-image-cloud-amd64 points at).
EOF
}
kernels=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$1" $#; kernels+=("$2"); shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage_error "unknown argument: $1" ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || read -ra kernels <<<"${HVPCI_KERNELS:-$(default_kernel_version)}"
drv=$HVPCI_ROOT/driver
[ -f "$drv/Kbuild" ] || { echo "1..0 # SKIP no driver/ yet"; exit 0; }

echo "1..$((1 + 2 * ${#kernels[@]}))"
n=0 failed=0
report() { # report ok|fail NAME [DETAILS-FILE]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || sed 's/^/#   /' "$3" | head -n 40
	fi
}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

checkpatch=$("$HVPCI_ROOT/scripts/get-checkpatch.sh" 2>/dev/null)
"$checkpatch" --strict --no-tree --terse --file "$drv"/*.c "$drv"/*.h "$drv/Kbuild" >"$out" 2>&1 || true
if grep -q 'total: [1-9]\|[1-9][0-9]* warnings\|[1-9][0-9]* checks\|: ERROR:\|: WARNING:\|: CHECK:' "$out"; then
	report fail "checkpatch.pl --strict on driver/" "$out"
else
	report ok "checkpatch.pl --strict on driver/"
fi

apt_install sparse
for k in "${kernels[@]}"; do
	krel=$(kernel_release "$k")
	if "$HVPCI_ROOT/scripts/build-driver.sh" --kernel "$k" --strict >"$out" 2>&1; then
		report ok "driver builds without warnings against $krel"
	else
		report fail "driver builds without warnings against $krel" "$out"
	fi
	work=$(mktemp -d)
	cp -r "$drv" "$work/driver"
	make -C "$work/driver" KVER="$krel" C=2 >"$out" 2>&1 || true
	# sparse speaks as "file:line:col: warning|error: ..." on our sources.
	if grep -E '^[^ ]*hvpci[^ ]*\.[ch]:[0-9]+:[0-9]+: (warning|error)' "$out" >"$out.hits"; then
		report fail "sparse (make C=2) is silent against $krel" "$out.hits"
	elif ! grep -q 'CHECK' "$out"; then
		report fail "sparse (make C=2) ran against $krel" "$out"
	else
		report ok "sparse (make C=2) is silent against $krel"
	fi
	rm -rf "$work" "$out.hits"
done
[ "$failed" -eq 0 ]
