"""The pieces of bench/run.py: databases, servers, HTTP clients, measurements, report."""
