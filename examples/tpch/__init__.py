"""TPC-H queries written against the cylonc API, their SQL text, and a Parquet data generator."""
