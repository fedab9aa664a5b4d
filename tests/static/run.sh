#!/usr/bin/env bash
# Static checks over the repository's shell code: shellcheck on every shell
# file git knows (and new ones not ignored), and "--help" answering with
# exit 0 on every executable entry point. Prints TAP.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)

case ${1:-} in
-h | --help)
	echo "Usage: $(basename "$0")"
	echo "shellcheck every shell file and try --help on every entry point; TAP output."
	exit 0
	;;
"") ;;
*) echo "$(basename "$0"): unknown argument: $1 (try --help)" >&2; exit 64 ;;
esac
command -v shellcheck >/dev/null || {
	echo "$(basename "$0"): shellcheck is not installed (apt-get install shellcheck)" >&2
	exit 1
}

cd "$top"
mapfile -t files < <(git ls-files -co --exclude-standard |
	while read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh | *.scn | .ci/run | scripts/guest/init) echo "$f" ;;
		*) head -c 64 "$f" | head -n 1 | grep -Eq '^#!.*(ba|da)?sh' && echo "$f" ;;
		esac
	done | sort -u)
entries=()
for f in "${files[@]}"; do
	case $f in
	scripts/guest/* | *.scn | scripts/lib/* | tests/e2e/lib.sh) ;;
	*) [ -x "$f" ] && entries+=("$f") ;;
	esac
done

echo "1..$((${#files[@]} + ${#entries[@]}))"
n=0 failed=0
for f in "${files[@]}"; do
	n=$((n + 1))
	shell=()
	case $f in scripts/guest/*) shell=(-s sh) ;; esac
	if out=$(shellcheck -x "${shell[@]}" "$f" 2>&1); then
		echo "ok $n - shellcheck $f"
	else
		failed=$((failed + 1))
		echo "not ok $n - shellcheck $f"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -n 30
	fi
done
for f in "${entries[@]}"; do
	n=$((n + 1))
	if out=$(timeout 20 "./$f" --help </dev/null 2>&1) && [ -n "$out" ]; then
		echo "ok $n - $f --help"
	else
		failed=$((failed + 1))
		echo "not ok $n - $f --help: exit status or no text"
	fi
done
[ "$failed" -eq 0 ]
