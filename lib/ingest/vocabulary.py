"""The words that say what a column is: in headers (any spelling) and in cells (channel, priority, status).

Kept short and general on purpose: the content decides, these words break ties. A header or value of
one customer's file is never added here to make that file map (docs/architecture.md, "Where to add").
"""

# Words of a header that point at a field (whole words; words of four or more letters and Chinese
# also inside run-together headers). Kept short: the content decides, the words break ties.
WORDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "key", "no", "nr", "num", "number", "code", "ref", "reference", "编号", "单号", "编码", "号"),
    "ticket": ("ticket", "case", "incident", "request", "order", "issue", "complaint", "call", "工单", "服务单"),
    "customer": ("customer", "client", "user", "account", "caller", "requester", "requestor", "contact", "member",
                 "consumer", "buyer", "客户", "用户", "会员", "顾客", "买家", "联系人"),
    "created": ("create", "created", "creation", "open", "opened", "opening", "report", "reported", "receive",
                "received", "submit", "submitted", "raise", "raised", "logged", "start", "started", "purchase",
                "创建", "受理", "报修", "提交", "发起", "开始", "登记", "下单", "建单", "申请", "报障"),
    "responded": ("respond", "responded", "response", "reply", "replied", "first", "ack", "acknowledged",
                  "accept", "accepted", "approved", "approve", "assigned", "dispatch", "dispatched",
                  "响应", "回复", "接单", "派单", "首次", "确认", "派工"),
    "resolved": ("close", "closed", "closing", "resolve", "resolved", "resolution", "complete", "completed",
                 "completion", "finish", "finished", "end", "ended", "done", "fix", "fixed", "solve", "solved",
                 "delivered", "完成", "关闭", "结单", "解决", "办结", "结案", "完工", "结束", "修复", "关单"),
    "due": ("due", "by", "target", "deadline", "sla", "expect", "expected", "estimate", "estimated", "promise",
            "promised", "plan", "planned", "scheduled", "appointment", "预计", "截止", "时限", "期限", "计划",
            "承诺", "预约", "要求"),
    "updated": ("update", "updated", "modify", "modified", "last", "changed", "edited", "更新", "修改", "最后"),
    "channel": ("channel", "source", "origin", "medium", "via", "method", "渠道", "来源", "方式", "途径"),
    "priority": ("priority", "urgency", "severity", "优先", "紧急", "级别", "等级"),
    "status": ("status", "state", "stage", "状态", "进度"),
    "region": ("region", "city", "district", "area", "zone", "borough", "province", "county", "territory",
               "location", "site", "branch", "zip", "postcode", "区域", "地区", "城市", "省", "县", "网点",
               "片区", "大区", "辖区"),
    "category": ("category", "type", "class", "classification", "problem", "reason", "topic", "fault",
                 "subject", "类型", "类别", "分类", "问题", "故障", "业务", "诉求"),
    "agent": ("agent", "assignee", "assigned", "owner", "engineer", "technician", "tech", "handler", "staff",
              "rep", "representative", "resolver", "responsible", "工程师", "处理人", "客服", "师傅", "负责人",
              "受理人", "维修员", "技师", "坐席"),
    "product": ("product", "model", "item", "sku", "device", "asset", "equipment", "产品", "机型", "型号", "设备",
                "商品"),
    "reopen": ("reopen", "reopened", "reopens", "重开", "返修", "重复"),
    "fcr": ("fcr", "ftf", "first contact", "firstcontact", "firsttime", "一次", "首次解决"),
    "complaint": ("complaint", "complain", "投诉"),
    "labor": ("labor", "labour", "人工", "工时费"),
    "parts": ("parts", "part", "material", "materials", "spare", "备件", "材料", "配件"),
    "travel": ("travel", "mileage", "差旅", "交通"),
    "cost": ("cost", "costs", "fee", "charge", "price", "amount", "费", "成本", "金额"),
    "minutes": ("handle", "handling", "aht", "duration", "minutes", "mins", "effort", "worktime", "时长", "耗时",
                "分钟", "工时"),
    "warranty": ("warranty", "guarantee", "保内", "保修", "质保"),
    "csat": ("csat", "satisfaction", "satisfied", "rating", "rate", "score", "stars", "满意", "评分", "星级"),
    "nps": ("nps", "recommend", "likelihood", "推荐"),
    "comment": ("comment", "comments", "feedback", "remark", "remarks", "note", "notes", "verbatim", "review",
                "评价", "意见", "留言", "备注", "内容"),
    "signup": ("signup", "sign", "registered", "registration", "joined", "since", "注册", "开户", "入会"),
    "churn": ("churn", "churned", "lost", "cancelled", "canceled", "inactive", "left", "流失", "注销"),
    "segment": ("segment", "tier", "plan", "level", "等级", "类型", "分层", "级别"),
    "age": ("age", "年龄"),
    "gender": ("gender", "sex", "性别"),
}  # fmt: skip

# Values that say what a dimension is, matched inside the lower-cased cell.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "channel": ("phone", "call", "telephone", "email", "e-mail", "mail", "web", "portal", "app", "mobile", "chat",
                "walk-in", "walk in", "sms", "text message", "social", "twitter", "facebook", "wechat", "self-service",
                "电话", "微信", "邮件", "网站", "在线", "小程序", "上门", "门店", "热线", "客服", "公众号", "短信"),
    "priority": ("p1", "p2", "p3", "p4", "high", "medium", "low", "urgent", "critical", "normal", "minor", "major",
                 "moderate", "紧急", "高", "中", "低", "一般", "重要", "普通"),
    "status": ("open", "opened", "closed", "resolved", "pending", "new", "in progress", "work in progress",
               "assigned", "cancelled", "canceled", "on hold", "waiting", "solved", "complete", "completed", "active",
               "inactive", "awaiting user info", "awaiting customer", "escalated", "reopened", "done", "to do",
               "待处理", "处理中", "已完成", "已关闭", "已解决", "待回访", "已结单", "待分配", "已取消", "进行中",
               "已派单", "待审核", "已回访", "完成", "关闭"),
    "gender": ("male", "female", "m", "f", "男", "女"),
}  # fmt: skip
WHOLE_VALUE = {"gender": True, "priority": False, "channel": False, "status": True}

# Fields only one kind of table has: they tell the kinds apart when every kind finds its required fields.
TELLS = {
    "tickets": {"resolved_at", "first_response_at", "priority", "channel"},
    "surveys": {"csat", "nps", "comment"},
    "customers": {"gender", "age", "churned", "signup_at"},
}
DIMENSIONS = {"region": "region", "category": "category", "agent": "agent", "product": "product",
              "segment": "segment"}  # fmt: skip
FLAGS = {
    "first_contact_resolved": "fcr",
    "is_complaint": "complaint",
    "in_warranty": "warranty",
    "churned": "churn",
}
AMOUNTS = {"labor_cost": "labor", "parts_cost": "parts", "travel_cost": "travel", "handle_minutes": "minutes"}
