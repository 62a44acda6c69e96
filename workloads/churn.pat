# Churn, the integrity stress pattern: uniform writes over all of memory,
# so that in every short interval part of the memory goes cold and is
# evicted while it is being written -- the race a VMM must freeze against.
region all 100%

phase churn 60s
	all uniform reads 0%
