#!/usr/bin/env bash
# Checks on the kernel module's source that a reviewer would run: the kernel's
# checkpatch.pl --strict, a build with zero compiler warnings against every
# guest kernel's headers (on the host or in the release's build chroot, see
# scripts/build-driver.sh), and sparse (make C=2) with nothing to say; the
# guest test modules (tests/e2e/modules/) get checkpatch and the build. TAP.
# Each check passes only when it can be seen to have run: checkpatch's
# summary for every file, sparse's CHECK line for every source file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../../scripts/lib/common.sh"

usage() {
	cat <<EOF
Usage: $(basename "$0") [--kernel VER]...

checkpatch --strict, warning-free builds and sparse on driver/ (checkpatch
and builds on the guest test modules, tests/e2e/modules/), for each
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

tmods=("$HVPCI_ROOT"/tests/e2e/modules/*/Kbuild)
echo "1..$((1 + (2 + ${#tmods[@]}) * ${#kernels[@]}))"
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
trap 'rm -f "$out" "$out.hits"' EXIT

# The sources a reviewer reads: the generated API header is left out.
files=()
for f in "$drv"/*.c "$drv"/*.h "$drv"/Kbuild "$drv"/kapi/*.c \
	"$HVPCI_ROOT"/tests/e2e/modules/*/*.c "$HVPCI_ROOT"/tests/e2e/modules/*/Kbuild; do
	[ "${f##*/}" = hvpci_kapi_conf.h ] || files+=("$f")
done
# Without --terse checkpatch ends every file with a "total:" line: one per
# file, each with nothing to report, or the check did not (fully) run.
checkpatch=$("$HVPCI_ROOT/scripts/get-checkpatch.sh" 2>/dev/null) || checkpatch=""
cp_rc=0
if [ -n "$checkpatch" ] && [ -x "$checkpatch" ]; then
	"$checkpatch" --strict --no-tree --show-types --file "${files[@]}" >"$out" 2>&1 || cp_rc=$?
else
	echo "scripts/get-checkpatch.sh gave no checkpatch.pl ('$checkpatch')" >"$out"
	cp_rc=127
fi
totals=$(grep -c '^total: ' "$out" || true)
clean=$(grep -c '^total: 0 errors, 0 warnings, 0 checks, ' "$out" || true)
if [ "$cp_rc" -eq 127 ] || [ "$totals" -ne ${#files[@]} ]; then
	echo "checkpatch summarised $totals of ${#files[@]} files (exit $cp_rc)" >>"$out"
	report fail "checkpatch.pl --strict ran on all ${#files[@]} files of driver/ and the test modules" "$out"
elif [ "$cp_rc" -ne 0 ] || [ "$clean" -ne ${#files[@]} ]; then
	grep -E '^(ERROR|WARNING|CHECK):|^#[0-9]+: FILE:|^total: [^0]|^total: 0 errors, [^0]|^total: 0 errors, 0 warnings, [^0]' "$out" >"$out.hits" || true
	report fail "checkpatch.pl --strict is clean on driver/ and the test modules" "$out.hits"
else
	report ok "checkpatch.pl --strict is clean on driver/ and the test modules (${#files[@]} files)"
fi

apt_install sparse
sources=$(find "$drv" -maxdepth 1 -name 'hvpci*.c' | wc -l)
for k in "${kernels[@]}"; do
	krel=$(kernel_release "$k")
	if ko=$("$HVPCI_ROOT/scripts/build-driver.sh" --kernel "$k" --strict --print-path 2>"$out"); then
		report ok "driver builds without warnings against $krel (${ko##*/})"
		# Which shims this kernel needed, as the API probe found them.
		sed -n 's/^hvpci: kernel API probe for [^:]*: /# kapi: /p' "${ko%/*}/build.log"
	else
		report fail "driver builds without warnings against $krel" "$out"
	fi
	for t in "${tmods[@]}"; do
		t=${t%/Kbuild}
		if ko=$("$HVPCI_ROOT/scripts/build-driver.sh" --kernel "$k" --source "$t" --strict --print-path 2>"$out"); then
			report ok "test module ${t##*/} builds without warnings against $krel (${ko##*/})"
		else
			report fail "test module ${t##*/} builds without warnings against $krel" "$out"
		fi
	done
	"$HVPCI_ROOT/scripts/build-driver.sh" --kernel "$k" --sparse >"$out" 2>&1 || true
	checked=$(grep -cE '^ +CHECK +[^ ]*hvpci[^ ]*\.c$' "$out" || true)
	# sparse speaks as "file:line:col: warning|error: ..."; any error, even
	# in a kernel header, means it could not read our sources.
	if grep -E '^[^ ]*hvpci[^ ]*\.[ch]:[0-9]+:[0-9]+: (warning|error)|^[^ ]+:[0-9]+:[0-9]+: error:' "$out" >"$out.hits"; then
		report fail "sparse (make C=2) is silent against $krel" "$out.hits"
	elif [ "$checked" -ne "$sources" ]; then
		echo "sparse checked $checked of $sources source files" >>"$out"
		report fail "sparse (make C=2) ran against $krel" "$out"
	else
		report ok "sparse (make C=2) is silent against $krel ($checked files)"
	fi
done
[ "$failed" -eq 0 ]
