# protect-shootdown: ns per arm call against the number of threads holding
# the range in their TLBs on other CPUs, one line per backend, one panel per
# backing at one region size (the smallest measured with several thread
# counts).  Data: data/protect-shootdown/.
load plotdir . '/common.gp'

set logscale y
set xlabel "threads on other CPUs with the range in their TLBs"
set format y "%.0s%c"
set ylabel "ns per call (median, log scale; k = 10^3, M = 10^6)"
set xtics 1
do for [p = 1:npanels] {
	eval at_panel
	set xrange [-0.3:panel_xmax[p] + 0.3]
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2:3:4 \
		with yerrorlines lw 1.5 pt 7 ps 0.8 lc rgb s_colour[k] \
		dt s_dash[k] notitle
}
eval draw_legend
eval finish
