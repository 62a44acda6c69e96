#!/bin/bash
# Fast tests of kernel/build.sh and kernel/lib/*.sh (no kernel build).
# Prints TAP.  Only the rfc-v1 series test needs the pinned 7.2 source: it
# uses the shared cache's copy, downloading it there if it is missing, and
# skips with the reason when it cannot.
set -u

top="$(cd "$(dirname "$0")/../.." && pwd)"
lib="$top/kernel/lib"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The shared source cache, read (and filled) only by the series test below.
real_cache="${WSBENCH_CACHE:-$HOME/.cache/wsbench}"
export WSBENCH_CACHE="$work/cache"
export LC_ALL=C

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
check() { # check DESCRIPTION COMMAND...
	local d="$1"
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# Run a library function in a clean shell.
libsh() {
	bash -c '. "$0/common.sh"; . "$0/apt.sh"; . "$0/patches.sh";
	    . "$0/config.sh"; . "$0/key.sh";
	    key_for_test() {	# key_for_test FRAGMENT [SERIES...]
		local f="$1"
		shift
		cache_key "debian-package linux-source-7.3 7.3.4-1~bpo13+1" \
		    tinyconfig "$f" "$@"
	    }
	    "$@"' "$lib" "$@"
}

# --- archive URI from a fake /etc/apt --------------------------------------
fake_etc() { rm -rf "${work:?}/etc"; mkdir -p "$work/etc/sources.list.d"; echo "$work/etc"; }

etc="$(fake_etc)"
cat >"$etc/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://archive.invalid/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

# a comment
Types: deb deb-src
URIs: http://archive.invalid/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 URIs: http://wrong.invalid/
 -----END PGP PUBLIC KEY BLOCK-----
EOF
got="$(WSBENCH_APT_ETC="$etc" libsh debian_archive_uri 2>&1)"
check "deb822: skips -security, reads URIs:, ignores key continuation lines" \
    [ "$got" = "http://archive.invalid/debian" ]

etc="$(fake_etc)"
cat >"$etc/sources.list" <<'EOF'
# deb http://commented.invalid/debian bookworm main
deb http://archive.invalid/debian-security bookworm-security main
deb-src http://src.invalid/debian bookworm main
deb [ arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://mirror.invalid/debian/ trixie main contrib
EOF
printf 'deb http://other.invalid/ubuntu jammy main\n' >"$etc/sources.list.d/other.list"
got="$(WSBENCH_APT_ETC="$etc" libsh debian_archive_uri 2>&1)"
check "one-line: skips comments, deb-src, -security; handles [options]" \
    [ "$got" = "http://mirror.invalid/debian" ]

etc="$(fake_etc)"
cat >"$etc/sources.list.d/a.sources" <<'EOF'
Enabled: no
Types: deb
URIs: http://disabled.invalid/debian
Suites: bookworm
Components: main
EOF
printf 'deb http://other.invalid/ubuntu jammy main\n' >"$etc/sources.list.d/b.list"
printf 'deb http://ignored.invalid/debian bookworm main\n' >"$etc/sources.list.d/c.list.disabled"
if got="$(WSBENCH_APT_ETC="$etc" libsh debian_archive_uri 2>&1)"; then
	not_ok "no Debian archive configured: fails"
else
	check "no Debian archive configured: fails and points to KSRC=" \
	    grep -q 'KSRC=' <<<"$got"
fi

# --- bad input: exit 2 naming the variable -----------------------------------
expect_usage() { # expect_usage VAR DESCRIPTION ENV...
	local var="$1" d="$2" out st
	shift 2
	out="$(env "$@" "$top/kernel/build.sh" 2>&1 >/dev/null)"
	st=$?
	if [ "$st" = 2 ] && grep -q "$var=" <<<"$out"; then
		ok "$d"
	else
		not_ok "$d (exit $st: $out)"
	fi
}
mkdir -p "$work/notkernel" "$work/emptydir"
expect_usage KSRC "KSRC missing: exit 2" KSRC="$work/nonexistent"
expect_usage KSRC "KSRC not a kernel tree: exit 2" KSRC="$work/notkernel"
expect_usage PATCHES "PATCHES missing: exit 2" PATCHES="$work/nonexistent"
expect_usage PATCHES "PATCHES dir without *.patch: exit 2" PATCHES="$work/emptydir"
expect_usage CONFIG_BASE "CONFIG_BASE unknown: exit 2" CONFIG_BASE=allmodconfig
expect_usage KERNEL_PKG "KERNEL_PKG malformed: exit 2" KERNEL_PKG=linux-image-amd64
expect_usage KERNEL "KERNEL unknown: exit 2" KERNEL=7.4
out="$(KERNEL=unknown "$top/kernel/build.sh" 2>&1 >/dev/null)"
check "KERNEL unknown: the message lists every accepted name" \
    eval "grep -q 'accepted: 7.3 gmem rfc-v1 ' <<<'$out'"

# --- patch series on a tiny fake tree ----------------------------------------
g() { git -c user.name=t -c user.email=t@t -c commit.gpgSign=false "$@"; }
mkdir -p "$work/up"
(
	cd "$work/up" && g init -q && seq 1 30 >f && g add f && g commit -qm base &&
	sed -i 's/^5$/five/' f && g commit -qam 'first change' &&
	sed -i 's/^25$/twenty-five/' f && g commit -qam 'second change' &&
	g format-patch -q -2 -o "$work/series" && g format-patch -q --stdout -2 >"$work/good.mbox"
)
mk_tree() { # mk_tree DIR [git]: the base content, as a git repo or not
	rm -rf "$1"
	mkdir -p "$1"
	seq 1 30 >"$1/f"
	[ "${2:-}" = git ] && (cd "$1" && g init -q && g add f && g commit -qm base)
	return 0
}

mk_tree "$work/t1" git
libsh apply_series "$work/t1" "$work/good.mbox" 2>"$work/err"
check "mbox applies with git am" \
    [ "$(git -C "$work/t1" log --format=%s | head -n1)" = "second change" ]

mk_tree "$work/t2" git
sed -i 's/^26$/changed/' "$work/t2/f"
(cd "$work/t2" && g commit -qam 'conflicting base')
libsh apply_series "$work/t2" "$work/good.mbox" 2>"$work/err"
st=$?
check "mbox with a failing 2nd patch: fails naming it" \
    eval "[ $st = 1 ] && grep -q 'patch \"0002 second change\" does not apply' '$work/err'"
check "failed git am is aborted (tree left clean)" \
    eval "[ ! -d '$work/t2/.git/rebase-apply' ] && [ -z \"\$(git -C '$work/t2' status --porcelain)\" ]"

# A directory mixing format-patch output and a bare diff, on a non-git tree.
cp -r "$work/series" "$work/mixed"
mk_tree "$work/t3"
cp "$work/t3/f" "$work/f.orig"
sed 's/^1$/one/' "$work/t3/f" >"$work/f.new"
(cd "$work" && diff -u --label a/f --label b/f f.orig f.new >"$work/mixed/0003-bare.patch")
mk_tree "$work/t3"
printf '/*\n' >"$work/t3/.gitignore"   # as in the Debian tarball
libsh git_init_tree "$work/t3" >/dev/null 2>&1
libsh apply_series "$work/t3" "$work/mixed" 2>"$work/err"
check "directory series (with a bare diff) applies on a git-inited tree" \
    eval "[ \$(head -n1 '$work/t3/f') = one ] && grep -q twenty-five '$work/t3/f'"

mk_tree "$work/t4"
libsh git_init_tree "$work/t4" >/dev/null 2>&1
sed -i 's/^5$/FIVE/' "$work/t4/f"
(cd "$work/t4" && g commit -qam diverge)
libsh apply_series "$work/t4" "$work/series" 2>"$work/err"
st=$?
check "directory series failing at 1st patch names it" \
    eval "[ $st = 1 ] && grep -q 'patch \"0001 first change\" does not apply' '$work/err'"

# --- configuration check -------------------------------------------------------
frag="$work/frag"
printf '# c\nCONFIG_A=y\nCONFIG_N=8\n# CONFIG_OFF is not set\n' >"$frag"
printf 'CONFIG_A=y\nCONFIG_N=8\n# CONFIG_OFF is not set\n' >"$work/good.config"
printf 'CONFIG_N=4\nCONFIG_OFF=y\n' >"$work/bad.config"
check "config_check accepts a config holding every fragment line" \
    libsh config_check "$work/good.config" "$frag"
out="$(libsh config_check "$work/bad.config" "$frag")"
check "config_check names missing, changed and unwanted options" \
    eval "grep -q CONFIG_A=y <<<'$out' && grep -q CONFIG_N=8 <<<'$out' && grep -q 'CONFIG_OFF wanted off' <<<'$out'"
check "the wsbench fragment asks for RWP, idle tracking and no LRU_GEN" \
    eval "grep -qx CONFIG_USERFAULTFD_RWP=y '$top/kernel/config/wsbench.fragment' &&
          grep -qx CONFIG_IDLE_PAGE_TRACKING=y '$top/kernel/config/wsbench.fragment' &&
          grep -qx '# CONFIG_LRU_GEN is not set' '$top/kernel/config/wsbench.fragment'"

# --- cache key -----------------------------------------------------------------------
key_of() { # key_of FRAGMENT [SERIES...]
	libsh key_for_test "$@"
}
cp "$top/kernel/config/wsbench.fragment" "$work/f1"
k1="$(key_of "$work/f1" "$work/series")"
k2="$(key_of "$work/f1" "$work/series")"
check "same inputs give the same key" eval "[ -n '$k1' ] && [ '$k1' = '$k2' ]"
echo '# only a comment' >>"$work/f1"
check "a comment-only fragment change keeps the key" \
    [ "$(key_of "$work/f1" "$work/series")" = "$k1" ]
echo 'CONFIG_KASAN=y' >>"$work/f1"
check "a changed fragment setting changes the key" \
    [ "$(key_of "$work/f1" "$work/series")" != "$k1" ]
cp "$top/kernel/config/wsbench.fragment" "$work/f1"
echo '# tweak' >>"$work/series/0002-second-change.patch"
check "a changed patch changes the key" \
    [ "$(key_of "$work/f1" "$work/series")" != "$k1" ]
check "no PATCHES gives another key than a series" \
    eval "[ \"\$(libsh key_for_test '$work/f1')\" != '$k1' ]"
check "CONFIG_BASE is part of the config hash" \
    eval "[ \"\$(libsh config_hash tinyconfig '$work/f1')\" != \"\$(libsh config_hash defconfig '$work/f1')\" ]"

# --- KSRC snapshot of a git working tree ---------------------------------------------
mkdir -p "$work/ks"
(
	cd "$work/ks" && g init -q && echo a >a && echo ign >.gitignore &&
	g add . && g commit -qm i && echo b >>a && echo new >untracked && echo x >ign
)
t1="$(libsh ksrc_git_tree "$work/ks")"
t2="$(libsh ksrc_git_tree "$work/ks")"
files="$(git -C "$work/ks" ls-tree --name-only "$t1" | tr '\n' ' ')"
check "KSRC git snapshot: stable, has uncommitted+untracked, not ignored files" \
    eval "[ '$t1' = '$t2' ] && [ '$files' = '.gitignore a untracked ' ] &&
          git -C '$work/ks' cat-file -p '$t1:a' | grep -q b"
check "KSRC git snapshot leaves the developer's index alone" \
    [ "$(git -C "$work/ks" status --porcelain | tr '\n' ' ')" = " M a ?? untracked " ]

# --- KERNEL= recipes -------------------------------------------------------------
check "no KERNEL: the 7.3 recipe (linux-source-7.3, no series, wsbench.fragment + kvm.fragment)" \
    eval "[ \"\$(libsh eval 'echo \$WS_KERNEL_NAME \$WS_PINNED_PKG \$WS_KERNEL_SERIES:\$WS_KERNEL_FRAGMENTS')\" = '7.3 linux-source-7.3 :wsbench.fragment kvm.fragment' ]"
rfc="$(libsh eval 'ws_load_kernel rfc-v1 && echo $WS_PINNED_PKG $WS_PINNED_VERSION && ws_kernel_series_dir && ws_kernel_fragment_files')"
check "KERNEL=rfc-v1: pinned linux-source-7.2 and a 12-patch series in kernel/patches/rfc-v1" \
    eval "[ \"\$(head -n1 <<<'$rfc')\" = 'linux-source-7.2 7.2.12-1~bpo13+1' ] &&
          [ \$(ls '$top/kernel/patches/rfc-v1/'*.patch | wc -l) = 12 ]"
gm="$(libsh eval 'ws_load_kernel gmem && echo $WS_PINNED_PKG $WS_PINNED_VERSION $WS_KERNEL_SERIES:$WS_KERNEL_FRAGMENTS')"
check "KERNEL=gmem: the pinned 7.3 source, a 2-patch series in kernel/patches/gmem, kvm.fragment over wsbench.fragment (as 7.3)" \
    eval "[ '$gm' = 'linux-source-7.3 7.3.4-1~bpo13+1 gmem:wsbench.fragment kvm.fragment' ] &&
          [ \$(ls '$top/kernel/patches/gmem/'*.patch | wc -l) = 2 ]"
check "a single fragment's settings come out unmerged (the 7.3 key does not move)" \
    eval "[ \"\$(libsh fragment_settings '$top/kernel/config/wsbench.fragment')\" = \"\$(grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set)' '$top/kernel/config/wsbench.fragment')\" ]"
merged="$(libsh fragment_settings "$top/kernel/config/wsbench.fragment" "$top/kernel/config/rfc-v1.fragment")"
check "rfc-v1 fragments merge: NUMA_BALANCING=y replaces 'is not set', RWP off, no symbol twice" \
    eval "grep -qx CONFIG_NUMA_BALANCING=y <<<'$merged' &&
          ! grep -q '# CONFIG_NUMA_BALANCING is not set' <<<'$merged' &&
          grep -qx '# CONFIG_USERFAULTFD_RWP is not set' <<<'$merged' &&
          [ -z \"\$(sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set/\1/; s/=.*//' <<<'$merged' | sort | uniq -d)\" ]"
k73="$(libsh cache_key src tinyconfig "$top/kernel/config/wsbench.fragment")"
krfc="$(libsh cache_key src tinyconfig "$(printf '%s\n' "$top/kernel/config/wsbench.fragment" "$top/kernel/config/rfc-v1.fragment")" "$top/kernel/patches/rfc-v1")"
check "the rfc-v1 series and fragment change the key" [ "$k73" != "$krfc" ]
kdev="$(libsh cache_key src tinyconfig "$(printf '%s\n' "$top/kernel/config/wsbench.fragment" "$top/kernel/config/rfc-v1.fragment")" "$top/kernel/patches/rfc-v1" "$work/series")"
check "PATCHES on top of the rfc-v1 series change the key again" \
    eval "[ '$kdev' != '$krfc' ] && [ '$kdev' != '$k73' ]"

# --- the rfc-v1 series applies to its pinned source ------------------------------
# Only the files the series touches are unpacked (git am needs no others).
series="$top/kernel/patches/rfc-v1"
tarball="$(ls "$real_cache"/src/linux-source-7.2_7.2.12-1~bpo13+1.tar.* 2>/dev/null | head -n1)"
if [ -z "$tarball" ]; then
	tarball="$(WSBENCH_CACHE="$real_cache" KERNEL=rfc-v1 "$top/kernel/fetch-source.sh" 2>"$work/fetch.err" | tail -n1)"
fi
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
	ok "# SKIP rfc-v1 series vs pinned source: cannot fetch it ($(tail -n1 "$work/fetch.err"))"
	ok "# SKIP rfc-v1 series: failing patch named (no source)"
else
	mkdir -p "$work/k72"
	sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$series"/*.patch | sort -u >"$work/k72.files"
	sed 's|^|*/|' "$work/k72.files" >"$work/k72.globs"
	tar -xf "$tarball" -C "$work/k72" --strip-components=1 --wildcards \
	    --no-wildcards-match-slash -T "$work/k72.globs" 2>"$work/k72.err"
	libsh git_init_tree "$work/k72" >/dev/null 2>&1
	cp -r "$work/k72" "$work/k72bad"
	libsh apply_series "$work/k72" "$series" 2>"$work/err"
	st=$?
	check "rfc-v1: all 12 patches apply to $(basename "$tarball") ($(wc -l <"$work/k72.files") files)" \
	    eval "[ $st = 0 ] && [ \$(git -C '$work/k72' rev-list --count HEAD) = 13 ]"
	# A developer's PATCHES go on top of the series (here: one bare diff).
	mkdir -p "$work/extra"
	printf '/* wsbench test */\n' >"$work/k72new.h"
	# (diff exits 1: the files differ)
	diff -u --label a/mm/wsbench-test.h --label b/mm/wsbench-test.h \
	    /dev/null "$work/k72new.h" >"$work/extra/0001-extra.patch"
	git -C "$work/k72" reset -q --hard HEAD~12
	libsh apply_series "$work/k72" "$series" "$work/extra" 2>"$work/err"
	st=$?
	check "rfc-v1 series plus PATCHES: the series, then the developer's patch on top" \
	    eval "[ $st = 0 ] && [ \$(git -C '$work/k72' rev-list --count HEAD) = 14 ] &&
	          [ \"\$(git -C '$work/k72' log -1 --format=%s)\" = 0001-extra.patch ] &&
	          grep -q MM_CP_UFFD_DEACTIVATE '$work/k72/mm/mprotect.c'"
	# Break the context of patch 0003's mm/mprotect.c hunks.
	sed -i 's/bool prot_numa = cp_flags & MM_CP_PROT_NUMA;/bool prot_numa = !!(cp_flags \& MM_CP_PROT_NUMA);/' "$work/k72bad/mm/mprotect.c"
	(cd "$work/k72bad" && g commit -qam 'diverge mprotect.c')
	libsh apply_series "$work/k72bad" "$series" 2>"$work/err"
	st=$?
	check "rfc-v1 on a diverged tree stops at patch 0003, naming it" \
	    eval "[ $st = 1 ] && grep -q 'patch \"0003 userfaultfd: implement UFFDIO_DEACTIVATE ioctl\" does not apply' '$work/err'"
fi

echo "1..$n"
exit "$failed"
