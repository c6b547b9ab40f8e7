"""Who may do what (权限): roles, region scope and masking of personal data.

Pure rules, no I/O: the API asks them, the register stores the users.
"""
