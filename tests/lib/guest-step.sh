# Sourced inside the guest by the VM end-to-end jobs (tests/vm-e2e*/
# guest-job.sh; the host's run.sh puts it in the share).
# shellcheck shell=sh disable=SC2034

# What every job uses: the guest's wsbench, where results go (the share),
# and the options of a quiet run into it (tiny: a few repetitions).
ws=/opt/wsbench/bin/wsbench
out=/mnt/share/e2e
mkdir -p "$out"
common="--quiet --out $out --run-id e2e"
tiny="--min-reps 3 --max-reps 5 --min-time 0 --warmup 1 $common"

# step NAME CMD...: "[$step_tag] NAME" on stderr (vm-run.sh forwards it to
# the host as it happens), CMD's output in $out/NAME.out and .err, its exit
# code in $out/NAME.rc for the host to assert on.
step() {
	name=$1
	shift
	echo "[$step_tag] $name" >&2
	rc=0
	"$@" >"$out/$name.out" 2>"$out/$name.err" || rc=$?
	echo "$rc" >"$out/$name.rc"
}
