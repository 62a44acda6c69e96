# Shared by every figure script: terminal, canvas, panel grid, header and
# stamp.  plot.sh runs each script from the figure's data directory with
#   gnuplot -e "fmt='png'|'svg'; outfile='...'; plotdir='...'"
# so vars.gp (written by extract.py) is in the current directory.  A script
# may set panel_w / panel_h (pixels per panel) before loading this file;
# vars.gp may set them too (the correctness matrices size their cells).
load 'vars.gp'

if (!exists("panel_w")) panel_w = 560
if (!exists("panel_h")) panel_h = 400
nrows = int(ceil(ncells * 1.0 / ncols))
# Header lines: title, kernel/CPU/accel, the stamp (if any), the note.
stamp_y = 66
note_y = 66 + (fig_stamp ne "" ? 22 : 0)
head_h = note_y - 8 + (fig_note ne "" ? 22 : 0)
# A legend that starts a row of its own (plotlib Figure.key) gets a short
# strip across the bottom, as tall as its entries, not a whole panel row.
legend_row = (key_n > 0 && (legend_cell - 1) % ncols == 0) ? 1 : 0
legend_h = legend_row ? 30 + 18 * key_n : 0
W = ncols * panel_w < 1000 ? 1000 : ncols * panel_w
H = (nrows - legend_row) * panel_h + legend_h + head_h
if (fmt eq "svg") {
	set terminal svg size W, H noenhanced font "Sans,11" background rgb "white"
} else {
	set terminal pngcairo size W, H noenhanced font "Sans,10" background rgb "white"
}
set output outfile

# Panel p fills cell panel_cell[p] (1-based, row-major) of an nrows x ncols
# grid under the header.
pw = 1.0 / ncols
ph = panel_h * 1.0 / H
oxc(c) = ((c - 1) % ncols) * pw
oyc(c) = legend_h * 1.0 / H + (nrows - 1 - legend_row - int((c - 1) / ncols)) * ph
ox(p) = oxc(panel_cell[p])
oy(p) = oyc(panel_cell[p])
s_last(p) = panel_first[p] + panel_count[p] - 1
m_last(p) = mark_first[p] + mark_count[p] - 1
# "at panel p" for the header-free grid cell: set origin/size, title.
at_panel = "set origin ox(p), oy(p); set size pw, ph; set title panel_title[p]"

set key font ",9" noautotitle opaque
set grid lc rgb "#dddddd"
set multiplot

# The figure's one legend (Figure.key in plotlib.py), in the grid cell
# after the panels: a script whose panels plot "notitle" runs it before
# finish.  keyentry needs one real plot: the constant 2, off the range.
draw_legend = "if (key_n > 0) { \
if (legend_row) { set origin 0, 0; set size 1, legend_h * 1.0 / H } \
else { set origin oxc(legend_cell), oyc(legend_cell); set size pw, ph }; \
unset title; unset border; unset tics; unset xlabel; unset ylabel; \
unset logscale; unset grid; unset arrow; unset label; \
set key center center vertical Left reverse box opaque width 2 font ',10'; \
plot [0:1][0:1] 2 notitle, for [k = 1:key_n] keyentry \
	with linespoints lw 1.5 pt key_pt[k] ps 0.9 lc rgb key_colour[k] \
	dt key_dash[k] title key_title[k] }"

# Last thing each script runs: one borderless full-canvas plot drawing the
# header and, over everything, the stamp.  Drawn last so nothing hides it.
finish = "set origin 0,0; set size 1,1; unset title; unset key; unset border; \
unset tics; unset xlabel; unset ylabel; unset logscale; unset arrow; \
unset label; unset object; unset colorbox; unset grid; \
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0; \
set label 901 fig_title at screen 0.5, 1 - 20.0 / H center font ',15'; \
set label 902 fig_subtitle at screen 0.5, 1 - 44.0 / H center font ',11'; \
set label 903 fig_note at screen 0.5, 1 - note_y * 1.0 / H center font ',10' tc rgb '#444444'; \
if (fig_stamp ne '') { \
	set label 904 fig_stamp at screen 0.5, 0.5 center rotate by 20 front \
		font sprintf(',%d', int(W / 22 < 72 ? W / 22 : 72)) tc rgb '#50cc0000'; \
	set label 905 fig_stamp at screen 0.5, 1 - stamp_y * 1.0 / H center \
		font ',13' tc rgb '#cc0000' }; \
plot [0:1][0:1] 2 notitle; unset multiplot"
