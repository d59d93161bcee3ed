"""Every user-visible sentence, in Chinese and English, looked up by key."""

from __future__ import annotations

LANGS: tuple[str, ...] = ("zh", "en")

# key -> (zh, en). Parameters use str.format names: {name}.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- reading files -------------------------------------------------------
    "read.empty": (
        "文件“{name}”是空的。请检查导出是否成功后重新上传。",
        "The file “{name}” is empty. Check that the export worked and upload it again.",
    ),
    "read.header_only": (
        "文件“{name}”只有表头，没有数据行。请导出包含数据的文件。",
        "The file “{name}” has a header row but no data rows. Export a file with data.",
    ),
    "read.binary": (
        "文件“{name}”不是表格（看起来是图片或其他二进制文件）。请上传 CSV、Excel (.xlsx) 或 Parquet 文件。",
        "The file “{name}” is not a table (it looks like an image or other binary file). "
        "Upload a CSV, Excel (.xlsx) or Parquet file.",
    ),
    "read.unsupported": (
        "不支持“{name}”的格式。请另存为 CSV、Excel (.xlsx) 或 Parquet 后上传。",
        "The format of “{name}” is not supported. Save it as CSV, Excel (.xlsx) or Parquet and upload again.",
    ),
    "read.encrypted": (
        "Excel 文件“{name}”设有密码保护，无法读取。请在 Excel 中取消密码后另存为 .xlsx 再上传。",
        "The Excel file “{name}” is password-protected and cannot be read. "
        "Remove the password in Excel, save as .xlsx and upload again.",
    ),
    "read.xls": (
        "“{name}”是旧版 Excel (.xls) 格式。请在 Excel 中另存为 .xlsx 或 CSV 后上传。",
        "“{name}” is an old Excel (.xls) file. Save it as .xlsx or CSV in Excel and upload again.",
    ),
    "read.bad_excel": (
        "Excel 文件“{name}”已损坏或不是有效的 .xlsx 文件（{detail}）。请在 Excel 中打开并重新保存。",
        "The Excel file “{name}” is damaged or not a valid .xlsx file ({detail}). Open it in Excel and save it again.",
    ),
    "read.bad_parquet": (
        "Parquet 文件“{name}”无法读取（{detail}）。请重新导出。",
        "The Parquet file “{name}” cannot be read ({detail}). Export it again.",
    ),
    "read.bad_csv": (
        "无法把“{name}”读成表格（{detail}）。请确认它是逗号、分号或制表符分隔的文本文件。",
        "“{name}” could not be read as a table ({detail}). Check that it is a comma-, semicolon- or tab-separated text file.",
    ),
    "read.encoding": (
        "无法识别“{name}”的文字编码。请在 Excel 中另存为“CSV UTF-8”后上传。",
        "The text encoding of “{name}” could not be recognised. Save it as “CSV UTF-8” in Excel and upload again.",
    ),
    "read.no_sheet_data": (
        "Excel 文件“{name}”的所有工作表都是空的。",
        "Every sheet of the Excel file “{name}” is empty.",
    ),
    "read.sheet_missing": (
        "Excel 文件“{name}”中没有名为“{sheet}”的工作表。",
        "The Excel file “{name}” has no sheet named “{sheet}”.",
    ),
    "read.sheet_empty": (
        "Excel 文件“{name}”的工作表“{sheet}”是空的。请选择其他工作表。",
        "The sheet “{sheet}” of the Excel file “{name}” is empty. Pick another sheet.",
    ),
    "read.too_large": (
        "文件“{name}”有 {size_mb} MB，超过上限 {limit_mb} MB。请按月份拆分导出，或请管理员调高 server.maxUploadSize。",
        "The file “{name}” is {size_mb} MB, over the {limit_mb} MB limit. Export it month by month, "
        "or ask your administrator to raise server.maxUploadSize.",
    ),
    # --- mapping, scope ---------------------------------------------------------
    "mapping.missing": (
        "必填字段“{field}”在{table}文件中没有对应的列。请在下表中为它选择一列；可选的列：{candidates}。",
        "The required field “{field}” has no column in the {table} file. Pick one in the table below; "
        "candidates: {candidates}.",
    ),
    "mapping.bad_file": (
        "这不是 Aftersight 保存的映射文件（{detail}）。请上传在“数据”页下载的 JSON 文件。",
        "This is not a mapping file saved by Aftersight ({detail}). Upload the JSON file downloaded on the Data page.",
    ),
    "validate.no_rows": (
        "“{name}”没有可用的行：主要原因是“{reason}”（字段 {field}）。请检查列的对应关系和日期格式；之前加载的数据保持不变。",
        "“{name}” has no usable row: mostly “{reason}” (field {field}). Check the column mapping and the date "
        "format; the data loaded before is unchanged.",
    ),
    "scope.bad_range": (
        "开始日期 {start} 晚于结束日期 {end}。请交换两个日期。",
        "The start date {start} is after the end date {end}. Swap the two dates.",
    ),
    # --- navigation and sidebar ----------------------------------------------
    "nav.overview": ("总览", "Overview"),
    "nav.data": ("数据", "Data"),
    "sidebar.range": ("日期范围", "Date range"),
    "sidebar.range_help": (
        "按工单创建时间筛选；默认是数据中最近一个完整月份。",
        "Filters tickets by creation time; the default is the last full month of the data.",
    ),
    "sidebar.all": ("全部", "All"),
    "sidebar.compare": ("对比期：{start} 至 {end}", "Compared with {start} to {end}"),
    "sidebar.compare_with": ("对比", "Compare with"),
    "sidebar.compare_previous": ("上一周期", "Previous period"),
    "sidebar.compare_year": ("去年同期", "Same period last year"),
    # --- tables and fields ----------------------------------------------------
    "table.tickets": ("工单", "Tickets"),
    "table.surveys": ("满意度回访", "Surveys"),
    "table.customers": ("客户", "Customers"),
    "field.ticket_id": ("工单号", "Ticket ID"),
    "field.created_at": ("创建时间", "Created at"),
    "field.first_response_at": ("首次响应时间", "First response at"),
    "field.resolved_at": ("解决时间", "Resolved at"),
    "field.customer_id": ("客户编号", "Customer ID"),
    "field.agent": ("工程师/客服", "Agent"),
    "field.channel": ("渠道", "Channel"),
    "field.category": ("问题类型", "Category"),
    "field.priority": ("优先级", "Priority"),
    "field.status": ("状态", "Status"),
    "field.region": ("区域", "Region"),
    "field.product": ("产品", "Product"),
    "field.reopen_count": ("返修次数", "Reopen count"),
    "field.first_contact_resolved": ("一次解决", "First-contact resolved"),
    "field.is_complaint": ("是否投诉", "Complaint"),
    "field.labor_cost": ("人工成本", "Labour cost"),
    "field.parts_cost": ("备件成本", "Parts cost"),
    "field.travel_cost": ("差旅成本", "Travel cost"),
    "field.handle_minutes": ("处理时长（分钟）", "Handle time (min)"),
    "field.in_warranty": ("是否保内", "In warranty"),
    "field.repeat_contact": ("30 天内重复来电", "Repeat contact (30 days)"),
    "field.submitted_at": ("提交时间", "Submitted at"),
    "field.csat": ("满意度（1–5）", "CSAT (1–5)"),
    "field.nps": ("推荐意愿（0–10）", "NPS score (0–10)"),
    "field.comment": ("评价内容", "Comment"),
    "field.segment": ("客户类型", "Segment"),
    "field.age": ("年龄", "Age"),
    "field.gender": ("性别", "Gender"),
    "field.signup_at": ("注册日期", "Signed up at"),
    "field.churned": ("是否流失", "Churned"),
    "field.churned_at": ("流失日期", "Churned at"),
    # --- drill-down, page downloads -----------------------------------------------
    "drill.active": ("已下钻：{field} = {value}（本页所有数字都只含这部分）", "Drilled into {field} = {value} (every number on this page)"),
    "drill.empty_value": ("（空）", "(empty)"),
    "drill.clear": ("清除", "Clear"),
    "drill.everywhere": ("应用到所有页面", "Filter every page"),
    "drill.hint": ("点击柱形或表格行可下钻；双击空白处取消。", "Click a bar or a table row to drill down; double-click empty space to undo."),
    "download.page_xlsx": ("下载本页全部表格（Excel）", "Download every table on this page (Excel)"),
    # --- analysis table columns (not KPIs, not fields) ------------------------------
    "column.working_days": ("工作日数", "Working days"),
    "column.throughput_per_day": ("日均解决量", "Resolved per working day"),
    "column.answers": ("回答数", "Answers"),
    "column.share": ("占比", "Share"),
    "column.cumulative_share": ("累计占比", "Cumulative share"),
    "column.vital": ("关键少数", "Vital few"),
    "column.value": ("分组", "Group"),
    "column.small": ("样本少", "Small group"),
    "column.group": ("类别", "Group"),
    "column.period": ("周期", "Period"),
    "column.component": ("成本项", "Cost component"),
    "column.cost": ("成本", "Cost"),
    "column.weekday": ("星期", "Weekday"),
    "column.hour": ("小时", "Hour"),
    "column.bin_start": ("区间起（小时）", "From (hours)"),
    "column.bin_end": ("区间止（小时）", "To (hours)"),
    "column.mean": ("平均", "Mean"),
    "column.p25": ("P25", "P25"),
    "column.p50": ("中位数", "Median"),
    "column.p75": ("P75", "P75"),
    "column.p90": ("P90", "P90"),
    "column.p10": ("P10", "P10"),
    "column.metric": ("指标", "Metric"),
    "column.median": ("团队中位数", "Team median"),
    "column.low": ("正常下限", "Normal from"),
    "column.high": ("正常上限", "Normal to"),
    "column.direction": ("方向", "Direction"),
    # --- settings -------------------------------------------------------------
    "nav.settings": ("目标设置", "Targets"),
    "settings.title": ("目标与 SLA 设置", "Targets and SLAs"),
    "settings.intro": (
        "这里的目标决定所有页面的达标状态（绿/黄/红）和预警。它们会随映射文件一起保存（“数据”页或下方下载），团队下次加载即可复用。",
        "These targets set every page's status (green / amber / red) and the alerts. They are saved with the mapping "
        "file (Data page or the download below), so the team reuses them next time.",
    ),
    "settings.sla": ("SLA 时限", "SLA time limits"),
    "settings.response_hours": ("响应时限（小时）", "Response target (hours)"),
    "settings.resolution_hours": ("解决时限（小时）", "Resolution target (hours)"),
    "settings.tolerance": ("黄灯容差（%）", "Amber band (%)"),
    "settings.tolerance_help": (
        "未达目标但差距在目标值的这个百分比以内时显示黄色，超出则为红色。",
        "A KPI short of its target by at most this share of the target is amber; beyond it, red.",
    ),
    "settings.per_priority": (
        "**按优先级的时限**（例如 P1 比 P4 更严格）。留空的格子使用上面的通用时限。",
        "**Limits per priority** (P1 usually tighter than P4). Empty cells use the general limits above.",
    ),
    "settings.kpi_targets": ("指标目标", "KPI targets"),
    "settings.kpi_targets_help": (
        "比率按百分数填写（95 表示 95%）。清空一格即恢复默认目标。",
        "Rates are in percent (95 means 95 %). Clear a cell to go back to the default target.",
    ),
    "settings.unit": ("单位", "Unit"),
    "settings.better": ("越…越好", "Better when"),
    "settings.better_higher": ("越高越好", "higher"),
    "settings.better_lower": ("越低越好", "lower"),
    "settings.default": ("默认目标", "Default target"),
    "settings.save": ("保存设置", "Save settings"),
    "settings.saved": ("设置已保存，所有页面已按新目标计算。", "Saved: every page now uses these targets."),
    "settings.reset": ("恢复默认", "Reset to defaults"),
    "settings.reset_done": ("已恢复默认目标。", "Default targets restored."),
    "settings.download": ("下载映射文件（含这些目标）", "Download the mapping file (with these targets)"),
    # --- overview ---------------------------------------------------------------
    "overview.title": ("服务总览", "Service overview"),
    "overview.period": (
        "统计期 {start} 至 {end}，对比 {prev_start} 至 {prev_end}",
        "Period {start} to {end}, compared with {prev_start} to {prev_end}",
    ),
    "overview.sample_note": (
        "当前显示的是内置示例数据（某家电品牌售后，虚构）。在“数据”页上传你自己的导出文件即可替换。",
        "You are looking at the bundled sample data (a fictional home-appliance after-sales team). "
        "Upload your own exports on the Data page to replace it.",
    ),
    "overview.no_data": (
        "还没有工单数据。请在“数据”页上传工单导出文件，或使用示例数据。",
        "No ticket data yet. Upload a ticket export on the Data page, or use the sample data.",
    ),
    "overview.alerts": ("预警", "Alerts"),
    "overview.no_alerts": ("所有有目标的指标都在目标范围内或接近目标。", "Every KPI with a target is on or near target."),
    "overview.grain": ("时间粒度", "Granularity"),
    "overview.trend": ("工单量趋势", "Ticket volume"),
    "overview.top_categories": ("主要问题类型", "Top problem categories"),
    "overview.all_kpis": ("全部指标明细", "All KPIs as a table"),
    "grain.day": ("日", "Day"),
    "grain.week": ("周", "Week"),
    "grain.month": ("月", "Month"),
    "kpi.tickets_axis": ("工单数", "Tickets"),
    "kpi.not_available": ("不可用：需要列 {columns}", "Not available: needs column {columns}"),
    "kpi.needs_file": ("不可用：需要上传{table}文件", "Not available: needs a {table} file"),
    "kpi.no_rows": ("本期没有可计算的数据", "No data to compute it from in this period"),
    "kpi.target": ("目标", "target"),
    "kpi.no_target": ("未设目标", "No target"),
    "status.green": ("达标", "On target"),
    "status.amber": ("接近目标", "Near target"),
    "status.red": ("未达标", "Off target"),
    "alert.below": ("{kpi} 为 {value}，低于目标 {target}。", "{kpi} is {value}, below the target of {target}."),
    "alert.above": ("{kpi} 为 {value}，高于目标 {target}。", "{kpi} is {value}, above the target of {target}."),
    "table.kpi": ("指标", "KPI"),
    "table.key": ("键", "Key"),
    "table.value": ("本期", "This period"),
    "table.previous": ("上期", "Previous period"),
    "table.target": ("目标", "Target"),
    "table.status": ("状态", "Status"),
    "download.png": ("PNG", "PNG"),
    "download.svg": ("SVG", "SVG"),
    "download.csv": ("CSV", "CSV"),
    "download.table_csv": ("下载 CSV", "Download CSV"),
    # --- data page ----------------------------------------------------------------
    "data.title": ("数据", "Data"),
    "data.intro": (
        "上传工单、满意度回访和客户的导出文件（CSV、Excel .xlsx、Parquet；GBK 编码也可以）。同类的多个文件（如每月导出）会合并。",
        "Upload your ticket, survey and customer exports (CSV, Excel .xlsx, Parquet; GBK is fine). "
        "Several files of one kind (monthly exports) are appended.",
    ),
    "data.source_sample": ("当前数据：内置示例数据（{tables}）。", "Current data: the bundled sample ({tables})."),
    "data.source_upload": ("当前数据：你上传的文件（{tables}）。", "Current data: your uploads ({tables})."),
    "data.source_empty": ("当前没有数据。", "No data loaded."),
    "data.use_sample": ("使用示例数据", "Use sample data"),
    "data.mapping_file": (
        "映射文件（保存/加载列对应关系和目标设置）",
        "Mapping file (save / load column mappings and targets)",
    ),
    "data.mapping_load": ("加载已保存的映射文件", "Load a saved mapping file"),
    "data.mapping_loaded": (
        "已加载映射：{tables}。之后上传的文件会按它对应列；文件中的目标设置已生效。",
        "Mapping loaded for: {tables}. Files uploaded next use it; its targets now apply.",
    ),
    "data.mapping_save": ("下载当前映射文件", "Download the current mapping"),
    "data.about_tickets": ("每行一张工单。必需：工单号、创建时间。", "One row per ticket. Required: ticket ID, created at."),
    "data.about_surveys": ("每行一条回访答复。必需：提交时间。", "One row per survey answer. Required: submitted at."),
    "data.about_customers": ("每行一个客户。必需：客户编号。", "One row per customer. Required: customer ID."),
    "data.upload": ("上传文件（可多选）", "Upload files (several allowed)"),
    "data.file_title": ("{name} · {rows:,} 行 · {columns} 列", "{name} · {rows:,} rows · {columns} columns"),
    "data.limit": (
        "每个文件最大 {limit_mb} MB。数据更大时请按月拆分导出，或导出为 Parquet（体积小得多）。",
        "Up to {limit_mb} MB per file. For more, export month by month, or as Parquet (much smaller).",
    ),
    "data.sheet": ("工作表", "Sheet"),
    "data.format": ("格式 {format}", "Format {format}"),
    "data.encoding": ("编码 {encoding}", "Encoding {encoding}"),
    "data.delimiter": ("分隔符 {delimiter}", "Delimiter {delimiter}"),
    "data.sheet_used": ("工作表 {sheet}", "Sheet {sheet}"),
    "data.col_field": ("标准字段", "Field"),
    "data.col_required": ("必填", "Required"),
    "data.col_source": ("文件中的列", "Column in your file"),
    "data.load": ("加载这些数据", "Load these rows"),
    "data.file_loaded": ("“{name}”已加载，校验结果见下方。", "“{name}” is loaded; its validation report is below."),
    "data.preview": ("已加载数据预览（前 50 行）", "Loaded data preview (first 50 rows)"),
    "dayorder.label": ("日期顺序（如 03/04/2024）", "Day order (for dates like 03/04/2024)"),
    "dayorder.auto": ("自动：{detected}", "Automatic: {detected}"),
    "dayorder.dmy": ("日/月/年", "day/month/year"),
    "dayorder.mdy": ("月/日/年", "month/day/year"),
    "dayorder.none": ("数据中没有歧义，按日/月/年", "no ambiguous dates; day/month/year"),
    # --- validation report -----------------------------------------------------------
    "report.preview_title": (
        "校验结果（尚未加载）：{name}",
        "Validation report (not loaded yet): {name}",
    ),
    "report.title": ("校验结果：{name}", "Validation report: {name}"),
    "report.read": ("读取行数", "Rows read"),
    "report.used": ("使用行数", "Rows used"),
    "report.excluded": ("排除行数", "Rows excluded"),
    "report.flagged": ("标记行数", "Rows flagged"),
    "report.replaced": ("替换旧行", "Earlier rows replaced"),
    "report.replaced_help": (
        "与之前加载的文件工单号相同的行，以新文件为准。",
        "Rows whose ID was already loaded from an earlier file; the newer file wins.",
    ),
    "report.dayorder_detected": ("日期按{order}读取（由数据判断）。", "Dates read as {order} (decided from the data)."),
    "report.dayorder_assumed": ("日期按{order}读取（数据中无法判断，可在上方更改）。", "Dates read as {order} (the data does not say; change it above)."),
    "report.col_reason": ("原因", "Reason"),
    "report.col_field": ("字段", "Field"),
    "report.col_action": ("处理", "Action"),
    "report.col_rows": ("行数", "Rows"),
    "report.col_examples": ("示例行号（表头为第 1 行）", "Example rows (header is row 1)"),
    "report.download": ("下载问题行 CSV", "Download problem rows (CSV)"),
    "report.clean": ("所有行都通过了校验。", "Every row passed validation."),
    "reason.empty_row": ("空行", "Empty row"),
    "reason.trailing_empty_rows": ("文件末尾的空行", "Empty rows at the end of the file"),
    "reason.empty_required": ("必填字段为空", "Required field empty"),
    "reason.unparseable_required_date": ("必填日期无法识别", "Required date unreadable"),
    "reason.duplicate_id": ("编号重复（保留最后一行）", "Duplicate ID (last row kept)"),
    "reason.unparseable_date": ("日期无法识别（已清空）", "Date unreadable (cleared)"),
    "reason.resolved_before_created": ("解决时间早于创建时间", "Resolved before created"),
    "reason.response_before_created": ("响应时间早于创建时间", "First response before created"),
    "reason.out_of_range": ("数值超出范围（已清空）", "Value out of range (cleared)"),
    "reason.unparseable_number": ("数字无法识别（已清空）", "Number unreadable (cleared)"),
    "reason.unparseable_bool": ("是/否值无法识别（已清空）", "Yes/no value unreadable (cleared)"),
    "action.excluded": ("排除", "Excluded"),
    "action.flagged": ("保留并标记", "Kept, flagged"),
}


def t(key: str, lang: str = "en", **params: object) -> str:
    """The sentence for `key` in `lang` ("zh" or "en"), with `params` filled in.

    An unknown key returns the key itself, so a missing entry shows up on screen
    and in `tests/test_i18n.py` rather than as a crash.
    """
    pair = CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**params) if params else text
