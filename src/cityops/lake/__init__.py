"""The lake: append-only Parquet files of event tables, partitioned by table and day,
queried in place by DuckDB (and readable by Spark, Trino or ClickHouse)."""
