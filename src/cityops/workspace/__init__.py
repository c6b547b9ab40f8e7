"""A workspace holds one city's configuration, register database and lake."""
