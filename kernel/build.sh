#!/bin/bash
# Build (or reuse) the wsbench guest kernel and, from the same tree, the
# static uffd-unit-tests selftest and (kernels with KVM) the KVM selftest
# guest_memfd_test.  Progress goes to stderr; the LAST stdout line is the
# absolute path of the cache directory holding bzImage, config, build.json
# and the selftests:   dir=$(kernel/build.sh | tail -n1)
#
# Variables (see kernel/README.md): KERNEL (7.3, rfc-v1 or gmem: kernels/*.conf),
# KSRC, KERNEL_PKG, KERNEL_VERSION, KERNEL_SUITE, PATCHES, CONFIG_BASE,
# WSBENCH_CACHE.
set -eu
set -o pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/inputs.sh
. "$here/lib/inputs.sh"
# shellcheck source=lib/apt.sh
. "$here/lib/apt.sh"
# shellcheck source=lib/patches.sh
. "$here/lib/patches.sh"
# shellcheck source=lib/config.sh
. "$here/lib/config.sh"
# shellcheck source=lib/key.sh
. "$here/lib/key.sh"

CONFIG_BASE="${CONFIG_BASE:-tinyconfig}"
PATCHES="${PATCHES:-}"
KSRC="${KSRC:-}"
NSTEPS=7

check_inputs
# The recipe: pinned source, its patch series and config fragments.
ws_load_kernel "${KERNEL:-$WS_DEFAULT_KERNEL}"
mapfile -t FRAGMENTS < <(ws_kernel_fragment_files)
# Absolute paths: the build runs in other directories.
[ -z "$KSRC" ] || KSRC="$(realpath "$KSRC")"
[ -z "$PATCHES" ] || PATCHES="$(realpath "$PATCHES")"
# The recipe's series first, then the developer's own PATCHES on top.
SERIES=()
[ -z "$WS_KERNEL_SERIES" ] || SERIES+=("$(ws_kernel_series_dir)")
[ -z "$PATCHES" ] || SERIES+=("$PATCHES")
case "$CONFIG_BASE" in tinyconfig | defconfig) ;; *) CONFIG_BASE="$(realpath "$CONFIG_BASE")" ;; esac
[ "$(uname -m)" = x86_64 ] || die "only x86_64 hosts are supported (uname -m: $(uname -m))"

# Everything that could leak the build machine or moment into the image.
export LC_ALL=C TZ=UTC
export KBUILD_BUILD_TIMESTAMP='1970-01-01 00:00:00 UTC'
export KBUILD_BUILD_USER=wsbench KBUILD_BUILD_HOST=wsbench KBUILD_BUILD_VERSION=1
unset KCONFIG_CONFIG ARCH CROSS_COMPILE LOCALVERSION KERNEL KERNELS

# --- 1. identify the inputs and the cache key ------------------------------
step 1 "$NSTEPS" "KERNEL=$WS_KERNEL_NAME ($WS_KERNEL_SUMMARY): resolving source and cache key"
if [ -n "$KSRC" ]; then
	if ksrc_is_git "$KSRC"; then
		KSRC_TREE="$(ksrc_git_tree "$KSRC")"
		KSRC_DESCRIBE="$(git -C "$KSRC" describe --always --tags --dirty 2>/dev/null || true)"
		SOURCE_ID="ksrc git-tree $KSRC_TREE"
	else
		ws_log "KSRC is not a git tree: hashing its files (takes a while)"
		KSRC_TREE="$(ksrc_content_hash "$KSRC")"
		KSRC_DESCRIBE=""
		SOURCE_ID="ksrc content $KSRC_TREE"
	fi
else
	PKG="${KERNEL_PKG:-$WS_PINNED_PKG}"
	SUITE="${KERNEL_SUITE:-$WS_DEFAULT_SUITE}"
	VERSION="$(resolve_debian_version "$PKG" "$SUITE")"
	SOURCE_ID="debian-package $PKG $VERSION"
fi
PATCHES_MANIFEST=""
PATCHES_HASH=""
if [ "${#SERIES[@]}" -gt 0 ]; then
	PATCHES_MANIFEST="$(patches_manifest "${SERIES[@]}")"
	PATCHES_HASH="$(patches_hash "${SERIES[@]}")"
fi
CONFIG_HASH="$(config_hash "$CONFIG_BASE" "${FRAGMENTS[@]}")"
TOOLCHAIN="$(toolchain_id)"
KEY="$(cache_key "$SOURCE_ID" "$CONFIG_BASE" "$(ws_kernel_fragment_files)" \
    ${SERIES[@]+"${SERIES[@]}"})"

KDIR="$WS_CACHE/kernel"
OUT="$KDIR/$KEY"
mkdir -p "$KDIR"
reuse() {
	[ -f "$OUT/build.json" ] || return 1
	# A KVM kernel built before guest_memfd_test was part of the build.
	if grep -qx CONFIG_KVM=y "$OUT/config" 2>/dev/null &&
	    ! grep -q '"kvm_selftests"' "$OUT/build.json"; then
		ws_log "$OUT predates the KVM selftest in the build: rebuilding"
		return 1
	fi
	ws_log "reusing $OUT ($SOURCE_ID)"
	printf '%s\n' "$OUT"
	exit 0
}
reuse || true

# One build per key at a time; a second caller waits and then reuses.
exec 9>"$KDIR/.lock-$KEY"
if ! flock -n 9; then
	ws_log "another build of $KEY is running; waiting for it"
	flock 9
fi
reuse || true

# Work dirs of failed builds of other keys (a few GB each): remove those
# whose build is not running, i.e. whose lock is free.
for stale in "$KDIR"/.tmp-*; do
	if [ ! -d "$stale" ] || [ "$stale" = "$KDIR/.tmp-$KEY" ]; then
		continue
	fi
	(flock -n 8 && rm -rf "$stale") 8>"$KDIR/.lock-${stale##*/.tmp-}" || true
done

# Always the same path for the same key: paths can end up in the output.
TMP="$KDIR/.tmp-$KEY"
rm -rf "$TMP" "$OUT"
mkdir -p "$TMP/out" "$TMP/obj"
LOG="$TMP/build.log"
: >"$LOG"
on_exit() {
	[ "$1" = 0 ] || ws_log "failed; log and work files kept in $TMP (removed by the next build)"
}
trap 'on_exit $?' EXIT
START="$(date +%s)"
SRC="$TMP/src"

# --- 2. a scratch source tree ----------------------------------------------
if [ -n "$KSRC" ]; then
	step 2 "$NSTEPS" "copying KSRC=$KSRC to a scratch tree (about 1 min)"
	if ksrc_is_git "$KSRC"; then
		# The exact tree hashed for the key, independent of in-tree builds.
		ws_git clone -q --shared --no-checkout "$KSRC" "$SRC" >>"$LOG" 2>&1
		ws_git -C "$SRC" read-tree -u --reset "$KSRC_TREE"
		ws_git -C "$SRC" commit -q --allow-empty -m 'wsbench: KSRC working tree'
	else
		cp -a "$KSRC" "$SRC"
	fi
else
	step 2 "$NSTEPS" "fetching $PKG $VERSION and unpacking it (about 1 min)"
	fetch_debian_source "$PKG" "$VERSION" "$SUITE"
	ws_log "deb sha256 $SRC_DEB_SHA256, tarball sha256 $SRC_TARBALL_SHA256"
	mkdir -p "$SRC"
	tar -xf "$SRC_TARBALL" -C "$SRC" --strip-components=1
fi

# --- 3. patches --------------------------------------------------------------
if [ "${#SERIES[@]}" -gt 0 ]; then
	step 3 "$NSTEPS" "applying ${SERIES[*]} ($(patch_files "${SERIES[@]}" | wc -l) file(s))"
	if ! ksrc_is_git "$SRC"; then
		ws_log "making the scratch tree a git repository for git am (about 1 min)"
		git_init_tree "$SRC" >>"$LOG" 2>&1 ||
			die "could not make $SRC a git repository (log: $LOG)"
	fi
	apply_series "$SRC" "${SERIES[@]}" || exit 1
else
	step 3 "$NSTEPS" "no patches"
fi

# --- 4. configuration ----------------------------------------------------------
step 4 "$NSTEPS" "configuring: $CONFIG_BASE + $(printf '%s\n' "${FRAGMENTS[@]}" | xargs -n1 basename | paste -sd+)"
make_config "$SRC" "$TMP/obj" "$CONFIG_BASE" "$LOG" "${FRAGMENTS[@]}"
KRELEASE="$(make -s -C "$SRC" O="$TMP/obj" kernelrelease 2>>"$LOG" | tail -n1)"

# --- 5. bzImage ----------------------------------------------------------------
# ccache (when installed, WS_CCACHE=0 turns it off): every build runs in
# $KDIR/.tmp-<key>, and with that as CCACHE_BASEDIR a build of another key
# reuses each object whose preprocessed source did not change.  It does not
# change the bytes built, so it is not part of the key.
KMAKE_CC=()
if [ "${WS_CCACHE:-1}" = 1 ] && command -v ccache >/dev/null; then
	export CCACHE_DIR="${CCACHE_DIR:-$WS_CACHE/ccache}"
	export CCACHE_BASEDIR="$KDIR" CCACHE_NOHASHDIR=1
	KMAKE_CC=(CC="ccache ${CC:-gcc}")
	ccache -z >/dev/null 2>&1 || true
fi
step 5 "$NSTEPS" "building bzImage $KRELEASE with make -j$(nproc)${KMAKE_CC[*]:+ (ccache)} (tinyconfig: about 6 min on 2 idle cores)"
if ! make -C "$SRC" O="$TMP/obj" -j"$(nproc)" ${KMAKE_CC[@]+"${KMAKE_CC[@]}"} bzImage >>"$LOG" 2>&1; then
	grep -E 'error|Error' "$LOG" | head -n 20 >&2
	die "kernel build failed (log: $LOG)"
fi
[ "${#KMAKE_CC[@]}" = 0 ] || ws_log "ccache: $(ccache -s 2>/dev/null | grep -E '^ *(Hits|Misses):' | tr -s ' ' | paste -sd' ')"
cp "$TMP/obj/arch/x86/boot/bzImage" "$TMP/out/bzImage"
cp "$TMP/obj/.config" "$TMP/out/config"

# --- 6. uffd-unit-tests against this tree's uapi headers -----------------------
step 6 "$NSTEPS" "building static uffd-unit-tests from tools/testing/selftests/mm"
UFFD_ERROR=""
build_uffd_unit_tests() {
	local mm="$SRC/tools/testing/selftests/mm" srcs="" f
	make -C "$SRC" O="$TMP/obj" headers_install \
	    INSTALL_HDR_PATH="$TMP/hdr" >>"$LOG" 2>&1 ||
		{ UFFD_ERROR="make headers_install failed"; return 1; }
	[ -f "$mm/uffd-unit-tests.c" ] ||
		{ UFFD_ERROR="no tools/testing/selftests/mm/uffd-unit-tests.c in the tree"; return 1; }
	for f in uffd-unit-tests.c uffd-common.c vm_util.c hugepage_settings.c thp_settings.c; do
		[ -f "$mm/$f" ] && srcs="$srcs $f"
	done
	# Flags as in selftests/mm/Makefile, plus -static so it runs in any guest.
	# shellcheck disable=SC2086
	if ! (cd "$mm" && ${CC:-gcc} -static -Wall -O2 -U_FORTIFY_SOURCE \
	    -I "$SRC" -isystem "$TMP/hdr/include" \
	    -isystem "$SRC/tools/include/uapi" -I .. \
	    -o "$TMP/out/uffd-unit-tests" $srcs -lrt -lpthread -lm) \
	    >"$TMP/uffd-build.log" 2>&1; then
		cat "$TMP/uffd-build.log" >>"$LOG"
		UFFD_ERROR="compile failed: $(grep -m1 'error' "$TMP/uffd-build.log" || tail -n1 "$TMP/uffd-build.log")"
		return 1
	fi
	UFFD_SOURCES="${srcs# }"
}
UFFD_SOURCES=""
if ! build_uffd_unit_tests; then
	ws_log "uffd-unit-tests not built: $UFFD_ERROR (the kernel is fine; see $LOG)"
	rm -f "$TMP/out/uffd-unit-tests"
fi

# --- 7. the KVM selftest guest_memfd_test (kernels with KVM) ----------------------
KVMST_ERROR=""
build_kvm_selftests() {
	local kvm="$SRC/tools/testing/selftests/kvm"

	[ -f "$TMP/hdr/include/linux/kvm.h" ] ||
		{ KVMST_ERROR="no installed uapi headers (step 6)"; return 1; }
	# Static, like uffd-unit-tests, so that it runs in any guest.
	if ! make -C "$kvm" -j"$(nproc)" OUTPUT="$TMP/kvmst" \
	    KHDR_INCLUDES="-isystem $TMP/hdr/include" \
	    EXTRA_CFLAGS=-static LDFLAGS=-static "$TMP/kvmst/guest_memfd_test" \
	    >"$TMP/kvmst-build.log" 2>&1; then
		cat "$TMP/kvmst-build.log" >>"$LOG"
		KVMST_ERROR="compile failed: $(grep -m1 'error' "$TMP/kvmst-build.log" || tail -n1 "$TMP/kvmst-build.log")"
		return 1
	fi
	cp "$TMP/kvmst/guest_memfd_test" "$TMP/out/guest_memfd_test"
}
if grep -qx CONFIG_KVM=y "$TMP/out/config"; then
	step 7 "$NSTEPS" "building static guest_memfd_test from tools/testing/selftests/kvm"
	build_kvm_selftests ||
		ws_log "guest_memfd_test not built: $KVMST_ERROR (the kernel is fine; see $LOG)"
else
	step 7 "$NSTEPS" "no KVM in this config: no KVM selftest"
	KVMST_ERROR="no KVM in this kernel's config"
fi

# --- record and publish ------------------------------------------------------------
WS_FRAGMENTS="$WS_KERNEL_FRAGMENTS"
export KEY SOURCE_ID CONFIG_BASE CONFIG_HASH PATCHES_HASH PATCHES_MANIFEST \
    TOOLCHAIN KRELEASE UFFD_ERROR UFFD_SOURCES KVMST_ERROR WS_FRAGMENTS WS_KERNEL_NAME \
    WS_KERNEL_SERIES
export WS_KIND WS_PKG WS_VER WS_SUITE WS_DEB_SHA WS_TAR_SHA WS_KSRC WS_DESCRIBE WS_TREE
if [ -n "$KSRC" ]; then
	WS_KIND=ksrc WS_KSRC="$KSRC" WS_DESCRIBE="$KSRC_DESCRIBE" WS_TREE="$SOURCE_ID"
else
	WS_KIND=debian-package WS_PKG="$PKG" WS_VER="$VERSION" WS_SUITE="$SUITE"
	WS_DEB_SHA="$SRC_DEB_SHA256" WS_TAR_SHA="$SRC_TARBALL_SHA256"
fi
export BUILD_SECONDS=$(($(date +%s) - START))
python3 "$here/lib/build_json.py" "$TMP/out" >"$TMP/out/build.json"

mv "$TMP/out" "$OUT"
rm -rf "$TMP"
ws_log "built $KRELEASE in ${BUILD_SECONDS}s: $OUT"
printf '%s\n' "$OUT"
