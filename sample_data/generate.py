"""Generate the seeded, deterministic Aftersight sample data: tickets.csv, surveys.csv and customers.csv."""

from __future__ import annotations

import bisect
import csv
import math
from pathlib import Path

import numpy as np

SEED = 20241101
EXPECTED_TICKETS, N_CUSTOMERS = 30_000, 12_000
START, END = np.datetime64("2024-11-01T00:00", "m"), np.datetime64("2026-10-31T23:59", "m")
SPRING_FESTIVAL_EVES = ("2025-01-28", "2026-02-16")  # 除夕 of 2025-01-29 and 2026-02-17
REGIONS = ("华东", "华北", "华南", "华中", "西南", "西北", "东北")
REGION_W = (0.26, 0.16, 0.18, 0.13, 0.12, 0.07, 0.08)
# product: (average share of tickets, yearly bumps as (centre day of year, width in days, amplitude))
PRODUCTS = {
    "空调": (0.27, ((205, 24, 2.6), (15, 25, 0.35), (150, 20, 0.4))),
    "冰箱": (0.16, ((200, 35, 0.4),)),
    "洗衣机": (0.17, ((190, 40, 0.15),)),
    "热水器": (0.14, ((10, 30, 0.9),)),
    "油烟机": (0.12, ((25, 20, 0.25),)),
    "电视": (0.14, ()),
}
PARTS_MEDIAN = (220, 180, 120, 150, 90, 380)  # yuan, in PRODUCTS order
CATS = ("不制冷", "不制热", "漏水", "噪音异常", "不通电", "显示故障", "安装", "保养清洗", "配件更换", "投诉")
CAT_W = (  # rows in PRODUCTS order, weights in CATS order (投诉 is drawn separately, ~3%)
    (30, 10, 12, 8, 6, 4, 15, 10, 5, 0),
    (38, 0, 8, 18, 8, 7, 8, 3, 10, 0),  # 空调, 冰箱
    (0, 0, 25, 22, 10, 12, 12, 10, 9, 0),
    (0, 40, 18, 0, 10, 8, 12, 6, 6, 0),  # 洗衣机, 热水器
    (0, 0, 0, 25, 12, 5, 18, 30, 10, 0),
    (0, 0, 0, 5, 25, 40, 15, 0, 15, 0),  # 油烟机, 电视
)
# per category (CATS order): P1..P4, fix-time factor, handle-minutes median, P(parts), P(out of warranty)
CAT_PARAMS = (
    ((0.04, 0.25, 0.53, 0.18), 1.0, 60, 0.55, 0.28),
    ((0.04, 0.25, 0.53, 0.18), 1.0, 60, 0.55, 0.28),
    ((0.06, 0.28, 0.50, 0.16), 1.0, 55, 0.45, 0.30),
    ((0.01, 0.12, 0.57, 0.30), 1.0, 45, 0.35, 0.30),
    ((0.08, 0.30, 0.50, 0.12), 1.0, 50, 0.50, 0.30),
    ((0.02, 0.15, 0.58, 0.25), 1.2, 50, 0.60, 0.30),
    ((0.005, 0.05, 0.40, 0.545), 0.7, 95, 0.15, 0.02),
    ((0.0, 0.02, 0.28, 0.70), 0.6, 70, 0.05, 0.70),
    ((0.02, 0.15, 0.55, 0.28), 2.0, 75, 1.00, 0.32),
    ((0.10, 0.40, 0.40, 0.10), 0.8, 25, 0.10, 0.25),
)
# name, regions (main first); response x, fix x, P(reopen), P(2nd visit w/o reopen), CSAT +, complaint logit +
ENGINEERS = (
    ("张伟", ("华东",), 0.60, 0.70, 0.035, 0.03, 0.35, -0.5),  # strong
    ("王芳", ("华东", "华中"), 0.90, 0.95, 0.07, 0.06, 0.10, -0.1),
    ("李强", ("华北",), 1.90, 1.70, 0.22, 0.12, -0.55, 0.7),  # weak
    ("刘洋", ("华南",), 1.00, 1.00, 0.08, 0.06, 0.0, 0.0),
    ("陈静", ("华南", "西南"), 0.65, 0.75, 0.04, 0.03, 0.30, -0.4),  # strong
    ("杨磊", ("华中",), 1.10, 1.10, 0.09, 0.07, -0.05, 0.1),
    ("赵敏", ("华北", "东北"), 0.85, 0.90, 0.06, 0.05, 0.12, -0.1),
    ("黄勇", ("西南",), 1.70, 1.90, 0.19, 0.11, -0.45, 0.6),  # weak
    ("周杰", ("西北",), 1.15, 1.05, 0.10, 0.07, -0.10, 0.1),
    ("吴婷", ("东北",), 0.95, 1.00, 0.07, 0.05, 0.08, 0.0),
    ("徐斌", ("华东", "华北"), 1.05, 1.00, 0.08, 0.06, 0.0, 0.0),
    ("孙丽", ("西北", "西南"), 0.90, 0.95, 0.07, 0.05, 0.05, -0.05),
)
CHANNELS, CHANNEL_W = ("电话", "微信", "APP", "官网", "上门"), (0.35, 0.25, 0.20, 0.08, 0.12)
HOUR_W = (
    0.3,
    0.15,
    0.1,
    0.1,
    0.1,
    0.2,
    0.6,
    1.8,
    4.5,
    6.5,
    6.8,
    6.0,
    4.2,
    4.5,
    5.8,
    6.0,
    5.5,
    4.8,
    4.2,
    4.0,
    3.5,
    2.5,
    1.5,
    0.8,
)
TICKET_HEADER = (
    "工单号",
    "客户编号",
    "报修时间",
    "首次响应时间",
    "完成时间",
    "工程师",
    "渠道",
    "故障类型",
    "优先级",
    "状态",
    "区域",
    "产品",
    "返修次数",
    "一次修复",
    "是否投诉",
    "人工成本(元)",
    "备件成本(元)",
    "差旅成本(元)",
    "处理时长(分钟)",
    "是否保内",
)
SURVEY_HEADER = ("提交时间", "工单号", "客户编号", "满意度(1-5)", "推荐意愿(0-10)", "评价内容")
CUSTOMER_HEADER = ("客户编号", "区域", "客户类型", "年龄", "性别", "注册日期", "是否流失", "流失日期")
POSITIVE = (
    "师傅很专业",
    "上门及时",
    "态度很好",
    "修得很快",
    "讲解很耐心",
    "服务周到",
    "准时到达",
    "一次就修好了",
    "收费合理",
    "工作很细致",
    "走之前还帮忙打扫了",
    "电话回访很及时",
    "预约很方便",
    "非常满意",
    "下次还找你们",
)
NEUTRAL = (
    "还行吧",
    "一般般",
    "整体还可以",
    "修好了但是等得有点久",
    "师傅迟到了半小时",
    "沟通还可以",
    "价格有点高",
    "希望能再快一点",
    "师傅话不多但活干得还行",
)
NEGATIVE = (
    "态度很差",
    "没有解决问题",
    "打了好几次电话才有人接",
    "不专业",
    "非常失望",
    "再也不买了",
    "客服推来推去",
    "预约时间一改再改",
)
SLOW, WAIT_PARTS, PRICY = ("等了三天才来", "拖了好几天"), ("配件要等一周",), ("收费太贵",)
REPEAT = ("修了两次还是不行", "师傅没带工具又跑一趟")
EN_POSITIVE = (
    "Engineer was on time and fixed it quickly",
    "Very professional service",
    "Friendly technician, explained everything",
    "Problem solved on the first visit",
)
EN_NEUTRAL = ("OK overall but a bit slow", "Fixed, but the price was high")
EN_NEGATIVE = (
    "Waited {days} days for a spare part",
    "Had to call three times before anyone came",
    "Still not working after two visits",
    "Too expensive for a simple repair",
)
DIRT = (
    ("bad_created",) * 5
    + ("resolved_before",) * 5
    + ("duplicate",) * 5
    + ("blank_id",) * 3
    + ("negative_handle",) * 2
)
BAD_DATES = ("2025-13-45 25:00", "待定", "N/A", "2026-02-30 09:15", "未知")


def _pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Draw one column index per row of an (n, k) weight matrix, proportionally to the weights."""
    cum = np.cumsum(weights, axis=1)
    return (rng.random(len(weights))[:, None] >= cum / cum[:, -1:]).sum(axis=1)


def _bumps(doy: np.ndarray, bumps: tuple) -> np.ndarray:
    """Yearly multiplier: 1 plus circular Gaussian bumps (centre day, width in days, amplitude)."""
    out = np.ones(doy.shape)
    for centre, width, amp in bumps:
        dist = np.abs(doy - centre)
        out += amp * np.exp(-0.5 * (np.minimum(dist, 365 - dist) / width) ** 2)
    return out


def _doy(t: np.ndarray) -> np.ndarray:
    """Day of year (0-based) of datetime64 values."""
    return (t.astype("M8[D]") - t.astype("M8[Y]")).astype(int)


def _ymd(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day as plain integers."""
    day = (a.astype("M8[D]") - a.astype("M8[M]")).astype(int) + 1
    return a.astype("M8[Y]").astype(int) + 1970, a.astype("M8[M]").astype(int) % 12 + 1, day


def daily_volume() -> tuple[np.ndarray, np.ndarray]:
    """Expected tickets per (day, product): weekday, yearly, Spring Festival and trend effects."""
    days = np.arange(START.astype("M8[D]"), END.astype("M8[D]") + 1)
    weekday = (days.astype(int) + 3) % 7  # 0 = Monday
    common = np.array((1.08, 1.05, 1.0, 1.0, 1.02, 0.88, 0.68))[weekday]
    common *= 1 + 0.12 * np.arange(len(days)) / len(days)
    for eve in SPRING_FESTIVAL_EVES:
        k = int((np.datetime64(eve) - days[0]).astype(int))
        common[k - 7 : k] *= 1.3  # get it fixed before the holiday
        common[k : k + 7] *= 0.3
    lam = (
        np.stack(
            [
                share * _bumps(_doy(days), b) / _bumps(np.arange(365), b).mean()
                for share, b in PRODUCTS.values()
            ],
            axis=1,
        )
        * common[:, None]
    )
    return days, lam * EXPECTED_TICKETS / lam.sum()


def make_customers(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Customer attributes: region, segment (个人/企业/VIP), age, gender and a ticket-propensity weight."""
    seg = rng.choice(3, N_CUSTOMERS, p=(0.80, 0.08, 0.12))
    age = np.where(seg == 1, rng.normal(40, 9, N_CUSTOMERS), rng.normal(np.where(seg == 2, 48, 42), 13))
    return {
        "region": rng.choice(len(REGIONS), N_CUSTOMERS, p=REGION_W),
        "segment": seg,
        "age": np.clip(np.rint(age), 18, 80).astype(int),
        "male": rng.random(N_CUSTOMERS) < 0.55,
        "weight": rng.gamma(1.2, 1.0, N_CUSTOMERS) * np.array((1.0, 4.0, 1.6))[seg],
    }


def draw_arrivals(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Creation time, product, region and engineer of every ticket, sorted by creation time."""
    days, lam = daily_volume()
    counts = rng.poisson(lam)
    day_i = np.repeat(np.arange(len(days)), counts.sum(axis=1))
    prod = np.concatenate([np.repeat(np.arange(len(PRODUCTS)), c) for c in counts])
    hour = rng.choice(24, len(day_i), p=np.array(HOUR_W) / sum(HOUR_W))
    created = days[day_i].astype("M8[m]") + (hour * 60 + rng.integers(0, 60, len(day_i))).astype("m8[m]")
    order = np.argsort(created, kind="stable")
    n = len(order)
    region = rng.choice(len(REGIONS), n, p=REGION_W)
    serve = np.array([[(r in e[1]) * (1.0 if e[1][0] == r else 0.5) for e in ENGINEERS] for r in REGIONS])
    engineer = np.where(rng.random(n) < 0.03, rng.integers(0, len(ENGINEERS), n), _pick(rng, serve[region]))
    return {"created": created[order], "product": prod[order], "region": region, "engineer": engineer}


def make_tickets(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every ticket as parallel arrays (codes index the tables above), with how satisfied the customer was."""
    t = draw_arrivals(rng)
    created, prod, n = t["created"], t["product"], len(t["created"])
    doy, hour = _doy(created), (created - created.astype("M8[D]")).astype(int) // 60
    e = dict(
        zip(
            ("resp", "fix", "reopen", "miss", "csat", "compl"),
            np.array([row[2:] for row in ENGINEERS])[t["engineer"]].T,
            strict=True,
        )
    )
    # fault type by product and season: air-con cooling in summer, heating in winter, installs before summer
    w = np.array(CAT_W, dtype=float)[prod]
    ac = prod == 0
    w[ac, 0] *= _bumps(doy[ac], ((205, 30, 3.0),)) - 0.7
    w[ac, 1] *= _bumps(doy[ac], ((15, 30, 3.0),)) - 0.7
    w[ac, 6] *= _bumps(doy[ac], ((150, 30, 2.0),))
    cat = np.where(rng.random(n) < 0.03, 9, _pick(rng, w))
    prio_p, fix_f, handle_med, p_parts, p_out = (np.array([p[k] for p in CAT_PARAMS])[cat] for k in range(5))
    prio = _pick(rng, prio_p)
    out_warranty, channel = rng.random(n) < p_out, rng.choice(len(CHANNELS), n, p=CHANNEL_W)
    # first response: a few hours by priority and engineer; non-P1 night tickets wait for the 08:00 shift
    resp_h = rng.lognormal(np.log(np.array((0.4, 1.2, 2.5, 4.0))[prio] * e["resp"]), 0.6)
    to_8am = np.where(hour >= 21, 32 - hour, 8 - hour) - (created - created.astype("M8[h]")).astype(int) / 60
    resp_h = np.where((prio > 0) & ((hour >= 21) | (hour < 7)), to_8am + 0.5 * resp_h, resp_h)
    reopen = (rng.random(n) < e["reopen"] * np.where(cat >= 6, 0.6, 1.0)) * (1 + (rng.random(n) < 0.2))
    ftf = (reopen == 0) & (rng.random(n) >= e["miss"])
    busy = np.where(ac & (doy >= 181) & (doy < 243), 1.35, 1.0)  # the July-August air-con backlog
    fix_med = np.array((10, 18, 24, 32))[prio] * fix_f * e["fix"] * busy * (1 + 0.1 * out_warranty)
    total_h = resp_h + rng.lognormal(np.log(fix_med), 0.8) + reopen * rng.lognormal(np.log(36), 0.5, n)
    z = -4.4 + 0.9 * reopen + 0.9 * (total_h > 72) + 0.5 * ~ftf + e["compl"]
    complaint = (cat == 9) | (rng.random(n) < 1 / (1 + np.exp(-z)))
    handle = rng.lognormal(np.log(handle_med * (1 + e["fix"]) / 2), 0.45) * (1 + 0.6 * reopen)
    handle = np.clip(np.rint(handle), 10, 300).astype(int)
    parts = (rng.random(n) < p_parts) * rng.lognormal(np.log(np.array(PARTS_MEDIAN)[prod]), 0.7)
    parts *= 1 + 0.6 * out_warranty
    far = 1 + 0.4 * np.isin(t["region"], (4, 5))
    # how the customer felt (CSAT on a continuous scale): surveys reveal it, churn reacts to it
    sat = (
        4.35
        + e["csat"]
        - 0.45 * np.clip(np.log(total_h / 30), -1, 2.5)
        - 0.7 * reopen
        - 1.6 * complaint
        - 0.25 * (out_warranty & (parts > 0))
        + rng.normal(0, 0.65, n)
    )
    first_response = created + np.rint(resp_h * 60).astype("m8[m]")
    resolved = created + np.maximum(np.rint(total_h * 60), np.rint(resp_h * 60) + 10).astype("m8[m]")
    return t | {
        "first_response": first_response,
        "resolved": resolved,
        "channel": channel,
        "category": cat,
        "priority": prio,
        "reopen": reopen,
        "ftf": ftf,
        "complaint": complaint,
        "handle": handle,
        "parts": parts,
        "labour": (20 + handle / 60 * 85) * rng.normal(1, 0.05, n),
        "travel": (channel == 4) * rng.lognormal(np.log(45), 0.4, n) * far * (1 + reopen),
        "out_warranty": out_warranty,
        "total_h": total_h,
        "sat": sat,
        "open": resolved > END,
        "pending": first_response > END,
    }


def assign_customers(
    rng: np.random.Generator, t: dict[str, np.ndarray], cust: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Walk the tickets in time order, giving each to a customer of its region who has not decided to leave.

    Frequent callers (and companies) are picked more often. After each ticket the customer may decide to
    leave, with a hazard that rises with a complaint, reopens, a slow fix, low satisfaction, earlier
    complaints and a burst of recent tickets; they churn weeks later if that is still within the period.
    Returns the customer of each ticket, and per customer the churned flag and churn day.
    """
    n = len(t["created"])
    logit = (
        -3.6
        + 1.2 * t["complaint"]
        + 0.5 * t["reopen"]
        + 0.5 * (t["total_h"] > 72)
        + 0.8 * np.clip(3.8 - t["sat"], -1.5, 3)
    ).tolist()
    u, gap = rng.random(n).tolist(), rng.gamma(1.5, 25, n) + 3
    churn_day = t["resolved"].astype("M8[D]") + np.rint(gap).astype(int).astype("m8[D]")
    late = ((churn_day > END.astype("M8[D]")) | t["open"]).tolist()
    pools = [np.flatnonzero(cust["region"] == r) for r in range(len(REGIONS))]
    cums = [np.cumsum(cust["weight"][p]).tolist() for p in pools]
    customer, region = [0] * n, t["region"].tolist()
    minutes, compl = t["created"].astype(int).tolist(), t["complaint"].tolist()
    churned, day_of = np.zeros(N_CUSTOMERS, dtype=bool), np.full(N_CUSTOMERS, "NaT", dtype="M8[D]")
    history: dict[int, list[int]] = {}
    for i in range(n):
        c, cum = -1, cums[region[i]]
        while c < 0 or churned[c]:
            c = int(pools[region[i]][bisect.bisect_right(cum, rng.random() * cum[-1])])
        customer[i] = c
        past = history.setdefault(c, [])
        recent = sum(1 for k in past if minutes[i] - minutes[k] < 90 * 1440)
        z = logit[i] + 0.6 * sum(compl[k] for k in past) + 0.35 * min(recent, 3)
        past.append(i)
        if not late[i] and u[i] < 1 / (1 + math.exp(-z)):
            churned[c], day_of[c] = True, churn_day[i]
    return np.array(customer), churned, day_of


def _comment(rng: np.random.Generator, csat: int, t: dict[str, np.ndarray], i: int) -> str:
    """A short comment matching the score and what happened on ticket i; about 10% in English."""
    slow, repeat = t["total_h"][i] > 72, t["reopen"][i] > 0
    parts, pricy = CATS[t["category"][i]] == "配件更换", bool(t["out_warranty"][i] and t["parts"][i] > 300)
    if rng.random() < 0.10:
        if csat >= 3:
            return str(rng.choice(EN_POSITIVE if csat >= 4 else EN_NEUTRAL))
        text = EN_NEGATIVE[0] if parts and slow else str(rng.choice(EN_NEGATIVE[1:]))
        return text.format(days=max(2, int(t["total_h"][i] // 24)))
    end = str(rng.choice(("", "", "。", "！")))
    if csat >= 3:
        pool = list(POSITIVE) if csat >= 4 else list(NEUTRAL) + list(PRICY if pricy else ())
        return "，".join(rng.choice(pool, size=1 + int(rng.random() < 0.35), replace=False).tolist()) + end
    specific = (SLOW if slow else ()) + (WAIT_PARTS if parts else ()) + (REPEAT if repeat else ())
    specific += PRICY if pricy else ()
    first = str(rng.choice(specific if specific and rng.random() < 0.8 else NEGATIVE))
    second = f"，{rng.choice([p for p in NEGATIVE if p != first])}" if rng.random() < 0.5 else ""
    return first + second + end


def make_surveys(rng: np.random.Generator, t: dict[str, np.ndarray], skip: np.ndarray) -> dict:
    """Answers for ~35% of resolved tickets, 0-3 days after resolution; CSAT/NPS from the ticket's `sat`."""
    idx = np.flatnonzero(~t["open"] & (rng.random(len(t["open"])) < 0.33 + 0.1 * t["complaint"]) & ~skip)
    submitted = t["resolved"][idx] + (rng.random(len(idx)) ** 2 * 72 * 60 + 5).astype(int).astype("m8[m]")
    idx, submitted = idx[submitted <= END], submitted[submitted <= END]
    sat = t["sat"][idx]
    csat = np.clip(np.rint(sat), 1, 5).astype(int)
    nps = np.clip(np.rint(2.2 * sat - 0.8 + rng.normal(0, 1.1, len(idx))), 0, 10).astype(int)
    has = rng.random(len(idx)) < 0.40
    comments = [_comment(rng, int(c), t, int(i)) if h else "" for c, i, h in zip(csat, idx, has, strict=True)]
    order = np.argsort(submitted, kind="stable")
    return {
        "ticket": idx[order],
        "submitted": submitted[order],
        "csat": csat[order],
        "nps": nps[order],
        "comment": [comments[k] for k in order],
    }


def make_signups(rng: np.random.Generator, t: dict[str, np.ndarray]) -> np.ndarray:
    """Sign-up day per customer, 2018-01-01 at the earliest and before the first ticket (30%: just before)."""
    first = np.full(N_CUSTOMERS, END)
    np.minimum.at(first, t["customer"], t["created"])
    has_ticket = first < END
    latest = first.astype("M8[D]") - has_ticket
    span = (latest - np.datetime64("2018-01-01")).astype(int)
    recent = has_ticket & (rng.random(N_CUSTOMERS) < 0.3)
    back = np.where(recent, rng.integers(0, 60, N_CUSTOMERS), rng.random(N_CUSTOMERS) * span)
    return latest - np.minimum(back, span).astype(int).astype("m8[D]")


def _fmt_dt(a: np.ndarray, blank: np.ndarray | None = None) -> np.ndarray:
    """'2024-11-01 08:30' strings; '' where blank."""
    s = np.char.replace(np.datetime_as_string(a, unit="m"), "T", " ")
    return s if blank is None else np.where(blank, "", s)


def ticket_rows(t: dict[str, np.ndarray], cid: np.ndarray) -> list[list[str]]:
    """Clean ticket rows as strings; ids are GD + yyyymmdd + a 5-digit sequence within the day."""
    day, op = t["created"].astype("M8[D]"), t["open"]
    seq = (np.arange(len(day)) - np.searchsorted(day, day, side="left") + 1).astype(str)
    ids = np.char.add(np.char.add("GD", np.char.replace(day.astype(str), "-", "")), np.char.zfill(seq, 5))
    money = [np.where(op, "", np.char.mod("%.2f", np.round(t[k], 2))) for k in ("labour", "parts", "travel")]
    cols = [
        ids,
        np.char.add("C", np.char.zfill(cid[t["customer"]].astype(str), 6)),
        _fmt_dt(t["created"]),
        _fmt_dt(t["first_response"], t["pending"]),
        _fmt_dt(t["resolved"], op),
        np.array([e[0] for e in ENGINEERS])[t["engineer"]],
        np.array(CHANNELS)[t["channel"]],
        np.array(CATS)[t["category"]],
        np.char.add("P", (t["priority"] + 1).astype(str)),
        np.where(t["pending"], "待处理", np.where(op, "处理中", "已完成")),
        np.array(REGIONS)[t["region"]],
        np.array(list(PRODUCTS))[t["product"]],
        np.where(op, "0", t["reopen"].astype(str)),
        np.where(op, "", np.where(t["ftf"], "是", "否")),
        np.where(t["complaint"], "是", "否"),
        *money,
        np.where(op, "", t["handle"].astype(str)),
        np.where(t["out_warranty"], "否", "是"),
    ]
    return [list(r) for r in zip(*[c.tolist() for c in cols], strict=True)]


def plan_dirt(rng: np.random.Generator, t: dict[str, np.ndarray]) -> dict[int, str]:
    """Pick 20 resolved tickets spread through the file and give each a kind of dirt (shuffled)."""
    done = np.flatnonzero(~t["open"])
    targets = np.linspace(0.03, 0.95, len(DIRT)) * len(t["open"]) + rng.integers(0, 200, len(DIRT))
    spots = np.searchsorted(done, targets)
    return {int(done[s]): DIRT[k] for s, k in zip(spots, rng.permutation(len(DIRT)), strict=True)}


def apply_dirt(rng: np.random.Generator, rows: list[list[str]], plan: dict[int, str]) -> list[list[str]]:
    """A copy of rows with the planned dirt, the duplicates' later records and 5 empty rows at the end."""
    rows, bad_dates, later = [list(r) for r in rows], iter(BAD_DATES), {}
    for i, kind in sorted(plan.items()):
        row = rows[i]
        if kind == "bad_created":
            row[2] = next(bad_dates)
        elif kind == "resolved_before":
            early = np.datetime64(row[2].replace(" ", "T")) - np.timedelta64(int(rng.integers(60, 4320)), "m")
            row[4] = _fmt_dt(early).item()
        elif kind == "blank_id":
            row[0] = ""
        elif kind == "negative_handle":
            row[18] = f"-{row[18]}"
        else:  # an earlier 处理中 snapshot here, the completed record re-exported 30-300 rows later
            later[i + int(rng.integers(30, 300))] = list(row)
            row[4], row[9], row[13], row[15], row[16], row[17], row[18] = "", "处理中", "", "", "", "", ""
    out = []
    for i, row in enumerate(rows):
        out += [row, later[i]] if i in later else [row]
    return out + [[""] * len(TICKET_HEADER) for _ in range(5)]


def survey_rows(rng: np.random.Generator, s: dict, tickets: list[list[str]]) -> list[list[str]]:
    """Survey rows with Chinese dates (2025年3月1日 14:05); 3 CSAT and 2 NPS values pushed out of range."""
    (y, mo, d), mins = _ymd(s["submitted"]), (s["submitted"] - s["submitted"].astype("M8[D]")).astype(int)
    rows = [
        [f"{a}年{b}月{c}日 {m // 60:02d}:{m % 60:02d}", *tickets[i][:2], str(cs), str(nps), text]
        for a, b, c, m, i, cs, nps, text in zip(
            y, mo, d, mins, s["ticket"], s["csat"], s["nps"], s["comment"], strict=True
        )
    ]
    spots = (np.linspace(0.1, 0.9, 5) * len(rows)).astype(int) + rng.integers(0, 50, 5)
    for k, (col, value) in zip(spots, ((3, "0"), (4, "11"), (3, "6"), (4, "11"), (3, "7")), strict=True):
        rows[k][col] = value
    return rows


def generate(out_dir: Path) -> None:
    """Write tickets.csv, surveys.csv and customers.csv into out_dir (the same bytes on every run)."""
    rng = np.random.default_rng(SEED)
    cust = make_customers(rng)
    t = make_tickets(rng)
    t["customer"], churned, churn_day = assign_customers(rng, t, cust)
    plan = plan_dirt(rng, t)
    s = make_surveys(rng, t, np.isin(np.arange(len(t["open"])), [i for i in plan if plan[i] == "blank_id"]))
    signup = make_signups(rng, t)
    # customers without tickets churn at a low base rate, any day after sign-up within the period
    quiet = ~np.isin(np.arange(N_CUSTOMERS), t["customer"]) & (rng.random(N_CUSTOMERS) < 0.05)
    lo, end_day = np.maximum(signup + 1, START.astype("M8[D]")), END.astype("M8[D]")
    quiet_day = lo + (rng.random(N_CUSTOMERS) * ((end_day - lo).astype(int) + 1)).astype(int).astype("m8[D]")
    churned, churn_day = churned | (quiet & (lo <= end_day)), np.where(quiet, quiet_day, churn_day)
    order = np.lexsort((np.arange(N_CUSTOMERS), signup))  # customer ids follow sign-up order
    cid = np.empty(N_CUSTOMERS, dtype=int)
    cid[order] = np.arange(1, N_CUSTOMERS + 1)
    rows = ticket_rows(t, cid)
    (sy, sm, sd), (cy, cm, cd) = _ymd(signup), _ymd(np.where(churned, churn_day, signup))
    tables = {
        "tickets.csv": (TICKET_HEADER, apply_dirt(rng, rows, plan)),
        "surveys.csv": (SURVEY_HEADER, survey_rows(rng, s, rows)),
        "customers.csv": (
            CUSTOMER_HEADER,
            [
                [
                    f"C{cid[i]:06d}",
                    REGIONS[cust["region"][i]],
                    ("个人", "企业", "VIP")[cust["segment"][i]],
                    str(cust["age"][i]),
                    "男" if cust["male"][i] else "女",
                    f"{sy[i]}/{sm[i]}/{sd[i]}",
                    "是" if churned[i] else "否",
                    f"{cy[i]}/{cm[i]}/{cd[i]}" if churned[i] else "",
                ]
                for i in order
            ],
        ),
    }
    for name, (header, body) in tables.items():  # UTF-8 with BOM, comma separated, LF line endings
        with (out_dir / name).open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([header, *body])


if __name__ == "__main__":
    generate(Path(__file__).parent)
