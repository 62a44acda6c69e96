# Phase change: the working set moves between two halves of the memory.
# "a" is hot for 3 s (skewed), then "b" for 3 s (uniform), then both for
# two 1 s occurrences with a small hot set in a and a sweep over b; then
# the list starts again.  A tracker must notice the old working set going
# cold after each change.
region a    40%
region b    40%
region idle 20%

phase work-a 3s
	a zipf 0.99 reads 70%
phase work-b 3s
	b uniform reads 30%
phase mixed 1s repeat 2
	a hotset 10% weight 3 reads 90%
	b seq weight 1 reads 50%
