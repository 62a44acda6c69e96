#!/bin/bash
# Build (or reuse) the wsbench guest base image: a zstd-compressed newc cpio
# of a minimal Debian bookworm, made by mkosi, used as the VM's initramfs.
#
# Usage: images/build.sh [--force] [--variant NAME]
#
# --variant NAME builds the default image plus images/variants/NAME/: its
# files are copied over the mkosi project (e.g. a mkosi.default.d/ drop-in
# adding packages), and it is cached under its own key, so a variant never
# changes or grows the default image.  Variants: ls images/variants/.
#
# The image is cached in ${WSBENCH_CACHE:-$HOME/.cache/wsbench}/image/<key>/
# where <key> hashes every input that shapes the image (this script, the
# mkosi config, the mkosi version).  A rebuild with unchanged inputs is a
# cache hit.  Frequently changing things (wsbench, the init, the job) are NOT
# in here: scripts/vm-run.sh appends them as a small overlay cpio per run.
#
# Progress goes to stderr; the LAST stdout line is the base image path.
# The Debian mirror is read from this machine's apt sources (override with
# WSBENCH_DEBIAN_MIRROR and WSBENCH_DEBIAN_SECURITY_MIRROR).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${WSBENCH_CACHE:-$HOME/.cache/wsbench}/image
release=bookworm
force=0
variant=

while [ "$#" -gt 0 ]; do
	case "$1" in
	--force) force=1; shift ;;
	--variant)
		if [ "$#" -lt 2 ] || [ ! -d "$here/variants/$2" ] ||
			[ -z "$2" ] || [ "${2#*/}" != "$2" ]; then
			echo "images/build.sh: --variant '${2-}' invalid (accepted: $(ls "$here/variants" 2>/dev/null | tr '\n' ' '))" >&2
			exit 2
		fi
		variant=$2
		shift 2
		;;
	*)
		echo "images/build.sh: unknown option '$1' (accepted: --force, --variant NAME)" >&2
		exit 2
		;;
	esac
done

say() { echo "images/build.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "mkosi needs root (run as root)"
command -v mkosi >/dev/null || die "mkosi not installed (apt-get install mkosi)"
command -v zstd >/dev/null || die "zstd not installed"

# Cache key: content of every input, in a fixed order, plus mkosi's version.
image_key() {
	{
		mkosi --version
		cd "$here"
		for f in build.sh $(find mkosi ${variant:+variants/$variant} -type f | LC_ALL=C sort); do
			printf '%s\n' "$f"
			sha256sum <"$f"
		done
	} | sha256sum | cut -c1-16
}

# First URI of the apt source serving suite $1 (deb822 *.sources first,
# then one-line sources.list).  Nothing is hard-coded: the host knows where
# its packages come from.
apt_uri_for_suite() {
	awk -v want="$1" '
		function flush() {
			if (uris != "" && index(" " suites " ", " " want " ")) {
				print uris; found = 1; exit
			}
			uris = ""; suites = ""
		}
		FNR == 1 { flush() }
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^URIs:/ { uris = $2 }
		/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
		END { if (!found) flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null
	awk -v want="$1" '$1 == "deb" {
			gsub(/\[[^]]*\]/, "")
			if ($3 == want) { print $2; exit }
		}' /etc/apt/sources.list 2>/dev/null
}

key=$(image_key)
# A variant's directory name says what it is; the default keeps its path.
out_dir=$cache_root/${variant:+$variant-}$key
image=$out_dir/base.cpio.zst

# One build per key at a time (make test builds images in the background
# while the host suites run): a second caller waits, then reuses.
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock-${variant:+$variant-}$key"
if ! flock -n 9; then
	say "another build of image $key is running; waiting for it"
	flock 9
fi

if [ "$force" = 0 ] && [ -f "$image" ] && [ -f "$out_dir/build.json" ]; then
	say "cached image $key ($(du -h "$image" | cut -f1)), nothing to do"
	echo "$image"
	exit 0
fi

mirror=${WSBENCH_DEBIAN_MIRROR:-$(apt_uri_for_suite "$release" | head -n1)}
security=${WSBENCH_DEBIAN_SECURITY_MIRROR:-$(apt_uri_for_suite "$release-security" | head -n1)}
[ -n "$mirror" ] ||
	die "no apt source for '$release' in /etc/apt; set WSBENCH_DEBIAN_MIRROR"

mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/.build.$key.XXXXXX")
mkosi_pid=
cleanup() {
	[ -z "$mkosi_pid" ] || kill "$mkosi_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The mkosi "project" lives in the scratch dir so nothing host-specific
# (mirror names) ever lands in the repo.
cp -r "$here/mkosi" "$work/project"
[ -z "$variant" ] || cp -r "$here/variants/$variant"/. "$work/project"/
cd "$work/project"
# mkosi 14 bug: it writes a kernel-install hook into /etc/kernel/install.d
# without creating the directory first; the skeleton tree creates it.
mkdir -p mkosi.skeleton/etc/kernel/install.d mkosi.skeleton/etc/apt/sources.list.d
# mkosi 14 hard-codes Debian's own security host for the security suite.  Debian's
# skeleton tree is copied after mkosi writes that file, so this replaces it
# with the host's own security source (or none).
if [ -n "$security" ]; then
	echo "deb $security $release-security main" \
		>mkosi.skeleton/etc/apt/sources.list.d/$release-security.list
else
	say "note: no $release-security apt source on this host; image built without it"
	: >mkosi.skeleton/etc/apt/sources.list.d/$release-security.list
fi
mkdir -p "$cache_root/pkgcache" "$work/out"

estimate=$(cat "$cache_root/last-build-seconds" 2>/dev/null || echo 300)
say "step 1/3: mkosi build of Debian $release (key $key), roughly ${estimate}s"
start=$(date +%s)
mkosi --default mkosi.default --mirror "$mirror" --output-dir "$work/out" \
	--cache "$cache_root/pkgcache" --force build >"$work/mkosi.log" 2>&1 &
mkosi_pid=$!
reported=0
while kill -0 "$mkosi_pid" 2>/dev/null; do
	sleep 2
	now=$(($(date +%s) - start))
	if [ $((now - reported)) -ge 30 ]; then
		reported=$now
		left=$((estimate - now))
		if [ "$left" -gt 0 ]; then left="~${left}s"; else left="a little"; fi
		last=$(grep -E '^‣|^ *‣' "$work/mkosi.log" 2>/dev/null | tail -n1 | tr -s ' ' | cut -c1-60)
		say "  mkosi running ${now}s, ${left} left ${last:+($last)}"
	fi
done
rc=0
wait "$mkosi_pid" || rc=$?
mkosi_pid=
secs=$(($(date +%s) - start))
if [ "$rc" != 0 ]; then
	tail -n 30 "$work/mkosi.log" >&2
	die "mkosi failed (exit $rc) after ${secs}s; log above"
fi
echo "$secs" >"$cache_root/last-build-seconds"

say "step 2/3: hashing and recording the image"
built=$(find "$work/out" -maxdepth 2 -name '*.cpio*' ! -name '*.manifest' | head -n1)
if [ -z "$built" ]; then
	tail -n 5 "$work/mkosi.log" >&2
	die "mkosi produced no cpio in $work/out"
fi
mkdir "$work/final"
mv "$built" "$work/final/base.cpio.zst"
chmod 0644 "$work/final/base.cpio.zst"	# mkosi leaves it world-writable
manifest=$(find "$work/out" -maxdepth 2 -name '*.manifest' | head -n1)
[ -z "$manifest" ] || cp "$manifest" "$work/final/manifest.json"
cp "$work/mkosi.log" "$work/final/mkosi.log"
sha=$(sha256sum "$work/final/base.cpio.zst" | cut -d' ' -f1)
echo "$sha" >"$work/final/base.sha256"
printf '{"key": "%s", "variant": "%s", "release": "%s", "base_sha256": "%s", "bytes": %s, "unpacked_bytes": %s, "build_seconds": %s, "built_at": "%s", "mkosi": "%s"}\n' \
	"$key" "${variant:-default}" "$release" "$sha" \
	"$(stat -c %s "$work/final/base.cpio.zst")" \
	"$(zstd -dc "$work/final/base.cpio.zst" | wc -c)" \
	"$secs" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(mkosi --version | tr -d '\n')" \
	>"$work/final/build.json"

say "step 3/3: installing into the cache"
# rename(2) of a directory is atomic: readers see all of it or nothing.
if [ -e "$out_dir" ]; then
	rm -rf "$out_dir.old"
	mv "$out_dir" "$out_dir.old"
fi
mv "$work/final" "$out_dir"
rm -rf "$out_dir.old"
say "done in ${secs}s: $(du -h "$image" | cut -f1), sha256 ${sha}"
echo "$image"
