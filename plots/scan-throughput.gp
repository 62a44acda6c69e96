# scan-throughput: pages per second to collect the accessed set against
# region size (log-log), one line per backend, one panel per hot fraction x
# layout.  Data: data/scan-throughput-<backing>/ (fig_scan_throughput.py).
load plotdir . '/common.gp'

set logscale xy
set xrange [xmin:xmax]
set format y "%.0s%c"
set xlabel "region size (MiB, log scale)"
set ylabel "pages per second (median, log scale; M = 10^6, G = 10^9)"
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2:3:4 \
		with yerrorlines lw 1.5 pt s_pt[k] ps 0.8 lc rgb s_colour[k] \
		dt s_dash[k] notitle
}
eval draw_legend
eval finish
