"""The console's labels in Chinese (default) and English.

A label missing in one language is a test failure, not a blank on screen.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

__all__ = ["LABELS", "LANG_COOKIE", "Lang", "label"]

LANG_COOKIE = "cityops_lang"


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


LABELS: MappingProxyType[str, MappingProxyType[Lang, str]] = MappingProxyType(
    {
        key: MappingProxyType({Lang.ZH: zh, Lang.EN: en})
        for key, zh, en in (
            ("app.title", "城市长效运营平台", "cityops — smart-city operation"),
            ("nav.overview", "一屏通览", "Overview"),
            ("nav.evaluation", "评估", "Evaluation"),
            ("nav.contracts", "合同与结算", "Contracts & settlement"),
            ("nav.portal", "门户运营", "Portal operations"),
            ("nav.hotline", "12345 热线", "Hotline"),
            ("nav.infrastructure", "数据、设施与安全", "Data, infrastructure & security"),
            ("nav.logout", "退出", "Log out"),
            ("lang.switch", "English", "中文"),
            ("login.title", "登录", "Log in"),
            ("login.username", "用户名", "User name"),
            ("login.password", "密码", "Password"),
            ("login.submit", "登录", "Log in"),
            ("login.failed", "用户名或密码错误", "Wrong user name or password"),
            ("login.throttled", "失败次数过多，请稍后再试", "Too many failed logins; try later"),
            ("overview.stage", "发展阶段", "Stage"),
            ("overview.score", "综合得分", "Score"),
            ("overview.directions", "四个方向", "Four directions"),
            ("overview.ranking", "区县排名", "Districts ranked"),
            ("overview.figures", "关键指标", "Key figures"),
            ("overview.trend", "月度趋势", "Trend by month"),
            ("overview.no_run", "尚无评估结果", "No evaluation run yet"),
        )
    }
)


def label(key: str, lang: Lang) -> str:
    """The label ``key`` in ``lang``; an unknown key shows itself, so it is noticed."""
    entry = LABELS.get(key)
    return entry[lang] if entry is not None else key
