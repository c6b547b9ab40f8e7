"""The Spark engine: the indicators' DuckDB SQL translated to Spark SQL and run on a
SparkSession over the workspace's lake (local mode, or a cluster in production)."""
