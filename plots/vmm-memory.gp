# vmm-memory: resident pages (left) and refaults (right) over time, one line
# per backend, one row per workload pattern.  Data: data/vmm-memory/.
load plotdir . '/common.gp'

set xlabel "time (s)"
set yrange [0:*]
do for [p = 1:npanels] {
	eval at_panel
	set ylabel panel_ylabel[p]
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2 \
		with lines lw 1.5 lc rgb s_colour[k] dt s_dash[k] notitle
}
eval draw_legend
eval finish
