# Shared helpers for kernel/*.sh.  Sourced, not executed.
# shellcheck shell=bash

# The pinned default source.  Changing any of these changes the cache key.
WS_PINNED_PKG="linux-source-7.3"
WS_PINNED_VERSION="7.3.4-1~bpo13+1"
# sha256 of linux-source-7.3_7.3.4-1~bpo13+1_all.deb, recorded on the first
# download.  apt already checks the .deb against the signed archive index; the
# pin additionally catches a cached file that was altered later.
WS_PINNED_DEB_SHA256="703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3"
WS_DEFAULT_SUITE="trixie-backports"
WS_KEYRING="/usr/share/keyrings/debian-archive-keyring.gpg"

# Bump when the build recipe changes in a way that changes the output, so
# that old cache entries are not reused for the new recipe.
WS_RECIPE_VERSION="wsbench-kernel-1"

WS_CACHE="${WSBENCH_CACHE:-$HOME/.cache/wsbench}"

ws_log() { printf '[kernel] %s\n' "$*" >&2; }

# A fatal error: the build cannot go on.
die() { printf 'kernel: error: %s\n' "$*" >&2; exit 1; }

# Bad input from the user: name the variable and what it accepts.
die_usage() { printf 'kernel: error: %s\n' "$*" >&2; exit 2; }

# step N TOTAL MESSAGE: one progress line per long step.
step() { printf '[kernel %s/%s] %s\n' "$1" "$2" "$3" >&2; }

sha256_file() { sha256sum "$1" | cut -d' ' -f1; }
sha256_stdin() { sha256sum | cut -d' ' -f1; }
