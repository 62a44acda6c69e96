# Sequential sweep over the whole memory, one page after the next (a
# scan, a copy, a GC mark phase).  Every page is touched once per pass;
# with n workers each starts its sweep n-th of the way further.  Whether
# a page counts as hot depends on the interval length versus the pass
# time.
region data 100%

phase sweep 10s
	data seq reads 80%
