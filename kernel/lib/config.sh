# Kernel configuration: base (tinyconfig, defconfig or a file) + fragment,
# then a check that every fragment line survived olddefconfig.
# Sourced, not executed.  Needs lib/common.sh.
# shellcheck shell=bash

# The lines of a fragment that state a value, without comments.
fragment_settings() {
	grep -E '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' "$1"
}

# config_check CONFIG FRAGMENT: print every fragment setting the final
# CONFIG does not have; return 1 if there is any.
config_check() {
	local config="$1" fragment="$2" line sym bad=0 now
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
	done < <(fragment_settings "$fragment")
	return "$bad"
}

# The identity of the configuration input, for the cache key.
config_base_id() {
	case "$1" in
	tinyconfig | defconfig) printf '%s\n' "$1" ;;
	*) printf 'file:%s\n' "$(sha256_file "$1")" ;;
	esac
}

config_hash() {
	local base="$1" fragment="$2"
	{ config_base_id "$base"; fragment_settings "$fragment"; } | sha256_stdin
}

# make_config SRC OBJ BASE FRAGMENT LOG
make_config() {
	local src="$1" obj="$2" base="$3" fragment="$4" log="$5"
	case "$base" in
	tinyconfig | defconfig)
		make -C "$src" O="$obj" "$base" >>"$log" 2>&1 ||
			{ tail -n 20 "$log" >&2; die "make $base failed (log: $log)"; }
		;;
	*) cp "$base" "$obj/.config" ;;
	esac
	# Later assignments win in kconfig, so appending is a merge.
	cat "$fragment" >>"$obj/.config"
	make -C "$src" O="$obj" olddefconfig >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "make olddefconfig failed (log: $log)"; }
	if ! config_check "$obj/.config" "$fragment" >"$obj/config-check.txt"; then
		cat "$obj/config-check.txt" >&2
		die "required options did not survive olddefconfig (above; fragment $fragment, base $base)"
	fi
}
