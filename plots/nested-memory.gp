# nested-memory: the cycle on a nested QEMU's guest RAM: RAM resident in
# its memfd after each interval's eviction (left) and refaults per
# interval (right) over time, one line per backend.  Data:
# data/nested-memory/ (fig_nested.py).
load plotdir . '/common.gp'

set xlabel "time since the first interval began (s)"
# Nothing on the border: 0 refaults and the first interval's end show.
set xrange [0:*]
set offsets 0, graph 0.05, 0, 0
do for [p = 1:npanels] {
	eval at_panel
	set ylabel panel_ylabel[p]
	set yrange [-0.03 * panel_ymax[p]:panel_ymax[p]]
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2 \
		with linespoints lw 1.5 pt s_pt[k] ps 1.1 lc rgb s_colour[k] \
		dt s_dash[k] notitle
}
eval draw_legend
eval finish
