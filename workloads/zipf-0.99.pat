# Zipf with theta 0.99 (YCSB's default skew) over the whole memory: a few
# pages take most accesses, a long tail is touched rarely, so the set of
# pages touched in an interval grows with the interval's length.  Hot
# pages are scattered over the region (ranks map through a seeded
# permutation).
region data 100%

phase steady 10s
	data zipf 0.99 reads 70%
