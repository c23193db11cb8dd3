"""`make bench`: see bench/__main__.py and the README\x27s "Benchmark" section."""
