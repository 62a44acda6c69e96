# correctness: precision (left) and recall (right) of the reported page set,
# columns backend x mode, rows pattern x phase x TLB condition; red 0 to
# green 1, grey: an access kind the backend cannot see.  No timings here, so
# no TCG stamp.  Data: data/correctness-<backing>/ (fig_correctness.py).
load plotdir . '/common.gp'

set xrange [-0.5:nx - 0.5]
set yrange [-0.5:ny - 0.5]
set cbrange [0:1]
set palette defined (0 "#d73027", 0.5 "#fee08b", 0.9 "#d9ef8b", 1 "#1a9850")
set xtics () rotate by 90 right font ",9" scale 0
set ytics () scale 0 font ",9"
unset grid
unset colorbox
do for [i = 1:nx] { set xtics add (x_label[i] i - 1) }
do for [i = 1:ny] { set ytics add (y_label[i] i - 1) }
do for [p = 1:npanels] {
	eval at_panel
	k = panel_first[p]
	plot s_file[k] using 1:2:(0.5):(0.5):($5 > 0 ? NaN : $3) \
		with boxxyerror fs solid 1.0 border rgb "white" lc palette notitle, \
	     "" using 1:($5 > 0 ? $2 : NaN):(0.5):(0.5) \
		with boxxyerror fs solid 1.0 border rgb "white" lc rgb "#cccccc" notitle, \
	     "" using 1:2:4 with labels font ",8" notitle
}
eval finish
