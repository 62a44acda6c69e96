# Zipf with theta 1.2: more skewed than 0.99; the head is hotter and the
# tail colder, so short intervals touch far fewer distinct pages.
region data 100%

phase steady 10s
	data zipf 1.2 reads 70%
