# scan-rearm: microseconds for one collect (solid), one collect + re-arm
# (dashed) and a whole tracked interval (dotted) against region size
# (log-log); colour: backend, marker: its mode or re-arm policy; one panel
# per hot fraction x layout.  Data: data/scan-rearm-<backing>/.
load plotdir . '/common.gp'

set logscale xy
set xrange [xmin:xmax]
set xlabel "region size (MiB, log scale)"
set format y "%.0s%c"
set ylabel "microseconds (median, log scale; k = 10^3, M = 10^6)"
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2:3:4 \
		with yerrorlines lw 1.5 pt s_pt[k] ps 0.8 lc rgb s_colour[k] \
		dt s_dash[k] notitle
}
eval draw_legend
eval finish
