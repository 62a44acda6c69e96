# vmm-ws: detected (colour, per backend) vs true (grey) working set over
# time, one panel per workload pattern.  Data: data/vmm-ws/.
load plotdir . '/common.gp'

set xlabel "time (s)"
set ylabel "working set (pages)"
set yrange [0:*]
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2 \
		with lines lw s_width[k] lc rgb s_colour[k] dt s_dash[k] \
		notitle
}
eval draw_legend
eval finish
