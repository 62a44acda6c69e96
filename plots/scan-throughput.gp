# Pages per second to collect the accessed set, 50 % hot, per backend and
# layout (anon).  Input: scan-throughput-<backend>-layout<L>.dat.
set terminal pngcairo size 1000,650 noenhanced
set title sprintf("scan-throughput: collecting the accessed set, 50%% hot (accel=%s)", accel)
set xlabel "region size (bytes)"
set ylabel "pages per second"
set logscale xy
set key outside right
plot for [f in files] f using 1:2:3:4 with yerrorlines title f[17:strlen(f)-4]
