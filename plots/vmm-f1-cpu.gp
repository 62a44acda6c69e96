# vmm-f1-cpu: cold-set F1 of the decisions (pages resident when the cold set
# was picked) against manager CPU per interval, one point per backend, one
# panel per workload pattern.  Data: data/vmm-f1-cpu/.
load plotdir . '/common.gp'

set logscale x
set xrange [xmin:xmax]
set yrange [0:1.05]
set xlabel "manager CPU per interval (microseconds, log scale)"
set ylabel "F1 of the cold-set decisions"
set key bottom right
do for [p = 1:npanels] {
	eval at_panel
	plot for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2 \
		with points pt 7 ps 1.6 lc rgb s_colour[k] title s_title[k], \
	     for [k = panel_first[p]:s_last(p)] s_file[k] using 1:2:(s_title[k]) \
		with labels offset 0, 1.2 font ",9" notitle
}
eval finish
