"""The operating-model advisor (运营模式建议): a project profile in, the five typical
models ranked with reasons out, by rules as data (``rules.yaml``) taken from the
report's applicability tables (表5, 表6, 表7 and each model's 适用范围)."""
