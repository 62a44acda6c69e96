# vmm-f1-cpu: cold-set F1 of the decisions (pages resident when the cold set
# was picked) against manager CPU per interval, one point per case (colour:
# backend), one panel per workload pattern, the legend in a cell of its own.
# Ranges from the data (fig_vmm_cycle.py): F1 from just under the lowest
# point, CPU log only when it spans more than a decade.  Data:
# data/vmm-f1-cpu/.
load plotdir . '/common.gp'

if (xlog) {
	set logscale x
	set xlabel "manager CPU per interval (ms, mean; log scale)"
} else {
	set xlabel "manager CPU per interval (ms, mean)"
}
set xrange [xmin:xmax]
set yrange [ymin:ymax]
set ylabel "F1 of the cold-set decisions (1 = exact)"
set mxtics
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2 \
		with points pt s_pt[k] ps 1.6 lc rgb s_colour[k] notitle
}
eval draw_legend
eval finish
