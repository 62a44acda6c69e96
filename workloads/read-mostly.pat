# Read-mostly: 90 % of the accesses are reads, and they go to pages that
# are never written.  A tracker that sees only writes (uffd-wp,
# soft-dirty) calls the read-only hot region cold although it is the
# hottest memory here.
region ro   20%		# read-only hot data: invisible to write trackers
region rw   10%		# written (and read) hot data
region cold 70%		# never touched

phase steady 10s
	ro uniform weight 9 reads 100%
	rw uniform weight 1 reads 0%
