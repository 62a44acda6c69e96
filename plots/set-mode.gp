# set-mode: UFFDIO_SET_MODE latency against faulting threads, one panel per
# direction, colour per backend, dash type per backing.  Error bars: the
# interval of the median (ci_median).  Data: data/set-mode/ (fig_set_mode.py).
load plotdir . '/common.gp'

set logscale y
set xrange [-0.3:xmax + 0.3]
set xtics 1
set xlabel "threads faulting on the range (in sync mode each fault waits for the handler)"
set ylabel "us per UFFDIO_SET_MODE (median, log)"
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2:3:4 \
		with yerrorlines lw 1.5 pt 7 ps 0.8 lc rgb s_colour[k] \
		dt s_dash[k] notitle
}
eval draw_legend
eval finish
