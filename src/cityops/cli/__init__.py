"""The command line: thin entry points that parse options and call services.

Heavy libraries (DuckDB, Arrow, NumPy) are imported inside the commands, so
``cityops --help`` starts fast.
"""
