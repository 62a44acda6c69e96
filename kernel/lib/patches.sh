# PATCHES=: an mbox (as `b4 am` writes) or a directory of *.patch.
# Sourced, not executed.  Needs lib/common.sh.
# shellcheck shell=bash

# The patch files of one or more series (each an mbox or a directory of
# *.patch), in the order they are applied, one per line.
patch_files() {
	local p
	for p in "$@"; do
		if [ -d "$p" ]; then
			find "$p" -maxdepth 1 -name '*.patch' -type f | LC_ALL=C sort
		else
			printf '%s\n' "$p"
		fi
	done
}

# "sha256 name" per patch file; its hash is the patches part of the key, so
# a renamed (reordered) or edited patch gives a new key.
patches_manifest() {
	local f
	patch_files "$@" | while read -r f; do
		printf '%s %s\n' "$(sha256_file "$f")" "$(basename "$f")"
	done
}

patches_hash() { patches_manifest "$@" | sha256_stdin; }

# Git with the user's hooks and am/apply settings neutralised, and fixed
# identities and dates so the scratch history is the same on every machine.
ws_git() {
	GIT_AUTHOR_NAME=wsbench GIT_AUTHOR_EMAIL=wsbench@localhost \
	GIT_COMMITTER_NAME=wsbench GIT_COMMITTER_EMAIL=wsbench@localhost \
	GIT_AUTHOR_DATE='1970-01-01T00:00:00Z' \
	GIT_COMMITTER_DATE='1970-01-01T00:00:00Z' \
	git -c core.hooksPath=/dev/null -c am.threeWay=false \
	    -c apply.whitespace=nowarn -c commit.gpgSign=false "$@"
}

# Make TREE (a plain directory, e.g. the unpacked Debian tarball) a git
# repository with one commit so `git am` can apply a series onto it.
# --force: the Debian tarball's .gitignore ignores "/*" (its packaging repo
# convention), and every file of a pristine source tree belongs in the base.
git_init_tree() {
	local tree="$1"
	ws_git -C "$tree" init -q &&
	ws_git -C "$tree" add -A --force &&
	ws_git -C "$tree" commit -q -m 'wsbench: unpacked source'
}

# A patch with mail headers goes through `git am`; a bare diff (quilt or
# `diff -u`) through `git apply` plus a commit named after the file.
has_mail_headers() {
	sed '/^diff \|^---/q' "$1" | grep -Eq '^(From: |Subject: )'
}

# apply_series TREE SERIES...: apply every patch of the series, in order,
# onto the git work tree TREE.  On failure, name the patch that does not
# apply -- its number in the whole series and its subject, e.g. "0003 mm:
# foo" -- and return 1.
apply_series() {
	local tree="$1" f n=0 total out failed start nr
	shift
	total="$(patch_files "$@" | wc -l)"
	start="$(git -C "$tree" rev-list --count HEAD)"
	while read -r f; do
		n=$((n + 1))
		if has_mail_headers "$f"; then
			if ! out="$(ws_git -C "$tree" am -q --no-3way "$f" 2>&1)"; then
				failed="$(printf '%s\n' "$out" |
				    sed -n 's/^Patch failed at //p' | head -n1)"
				ws_git -C "$tree" am --abort >/dev/null 2>&1 || true
				# git am counts from 1 in each file; count
				# from the start of the whole series instead.
				nr="${failed%% *}"
				if [ -n "$failed" ] && [ "$nr" -eq "$nr" ] 2>/dev/null; then
					nr=$((10#$nr + $(git -C "$tree" rev-list --count HEAD) - start))
					failed="$(printf '%04d %s' "$nr" "${failed#* }")"
				fi
				printf '%s\n' "$out" | grep -E '^(error|warning):' |
				    head -n 5 >&2
				printf 'kernel: error: patch "%s" does not apply (file %s, %d/%d)\n' \
				    "${failed:-?}" "$f" "$n" "$total" >&2
				return 1
			fi
		else
			if ! out="$(ws_git -C "$tree" apply --index "$(realpath "$f")" 2>&1)"; then
				printf '%s\n' "$out" | head -n 5 >&2
				printf 'kernel: error: patch "%s" does not apply (file %d/%d)\n' \
				    "$f" "$n" "$total" >&2
				return 1
			fi
			ws_git -C "$tree" commit -q -m "$(basename "$f")"
		fi
	done < <(patch_files "$@")
}
