# numa-local: the fraction of the workload's pages on its threads' node,
# and pages migrated so far, over time: colour per backend (tracked run),
# grey dashed for the untracked runs.  Data: data/numa-local/
# (fig_numa_interplay.py).
load plotdir . '/common.gp'

set xlabel "time (s)"
set yrange [0:*]
do for [p = 1:npanels] {
	eval at_panel
	set ylabel panel_ylabel[p]
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2 \
		with lines lw s_width[k] lc rgb s_colour[k] dt s_dash[k] \
		notitle
}
eval draw_legend
eval finish
