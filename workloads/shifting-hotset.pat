# A hot set that moves over time.  Stairs: a window of 10 % of the memory
# steps forward by its own width every second, wrapping at the end, so a
# page is hot for one second in ten.  Zigzag: a 20 % window moves by 5 %
# every 500 ms and bounces between the two ends of the memory.  A tracker
# must follow the window; pages it left behind turn cold.
region data 100%

phase stairs 10s
	data hotset 10% shift 10% every 1s reads 70%
phase zigzag 8s
	data hotset 20% shift 5% every 500ms zigzag reads 70%
