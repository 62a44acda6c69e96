# Cache key: what goes into a build, hashed.  Sourced, not executed.
# Needs lib/common.sh.
# shellcheck shell=bash

# The toolchain is part of the key: another compiler gives other bytes.
toolchain_id() {
	printf '%s / %s\n' "$(${CC:-gcc} --version | head -n1)" \
	    "$(ld --version | head -n1)"
}

# ksrc_git_tree KSRC: the git tree hash of KSRC's working tree as it is now,
# uncommitted and untracked (not ignored) files included.  A temporary index
# keeps the developer's own index untouched; `git add` does store the blobs
# of changed files in KSRC's object database, where the scratch clone finds
# them.
ksrc_git_tree() {
	local idx
	idx="$(mktemp)"
	cp "$(git -C "$1" rev-parse --path-format=absolute --git-path index)" "$idx" 2>/dev/null || : >"$idx"
	GIT_INDEX_FILE="$idx" git -C "$1" add -A
	GIT_INDEX_FILE="$idx" git -C "$1" write-tree
	rm -f "$idx"
}

ksrc_is_git() {
	[ "$(git -C "$1" rev-parse --show-toplevel 2>/dev/null)" = "$(realpath "$1")" ]
}

# A non-git tree is identified by the content of all its files.
ksrc_content_hash() {
	(cd "$1" && find . -type f ! -path './.git/*' -print0 | LC_ALL=C sort -z |
	    xargs -0 sha256sum | sha256_stdin)
}

# compute_key SOURCE_ID PATCHES_HASH CONFIG_HASH TOOLCHAIN: the 16-hex-digit
# cache key.
compute_key() {
	printf 'recipe %s\nsource %s\npatches %s\nconfig %s\ntoolchain %s\n' \
	    "$WS_RECIPE_VERSION" "$1" "$2" "$3" "$4" | sha256_stdin | cut -c1-16
}

# cache_key SOURCE_ID CONFIG_BASE FRAGMENTS [SERIES...]: the key build.sh
# uses.  FRAGMENTS is a newline-separated list of fragment files; no SERIES
# means no patches.  Needs lib/patches.sh and lib/config.sh.
cache_key() {
	local src="$1" base="$2" ph=none
	local -a frags
	mapfile -t frags <<<"$3"
	shift 3
	[ "$#" = 0 ] || ph="$(patches_hash "$@")"
	compute_key "$src" "$ph" "$(config_hash "$base" "${frags[@]}")" \
	    "$(toolchain_id)"
}
