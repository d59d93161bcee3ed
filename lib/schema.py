"""The canonical tables and fields (SPEC §1), with the header synonyms users really have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["text", "datetime", "int", "number", "bool"]
TableKind = Literal["tickets", "surveys", "customers"]


@dataclass(frozen=True)
class Field:
    """One canonical column: its type, whether a table needs it, and header synonyms.

    Synonyms are compared after `lib.ingest.mapping.normalise_header` (lower case, no
    spaces, punctuation or bracketed units), so list each wording once.
    """

    name: str
    type: FieldType
    required: bool = False
    synonyms: tuple[str, ...] = ()
    # Valid closed range for numbers (e.g. csat 1–5); None = unbounded.
    low: float | None = None
    high: float | None = None


TICKETS: tuple[Field, ...] = (
    Field("ticket_id", "text", True, (
        "ticket_id", "ticket", "ticket no", "ticket number", "case id", "case number",
        "case", "work order", "work order id", "order id", "incident", "incident id",
        "incident number", "number", "id",
        "工单号", "工单编号", "工单id", "服务单号", "服务单编号", "单号", "报修单号", "维修单号",
        "案件编号", "编号",
    )),
    Field("created_at", "datetime", True, (
        "created_at", "created", "created time", "create time", "creation date", "opened at",
        "opened", "open time", "submitted at", "reported at", "order purchase timestamp",
        "purchase timestamp", "date",
        "创建时间", "报修时间", "受理时间", "提交时间", "下单时间", "开单时间", "建单时间", "报障时间",
        "创建日期", "报修日期", "受理日期", "开单日期", "建单日期",
    )),
    Field("first_response_at", "datetime", False, (
        "first_response_at", "first response", "first response time", "first reply at",
        "first reply time", "responded at", "response time", "order approved at", "approved at",
        "首次响应时间", "响应时间", "首次回复时间", "接单时间", "派单时间", "首次联系时间",
    )),
    Field("resolved_at", "datetime", False, (
        "resolved_at", "resolved", "resolved time", "resolution time", "closed at", "close time",
        "closed", "completed at", "solved at", "order delivered customer date",
        "delivered customer date", "delivered at",
        "解决时间", "完成时间", "结单时间", "关单时间", "完工时间", "关闭时间", "处理完成时间",
        "解决日期", "完成日期", "结单日期", "关单日期", "完工日期",
    )),
    Field("customer_id", "text", False, (
        "customer_id", "customer", "customer no", "client id", "caller id", "caller",
        "requester", "user id", "account id",
        "客户编号", "客户id", "客户号", "用户id", "用户编号", "会员id", "客户",
    )),
    Field("agent", "text", False, (
        "agent", "engineer", "assignee", "assigned to", "technician", "owner", "handler",
        "工程师", "处理人", "客服", "维修工程师", "服务工程师", "负责人", "师傅", "技师", "坐席",
    )),
    Field("channel", "text", False, (
        "channel", "source", "contact type", "origin", "via",
        "渠道", "来源", "报修渠道", "受理渠道", "接入渠道",
    )),
    Field("category", "text", False, (
        "category", "problem type", "issue type", "type", "fault type", "service type",
        "问题类型", "故障类型", "服务类型", "问题分类", "类别", "工单类型",
    )),
    Field("priority", "text", False, (
        "priority", "urgency", "severity", "优先级", "紧急程度", "紧急度",
    )),
    Field("status", "text", False, (
        "status", "state", "ticket status", "incident state", "order status",
        "状态", "工单状态", "处理状态",
    )),
    Field("region", "text", False, (
        "region", "area", "location", "site", "branch", "city", "province",
        "区域", "地区", "网点", "城市", "省份", "大区", "服务网点",
    )),
    Field("product", "text", False, (
        "product", "model", "product line", "sku", "产品", "机型", "产品型号", "型号", "品类",
    )),
    Field("reopen_count", "int", False, (
        "reopen_count", "reopens", "reopen", "reopened", "times reopened", "repeat visits",
        "重开次数", "返修次数", "重复报修次数", "二次上门次数",
    ), low=0),
    Field("first_contact_resolved", "bool", False, (
        "first_contact_resolved", "fcr", "first contact resolution", "first time fix",
        "resolved first contact", "一次解决", "首次修复", "一次修复", "首次解决", "一次性解决",
    )),
    Field("is_complaint", "bool", False, (
        "is_complaint", "complaint", "complained", "是否投诉", "投诉",
    )),
    Field("labor_cost", "number", False, (
        "labor_cost", "labour cost", "labor", "labour", "人工成本", "人工费", "工时费",
    )),
    Field("parts_cost", "number", False, (
        "parts_cost", "parts", "material cost", "备件成本", "材料成本", "配件成本", "备件费",
        "材料费", "配件费",
    )),
    Field("travel_cost", "number", False, (
        "travel_cost", "travel", "差旅成本", "差旅费", "交通费", "上门费",
    )),
    Field("handle_minutes", "number", False, (
        "handle_minutes", "handle time", "handling time", "aht", "work minutes",
        "处理时长", "工时", "处理用时", "服务时长",
    ), low=0),
    Field("in_warranty", "bool", False, (
        "in_warranty", "warranty", "under warranty", "是否保内", "保内", "保修", "是否在保",
    )),
)

SURVEYS: tuple[Field, ...] = (
    Field("submitted_at", "datetime", True, (
        "submitted_at", "submitted", "survey date", "response date", "date", "created at",
        "提交时间", "评价时间", "回访时间", "调查时间", "填写时间",
    )),
    Field("ticket_id", "text", False, TICKETS[0].synonyms),
    Field("customer_id", "text", False, TICKETS[4].synonyms),
    Field("csat", "number", False, (
        "csat", "satisfaction", "satisfaction score", "rating", "score",
        "满意度", "满意度评分", "评分", "服务评分", "满意度分数",
    ), low=1, high=5),
    Field("nps", "number", False, (
        "nps", "recommend", "likelihood to recommend", "nps score",
        "推荐意愿", "推荐度", "推荐分", "净推荐值", "推荐指数",
    ), low=0, high=10),
    Field("comment", "text", False, (
        "comment", "comments", "feedback", "remarks", "review", "text",
        "评价内容", "评价", "意见", "留言", "备注", "反馈", "建议",
    )),
)

CUSTOMERS: tuple[Field, ...] = (
    Field("customer_id", "text", True, TICKETS[4].synonyms),
    Field("region", "text", False, TICKETS[10].synonyms),
    Field("segment", "text", False, (
        "segment", "customer type", "tier", "level", "客户类型", "客户等级", "客户分层", "会员等级",
    )),
    Field("age", "int", False, ("age", "年龄"), low=0, high=120),
    Field("gender", "text", False, ("gender", "sex", "性别")),
    Field("signup_at", "datetime", False, (
        "signup_at", "signup", "signup date", "registered at", "join date", "since",
        "注册日期", "注册时间", "开户日期", "首次购买日期", "入会时间",
    )),
    Field("churned", "bool", False, ("churned", "churn", "lost", "是否流失", "流失")),
    Field("churned_at", "datetime", False, (
        "churned_at", "churn date", "lost at", "cancelled at", "流失日期", "流失时间", "销户日期",
    )),
)

TABLES: dict[str, tuple[Field, ...]] = {
    "tickets": TICKETS,
    "surveys": SURVEYS,
    "customers": CUSTOMERS,
}

# Columns the sidebar can filter and every KPI can be broken down by.
DIMENSIONS: tuple[str, ...] = ("channel", "category", "priority", "region", "product", "agent")
COST_FIELDS: tuple[str, ...] = ("labor_cost", "parts_cost", "travel_cost")


def field(table: str, name: str) -> Field:
    """The declaration of `name` in `table`."""
    return next(f for f in TABLES[table] if f.name == name)
