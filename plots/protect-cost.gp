# ns per page to arm N pages, per backend and helper-thread count (anon).
# Input: protect-cost-<backend>-threads<T>.dat (extract.py).
set terminal pngcairo size 1000,650 noenhanced
set title sprintf("protect-cost: arming N pages (accel=%s)", accel)
set xlabel "region size (bytes)"
set ylabel "ns per page"
set logscale xy
set key outside right
plot for [f in files] f using 1:2:3:4 with yerrorlines title f[14:strlen(f)-4]
