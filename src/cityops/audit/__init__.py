"""The audit log (审计日志): append-only, each entry chained to the one before."""
