"""Real tools' documented ticket / case / incident export formats, as an EVALUATION corpus for the mapping.

What it is for
--------------
Aftersight must map a user's ticket export onto its canonical fields (`lib.schema`) by header and
content, with no help. Each record below is one real system's export: the column list the tool
documents (or that a real public export of it shows), spelled and ordered as exported, with the
source it was read from, and `expected`: which header a person would map to which canonical field.
`synthetic(record)` writes a CSV with that header and realistic values in the system's own date
format, vocabulary and encoding, so a test can run the mapping on it and compare with `expected`.

This is an evaluation set. It was built by someone who did not write the mapping, from sources
only, and it must never be used to tune the mapping (no header, synonym or threshold may be added
to the mapping because a record here needs it). If the mapping fails on a record, that is a
measured miss; fix the mapping on its own merits and re-measure.

Conventions
-----------
* `headers` hold every column of the export in order, the ones Aftersight does not use too: they
  are the distractors (two ids, several dates, SLA due dates, durations, counts). Where the tool
  repeats a header (Jira: Comment, Attachment, Watchers) it is repeated here.
* `expected` holds the required fields (`ticket_id`, `created_at`) and only the OBVIOUS optional
  ones. A field a reasonable person could map to two columns (customer = contact or account?
  region = district or neighbourhood?) is left out. SLA due / target dates (Due Date, Due by
  Time, Resolve By, 客户要求完成时间, 期望处理完成时间) map to NOTHING and must not become
  `resolved_at`.
* Where the source gives API field names but the export shows display names, the display names
  are used and the record's `notes` say so. Dates read from the stored copies on 2026-12-07
  (`search` tool); the live pages may have changed since.

Adding a system
---------------
1. Find a source that lists the export's columns (vendor documentation page, open-data data
   dictionary, or a public repository file holding a real export header). Do not invent one: if
   none is found, say so in `notes` of a nearby system and pick another system of the same kind.
2. Add an `ExportFormat(...)` to `SYSTEMS` with `columns` = (header, kind) pairs in export order
   (kinds are listed at `_cell`), the date format the system really writes, `expected` for the
   obvious fields only, `encoding="utf-8-sig"` for Chinese systems and `missing` for the token the
   system writes in empty cells.
3. Run `python tests/export_formats.py` (prints each system's shape and checks `expected`).
"""

from __future__ import annotations

import csv
import io
import random
import string
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Kind = tuple

# --- vocabularies -------------------------------------------------------------------------------

AGENTS_EN = ("Alex Morgan", "Priya Shah", "Daniel Kim", "Maria Garcia", "Tom Becker", "Aisha Bello",
             "Lucas Silva", "Emma Novak", "Omar Haddad", "Grace Chen")  # fmt: skip
PEOPLE_EN = ("John Carter", "Linda Brooks", "Kevin O'Neil", "Sofia Rossi", "Ahmed Karim", "Julia Weber",
             "Mark Lee", "Nina Petrova", "Carlos Mendez", "Hannah Scott", "Yuki Tanaka", "Peter Walsh",
             "Fatima Noor", "George Hill", "Chloe Martin", "Raj Patel")  # fmt: skip
COMPANIES_EN = ("Acme Corp", "Northwind Traders", "Globex", "Initech", "Umbrella Retail", "Stark Appliances",
                "Blue Sky Hotels", "Contoso Ltd", "Fabrikam Inc", "Wayne Logistics")  # fmt: skip
DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "acme.com", "globex.com", "contoso.com")
SUBJECTS_EN = ("Washer leaking after repair", "Refund not received", "Dishwasher error E24",
               "Replacement part delayed", "Fridge not cooling", "Wrong item delivered",
               "Technician missed appointment", "Cannot register warranty", "Noise from dryer drum",
               "Invoice copy request", "Oven door glass cracked", "Order cancelled by mistake",
               "Coffee machine keeps descaling", "Return label not working")  # fmt: skip
TEXTS_EN = ("Customer reports the issue started two days after installation.",
            "Called twice already, asks for a call back before noon.",
            "Photos attached. Unit is under warranty according to the customer.",
            "Parts ordered from the central warehouse, ETA 5 working days.",
            "Customer is unhappy with the delay and mentions a complaint.",
            "Reset instructions sent, waiting for confirmation.")  # fmt: skip
PRODUCTS_EN = ("Washer WM-700", "Dryer DX-20", "Fridge CoolMax 3", "Dishwasher DW-45", "Oven Bake Pro",
               "Coffee Maker CM-9")  # fmt: skip
AGENTS_ZH = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴丽")
PEOPLE_ZH = ("王先生", "李女士", "张三", "陈晓明", "刘海燕", "赵志刚", "孙丽丽", "周建国", "吴晓峰",
             "郑雪", "何军", "林小红")  # fmt: skip
COMPANIES_ZH = ("深圳市华锐科技有限公司", "杭州云帆家电连锁", "北京恒信物业管理有限公司", "上海明珠酒店",
                "成都天府商贸有限公司", "广州美居电器城", "南京金陵制冷设备有限公司")  # fmt: skip
SUBJECTS_ZH = ("空调不制冷", "洗衣机漏水", "冰箱异响", "热水器无法点火", "电视黑屏",
               "扫地机器人无法回充", "申请退货", "预约安装", "配件迟迟未到", "维修后仍有故障",
               "投诉上门师傅迟到", "发票开具申请")  # fmt: skip
TEXTS_ZH = ("客户反映安装后第二天开始出现问题，要求尽快上门。", "客户已来电两次，希望中午前回电。",
            "已上传照片，客户称产品在保修期内。", "配件已向总仓申请，预计5个工作日到货。",
            "客户对处理进度不满意，提到要投诉。", "已发送重置步骤，等待客户确认。")  # fmt: skip
POOLS: Mapping[str, tuple[str, ...]] = {
    "agent": AGENTS_EN, "person": PEOPLE_EN, "company": COMPANIES_EN, "subject": SUBJECTS_EN,
    "text": TEXTS_EN, "product": PRODUCTS_EN, "agent_zh": AGENTS_ZH, "person_zh": PEOPLE_ZH,
    "company_zh": COMPANIES_ZH, "subject_zh": SUBJECTS_ZH, "text_zh": TEXTS_ZH,
}  # fmt: skip

# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFormat:
    """One system's export: its columns in order, where they come from, and the obvious mapping."""

    system: str
    sources: tuple[str, ...]
    columns: tuple[tuple[str, Kind], ...]
    expected: Mapping[str, str]
    encoding: str = "utf-8"
    missing: str = ""
    open_share: float = 0.2
    geo: tuple[float, float, float, float] | None = None
    notes: str = ""
    kinds: tuple[Kind, ...] = field(init=False, repr=False)
    headers: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", tuple(h for h, _ in self.columns))
        object.__setattr__(self, "kinds", tuple(k for _, k in self.columns))


def sparse(share: float, kind: Kind) -> Kind:
    """`kind`, empty in about `share` of the rows."""
    return ("sparse", share, kind)


def ev(name: str, fmt: str) -> Kind:
    """A moment of the ticket's life (created, first_response, resolved, closed, updated, due, assigned)."""
    return ("event", name, fmt)


def choice(*values: str, weights: tuple[float, ...] | None = None) -> Kind:
    return ("choice", values, weights)


ZD = "%Y-%m-%d %H:%M:%S"
ZENDESK = ExportFormat(
    system="Zendesk Support (CSV export)",
    sources=(
        "https://support.zendesk.com/hc/en-us/articles/4408886165402 (Exporting data to a JSON, CSV, or XML "
        "file; read 2026-12-07)",
        "Public repository file reproducing the CSV export header column by column (Ruby `first_row`, code "
        "index file id 5730863729; the index did not name the repository)",
        "Second, independent public reimplementation of the same header (Java `exportTicketsToCSV`, code "
        "index file id 18446605439)",
    ),
    columns=(
        ("Summation column", ("const", "1")),
        ("Id", ("id", "{}", 104_000)),
        ("Requester", ("pool", "person")),
        ("Requester id", ("pattern", "{}", 360_000_000_000, 369_999_999_999)),
        ("Requester external id", sparse(0.7, ("pattern", "C-{:06d}", 1, 999_999))),
        ("Requester email", ("email",)),
        ("Requester domain", choice(*DOMAINS)),
        ("Submitter", ("pool", "person")),
        ("Assignee", sparse(0.06, ("pool", "agent"))),
        ("Group", choice("Support", "Billing", "Returns", "Tier 2")),
        ("Subject", ("pool", "subject")),
        ("Tags", sparse(0.3, choice("refund", "warranty delay", "shipping", "repair vip", "defect"))),
        ("Status", ("status", ("New", "Open", "Pending", "Hold"), ("Solved",), ("Closed",))),
        ("Priority", sparse(0.3, choice("Low", "Normal", "High", "Urgent", weights=(2, 6, 2, 1)))),
        ("Via", choice("Mail", "Web form", "Phone call (incoming)", "Chat", "API", weights=(5, 3, 2, 2, 1))),
        ("Ticket type", sparse(0.4, choice("Question", "Incident", "Problem", "Task"))),
        ("Created at", ev("created", ZD)),
        ("Updated at", ev("updated", ZD)),
        ("Assigned at", ev("assigned", ZD)),
        ("Organization", sparse(0.5, ("pool", "company"))),
        ("Due date", sparse(0.8, ev("due", ZD))),
        ("Initially assigned at", ev("assigned", ZD)),
        ("Solved at", ev("resolved", ZD)),
        ("Resolution time", ("duration", "created", "resolved", "hour")),
        ("Satisfaction Score", choice("Unoffered", "Offered", "Good", "Bad", weights=(5, 3, 3, 1))),
        ("Group stations", choice("1", "2", "3", weights=(8, 2, 1))),
        ("Assignee stations", choice("1", "2", "3", weights=(7, 2, 1))),
        ("Reopens", choice("0", "1", "2", weights=(90, 8, 2))),
        ("Replies", ("int", 0, 9)),
        ("First reply time in minutes", ("duration", "created", "first_response", "min")),
        (
            "First reply time in minutes within business hours",
            ("duration", "created", "first_response", "biz"),
        ),
        ("First resolution time in minutes", ("duration", "created", "resolved", "min")),
        (
            "First resolution time in minutes within business hours",
            ("duration", "created", "resolved", "biz"),
        ),
        ("Full resolution time in minutes", ("duration", "created", "closed", "min")),
        ("Full resolution time in minutes within business hours", ("duration", "created", "closed", "biz")),
        ("Agent wait time in minutes", ("int", 0, 4000)),
        ("Agent wait time in minutes within business hours", ("int", 0, 1500)),
        ("Requester wait time in minutes", ("int", 0, 3000)),
        ("Requester wait time in minutes within business hours", ("int", 0, 1200)),
        ("On hold time in minutes", choice("0", "0", "0", "45", "600")),
        ("On hold time in minutes within business hours", choice("0", "0", "0", "30", "240")),
        ("Ticket Category [list]", sparse(0.2, choice("Defect", "Delivery", "Refund", "How-to"))),
        ("Status [list]", sparse(0.6, choice("Awaiting parts", "Escalated", "Technician booked"))),
    ),
    expected={
        "ticket_id": "Id",
        "created_at": "Created at",
        "resolved_at": "Solved at",
        "agent": "Assignee",
        "status": "Status",
        "priority": "Priority",
        "channel": "Via",
        "reopen_count": "Reopens",
    },
    notes="The last two columns are account custom fields ('[list]' = drop-down), as in the source file; "
    "every account has its own. The sources do not show the date format: an ISO-like local time is used.",
)

FD = "%Y-%m-%d %H:%M:%S"
FRESHDESK = ExportFormat(
    system="Freshdesk (ticket export)",
    sources=(
        "https://github.com/Ramesh-Veeriaperumal/freshconsult (Freshdesk's own Rails code base; test "
        "TicketsExportTest of Tickets::Export::TicketsExport lists export_fields display_id 'Ticket ID' ... "
        "product_name 'Product' and contact_fields 'Full name', 'Email', 'Work phone', ... 'Contact ID'; "
        "code index file id 12149374075; read 2026-12-07)",
        "Real exports quoted in public code with the same labels: 'ALT RX' ticket dump template (code index "
        "file id 70632623050), HarrisSalesTicketExport model (file id 18577176728)",
    ),
    columns=(
        ("Ticket ID", ("id", "{}", 1200)),
        ("Subject", ("pool", "subject")),
        ("Description", ("pool", "text")),
        ("Status", ("status", ("Open", "Pending", "Waiting on Customer"), ("Resolved",), ("Closed",))),
        ("Priority", choice("Low", "Medium", "High", "Urgent", weights=(3, 5, 2, 1))),
        ("Source", choice("Email", "Portal", "Phone", "Chat", "Feedback Widget", weights=(5, 3, 3, 2, 1))),
        ("Type", sparse(0.2, choice("Question", "Incident", "Problem", "Feature Request", "Refund"))),
        ("Agent", sparse(0.08, ("pool", "agent"))),
        ("Group", choice("Customer Support", "Returns", "Field Service")),
        ("Created time", ev("created", FD)),
        ("Due by Time", ev("due", FD)),
        ("Resolved time", ev("resolved", FD)),
        ("Closed time", ev("closed", FD)),
        ("Last update time", ev("updated", FD)),
        ("Initial response time", ev("first_response", FD)),
        ("Time tracked", sparse(0.6, ("hms", 5, 240))),
        ("First response time (in hrs)", ("duration", "created", "first_response", "hms")),
        ("Resolution time (in hrs)", ("duration", "created", "resolved", "hms")),
        ("Agent interactions", ("int", 0, 8)),
        ("Customer interactions", ("int", 1, 6)),
        ("Resolution status", ("if_event", "resolved", choice("Within SLA", "SLA Violated", weights=(4, 1)))),
        ("First response status", ("if_event", "first_response", choice("Within SLA", "SLA Violated"))),
        ("Tags", sparse(0.5, choice("warranty", "refund", "vip", "repeat"))),
        ("Survey results", sparse(0.8, choice("Extremely Happy", "Happy", "Neutral", "Unhappy"))),
        ("Product", sparse(0.3, ("pool", "product"))),
        ("Full name", ("pool", "person")),
        ("Email", ("email",)),
        ("Work phone", sparse(0.5, ("pattern", "+1 (555) {:03d}-0199", 100, 999))),
        ("Contact ID", ("pattern", "{}", 43_000_000_000, 43_999_999_999)),
        ("Company Name", sparse(0.4, ("pool", "company"))),
    ),
    expected={
        "ticket_id": "Ticket ID",
        "created_at": "Created time",
        "first_response_at": "Initial response time",
        "resolved_at": "Resolved time",
        "agent": "Agent",
        "status": "Status",
        "priority": "Priority",
        "channel": "Source",
        "product": "Product",
    },
    notes="The export lets the user pick fields; these are the 25 ticket fields of the source test in its "
    "order, then 4 of the 11 contact fields and 1 of the 6 company fields it offers. 'Initial response "
    "time' is the first response timestamp (first_response_time); the '(in hrs)' columns are HH:MM:SS "
    "durations.",
)

SN = "%-d/%-m/%Y %H:%M"
SERVICENOW = ExportFormat(
    system="ServiceNow incident (event-log extract)",
    sources=(
        "https://archive.ics.uci.edu/dataset/498/incident+management+process+enriched+event+log (UCI: "
        "'event log of an incident management process extracted from ... an instance of the ServiceNow "
        "platform'; 36 attributes; read 2026-12-07 via a public README quoting it, code index file id "
        "46976299142)",
        "Header of the real file incident_event_log.csv as loaded by public code (code index file ids "
        "70916743554, 66302404902): the CSV says closed_code where the UCI page says close_code",
    ),
    columns=(
        ("number", ("id", "INC{:07d}", 45)),
        (
            "incident_state",
            (
                "status",
                ("New", "Active", "Awaiting User Info", "Awaiting Vendor"),
                ("Resolved",),
                ("Closed",),
            ),
        ),
        ("active", ("flag", "resolved", "false", "true")),
        ("reassignment_count", choice("0", "1", "2", "3", "4", weights=(50, 30, 12, 5, 3))),
        ("reopen_count", choice("0", "1", "2", weights=(95, 4, 1))),
        ("sys_mod_count", ("int", 0, 30)),
        ("made_sla", ("bool", "true", "false", 0.9)),
        ("caller_id", ("pattern", "Caller {}", 1, 5000)),
        ("opened_by", ("pattern", "Opened by {}", 1, 200)),
        ("opened_at", ev("created", SN)),
        ("sys_created_by", sparse(0.35, ("pattern", "Created by {}", 1, 200))),
        ("sys_created_at", sparse(0.35, ("offset", "created", 1, 40, SN))),
        ("sys_updated_by", ("pattern", "Updated by {}", 1, 900)),
        ("sys_updated_at", ev("updated", SN)),
        (
            "contact_type",
            choice("Phone", "Email", "Self service", "IVR", "Direct opening", weights=(90, 4, 4, 1, 1)),
        ),
        ("location", sparse(0.01, ("pattern", "Location {}", 1, 230))),
        ("category", ("pattern", "Category {}", 1, 60)),
        ("subcategory", ("pattern", "Subcategory {}", 1, 250)),
        ("u_symptom", sparse(0.2, ("pattern", "Symptom {}", 1, 500))),
        ("cmdb_ci", sparse(0.98, ("pattern", "Configuration item {}", 1, 300))),
        ("impact", choice("1 - High", "2 - Medium", "3 - Low", weights=(5, 90, 5))),
        ("urgency", choice("1 - High", "2 - Medium", "3 - Low", weights=(5, 90, 5))),
        ("priority", choice("1 - Critical", "2 - High", "3 - Moderate", "4 - Low", weights=(2, 5, 90, 3))),
        ("assignment_group", sparse(0.1, ("pattern", "Group {}", 1, 80))),
        ("assigned_to", sparse(0.1, ("pattern", "Resolver {}", 1, 230))),
        ("knowledge", ("bool", "true", "false", 0.16)),
        ("u_priority_confirmation", ("bool", "true", "false", 0.7)),
        ("notify", choice("Do Not Notify", "Send Email", weights=(99, 1))),
        ("problem_id", sparse(0.98, ("pattern", "Problem ID  {}", 1, 300))),
        ("rfc", sparse(0.99, ("pattern", "Change {}", 1, 200))),
        ("vendor", sparse(0.99, choice("code 8s", "Vendor 1", "Vendor 2"))),
        ("caused_by", sparse(0.999, ("pattern", "RFC {}", 1, 50))),
        ("closed_code", ("if_event", "resolved", ("pattern", "code {}", 1, 17))),
        ("resolved_by", ("if_event", "resolved", ("pattern", "Resolved by {}", 1, 230))),
        ("resolved_at", ev("resolved", SN)),
        ("closed_at", ev("closed", SN)),
    ),
    expected={
        "ticket_id": "number",
        "created_at": "opened_at",
        "resolved_at": "resolved_at",
        "agent": "assigned_to",
        "status": "incident_state",
        "priority": "priority",
        "channel": "contact_type",
        "category": "category",
        "reopen_count": "reopen_count",
    },
    missing="?",
    notes="A real, anonymised extract whose headers are ServiceNow column names (number, opened_at ...), "
    "not labels. Empty cells are '?', dates day-first without zero padding (29/2/2016 01:16). The "
    "UCI file is an event log (one row per update); here one row per incident.",
)

JIRA = "%d/%b/%y %I:%M %p"
_COMMENT_SHARES = (0.3, 0.45, 0.6, 0.7, 0.78, 0.84, 0.88, 0.91, 0.93, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985,
                   0.99, 0.995)  # fmt: skip
JSM = ExportFormat(
    system="Jira Service Management (issues CSV export)",
    sources=(
        "Real Jira 'Export CSV (all fields)' header of a project with service-desk fields (Request "
        "Type, [CHART] Date of First Response, Change risk ...), quoted verbatim in a public VB.NET "
        "importer (code index file id 848302008; read 2026-12-07)",
        "https://github.com/atlassian-api/atlassian-python-api/pull/603 (the export endpoints "
        "searchrequest-csv-all-fields / -current-fields)",
        "Date format from a header and row 'VERBATIM from the real export' in public Go tests (code index "
        "file id 57571276083): 11/May/24 03:26 PM",
    ),
    columns=(
        ("Summary", ("pool", "subject")),
        ("Issue key", ("id", "SUP-{}", 1)),
        ("Issue id", ("id", "{}", 10_000)),
        ("Issue Type", choice("[System] Service request", "[System] Incident", "Task", weights=(5, 3, 1))),
        (
            "Status",
            (
                "status",
                ("Waiting for support", "In Progress", "Waiting for customer", "Escalated"),
                ("Resolved",),
                ("Closed",),
            ),
        ),
        ("Project key", ("const", "SUP")),
        ("Project name", ("const", "Customer Support")),
        ("Project type", ("const", "service_desk")),
        ("Project lead", ("const", "Maria Garcia")),
        ("Project description", ("const", "")),
        ("Project url", ("const", "")),
        ("Priority", choice("Highest", "High", "Medium", "Low", "Lowest", weights=(1, 3, 6, 3, 1))),
        ("Resolution", ("if_event", "resolved", choice("Done", "Won't Do", "Duplicate", weights=(8, 1, 1)))),
        ("Assignee", sparse(0.1, ("pool", "agent"))),
        ("Reporter", ("pool", "person")),
        ("Creator", ("pool", "person")),
        ("Created", ev("created", JIRA)),
        ("Updated", ev("updated", JIRA)),
        ("Last Viewed", sparse(0.6, ("offset", "updated", 5, 2000, JIRA))),
        ("Resolved", ev("resolved", JIRA)),
        ("Fix versions", ("const", "")),
        ("Components", sparse(0.5, choice("Returns", "Warranty", "Delivery", "Billing"))),
        ("Components", sparse(0.9, choice("Spare parts", "Installation"))),
        ("Due date", sparse(0.85, ev("due", "%d/%b/%y"))),
        ("Votes", ("const", "0")),
        ("Labels", sparse(0.7, choice("vip", "repeat_customer", "b2b", "social_media"))),
        ("Description", ("pool", "text")),
        ("Environment", sparse(0.97, choice("Android app 5.2", "Web portal"))),
        ("Watchers", sparse(0.3, ("pool", "agent"))),
        ("Watchers", sparse(0.7, ("pool", "agent"))),
        ("Watchers", sparse(0.9, ("pool", "agent"))),
        ("Log Work", sparse(0.95, ("pattern", "Called customer;12/Mar/24 10:15 AM;agent;{}", 600, 3600))),
        ("Original Estimate", sparse(0.95, ("pattern", "{}", 3600, 28_800))),
        ("Remaining Estimate", sparse(0.95, ("pattern", "{}", 0, 14_400))),
        ("Time Spent", sparse(0.8, ("pattern", "{}", 300, 28_800))),
        ("Work Ratio", sparse(0.95, ("pattern", "{}%", 5, 150))),
        ("Σ Original Estimate", sparse(0.95, ("pattern", "{}", 3600, 28_800))),
        ("Σ Remaining Estimate", sparse(0.95, ("pattern", "{}", 0, 14_400))),
        ("Σ Time Spent", sparse(0.8, ("pattern", "{}", 300, 28_800))),
        ("Security Level", ("const", "")),
        *(
            ("Attachment", sparse(s, ("pattern", "photo_{}.jpg", 1000, 9999)))
            for s in (0.7, 0.85, 0.92, 0.96, 0.98, 0.99)
        ),
        ("Custom field (Change completion date)", sparse(0.98, ev("updated", JIRA))),
        ("Custom field (Change reason)", sparse(0.98, choice("Repair", "Upgrade"))),
        ("Custom field (Change risk)", sparse(0.98, choice("Low", "Medium", "High"))),
        ("Custom field (Change start date)", sparse(0.98, ev("assigned", JIRA))),
        ("Custom field (Change type)", sparse(0.98, choice("Standard", "Normal", "Emergency"))),
        ("Custom field (Development)", ("const", "")),
        ("Custom field (Epic Color)", ("const", "")),
        ("Custom field (Epic Link)", ("const", "")),
        ("Custom field (Epic Name)", ("const", "")),
        ("Custom field (Epic Status)", ("const", "")),
        (
            "Custom field (Impact)",
            sparse(
                0.7,
                choice(
                    "Extensive / Widespread", "Significant / Large", "Moderate / Limited", "Minor / Localized"
                ),
            ),
        ),
        ("Custom field (Issue color)", ("const", "")),
        ("Custom field (Location)", sparse(0.6, choice("Berlin", "Madrid", "Lyon", "Warsaw"))),
        ("Custom field (Rank)", ("pattern", "0|i00{:03d}:", 100, 999)),
        (
            "Custom field (Request Type)",
            choice("Get help with a product", "Report a defect", "Request a refund", "Book a repair"),
        ),
        ("Sprint", ("const", "")),
        ("Custom field (Start date)", ("const", "")),
        ("Custom field (Story Points)", ("const", "")),
        ("Custom field (Story point estimate)", ("const", "")),
        ("Custom field ([CHART] Date of First Response)", ev("first_response", JIRA)),
        *(("Comment", sparse(s, ("comment",))) for s in _COMMENT_SHARES),
    ),
    expected={
        "ticket_id": "Issue key",
        "created_at": "Created",
        "resolved_at": "Resolved",
        "first_response_at": "Custom field ([CHART] Date of First Response)",
        "agent": "Assignee",
        "status": "Status",
        "priority": "Priority",
    },
    notes="Jira repeats a header once per value (Components, Watchers, Attachment, Comment); the count "
    "depends on the data. 'Due date' is date-only. Custom fields depend on the site.",
)

SF = "%-m/%-d/%Y %-I:%M %p"
SALESFORCE = ExportFormat(
    system="Salesforce Service Cloud (Cases report export)",
    sources=(
        "https://developer.salesforce.com/docs/atlas.en-us.218.0.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_Case.htm "
        "(Case: Field Label and API Field Name; read 2026-12-07)",
        "https://developer.salesforce.com/docs/atlas.en-us.252.0.object_reference.meta/object_reference/sforce_api_objects_case.htm "
        "(Case object reference)",
    ),
    columns=(
        ("Account Name", ("pool", "company")),
        ("Asset", sparse(0.8, ("pool", "product"))),
        ("Business Hours", ("const", "Default")),
        ("Case ID", ("sfid", "500")),
        ("Case Number", ("id", "{:08d}", 1027)),
        ("Case Origin", choice("Phone", "Email", "Web", "Chat", weights=(4, 4, 3, 1))),
        ("Case Owner", ("pool", "agent")),
        (
            "Case Reason",
            sparse(
                0.3,
                choice(
                    "Installation",
                    "Equipment Complexity",
                    "Performance",
                    "Breakdown",
                    "Equipment Design",
                    "Feedback",
                    "Other",
                ),
            ),
        ),
        ("Closed", ("flag", "resolved", "1", "0")),
        ("Closed When Created", ("bool", "1", "0", 0.02)),
        ("Contact Name", ("pool", "person")),
        ("Created By", ("pool", "agent")),
        ("Date/Time Closed", ev("resolved", SF)),
        ("Date/Time Opened", ev("created", SF)),
        ("Deleted", ("const", "0")),
        ("Description", ("pool", "text")),
        ("Escalated", ("bool", "1", "0", 0.08)),
        ("Last Modified By", ("pool", "agent")),
        ("Last Modified Date", ev("updated", SF)),
        ("Last Referenced Date", sparse(0.5, ("offset", "updated", 10, 3000, SF))),
        ("Last Viewed Date", sparse(0.5, ("offset", "updated", 10, 3000, SF))),
        ("Parent Case", sparse(0.95, ("pattern", "{:08d}", 1000, 1500))),
        ("Priority", choice("High", "Medium", "Low", weights=(2, 5, 3))),
        ("Status", ("status", ("New", "Working", "Escalated"), ("Closed",), ("Closed",))),
        ("Subject", ("pool", "subject")),
        ("System Modstamp", ev("updated", SF)),
        ("Type", sparse(0.2, choice("Mechanical", "Electrical", "Electronic", "Structural", "Other"))),
        ("Web Company", sparse(0.7, ("pool", "company"))),
        ("Web Email", sparse(0.6, ("email",))),
        ("Web Name", sparse(0.6, ("pool", "person"))),
        ("Web Phone", sparse(0.7, ("pattern", "(415) 555-{:04d}", 0, 9999))),
    ),
    expected={
        "ticket_id": "Case Number",
        "created_at": "Date/Time Opened",
        "resolved_at": "Date/Time Closed",
        "agent": "Case Owner",
        "channel": "Case Origin",
        "priority": "Priority",
        "status": "Status",
    },
    notes="Report exports use field LABELS (Data Loader exports would use API names: CaseNumber, "
    "CreatedDate). A report has the columns the user picked; here every standard Case field label of the "
    "v218 reference in its (alphabetical) order, plus Web Email/Name/Phone. US locale dates (3/1/2024 8:30 "
    "AM), checkboxes 0/1.",
)

D365 = "%d/%m/%Y %H:%M"
DYNAMICS = ExportFormat(
    system="Microsoft Dynamics 365 Customer Service (Cases view, Export to Excel, saved as CSV)",
    sources=(
        "https://learn.microsoft.com/en-us/dynamics365/customerengagement/on-premises/developer/entities/incident "
        "(Case (Incident) entity: display names Case Number/ticketnumber, Case Title/title, "
        "Origin/caseorigincode, Priority, Customer, Status Reason/statuscode, Created On, Resolve By ...; "
        "read 2026-12-07)",
        "https://learn.microsoft.com/en-us/previous-versions/dynamicscrm-2016/developers-guide/mt593043(v=crm.8) "
        "(incident EntityType, display names)",
        "https://nishantrana.me/2022/07/20/import-data-import-data-wizard-few-key-points/ (exported file "
        "has 3 hidden columns: record GUID, Row Checksum, Modified On)",
    ),
    columns=(
        ("(Do Not Modify) Case", ("guid",)),
        ("(Do Not Modify) Row Checksum", ("checksum",)),
        ("(Do Not Modify) Modified On", ev("updated", D365)),
        ("Case Title", ("pool", "subject")),
        ("Case Number", ("d365",)),
        ("Priority", choice("High", "Normal", "Low", weights=(2, 6, 2))),
        ("Origin", choice("Phone", "Email", "Web", "Facebook", "Twitter", "IoT", weights=(5, 5, 3, 1, 1, 1))),
        ("Customer", ("pool", "company")),
        (
            "Status Reason",
            (
                "status",
                ("In Progress", "On Hold", "Waiting for Details", "Researching"),
                ("Problem Solved", "Information Provided"),
                ("Problem Solved",),
            ),
        ),
        ("Created On", ev("created", D365)),
        ("Owner", ("pool", "agent")),
        ("Subject", sparse(0.3, choice("Service", "Product Info", "Billing", "Delivery"))),
        ("Product", sparse(0.2, ("pool", "product"))),
        ("Case Type", sparse(0.1, choice("Question", "Problem", "Request"))),
        ("Resolve By", sparse(0.1, ev("due", D365))),
        ("First Response Sent", ("flag", "first_response", "Yes", "No")),
        ("Escalated", ("bool", "Yes", "No", 0.05)),
        ("Status", ("status", ("Active",), ("Resolved",), ("Resolved",))),
        ("Modified On", ev("updated", D365)),
    ),
    expected={
        "ticket_id": "Case Number",
        "created_at": "Created On",
        "agent": "Owner",
        "channel": "Origin",
        "priority": "Priority",
        "customer_id": "Customer",
        "product": "Product",
    },
    notes="The export holds the view's columns: Case Title, Case Number, Priority, Origin, Customer, Status "
    "Reason, Created On (Active Cases view) plus columns added to the view (Owner ... Modified On), all "
    "display names of the incident entity; the three '(Do Not Modify)' columns are the hidden re-import "
    "columns. The case entity has no resolution date (it is on the Case Resolution activity), so no "
    "resolved_at: 'Resolve By' is the SLA target. Day-first dates as an en-GB organisation exports them.",
)

HS = "%Y-%m-%d %H:%M"
HUBSPOT = ExportFormat(
    system="HubSpot Service Hub (tickets export)",
    sources=(
        "https://knowledge.hubspot.com/properties/hubspots-default-ticket-properties (HubSpot's default "
        "ticket properties; read 2026-12-07 in the nl/no/da/pt copies, whose untranslated labels include "
        "'First agent email response date')",
    ),
    columns=(
        ("Ticket ID", ("id", "{}", 1_803_000_000)),
        ("Ticket name", ("pool", "subject")),
        ("Ticket description", ("pool", "text")),
        ("Pipeline", ("const", "Support Pipeline")),
        (
            "Ticket status",
            ("status", ("New", "Waiting on contact", "Waiting on us"), ("Closed",), ("Closed",)),
        ),
        ("Priority", sparse(0.2, choice("Low", "Medium", "High", "Urgent", weights=(3, 4, 2, 1)))),
        (
            "Category",
            sparse(0.3, choice("Product issue", "Billing issue", "Feature request", "General inquiry")),
        ),
        ("Source", choice("Email", "Chat", "Phone", "Form", weights=(5, 3, 2, 2))),
        ("Ticket owner", sparse(0.07, ("pool", "agent"))),
        ("HubSpot team", sparse(0.4, choice("Tier 1", "Tier 2", "Returns"))),
        ("Create date", ev("created", HS)),
        ("Close date", ev("resolved", HS)),
        ("First agent email response date", ev("first_response", HS)),
        ("Last activity date", ev("updated", HS)),
        ("Last contacted", sparse(0.2, ("offset", "first_response", 0, 2880, HS))),
        ("Last customer reply date", sparse(0.3, ("offset", "created", 30, 4000, HS))),
        ("Last modified date", ev("updated", HS)),
        ("Time to close", ("duration", "created", "resolved", "ms")),
        ("Time to first agent reply", ("duration", "created", "first_response", "ms")),
        ("Created by user ID", sparse(0.6, ("pattern", "{}", 5_000_000, 5_000_040))),
        ("Associated Company", sparse(0.4, ("pool", "company"))),
        ("Associated Contact", ("pool", "person")),
    ),
    expected={
        "ticket_id": "Ticket ID",
        "created_at": "Create date",
        "resolved_at": "Close date",
        "first_response_at": "First agent email response date",
        "agent": "Ticket owner",
        "status": "Ticket status",
        "priority": "Priority",
        "channel": "Source",
        "category": "Category",
    },
    notes="Exports use property labels; the columns are those of the view exported (default properties "
    "here). The knowledge page gives labels, not the file layout: date format and the millisecond durations "
    "(HubSpot stores durations in ms) are this corpus's assumption.",
)

NYC = "%m/%d/%Y %I:%M:%S %p"
_NYC_AGENCY = (
    ("NYPD", "New York City Police Department", "Noise - Residential", "Loud Music/Party"),
    ("NYPD", "New York City Police Department", "Illegal Parking", "Blocked Hydrant"),
    ("NYPD", "New York City Police Department", "Blocked Driveway", "No Access"),
    ("HPD", "Department of Housing Preservation and Development", "HEAT/HOT WATER", "ENTIRE BUILDING"),
    ("DOT", "Department of Transportation", "Street Condition", "Pothole"),
    ("DEP", "Department of Environmental Protection", "Water System", "Leak (Use Comments) (WA2)"),
    ("DSNY", "Department of Sanitation", "Dirty Condition", "Trash"),
    (
        "DOB",
        "Department of Buildings",
        "Elevator",
        "Elevator - Single Device On Property/No Alternate Service",
    ),
    ("DOHMH", "Department of Health and Mental Hygiene", "Rodent", "Rat Sighting"),
)
_NYC_BORO = (
    ("BROOKLYN", "BROOKLYN", "12 BROOKLYN"),
    ("MANHATTAN", "NEW YORK", "09 MANHATTAN"),
    ("QUEENS", "JAMAICA", "12 QUEENS"),
    ("BRONX", "BRONX", "04 BRONX"),
    ("STATEN ISLAND", "STATEN ISLAND", "01 STATEN ISLAND"),
)
NYC311 = ExportFormat(
    system="NYC 311 Service Requests (NYC Open Data erm2-nwe9)",
    sources=(
        "https://data.cityofnewyork.us/Social-Services/311-Service-Requests-from-2010-to-Present/erm2-nwe9 "
        "(data dictionary; read 2026-12-07)",
        "Header and rows of real downloads quoted in public code (code index file ids 11766482754, "
        "17202891579, 59783351823), e.g. 42254749,04/18/2019 09:55:45 PM,04/19/2019 03:45:24 AM,NYPD,...",
    ),
    columns=(
        ("Unique Key", ("id", "{}", 59_100_000)),
        ("Created Date", ev("created", NYC)),
        ("Closed Date", ev("resolved", NYC)),
        ("Agency", ("linked", "agency", 0, _NYC_AGENCY)),
        ("Agency Name", ("linked", "agency", 1, _NYC_AGENCY)),
        ("Complaint Type", ("linked", "agency", 2, _NYC_AGENCY)),
        ("Descriptor", ("linked", "agency", 3, _NYC_AGENCY)),
        (
            "Location Type",
            sparse(
                0.3, choice("RESIDENTIAL BUILDING", "Street/Sidewalk", "Residential Building/House", "Street")
            ),
        ),
        ("Incident Zip", ("pattern", "{}", 10001, 11697)),
        ("Incident Address", ("pattern", "{} BROADWAY", 1, 3999)),
        ("Street Name", ("const", "BROADWAY")),
        ("Cross Street 1", sparse(0.4, choice("WEST 72 STREET", "ATLANTIC AVENUE", "MAIN STREET"))),
        ("Cross Street 2", sparse(0.4, choice("WEST 73 STREET", "PACIFIC STREET", "ELM STREET"))),
        ("Intersection Street 1", sparse(0.85, choice("WEST 72 STREET", "ATLANTIC AVENUE"))),
        ("Intersection Street 2", sparse(0.85, choice("BROADWAY", "FLATBUSH AVENUE"))),
        ("Address Type", choice("ADDRESS", "INTERSECTION", "BLOCKFACE", weights=(8, 1, 1))),
        ("City", ("linked", "boro", 1, _NYC_BORO)),
        ("Landmark", sparse(0.95, ("const", "BROADWAY"))),
        ("Facility Type", sparse(0.7, choice("Precinct", "N/A", "DSNY Garage"))),
        ("Status", ("status", ("Open", "In Progress", "Assigned", "Pending"), ("Closed",), ("Closed",))),
        ("Due Date", sparse(0.6, ev("due", NYC))),
        (
            "Resolution Description",
            (
                "if_event",
                "resolved",
                choice(
                    "The Police Department responded to the complaint and determined that police action was "
                    "not necessary.",
                    "The Department of Transportation inspected this complaint and repaired the problem.",
                    "The Department of Housing Preservation and Development was not able to gain access to "
                    "inspect.",
                ),
            ),
        ),
        ("Resolution Action Updated Date", ev("updated", NYC)),
        ("Community Board", ("linked", "boro", 2, _NYC_BORO)),
        ("BBL", sparse(0.2, ("pattern", "{}", 1_000_000_000, 5_099_999_999))),
        ("Borough", ("linked", "boro", 0, _NYC_BORO)),
        ("X Coordinate (State Plane)", ("pattern", "{}", 913_000, 1_067_000)),
        ("Y Coordinate (State Plane)", ("pattern", "{}", 121_000, 271_000)),
        (
            "Open Data Channel Type",
            choice("PHONE", "ONLINE", "MOBILE", "UNKNOWN", "OTHER", weights=(5, 3, 3, 1, 1)),
        ),
        ("Park Facility Name", ("const", "Unspecified")),
        ("Park Borough", ("linked", "boro", 0, _NYC_BORO)),
        ("Vehicle Type", sparse(0.99, choice("Car Service", "Ambulette / Paratransit"))),
        ("Taxi Company Borough", sparse(0.99, ("linked", "boro", 0, _NYC_BORO))),
        ("Taxi Pick Up Location", sparse(0.99, choice("Other", "JFK Airport"))),
        ("Bridge Highway Name", sparse(0.99, choice("BQE/Gowanus Expwy", "FDR Dr"))),
        ("Bridge Highway Direction", sparse(0.99, choice("North/Bronx Bound", "South/Brooklyn Bound"))),
        ("Road Ramp", sparse(0.99, choice("Roadway", "Ramp"))),
        ("Bridge Highway Segment", sparse(0.99, choice("Exit 26 (Hamilton Ave)", "E 42nd St"))),
        ("Latitude", ("lat",)),
        ("Longitude", ("lon",)),
        ("Location", ("point", "({lat}, {lon})")),
    ),
    expected={
        "ticket_id": "Unique Key",
        "created_at": "Created Date",
        "resolved_at": "Closed Date",
        "status": "Status",
        "channel": "Open Data Channel Type",
        "category": "Complaint Type",
        "region": "Borough",
    },
    open_share=0.08,
    geo=(40.50, 40.91, -74.25, -73.70),
)

SFD = "%m/%d/%Y %I:%M:%S %p"
_SF_TYPES = (
    ("Street and Sidewalk Cleaning", "Bulky Items"),
    ("Street and Sidewalk Cleaning", "General Cleaning"),
    ("Graffiti", "Graffiti on Building_commercial"),
    ("Abandoned Vehicle", "Abandoned Vehicle - Car2door"),
    ("Encampments", "Encampment Reports"),
    ("Streetlights", "Streetlight - Light_Burnt_Out"),
    ("Parking Enforcement", "Blocking_Driveway_Cite_Only"),
)
SF311 = ExportFormat(
    system="San Francisco 311 Cases (DataSF vw6y-z8j6)",
    sources=(
        "https://data.sfgov.org/City-Infrastructure/311-Cases/vw6y-z8j6 (read 2026-12-07)",
        "Header of a real download used by public code: CaseID, Opened, Closed, Responsible Agency, "
        "Category, Request Type, Request Details, Address, Supervisor District, Neighborhood, Point, "
        "Source, Media URL with 'deleted status, Updated, Status Notes' (code index file ids 34265479981, "
        "34791950763)",
    ),
    columns=(
        ("CaseID", ("id", "{}", 17_400_000)),
        ("Opened", ev("created", SFD)),
        ("Closed", ev("resolved", SFD)),
        ("Updated", ev("updated", SFD)),
        ("Status", ("status", ("Open",), ("Closed",), ("Closed",))),
        (
            "Status Notes",
            sparse(
                0.3,
                choice(
                    "Case Resolved - Pickup completed.", "Case is a Duplicate", "Case Transferred", "open"
                ),
            ),
        ),
        (
            "Responsible Agency",
            choice(
                "DPW Ops Queue",
                "PU Streetlight Queue",
                "Parking Enforcement Dispatch Queue",
                "Recology_Overflow",
                "311 Supervisor Queue",
            ),
        ),
        ("Category", ("linked", "type", 0, _SF_TYPES)),
        ("Request Type", ("linked", "type", 1, _SF_TYPES)),
        (
            "Request Details",
            sparse(0.3, choice("Mattress", "Couch - Furniture", "Other_Loose_Garbage", "Tagging on wall")),
        ),
        ("Address", ("pattern", "{} MISSION ST, SAN FRANCISCO, CA, 94103", 1, 3999)),
        ("Supervisor District", ("int", 1, 11)),
        (
            "Neighborhood",
            choice("Mission", "South of Market", "Tenderloin", "Bayview", "Outer Sunset", "Civic Center"),
        ),
        ("Point", ("point", "({lat}, {lon})")),
        (
            "Source",
            choice("Phone", "Mobile/Open311", "Web", "Integrated Agency", "Twitter", weights=(4, 5, 2, 2, 1)),
        ),
        (
            "Media URL",
            sparse(
                0.7,
                (
                    "pattern",
                    "http://mobile311.sfgov.org/media/san_francisco/report/photos/{}",
                    100_000,
                    999_999,
                ),
            ),
        ),
    ),
    expected={
        "ticket_id": "CaseID",
        "created_at": "Opened",
        "resolved_at": "Closed",
        "status": "Status",
        "category": "Category",
        "channel": "Source",
    },
    open_share=0.1,
    geo=(37.71, 37.81, -122.51, -122.37),
    notes="The 16-column layout of the dataset as downloaded before the 2017 and later additions (Street, "
    "Analysis Neighborhood, Police District, Latitude/Longitude were added since); only this layout was "
    "confirmed by a source.",
)

CHI = "%m/%d/%Y %I:%M:%S %p"
_CHI_TYPES = (
    ("Pothole in Street Complaint", "PHF", "CDOT - Department of Transportation"),
    ("Street Light Out Complaint", "SLA", "CDOT - Department of Transportation"),
    ("Graffiti Removal Request", "GRAF", "Streets and Sanitation"),
    ("Rodent Baiting/Rat Complaint", "SGA", "Streets and Sanitation"),
    ("Weed Removal Request", "SCB", "Streets and Sanitation"),
    ("Abandoned Vehicle Complaint", "SKA", "Streets and Sanitation"),
    ("Water On Street Complaint", "WBJ", "DWM - Department of Water Management"),
)
CHICAGO311 = ExportFormat(
    system="Chicago 311 Service Requests (Chicago Data Portal v6vf-nfxy)",
    sources=(
        "https://data.cityofchicago.org/Service-Requests/311-Service-Requests/v6vf-nfxy/about_data (column "
        "list SR_Number ... Location, quoted in a public report: code index file id 30249486907; read "
        "2026-12-07)",
        "Column descriptions (data dictionary) quoted in public code, code index file id 44757061375; date "
        "format %m/%d/%Y %I:%M:%S %p used to parse a real download, file id 63100377366",
    ),
    columns=(
        ("SR_NUMBER", ("id", "SR24-{:08d}", 100_000)),
        ("SR_TYPE", ("linked", "type", 0, _CHI_TYPES)),
        ("SR_SHORT_CODE", ("linked", "type", 1, _CHI_TYPES)),
        (
            "CREATED_DEPARTMENT",
            sparse(0.6, choice("311 City Services", "Streets and Sanitation", "Alderman")),
        ),
        ("OWNER_DEPARTMENT", ("linked", "type", 2, _CHI_TYPES)),
        ("STATUS", ("status", ("Open",), ("Completed", "Completed", "Canceled"), ("Completed",))),
        (
            "ORIGIN",
            choice(
                "Phone Call",
                "Internet",
                "Mobile Device",
                "spot",
                "E-Mail",
                "Open311 Interface",
                weights=(5, 3, 3, 1, 1, 1),
            ),
        ),
        ("CREATED_DATE", ev("created", CHI)),
        ("LAST_MODIFIED_DATE", ev("updated", CHI)),
        ("CLOSED_DATE", ev("resolved", CHI)),
        ("STREET_ADDRESS", ("pattern", "{} N CLARK ST", 1, 7599)),
        ("CITY", ("const", "Chicago")),
        ("STATE", ("const", "Illinois")),
        ("ZIP_CODE", ("pattern", "{}", 60601, 60661)),
        ("STREET_NUMBER", ("int", 1, 7599)),
        ("STREET_DIRECTION", choice("N", "S", "E", "W")),
        ("STREET_NAME", choice("CLARK", "HALSTED", "ASHLAND", "PULASKI", "79TH")),
        ("STREET_TYPE", choice("ST", "AVE", "BLVD", "RD")),
        ("DUPLICATE", ("bool", "true", "false", 0.05)),
        ("LEGACY_RECORD", ("const", "false")),
        ("LEGACY_SR_NUMBER", ("const", "")),
        ("PARENT_SR_NUMBER", sparse(0.95, ("pattern", "SR24-{:08d}", 100_000, 100_300))),
        ("COMMUNITY_AREA", ("int", 1, 77)),
        ("WARD", ("int", 1, 50)),
        ("ELECTRICAL_DISTRICT", sparse(0.3, ("int", 1, 12))),
        ("ELECTRICITY_GRID", sparse(0.3, ("pattern", "N{}", 1, 40))),
        ("POLICE_SECTOR", ("int", 1, 5)),
        ("POLICE_DISTRICT", ("int", 1, 25)),
        ("POLICE_BEAT", ("int", 111, 2535)),
        ("PRECINCT", sparse(0.2, ("int", 1, 60))),
        (
            "SANITATION_DIVISION_DAYS",
            sparse(0.6, choice("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
        ),
        ("CREATED_HOUR", ("part", "created", "hour")),
        ("CREATED_DAY_OF_WEEK", ("part", "created", "dow1")),
        ("CREATED_MONTH", ("part", "created", "month")),
        ("X_COORDINATE", ("pattern", "{}", 1_100_000, 1_205_000)),
        ("Y_COORDINATE", ("pattern", "{}", 1_810_000, 1_950_000)),
        ("LATITUDE", ("lat",)),
        ("LONGITUDE", ("lon",)),
        ("LOCATION", ("point", "({lat}, {lon})")),
    ),
    expected={
        "ticket_id": "SR_NUMBER",
        "created_at": "CREATED_DATE",
        "resolved_at": "CLOSED_DATE",
        "status": "STATUS",
        "channel": "ORIGIN",
        "category": "SR_TYPE",
    },
    open_share=0.12,
    geo=(41.65, 42.02, -87.93, -87.52),
)

KD = "%Y/%-m/%-d %-H:%M"
_KD_PLACES = (
    ("广东省/深圳市/南山区", "广东省深圳市南山区科技园南路88号"),
    ("浙江省/杭州市/西湖区", "浙江省杭州市西湖区文三路259号"),
    ("北京市/北京市/朝阳区", "北京市朝阳区建国路93号"),
    ("上海市/上海市/浦东新区", "上海市浦东新区世纪大道1号"),
    ("四川省/成都市/武侯区", "四川省成都市武侯区人民南路四段27号"),
    ("江苏省/南京市/鼓楼区", "江苏省南京市鼓楼区中山北路101号"),
    ("广东省/广州市/天河区", "广东省广州市天河区天河路385号"),
)
KINGDEE = ExportFormat(
    system="金蝶 服务工单 (wg_service_workorder)",
    sources=(
        "https://help.njkingdee.com/docs/xiang-guan-zi-duan-o2lu (服务工单 基本信息: 单据编号 billno ... "
        "派工说明 comment; read 2026-12-07)",
    ),
    columns=(
        ("单据编号", ("id", "FWGD{:06d}", 1)),
        ("单据日期", ev("created", "%Y/%-m/%-d")),
        ("反馈类型", choice("故障报修", "安装调试", "产品咨询", "投诉", "退换货", weights=(6, 3, 2, 1, 1))),
        ("反馈时间", ("offset", "created", -180, 0, KD)),
        ("处理负责人", sparse(0.05, ("pool", "agent_zh"))),
        ("负责部门", choice("售后服务部", "华东服务站", "华南服务站", "技术支持部")),
        ("客户要求完成时间", sparse(0.2, ev("due", KD))),
        ("派工人", ("pool", "agent_zh")),
        ("派工部门", choice("客服中心", "售后服务部")),
        ("所属项目", sparse(0.7, choice("2024年度维保项目", "商用空调维保", "酒店家电托管"))),
        ("实际完成时间", ev("resolved", KD)),
        ("服务总工时", ("if_event", "resolved", ("number", 0.5, 16, 1))),
        ("完工进度", ("status", ("0%", "30%", "60%"), ("100%",), ("100%",))),
        (
            "单据状态",
            ("status", ("新增", "未审核", "未处理", "审核中", "处理中"), ("处理完成",), ("处理完成",)),
        ),
        ("服务对象", ("pool", "company_zh")),
        ("联系人", ("pool", "person_zh")),
        ("部门", sparse(0.6, choice("行政部", "工程部", "采购部"))),
        ("职务", sparse(0.6, choice("经理", "主管", "前台"))),
        ("手机", ("pattern", "13{:09d}", 0, 999_999_999)),
        ("邮箱", sparse(0.7, ("email",))),
        ("座机", sparse(0.7, ("pattern", "0755-{:08d}", 20_000_000, 89_999_999))),
        ("行政区划", ("linked", "place", 0, _KD_PLACES)),
        ("服务地址", ("linked", "place", 1, _KD_PLACES)),
        ("评价方案", sparse(0.5, ("const", "标准评价方案"))),
        ("保修有效期天数", choice("0", "90", "180", "365")),
        ("问题描述", ("pool", "text_zh")),
        ("派工说明", sparse(0.5, choice("请带好配件上门", "客户要求下午上门", "需两人同行"))),
    ),
    expected={
        "ticket_id": "单据编号",
        "created_at": "单据日期",
        "resolved_at": "实际完成时间",
        "agent": "处理负责人",
        "status": "单据状态",
        "category": "反馈类型",
        "region": "行政区划",
    },
    encoding="utf-8-sig",
    notes="The help page documents the bill's interface fields (billno 单据编号 ...); a list export shows "
    "the Chinese labels, used here. 单据日期 (bill date, date only) is taken as creation; 反馈时间 (when "
    "the customer reported) is a little earlier. 客户要求完成时间 is the customer's due date. Dates "
    "2024/3/1 8:30. No 售后宝 (shb) export field list was found in the stored sources, hence this "
    "after-sales work order system.",
)

SOBOT = ExportFormat(
    system="智齿客服 Sobot 工单",
    sources=(
        "https://blog.csdn.net/weixin_39707693/article/details/116433340 (copy of Sobot's 工单 API document "
        "queryTicketById: 工单id, 工单编号, 工单标题 ... 对应客户id; read 2026-12-07)",
        "https://blog.csdn.net/weixin_33549115/article/details/116433338 (getTicketList, same fields and "
        "enums)",
    ),
    columns=(
        ("工单id", ("hexid", 32)),
        ("工单编号", ("id", "{}", 1_500_877_941)),
        ("工单标题", ("pool", "subject_zh")),
        ("问题描述", ("pool", "text_zh")),
        ("工单优先级", choice("低", "中", "高", "紧急", weights=(3, 5, 2, 1))),
        ("工单状态", ("status", ("未受理", "受理中", "等待回复"), ("已解决",), ("已关闭",))),
        ("工单发起人类型", choice("客服", "普通用户", weights=(3, 2))),
        ("发起人id", ("hexid", 32)),
        ("发起人名称", ("pool", "person_zh")),
        ("受理人id", ("hexid", 32)),
        ("受理人名称", sparse(0.05, ("pool", "agent_zh"))),
        ("受理组id", choice("a1b2c3d4e5f60718293a4b5c6d7e8f90", "0f9e8d7c6b5a49382716f5e4d3c2b1a0")),
        ("受理组名称", choice("售后一组", "售后二组", "VIP组")),
        ("创建时间", ev("created", "%Y-%m-%d %H:%M:%S")),
        ("更新时间", ev("updated", "%Y-%m-%d %H:%M:%S")),
        ("工单分类名称", choice("售后/退换货/退货", "售后/维修/上门维修", "咨询/产品使用", "投诉/物流")),
        (
            "工单来源",
            choice(
                "工单中心",
                "PC普通用户留言提交",
                "H5普通用户留言提交",
                "普通用户微信提交",
                "呼叫中心",
                "在线工作台-PC客服提交",
                weights=(2, 1, 1, 3, 3, 2),
            ),
        ),
        ("获取工单信息时间", ("export_time", "%Y-%m-%d %H:%M:%S")),
        ("对应客户id", ("hexid", 32)),
    ),
    expected={
        "ticket_id": "工单编号",
        "created_at": "创建时间",
        "agent": "受理人名称",
        "status": "工单状态",
        "priority": "工单优先级",
        "category": "工单分类名称",
        "channel": "工单来源",
        "customer_id": "对应客户id",
    },
    encoding="utf-8-sig",
    notes="Field names are the Chinese 字段名称 of Sobot's ticket API (an export shows these labels); the "
    "API returns codes for priority, status and source and millisecond timestamps, shown here as their "
    "documented labels and local times. No resolution time in this field list. 获取工单信息时间 is the time "
    "of the export.",
)

HW = "%Y-%m-%d %H:%M:%S"
HUAWEI_CEC = ExportFormat(
    system="华为云 客户联络中心 CEC 云客服 工单",
    sources=(
        "https://support.huaweicloud.com/api-ccfs-cec/cec_07_3407.html (查询工单列表, 表4 caseList参数说明: "
        "工单id ... 创建时间, time format YYYY-MM-DD HH:mm:ss; read 2026-12-07)",
        "https://huaweicloud.com/guide/productsdesc-bms_44823a6bbc32bc745d07b8d84152fb97support2 (消息样例: "
        "caseNo 000000000000000000000000035013, priority Critical, state Processing, origin Email)",
    ),
    columns=(
        ("工单id", ("alnum", 20)),
        ("工单编号", ("id", "{:030d}", 35_013)),
        ("工单名称", ("pool", "subject_zh")),
        ("工单类型id", choice("cvmC00000149NzxF1ePA", "cvmC00000149P2kQ7rTB", "cvmC00000149Q8mW3sLD")),
        ("工单类型名称", choice("故障报修", "投诉", "咨询", "退换货")),
        ("外部工单编号", sparse(0.8, ("pattern", "EXT{}", 100_000, 999_999))),
        ("工单流程", ("status", ("受理", "处理"), ("回访",), ("Completed",))),
        ("工单状态", ("status", ("Processing", "Pending"), ("Completed",), ("Completed",))),
        ("工单是否升级", ("bool", "true", "false", 0.08)),
        ("工单等级", choice("Critical", "High", "Medium", "Low", weights=(1, 3, 5, 2))),
        ("工单来源", choice("Email", "Voice", "webchat", "Whatsapp", weights=(3, 5, 3, 1))),
        ("工单原因分类", sparse(0.5, choice("产品质量", "物流配送", "服务态度", "安装维修"))),
        ("当前状态的停留时间", ev("updated", HW)),
        ("工单暂停时间", sparse(0.9, ("offset", "created", 60, 2000, HW))),
        ("工单累计暂停时长", sparse(0.85, ("int", 1, 2880))),
        ("工单联系人", ("alnum", 20)),
        ("处理人类型", choice("个人", "队列", weights=(4, 1))),
        ("当前处理人或者组", ("pool", "agent_zh")),
        ("父工单", sparse(0.95, ("alnum", 20))),
        ("联系人电话", sparse(0.3, ("pattern", "139{:08d}", 0, 99_999_999))),
        ("期望处理完成时间", sparse(0.3, ev("due", HW))),
        ("关单时间", ev("resolved", HW)),
        ("工单创建人", ("alnum", 20)),
        ("创建时间", ev("created", HW)),
    ),
    expected={
        "ticket_id": "工单编号",
        "created_at": "创建时间",
        "resolved_at": "关单时间",
        "status": "工单状态",
        "priority": "工单等级",
        "channel": "工单来源",
    },
    encoding="utf-8-sig",
    notes="The 24 fields of table 4 of the list API (the export of the same list, isExport=true, returns "
    "them); headers are the documented Chinese descriptions. 期望处理完成时间 is the due date. Enumerated "
    "values as the message sample shows them (English state, priority and origin codes).",
)

SYSTEMS: tuple[ExportFormat, ...] = (
    ZENDESK, FRESHDESK, SERVICENOW, JSM, SALESFORCE, DYNAMICS, HUBSPOT, NYC311, SF311, CHICAGO311, KINGDEE,
    SOBOT, HUAWEI_CEC,
)  # fmt: skip

# --- synthetic rows -----------------------------------------------------------------------------

_START = datetime(2024, 1, 1)
_SPAN_DAYS = 355
_SLA_HOURS = (4, 8, 24, 48, 72, 120)
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 11, 12, 13, 13, 12, 10, 8, 6, 4, 3, 2, 1)


class _Row:
    """One ticket's life: its moments, state, place and the choices shared by linked columns."""

    def __init__(self, rng: random.Random, index: int, open_share: float, geo: tuple | None) -> None:
        self.index = index
        day = rng.randrange(_SPAN_DAYS)
        hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
        created = _START + timedelta(
            days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)
        )
        is_open = rng.random() < open_share
        first = None
        if rng.random() > (0.35 if is_open else 0.04):
            first = created + timedelta(minutes=min(rng.lognormvariate(4.2, 1.2), 20_000))
        resolved = closed = None
        if not is_open:
            start = first or created
            resolved = start + timedelta(hours=min(rng.lognormvariate(2.6, 1.3), 2_000))
            if rng.random() < 0.02 and first is not None:  # a first response logged after the resolution
                first = resolved + timedelta(minutes=rng.uniform(5, 240))
            if rng.random() < 0.75:
                closed = resolved + timedelta(hours=rng.uniform(0, 96))
        latest = max(t for t in (created, first, resolved, closed) if t is not None)
        self.moments: dict[str, datetime | None] = {
            "created": created,
            "first_response": first,
            "resolved": resolved,
            "closed": closed,
            "updated": latest + timedelta(minutes=rng.uniform(0, 2_000)),
            "due": created + timedelta(hours=rng.choice(_SLA_HOURS)),
            "assigned": created + timedelta(minutes=rng.uniform(0.5, 25)),
        }
        self.state = "open" if is_open else ("closed" if closed else "resolved")
        self.linked: dict[str, tuple] = {}
        self.lat = self.lon = 0.0
        if geo:
            self.lat = round(rng.uniform(geo[0], geo[1]), 6)
            self.lon = round(rng.uniform(geo[2], geo[3]), 6)


def _format_moment(moment: datetime, fmt: str) -> str:
    """strftime with the unpadded %-m %-d %-H %-I done here, so that it does not depend on the C library."""
    for code, value in (("%-m", moment.month), ("%-d", moment.day), ("%-H", moment.hour),
                        ("%-I", moment.hour % 12 or 12)):  # fmt: skip
        fmt = fmt.replace(code, str(value))
    return moment.strftime(fmt)


def _duration(seconds: float, unit: str) -> str:
    if unit == "min":
        return str(round(seconds / 60))
    if unit == "biz":
        return str(round(seconds / 60 * 0.4))
    if unit == "hour":
        return str(round(seconds / 3600))
    if unit == "ms":
        return str(round(seconds * 1000))
    whole = max(round(seconds), 0)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _cell(kind: Kind, row: _Row, rng: random.Random, state: dict) -> str:
    """The text of one cell. Kinds:

    ("const", v) · ("id", fmt, start): unique, increasing · ("event", moment, fmt) ·
    ("offset", moment, lo, hi, fmt): the moment plus lo..hi minutes ·
    ("duration", from, to, unit) with unit min|biz|hour|ms|hms · ("hms", lo, hi): lo..hi minutes as HH:MM:SS ·
    ("status", open, resolved, closed) · ("flag", moment, yes, no): yes when the moment exists ·
    ("if_event", moment, kind) · ("choice", values, weights) ·
    ("linked", group, index, options): one option per row, shared by the group's columns ·
    ("pattern", fmt, lo, hi) · ("int", lo, hi) · ("number", lo, hi, decimals) · ("bool", yes, no, p_yes) ·
    ("pool", name) · ("sparse", share, kind) · ("part", moment, hour|dow1|month) · ("lat",) ("lon",)
    ("point", fmt) · ("email",) · ("hexid", n) ("alnum", n) ("guid",) ("checksum",) ("sfid", prefix)
    ("d365",) · ("comment",) · ("export_time", fmt).
    """
    name = kind[0]
    if name == "const":
        return kind[1]
    if name == "sparse":
        return "" if rng.random() < kind[1] else _cell(kind[2], row, rng, state)
    if name == "id":
        key = ("id", kind[1])
        state[key] = state.get(key, kind[2] - 1) + rng.choice((1, 1, 1, 2, 3))
        return kind[1].format(state[key])
    if name in ("event", "offset"):
        moment = row.moments[kind[1]]
        if moment is None:
            return ""
        if name == "offset":
            moment += timedelta(minutes=rng.uniform(kind[2], kind[3]))
        return _format_moment(moment, kind[-1])
    if name == "duration":
        start, end = row.moments[kind[1]], row.moments[kind[2]]
        return "" if start is None or end is None else _duration((end - start).total_seconds(), kind[3])
    if name == "hms":
        return _duration(rng.uniform(kind[1], kind[2]) * 60, "hms")
    if name == "status":
        values = {"open": kind[1], "resolved": kind[2], "closed": kind[3]}[row.state]
        return rng.choice(values)
    if name == "flag":
        return kind[2] if row.moments[kind[1]] is not None else kind[3]
    if name == "if_event":
        return _cell(kind[2], row, rng, state) if row.moments[kind[1]] is not None else ""
    if name == "choice":
        return str(rng.choices(kind[1], weights=kind[2])[0])
    if name == "linked":
        picked = row.linked.setdefault(kind[1], rng.choice(kind[3]))
        return picked[kind[2]]
    if name == "pattern":
        return kind[1].format(rng.randint(kind[2], kind[3]))
    if name == "int":
        return str(rng.randint(kind[1], kind[2]))
    if name == "number":
        return f"{rng.uniform(kind[1], kind[2]):.{kind[3]}f}"
    if name == "bool":
        return kind[1] if rng.random() < kind[3] else kind[2]
    if name == "pool":
        return rng.choice(POOLS[kind[1]])
    if name == "part":
        moment = row.moments[kind[1]]
        assert moment is not None
        return str({"hour": moment.hour, "dow1": moment.isoweekday() % 7 + 1, "month": moment.month}[kind[2]])
    if name in ("lat", "lon"):
        return f"{getattr(row, name):.6f}"
    if name == "point":
        return kind[1].format(lat=f"{row.lat:.6f}", lon=f"{row.lon:.6f}")
    if name == "email":
        user = rng.choice(PEOPLE_EN).lower().replace(" ", ".").replace("'", "")
        return f"{user}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
    if name == "hexid":
        return "".join(rng.choice("0123456789abcdef") for _ in range(kind[1]))
    if name == "alnum":
        return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(kind[1]))
    if name == "guid":
        h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if name == "checksum":
        return "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(86)) + "=="
    if name == "sfid":
        return (
            kind[1] + "5g00000" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(5))
        )
    if name == "d365":
        suffix = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))
        return f"CAS-{1000 + row.index:05d}-{suffix}"
    if name == "comment":
        moment = row.moments["updated"]
        assert moment is not None
        return f"{_format_moment(moment, JIRA)};{rng.choice(AGENTS_EN)};{rng.choice(TEXTS_EN)}"
    if name == "export_time":
        return _format_moment(datetime(2025, 1, 6, 9, 30, 12), kind[1])
    raise ValueError(f"unknown value kind {kind!r}")


def synthetic(record: ExportFormat, rows: int = 300, seed: int = 0) -> bytes:
    """A CSV in `record`'s format: its header, `rows` realistic rows, its encoding. Same bytes for a seed.

    Ids are unique; created ≤ first response ≤ resolved in about 98 % of rows; open tickets (about
    `record.open_share`) have no resolution and an open status; due dates follow creation by an SLA and
    are not always after the resolution; reopen counts are mostly 0; empty cells are `record.missing`.
    """
    rng = random.Random(zlib.crc32(record.system.encode()) ^ seed)
    state: dict = {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(record.headers)
    for index in range(rows):
        row = _Row(rng, index, record.open_share, record.geo)
        cells = [_cell(kind, row, rng, state) for kind in record.kinds]
        writer.writerow([cell if cell != "" else record.missing for cell in cells])
    return out.getvalue().encode(record.encoding)


def check(record: ExportFormat) -> None:
    """Raise if `expected` names a header the record lacks, names one twice or maps a non-canonical field."""
    canonical = {
        *("ticket_id", "created_at", "first_response_at", "resolved_at", "customer_id", "agent", "channel"),
        *("category", "priority", "status", "region", "product", "reopen_count", "first_contact_resolved"),
        *("is_complaint", "labor_cost", "parts_cost", "travel_cost", "handle_minutes", "in_warranty"),
    }
    if not {"ticket_id", "created_at"} <= record.expected.keys():
        raise ValueError(f"{record.system}: ticket_id and created_at are required")
    if unknown := record.expected.keys() - canonical:
        raise ValueError(f"{record.system}: not canonical fields: {sorted(unknown)}")
    for fld, header in record.expected.items():
        if record.headers.count(header) != 1:
            raise ValueError(f"{record.system}: {fld} -> {header!r} is not exactly one header")
    if len(set(record.expected.values())) != len(record.expected):
        raise ValueError(f"{record.system}: two fields map to one header")


if __name__ == "__main__":
    import sys
    from pathlib import Path

    for rec in SYSTEMS:
        check(rec)
        data = synthetic(rec)
        print(f"{rec.system}: {len(rec.headers)} columns, {len(rec.expected)} expected, {len(data):,} bytes")
        if len(sys.argv) > 1:
            folder = Path(sys.argv[1])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{rec.system.split(' (')[0].replace(' ', '_').replace('/', '_')}.csv").write_bytes(
                data
            )
