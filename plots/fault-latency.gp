# fault-latency: CDF of first-access latency per backend x mode, one panel
# per backing x metric, log x; baseline medians as dashed vertical lines.
# Data: data/fault-latency/ (extract.py, fig_fault_latency.py).
load plotdir . '/common.gp'

set logscale x
set xrange [xmin:xmax]
set format x "%.0s%c"
set xlabel "latency of one timed access (ns, log scale; k = 10^3, M = 10^6)"
set ylabel "fraction of samples <= x"
set yrange [0:1]
do for [p = 1:npanels] {
	eval at_panel
	unset arrow
	unset label
	do for [m = mark_first[p]:m_last(p)] {
		set arrow m from mark_x[m], graph 0 to mark_x[m], graph 1 nohead \
			dt 2 lw 1.5 lc rgb "#555555"
		set label m mark_title[m] at mark_x[m], graph 0.98 rotate by 90 \
			right offset -1.6, 0 font ",8" tc rgb "#555555"
	}
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2 with lines \
		lw 1.5 lc rgb s_colour[k] dt s_dash[k] notitle
}
eval draw_legend
eval finish
