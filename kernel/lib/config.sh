# Kernel configuration: base (tinyconfig, defconfig or a file) + fragment,
# then a check that every fragment line survived olddefconfig.
# Sourced, not executed.  Needs lib/common.sh.
# shellcheck shell=bash

# The lines of one or more fragments that state a value, without comments.
# Several fragments are merged like kconfig merges them: a later setting of
# a symbol replaces the earlier one, in the place the symbol first appeared.
# One fragment that sets each symbol once comes out as it is.
fragment_settings() {
	grep -hE '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' "$@" |
	    awk '{
		sym = $0
		if (sym ~ /^#/)
			sym = $2
		else
			sub(/=.*/, "", sym)
		if (!(sym in val))
			order[n++] = sym
		val[sym] = $0
	    }
	    END { for (i = 0; i < n; i++) print val[order[i]] }'
}

# config_check CONFIG FRAGMENT...: print every (merged) fragment setting the
# final CONFIG does not have; return 1 if there is any.
config_check() {
	local config="$1" line sym bad=0 now
	shift
	while read -r line; do
		case "$line" in
		'# '*)
			sym="${line#\# }"
			sym="${sym%% *}"
			if grep -Eq "^$sym=[ym]\$" "$config"; then
				printf '  %s wanted off, is %s\n' "$sym" \
				    "$(grep "^$sym=" "$config")"
				bad=1
			fi
			;;
		*)
			grep -qxF "$line" "$config" && continue
			sym="${line%%=*}"
			now="$(grep -E "^$sym=|^# $sym is not set" "$config" || true)"
			printf '  %s wanted, is %s\n' "$line" "${now:-absent (unknown symbol or unmet dependency)}"
			bad=1
			;;
		esac
	done < <(fragment_settings "$@")
	return "$bad"
}

# The identity of the configuration input, for the cache key.
config_base_id() {
	case "$1" in
	tinyconfig | defconfig) printf '%s\n' "$1" ;;
	*) printf 'file:%s\n' "$(sha256_file "$1")" ;;
	esac
}

# config_hash BASE FRAGMENT...
config_hash() {
	local base="$1"
	shift
	{ config_base_id "$base"; fragment_settings "$@"; } | sha256_stdin
}

# make_config SRC OBJ BASE LOG FRAGMENT...
make_config() {
	local src="$1" obj="$2" base="$3" log="$4"
	shift 4
	case "$base" in
	tinyconfig | defconfig)
		make -C "$src" O="$obj" "$base" >>"$log" 2>&1 ||
			{ tail -n 20 "$log" >&2; die "make $base failed (log: $log)"; }
		;;
	*) cp "$base" "$obj/.config" ;;
	esac
	# Later assignments win in kconfig, so appending is a merge.
	fragment_settings "$@" >>"$obj/.config"
	make -C "$src" O="$obj" olddefconfig >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "make olddefconfig failed (log: $log)"; }
	if ! config_check "$obj/.config" "$@" >"$obj/config-check.txt"; then
		cat "$obj/config-check.txt" >&2
		die "required options did not survive olddefconfig (above; fragments $*, base $base)"
	fi
}
