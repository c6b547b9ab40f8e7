"""Masking personal data for roles that do not need it (脱敏显示).

Patterns follow common practice in Chinese government systems: a mobile
number keeps its first three and last four digits (``138****1234``), an
ID-card number its six-digit area code and last four characters
(``110105********0023``), a name its family name (only the first character is
kept: ``张**``; compound family names are not guessed), an e-mail its first
character and domain.
"""

from __future__ import annotations

__all__ = ["mask_email", "mask_id_card", "mask_name", "mask_phone"]


def mask_phone(phone: str) -> str:
    """``13812341234`` → ``138****1234`` (first three and last four kept); numbers
    shorter than eight characters keep only their last two."""
    digits = phone.strip()
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_id_card(number: str) -> str:
    """``110105199001010023`` → ``110105********0023`` (any length: all but 6 + 4)."""
    text = number.strip()
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``: the first character, one star for each other."""
    text = name.strip()
    return text[:1] + "*" * (len(text) - 1) if text else text


def mask_email(email: str) -> str:
    """``zhang@example.cn`` → ``z***@example.cn``."""
    local, at, domain = email.strip().partition("@")
    if not at:
        return mask_name(email)
    return local[:1] + "***" + at + domain
