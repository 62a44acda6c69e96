#!/bin/bash
# TAP: every `#include "..."` under bench/ stays inside the floors README's
# "Layout" section allows (its "may include" block is the rule this reads),
# every header resolves through the Makefile's -I paths, and every bench/
# folder says what lives there (README.md, or its <folder>.h's opening comment).
#   LAYOUT_ROOT=DIR checks another tree (the test of this test).
set -eu

root=${LAYOUT_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
n=0 fails=0
ok() {	# ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}

# The rule: "floor: floors it may include" lines between the markers.
declare -A allowed=()
while read -r floor may; do
	allowed[${floor%:}]=" $may "
done < <(sed -n '/^<!-- layout-rule -->/,/^<!-- \/layout-rule -->/p' README.md |
	grep -E '^[a-z]+: ' || true)
[ "${#allowed[@]}" -gt 0 ] && rc=0 || rc=1
ok "$rc" "README Layout states the rule (${#allowed[@]} floors)"

# The floor of a path: its folder under bench/ (driver: bench/ itself).
floor_of() {
	local rel=${1#bench/}
	case "$rel" in */*) echo "${rel%%/*}" ;; *) echo driver ;; esac
}

# Include dirs, in the compiler's order: the Makefile's -Ibench/... list.
incdirs=$(grep -o -- '-Ibench/[A-Za-z_/]*' Makefile | sed 's/^-I//')

crossings=0 unresolved=0
while IFS= read -r src; do
	from=$(floor_of "$src")
	while IFS= read -r hdr; do
		path=
		if [ -f "$(dirname "$src")/$hdr" ]; then
			path=$(realpath -m --relative-to=. "$(dirname "$src")/$hdr")
		else
			for d in $incdirs; do
				[ -f "$d/$hdr" ] && { path=$d/$hdr; break; }
			done
		fi
		if [ -z "$path" ]; then
			case "$hdr" in git_commit.h) continue ;; esac	# build/gen
			echo "# $src: #include \"$hdr\" found in no -I path of the Makefile"
			unresolved=$((unresolved + 1))
			continue
		fi
		to=$(floor_of "$path")
		[ "$to" != "$from" ] || continue
		case "${allowed[$from]:- }" in
		*" $to "*) ;;
		*)	echo "# $src: #include \"$hdr\" ($to/) crosses the layout: $from/ may include only${allowed[$from]:- (no rule for $from)}"
			crossings=$((crossings + 1)) ;;
		esac
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$src")
done < <(find bench -name '*.[ch]' | LC_ALL=C sort)
[ "$crossings" = 0 ] && rc=0 || rc=1
ok "$rc" "no #include crosses the layout ($crossings crossing(s))"
[ "$unresolved" = 0 ] && rc=0 || rc=1
ok "$rc" "every #include resolves through the Makefile's -I paths ($unresolved not found)"

missing=
for d in bench/*/; do
	d=${d%/}
	# A README.md, or the opening comment of the folder's own header
	# (nested/nested.h: that floor's owners keep it there).
	[ -s "$d/README.md" ] || head -n 3 "$d/$(basename "$d").h" 2>/dev/null |
		grep -q '^ \* [A-Za-z]' || missing="$missing $d"
	[ -n "${allowed[$(floor_of "$d/x")]:-}" ] || missing="$missing $d(no rule)"
done
[ -z "$missing" ] && rc=0 || rc=1
ok "$rc" "every bench/ folder says what lives there (README.md or <folder>.h) and has a rule${missing:+ (missing:$missing)}"

# The check must be able to fail: a copy of the tree with vmm/ including
# benchmarks/common.h (the crossing issue 18 removed) must not pass.
if [ -z "${LAYOUT_ROOT:-}" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-layout.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	cp -r bench Makefile README.md "$tmp/"
	sed -i '0,/^#include "/s//#include "common.h"\n#include "/' "$tmp/bench/vmm/guest.c"
	out=$(LAYOUT_ROOT=$tmp "$0" 2>&1) && rc=1 || rc=0
	echo "$out" | grep -q 'bench/vmm/guest.c: #include "common.h" (benchmarks/) crosses the layout' || rc=1
	ok "$rc" "a planted crossing (vmm/guest.c including benchmarks' common.h) fails the check"
fi

echo "1..$n"
[ "$fails" = 0 ]
