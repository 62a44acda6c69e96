# vmm-cpu: manager CPU per interval as one stacked bar per backend, split by
# phase (arm, freeze, detect, evict, unfreeze, refault), one panel per
# workload pattern.  Data: data/vmm-cpu/ (fig_vmm_cycle.py).
load plotdir . '/common.gp'

set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border rgb "white"
set boxwidth 0.6
set xlabel "case: " . case_words
set ylabel "manager CPU per interval (ms, mean)"
set yrange [0:*]
set xtics rotate by 30 right font ",9"
set key outside right top
do for [p = 1:npanels] {
	eval at_panel
	k = panel_first[p]
	plot for [j = 1:|phase|] s_file[k] using (column(j + 1)):xtic(1) \
		lc rgb phase_colour[j] title phase[j]
}
eval finish
