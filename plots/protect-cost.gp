# protect-cost: ns per page to arm N pages (log-log), one line per backend,
# one panel per number of TLB-hot threads on other CPUs; error bars: the
# interval of the median (ci_median).  Data: data/protect-cost-<backing>/.
load plotdir . '/common.gp'

set logscale xy
set xrange [xmin:xmax]
set format x "%.0s%c"
set xlabel "pages armed by one call (log scale; k = 10^3)"
set format y "%.0s%c"
set ylabel "ns per page (median, log scale; k = 10^3, M = 10^6)"
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2:3:4 \
		with yerrorlines lw 1.5 pt 7 ps 0.6 lc rgb s_colour[k] \
		dt s_dash[k] notitle
}
eval draw_legend
eval finish
