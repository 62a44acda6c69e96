# Writes that keep moving into memory nobody touched for a while: a 2 %
# window steps forward by its own width every 50 ms, wrapping at the end,
# and is only written.  Whatever a manager calls cold now is written soon:
# a manager that evicts without freezing the vCPUs (the VMM cycle's
# --protocol unsafe) loses the writes that land on a page between its
# write-out and its punch, and the stamps check must say so.
region data 100%

phase sweep 60s
	data hotset 2% shift 2% every 50ms reads 0%
