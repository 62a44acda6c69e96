# scan-rearm: microseconds for one collect (solid) and one collect + re-arm
# (dashed) against region size (log-log), one colour per backend, one panel
# per hot fraction x layout.  Data: data/scan-rearm-<backing>/.
load plotdir . '/common.gp'

set logscale xy
set xrange [xmin:xmax]
set xlabel "region size (MiB, log scale)"
set ylabel "microseconds per call (median, log scale)"
set key top left
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2:3:4 \
		with yerrorlines lw 1.5 pt 7 ps 0.6 lc rgb s_colour[k] \
		dt s_dash[k] title s_title[k]
}
eval finish
