# Uniform hot set: 20 % of the memory is hot and accessed uniformly, the
# other 80 % is never touched.  The simplest working set: a tracker should
# report exactly the hot region in every interval.
region hot  20%
region cold 80%

phase steady 10s
	hot uniform reads 70%
