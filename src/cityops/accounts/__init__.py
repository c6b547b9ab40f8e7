"""Users, passwords, tokens and login throttling, stored in the register."""
