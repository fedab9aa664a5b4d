#!/usr/bin/env bash
# Static checks over the repository's shell code: shellcheck on every shell
# file git knows (and new ones not ignored), "--help" answering with exit 0
# on every executable entry point, every scenario's settings known to the
# runner (tests/e2e/run.sh --check), and every script, file and Make target
# the docs (*.md) name existing. Prints TAP.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)

case ${1:-} in
-h | --help)
	echo "Usage: $(basename "$0")"
	echo "shellcheck every shell file, try --help on every entry point, check scenario"
	echo "settings and the scripts, files and Make targets the docs name; TAP output."
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

mapfile -t docs < <(git ls-files -co --exclude-standard '*.md' | sort -u)
scn_dirs=()
for d in tests/e2e/scenarios tests/selftest/scenarios tests/bench/scenarios; do
	[ -d "$d" ] && scn_dirs+=("$d")
done

# the CI examples (README "Sharded runs"): valid YAML by yamllint's rules
mapfile -t yamls < <(git ls-files -co --exclude-standard -- '*.yml' '*.yaml')
echo "1..$((${#files[@]} + ${#entries[@]} + ${#scn_dirs[@]} + ${#docs[@]} + ${#yamls[@]}))"
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
for d in "${scn_dirs[@]}"; do
	n=$((n + 1))
	if out=$(tests/e2e/run.sh --scenarios "$d" --check 2>&1); then
		echo "ok $n - scenario settings in $d are all known to the runner"
	else
		failed=$((failed + 1))
		echo "not ok $n - scenario settings in $d"
		printf '%s\n' "$out" | grep -v '^ok' | sed 's/^/#   /'
	fi
done

# doc_names FILE: the repository paths (scripts, tests, files with an
# extension) and Make targets FILE names, one per line as "path P" or
# "make T"; paths written relative to FILE's folder are resolved.
targets=$(sed -nE 's/^([a-z][a-z0-9-]*):.*/\1/p' Makefile)
doc_names() {
	local dir
	dir=$(dirname "$1")
	{ grep -oE '(\.\./)*(scripts|tests|vmbus|driver|docs|\.ci)/[A-Za-z0-9_./-]*[A-Za-z0-9_]\.(sh|py|md|scn|c|h|patch)\b|(\.\./)*\.ci/run\b' "$1" || true; } |
		while read -r p; do
			case $p in ../*) p=$(realpath -m --relative-to=. "$dir/$p") ;; esac
			echo "path $p"
		done
	{ grep -oE '(^|`|\$ )make [a-z][a-z0-9-]*' "$1" || true; } | sed -E 's/.*make /make /'
}
for f in "${docs[@]}"; do
	n=$((n + 1))
	missing=$(doc_names "$f" | sort -u | while read -r kind name; do
		case $kind in
		path) [ -e "$name" ] || echo "$name" ;;
		make) grep -qx "$name" <<<"$targets" || echo "make target $name" ;;
		esac
	done)
	if [ -z "$missing" ]; then
		echo "ok $n - every script, file and Make target $f names exists"
	else
		failed=$((failed + 1))
		echo "not ok $n - $f names what does not exist: ${missing//$'\n'/, }"
	fi
done
for f in "${yamls[@]}"; do
	n=$((n + 1))
	if ! command -v yamllint >/dev/null; then
		failed=$((failed + 1))
		echo "not ok $n - yamllint $f: yamllint is not installed (apt-get install yamllint)"
	elif out=$(yamllint -f parsable -d '{extends: default, rules: {line-length: {max: 100}, truthy: {check-keys: false}, document-start: disable}}' "$f" 2>&1); then
		echo "ok $n - yamllint $f"
	else
		failed=$((failed + 1))
		echo "not ok $n - yamllint $f"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -n 20
	fi
done
[ "$failed" -eq 0 ]
