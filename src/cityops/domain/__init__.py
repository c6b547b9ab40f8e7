"""The pure core: the vocabulary and rules of long-term operation.

Nothing here does I/O or imports a database, dataframe or web library.
"""
