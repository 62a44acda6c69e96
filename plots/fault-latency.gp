# Median first-access latency per backend/backing/mode, with the bootstrap
# 95 % CI of the median and p99.  Input: fault-latency.dat (extract.py).
set terminal pngcairo size 1200,700 noenhanced
set title sprintf("fault-latency: first access to a tracked page (accel=%s)", accel)
set ylabel "ns (log scale)"
set logscale y
set style fill solid 0.5
set boxwidth 0.6
set xtics rotate by 60 right
set key top left
plot "fault-latency.dat" using 0:2:xtic(1) with boxes title "median", \
     "" using 0:2:3:4 with yerrorbars lc rgb "black" title "95% CI of median", \
     "" using 0:5 with points pt 2 title "p99"
