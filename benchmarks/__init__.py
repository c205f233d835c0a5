"""Speed and size benchmarks: ``make bench`` (``python -m benchmarks [NAME ...]``)."""
