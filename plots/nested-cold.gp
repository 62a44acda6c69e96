# nested-cold: the nested QEMU guest's cold set per interval, scored
# against its truth: precision (left) and recall (right), one line per
# backend.  Data: data/nested-cold/ (fig_nested.py).
load plotdir . '/common.gp'

set xlabel "interval (number)"
set xrange [0.5:xmax + 0.5]
set xtics 1
set yrange [-0.05:1.05]
do for [p = 1:npanels] {
	eval at_panel
	set ylabel panel_ylabel[p]
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2 \
		with linespoints lw 1.5 pt s_pt[k] ps 1.1 lc rgb s_colour[k] \
		dt s_dash[k] notitle
}
eval draw_legend
eval finish
