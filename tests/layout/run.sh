#!/bin/bash
# TAP: every `#include "..."` under bench/ stays inside the floors README's
# "Layout" section allows (its "may include" block is the rule this reads),
# every header resolves through the Makefile's -I paths, every bench/
# folder says what lives there (README.md, or its <folder>.h's opening
# comment), and no two files call each other (the built objects' symbols).
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

# No two files call each other, directly or round a longer circle: the
# file-level call graph of the built objects (a file's undefined symbols ->
# the file defining them, `nm`) must have no loop, within a folder or
# across.  tsort names each loop it finds.
objs=()
while IFS= read -r src; do
	[ -f "build/${src%.c}.o" ] && objs+=("build/${src%.c}.o")
done < <(find bench -name '*.c' | LC_ALL=C sort)
if [ "${#objs[@]}" = 0 ]; then
	echo "ok $((n += 1)) - # SKIP no objects under build/bench (run make first): call cycles not checked"
else
	# "from to symbol": from's undefined symbol, defined in to.
	calls=$( { nm -A --defined-only -g "${objs[@]}" | awk '{ print "D", $1, $3 }'
		nm -A -u "${objs[@]}" | awk '{ print "U", $1, $NF }'; } |
		awk '{ f = substr($2, 7, index($2, ":") - 7); sub(/\.o$/, ".c", f) }
		     $1 == "D" { def[$3] = f; next }
		     ($3 in def) && def[$3] != f { print f, def[$3], $3 }')
	loops=0 members=
	report_loop() {	# the loop in $members: each file and what it calls
		[ -n "$members" ] || return 0
		local key m
		key=$(printf '%s\n' $members | LC_ALL=C sort | paste -sd+)
		loops=$((loops + 1))
		echo "# call loop between ${key//+/, }:"
		for m in $members; do
			echo "$calls" | awk -v m="$m" -v set=" $members " \
				'$1 == m && index(set, " " $2 " ") { print "#   " $1 " uses " $3 " of " $2 }' |
				head -n 3
		done
	}
	while IFS= read -r line; do
		case "$line" in
		*"input contains a loop:") report_loop; members= ;;
		"tsort: "*) members="$members ${line#tsort: }" ;;
		esac
	done < <(echo "$calls" | cut -d' ' -f1,2 | sort -u | LC_ALL=C tsort 2>&1 >/dev/null)
	report_loop
	[ "$loops" = 0 ] && rc=0 || rc=1
	ok "$rc" "no two bench/ files call each other, directly or round a loop (${#objs[@]} objects, $loops loop(s))"
fi

# The checks must be able to fail: a copy of the tree with vmm/ including
# benchmarks/common.h (the crossing issue 18 removed), and with run_file.c
# rebuilt calling ws_run_load() (rundir.c -> manifest.c -> run_file.c ->
# rundir.c: the loop issue 18 broke), must not pass.
if [ -z "${LAYOUT_ROOT:-}" ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-layout.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	cp -r bench Makefile README.md "$tmp/"
	sed -i '0,/^#include "/s//#include "common.h"\n#include "/' "$tmp/bench/vmm/guest.c"
	if [ "${#objs[@]}" != 0 ]; then
		mkdir -p "$tmp/build" && cp -r build/bench "$tmp/build/"
		printf '%s\n' 'int ws_plant(struct ws_run *r)' \
			'{ return ws_run_load("x", r, NULL, 0); }' >>"$tmp/bench/lib/run_file.c"
		${CC:-cc} -std=gnu11 -D_GNU_SOURCE -Ibench/lib -c -o "$tmp/build/bench/lib/run_file.o" \
			"$tmp/bench/lib/run_file.c"
	fi
	out=$(LAYOUT_ROOT=$tmp "$0" 2>&1) && rc=1 || rc=0
	echo "$out" | grep -q 'bench/vmm/guest.c: #include "common.h" (benchmarks/) crosses the layout' || rc=1
	ok "$rc" "a planted crossing (vmm/guest.c including benchmarks' common.h) fails the check"
	if [ "${#objs[@]}" != 0 ]; then
		echo "$out" | grep -q '#   bench/lib/run_file.c uses ws_run_load of bench/lib/rundir.c' &&
			echo "$out" | grep -q '^not ok .* call each other.*(.* 1 loop(s))' && rc=0 || rc=1
		ok "$rc" "a planted call loop (run_file.c calling ws_run_load() of rundir.c) fails the check"
	fi
fi

echo "1..$n"
[ "$fails" = 0 ]
