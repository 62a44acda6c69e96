#!/bin/sh
# make plots RUN=results/<run-id>: every figure whose data exists, as PNG and
# SVG in RUN/plots/; one "plots: skip <figure>: <reason>" line for the others.
# Exit 2: RUN is not a result directory; 1: a file or a figure failed.
set -eu

run=${1:-}
[ -n "$run" ] || { echo "usage: plots/plot.sh results/<run-id>" >&2; exit 2; }
[ -d "$run" ] || { echo "plots: RUN='$run' is not a result directory" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out="$run/plots"

/usr/bin/python3 -B "$here/extract.py" --check "$run" || exit 2
# RUN/plots is plot.sh's alone, redrawn whole: a figure whose input went
# away must not linger from an earlier render.
rm -rf "$out"
mkdir -p "$out"
status=0
/usr/bin/python3 -B "$here/extract.py" "$run" "$out" || status=$?
[ "$status" = 2 ] && exit 2
[ -f "$out/manifest" ] || exit 1

# render SCRIPT NAME FMT: NAME.FMT from data/NAME/, or say why not.
render() {
	dir="$out/data/$2"
	if (cd "$dir" && gnuplot -e "fmt='$3'; outfile='../../$2.$3'; plotdir='$here'" \
		"$here/$1.gp") >"$dir/gnuplot-$3.log" 2>&1 && [ -s "$out/$2.$3" ]; then
		return 0
	fi
	rm -f "$out/$2.$3"
	echo "plots: $2.$3 FAILED ($1.gp, log $dir/gnuplot-$3.log):" >&2
	tail -n 5 "$dir/gnuplot-$3.log" >&2
	return 1
}

while read -r script name; do
	if render "$script" "$name" png && render "$script" "$name" svg; then
		echo "plots: $out/$name.png .svg" >&2
	else
		status=1
	fi
done <"$out/manifest"
exit "$status"
