# numa-interplay's workload: a hot window of a quarter of the memory that
# moves by its own width every 500 ms, so every page is written for half a
# second in every two and lies idle the rest of the time.  NUMA balancing
# needs the accesses (a hinting fault is what migrates a page); tracking
# needs the idle pages (a NUMA hint must not make one look hot).  Writes
# only: every backend, write-only ones included, can see every access, so
# the trackers are compared on NUMA interplay, not on read blindness.
region data 100%

phase shift 10s
	data hotset 25% shift 25% every 500ms reads 0%
