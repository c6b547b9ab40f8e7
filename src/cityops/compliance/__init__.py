"""Fiscal compliance (合规检查): every registered contract and each region's PPP
portfolio checked against the fiscal rules the report cites, as data
(``rules.yaml``), each finding with its source and a plain explanation."""
