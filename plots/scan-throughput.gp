# scan-throughput: pages per second to collect the accessed set against
# region size (log-log), one line per backend, one panel per hot fraction x
# layout.  Data: data/scan-throughput-<backing>/ (fig_scan_throughput.py).
load plotdir . '/common.gp'

set logscale xy
set xrange [xmin:xmax]
set format y "%.0s%c"
set xlabel "region size (MiB, log scale)"
set ylabel "pages/s (median, log scale; M = 10^6)"
set key bottom right
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2:3:4 \
		with yerrorlines lw 1.5 pt 7 ps 0.6 lc rgb s_colour[k] \
		dt s_dash[k] title s_title[k]
}
eval finish
