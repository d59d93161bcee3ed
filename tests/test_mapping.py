"""Header mapping: synonyms in Chinese and English, units in brackets, the two real exports."""

from pathlib import Path

import pytest

from lib.errors import InputError
from lib.ingest.mapping import apply_overrides, auto_map, dumps, loads, normalise_header, require_complete

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("处理时长(分钟)", "处理时长"),
        ("人工成本（元）", "人工成本"),
        ("满意度[1-5]", "满意度"),
        ("  Order_Purchase-Timestamp ", "order purchase timestamp"),
        ("Ticket ID", "ticket id"),
        ("ＴＩＣＫＥＴ＿ＩＤ", "ticket id"),  # full-width, as pasted from Chinese Excel
        ("(元)", "(元)"),  # nothing but a unit: kept, so it cannot match every field
    ],
)
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["工单编号", "报修时间", "结单时间", "处理人", "紧急程度", "网点", "处理时长(分钟)", "是否保内"],
            {
                "ticket_id": "工单编号",
                "created_at": "报修时间",
                "resolved_at": "结单时间",
                "agent": "处理人",
                "priority": "紧急程度",
                "region": "网点",
                "handle_minutes": "处理时长(分钟)",
                "in_warranty": "是否保内",
            },
        ),
        (
            [
                "Case Number",
                "Created",
                "First Reply Time",
                "Closed At",
                "Assignee",
                "Channel",
                "Is Complaint",
            ],
            {
                "ticket_id": "Case Number",
                "created_at": "Created",
                "first_response_at": "First Reply Time",
                "resolved_at": "Closed At",
                "agent": "Assignee",
                "channel": "Channel",
                "is_complaint": "Is Complaint",
            },
        ),
        # a longer header containing a synonym still matches; unrelated headers stay unmapped
        (["工单创建时间", "工单号", "备注说明"], {"ticket_id": "工单号", "created_at": "工单创建时间"}),
    ],
)
def test_auto_map_tickets(headers, expected):
    result = auto_map("tickets", headers)
    assert result.columns == expected
    assert result.missing_required == ()


def test_each_header_is_used_once_and_best_match_wins():
    # both headers are synonyms of resolved_at; the exact canonical name wins it
    result = auto_map("tickets", ["id", "created_at", "closed_at", "resolved_at"])
    assert result.columns["resolved_at"] == "resolved_at"
    assert list(result.columns.values()).count("closed_at") <= 1


def test_missing_required_field_names_field_and_candidates():
    result = auto_map("tickets", ["工单号", "备注", "金额"])
    assert result.missing_required == ("created_at",)
    with pytest.raises(InputError) as caught:
        require_complete(result)
    assert caught.value.key == "mapping.missing"
    assert caught.value.params["field"] == "created_at"
    assert "备注" in caught.value.params["candidates"]
    assert "created_at" in caught.value.message("en")


def test_user_override_replaces_and_clears():
    headers = ["单号", "日期", "时间2"]
    fixed = apply_overrides(
        "tickets", headers, {"ticket_id": "单号", "created_at": "时间2", "agent": "not a header"}
    )
    assert fixed.columns == {"ticket_id": "单号", "created_at": "时间2"}
    assert fixed.missing_required == ()


def test_mapping_file_round_trip_and_rejects_other_json():
    text = dumps({"tickets": {"ticket_id": "工单号"}}, {"response_target_hours": 2})
    assert loads(text) == ({"tickets": {"ticket_id": "工单号"}}, {"response_target_hours": 2})
    for bad in ("{}", "[1, 2]", "not json", '{"aftersight_mapping": 99, "tables": {}}'):
        with pytest.raises(InputError) as caught:
            loads(bad)
        assert caught.value.key == "mapping.bad_file"


def _real_headers(name: str) -> list[str]:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real export {path} is absent (see shared/data/README.md)")
    with path.open(encoding="utf-8") as handle:
        return handle.readline().strip().split(",")


def test_olist_orders_maps_without_help():
    result = auto_map("tickets", _real_headers("olist_orders.csv"))
    assert result.columns == {
        "ticket_id": "order_id",
        "created_at": "order_purchase_timestamp",
        "first_response_at": "order_approved_at",
        "resolved_at": "order_delivered_customer_date",
        "customer_id": "customer_id",
        "status": "order_status",
    }


def test_servicenow_incidents_map_without_help():
    result = auto_map("tickets", _real_headers("servicenow_incident_events.csv"))
    assert result.columns == {
        "ticket_id": "number",
        "created_at": "opened_at",
        "resolved_at": "resolved_at",
        "customer_id": "caller_id",
        "agent": "assigned_to",
        "channel": "contact_type",
        "category": "category",
        "priority": "priority",
        "status": "incident_state",
        "region": "location",
        "reopen_count": "reopen_count",
    }


@pytest.mark.parametrize(
    ("table", "headers", "expected"),
    [
        (
            "surveys",
            ["提交时间", "工单号", "客户编号", "满意度(1-5)", "推荐意愿(0-10)", "评价内容"],
            ["submitted_at", "ticket_id", "customer_id", "csat", "nps", "comment"],
        ),
        (
            "customers",
            ["客户编号", "区域", "客户类型", "年龄", "性别", "注册日期", "是否流失", "流失日期"],
            ["customer_id", "region", "segment", "age", "gender", "signup_at", "churned", "churned_at"],
        ),
    ],
)
def test_surveys_and_customers_map(table, headers, expected):
    assert list(auto_map(table, headers).columns) == expected


def test_the_time_zone_goes_round_the_mapping_file():
    text = dumps(
        {"tickets": {"ticket_id": "工单号"}}, {"response_target_hours": 2, "timezone": "America/New_York"}
    )
    mappings, settings = loads(text)
    assert settings["timezone"] == "America/New_York" and settings["response_target_hours"] == 2
    assert mappings == {"tickets": {"ticket_id": "工单号"}}
    # Typed by hand in another letter case: spelled as zoneinfo spells it.
    assert loads(dumps({}, {"timezone": " asia/hong_kong "}))[1]["timezone"] == "Asia/Hong_Kong"
    assert "timezone" not in loads(dumps({}, {"tolerance": 0.2}))[1]  # saved before there was a zone


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", None, 8, ["UTC"]])
def test_a_mapping_file_with_no_real_time_zone_is_refused(zone):
    with pytest.raises(InputError) as error:
        loads(dumps({}, {"timezone": zone}))
    assert error.value.key == "settings.bad_timezone"
