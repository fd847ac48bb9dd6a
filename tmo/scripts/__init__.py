"""Console scripts installed with tmo."""
