# Mostly idle memory: 90 % of the memory is never touched after it is
# populated, a 10 % region takes every access.  What a VMM can reclaim:
# a tracker should report the idle region cold in every interval.
region active 10%
region idle   90%

phase steady 10s
	active uniform reads 50%
