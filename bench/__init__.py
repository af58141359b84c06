"""``make bench``: load, query and throughput measurements of our server against its peers."""
