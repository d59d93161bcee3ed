"""Every user-visible sentence, in Chinese and English, looked up by key."""

from __future__ import annotations

# long-module: one table of every sentence (key → zh, en), read as a table; splitting it by page would
# scatter the test that every key has both languages and the search for a key (the report's own
# templates are already apart, in lib/i18n_report.py).
from lib.i18n_report import REPORT_CATALOGUE

# key -> (zh, en). Parameters use str.format names: {name}.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- Explore (自助分析) and team-defined measures ----------------------------
    "explore.no_kpi": ("请至少选择一个指标。", "Pick at least one KPI."),
    "explore.unknown_kpi": (
        "没有名为“{kpi}”的指标。请从列表中选择指标，或先定义这个自定义指标。",
        "There is no KPI called “{kpi}”. Pick a KPI from the list, or define this measure first.",
    ),
    "explore.too_many_dimensions": (
        "最多只能按 {most} 个维度分组。请去掉多余的维度。",
        "Group by at most {most} dimensions. Remove the extra ones.",
    ),
    "explore.same_dimension_twice": (
        "同一个维度选了两次。请选择两个不同的维度。",
        "The same dimension is picked twice. Pick two different dimensions.",
    ),
    "explore.unknown_dimension": (
        "“{dimension}”不是可分组的维度。可用维度：{known}。",
        "“{dimension}” is not a dimension to group by. Use one of: {known}.",
    ),
    "explore.unknown_grain": (
        "“{grain}”不是时间粒度。可用粒度：{known}。",
        "“{grain}” is not a time grain. Use one of: {known}.",
    ),
    "explore.bad_top": (
        "显示前 N 项的 N 必须在 1 到 {most} 之间（现在是 {top}）。",
        "Top N must be between 1 and {most} (it is {top}).",
    ),
    "explore.bad_min_size": (
        "最小分组规模不能为负数（现在是 {size}）。",
        "The minimum group size cannot be negative (it is {size}).",
    ),
    "explore.bad_sort": (
        "只能按问题中的指标排序，“{kpi}”不在其中。",
        "Sort by one of the question's KPIs; “{kpi}” is not one of them.",
    ),
    "explore.bad_order": (
        "排序方向“{order}”无效：请用 desc 或 asc。",
        "Sort order “{order}” is not valid: use desc or asc.",
    ),
    "explore.no_column": (
        "数据中没有{field}列，无法按它分组。请换一个维度，或在数据页映射这一列。",
        "The data has no {field} column to group by. Pick another dimension, or map that column on the Data page.",
    ),
    "nav.explore": ("自助分析", "Explore"),
    "explore.title": ("自助分析", "Explore"),
    "explore.intro": (
        "自己提问：选指标，按一到两个维度和/或时间粒度分组。侧边栏的日期和筛选同样生效；地址栏里的链接可以还原这个问题。",
        "Ask your own question: pick KPIs, group by one or two dimensions and/or a time grain. The sidebar's "
        "dates and filters apply; the link in the address bar reproduces the question.",
    ),
    "explore.kpis": ("指标", "KPIs"),
    "explore.pick_kpis": ("选择指标", "Pick KPIs"),
    "explore.by": ("分组维度（最多两个）", "Group by (up to two)"),
    "explore.no_dimension": ("不分组", "No grouping"),
    "explore.grain": ("时间粒度", "Time grain"),
    "explore.no_grain": ("不按时间", "None"),
    "explore.kpi_help": ("这些指标的含义", "What these KPIs mean"),
    "explore.options": (
        "前 N 项、排序、最小分组、页面筛选",
        "Top N, sorting, minimum group size, page filters",
    ),
    "explore.top": ("每个维度显示前 N 项（其余归入“其他”）", "Top N per dimension (the rest in “other”)"),
    "explore.min_size": ("最小分组规模", "Minimum group size"),
    "explore.min_size_help": (
        "工单（或回访回答）少于此数的分组标为灰色：比率在小样本上波动很大。",
        "Groups with fewer tickets (or survey answers) are greyed out: rates on few cases are noise.",
    ),
    "explore.sort": ("排序依据", "Sort by"),
    "explore.by_size": ("分组规模", "Group size"),
    "explore.order": ("顺序", "Order"),
    "explore.order_desc": ("从高到低", "High to low"),
    "explore.order_asc": ("从低到高", "Low to high"),
    "explore.filters_help": (
        "页面筛选：在侧边栏筛选之上再缩小范围（两者都须满足）。",
        "Page filters: narrow the sidebar's filters further (both must hold).",
    ),
    "explore.group.volume": ("工单量", "Volume"),
    "explore.group.efficiency": ("效率", "Efficiency"),
    "explore.group.quality": ("质量", "Quality"),
    "explore.group.satisfaction": ("满意度", "Satisfaction"),
    "explore.group.cost": ("成本", "Cost"),
    "explore.group.customers": ("客户", "Customers"),
    "explore.group.measures": ("自定义", "Team measure"),
    "explore.views": ("已保存的视图", "Saved views"),
    "explore.views_help": (
        "视图保存的是问题本身（指标、维度、筛选……），打开时使用当前数据；随映射文件（或团队工作区）一起保存。",
        "A view saves the question (KPIs, dimensions, filters …) and opens with today's data; it is saved "
        "with the mapping file (or the team workspace).",
    ),
    "explore.view": ("视图", "View"),
    "explore.open": ("打开", "Open"),
    "explore.rename_to": ("新名称", "New name"),
    "explore.rename": ("重命名", "Rename"),
    "explore.delete": ("删除", "Delete"),
    "explore.no_views": ("还没有保存的视图。", "No saved views yet."),
    "explore.save_as": ("保存当前问题为", "Save this question as"),
    "explore.save": ("保存视图", "Save view"),
    "explore.name_needed": ("请先给视图起个名字。", "Give the view a name first."),
    "explore.saved": ("已保存视图“{name}”。", "Saved the view “{name}”."),
    "explore.saved_team": (
        "已保存视图“{name}”，团队成员都能看到。",
        "Saved the view “{name}”; everyone on the team sees it.",
    ),
    "explore.view_taken": (
        "已有名为“{name}”的视图，只有编辑者可以覆盖它。请换一个名字。",
        "There is already a view named “{name}”; only an editor may replace it. Choose another name.",
    ),
    "explore.other": ("其他", "Other"),
    "explore.other_no_drill": (
        "“其他”包含多个值，不能下钻。请调大前 N 项后点击具体的值。",
        "“Other” holds many values and cannot be drilled into. Raise top N and click a single value.",
    ),
    "explore.folded": (
        "{field}只显示最多的 {top} 项，其余 {count} 项合并为“其他”（其比率按其自身工单计算）。",
        "{field}: the {top} largest are shown; the other {count} are one “other” group (its rates computed "
        "on its own tickets).",
    ),
    "explore.small_groups": (
        "{count} 个分组少于 {size} 个样本，显示为灰色：其比率仅供参考。",
        "{count} groups have fewer than {size} cases and are greyed out: treat their rates with care.",
    ),
    "explore.chart": ("图表", "Chart"),
    "explore.chart_lines": ("折线", "Lines"),
    "explore.chart_bars": ("条形", "Bars"),
    "explore.chart_heatmap": ("热力图", "Heat map"),
    "explore.chart_table": ("表格", "Table"),
    "explore.no_rows": ("无数据", "No data"),
    "explore.table": ("明细表", "Table"),
    "explore.pivot": ("透视表：{kpi}", "Pivot table: {kpi}"),
    "explore.pivot_sheet": ("透视表", "Pivot"),
    "explore.size_tickets": ("工单数", "Tickets"),
    "explore.size_survey_responses": ("回答数", "Answers"),
    "measure.title": ("团队自定义指标", "Team measures"),
    "measure.intro": (
        "用固定的积木搭建指标，不写代码：满足条件的工单数；在某些工单中满足条件的占比；数值字段或两个时间之间时长的平均值 / 中位数 / P90。"
        "条件按行填写：字段、运算（equals 等于、in 属于、between 介于、is_empty 为空、not_empty 不为空、under 不超过）、值。"
        "填了“起始时间”的行比较的是从起始时间到该字段的小时数。",
        "Build a measure from fixed parts, no code: the count of tickets where conditions hold; the share of "
        "tickets where conditions hold among those where others hold; the mean / median / p90 of a numeric "
        "field or of the time between two dates. Conditions are rows: field, operator (equals, in, between, "
        "is_empty, not_empty, under), value. A row with a “from” date compares the hours from it to the field.",
    ),
    "measure.name_zh": ("中文名称", "Chinese name"),
    "measure.name_en": ("英文名称", "English name"),
    "measure.key": ("代码", "Key"),
    "measure.key_help": (
        "小写英文字母开头，只含小写字母、数字和下划线，例如 leak_fixed_24h。",
        "Starts with a lower-case letter; lower-case letters, digits and underscores, e.g. leak_fixed_24h.",
    ),
    "measure.kind": ("类型", "Type"),
    "measure.kind_count": ("计数", "Count"),
    "measure.kind_share": ("占比", "Share"),
    "measure.kind_mean": ("平均值", "Mean"),
    "measure.kind_median": ("中位数", "Median"),
    "measure.kind_p90": ("第 90 百分位（P90）", "p90"),
    "measure.better": ("好的方向", "Better when"),
    "measure.better_None": ("无", "Neither"),
    "measure.better_higher": ("越高越好", "Higher"),
    "measure.better_lower": ("越低越好", "Lower"),
    "measure.target": ("目标（可选）", "Target (optional)"),
    "measure.target_help": ("占比填小数，例如 0.8 表示 80%。", "Shares as fractions: 0.8 means 80%."),
    "measure.where": ("条件（全部满足）", "Conditions (all must hold)"),
    "measure.among": ("分母：在哪些工单中计算占比", "Denominator: among which tickets"),
    "measure.of": ("计算对象（字段）", "Of (field)"),
    "measure.col_field": ("字段", "Field"),
    "measure.col_since": ("起始时间（计算时长）", "From (for a duration)"),
    "measure.col_since_help": (
        "填写后比较从该时间到“字段”的小时数。",
        "When set, the hours from this date to the field are compared.",
    ),
    "measure.col_op": ("运算", "Operator"),
    "measure.col_value": ("值", "Value"),
    "measure.col_value_help": (
        "in 和 between 的多个值用逗号分隔；between 含两端。",
        "Separate the values of in and between with commas; between includes both ends.",
    ),
    "measure.add": ("保存指标", "Save measure"),
    "measure.added": (
        "已保存指标“{name}”，可在指标列表的“自定义”中选用。",
        "Saved the measure “{name}”: pick it under “Team measure”.",
    ),
    "rpt.table.measures": ("团队自定义指标", "Team measures"),
    "explore.status_legend": (
        "有目标的指标按状态着色：绿色达标，橙色接近目标，红色未达标；灰色文字为样本过少的分组。",
        "KPIs with a target are coloured by status: green met, amber close, red missed; grey text marks "
        "groups too small to trust.",
    ),
    "measure.op_equals": ("等于", "equals"),
    "measure.op_in": ("属于", "is one of"),
    "measure.op_between": ("介于（含两端）", "between (inclusive)"),
    "measure.op_is_empty": ("为空", "is empty"),
    "measure.op_not_empty": ("不为空", "is not empty"),
    "measure.op_under": ("不超过", "at most"),
    "explore.chart_multiples": ("小多图", "Small multiples"),
    "explore.multiples_cut": (
        "{field}共 {count} 项，只画最大的 {shown} 项；全部分组见下方明细表。",
        "{field} has {count} values; the {shown} largest are drawn, every group is in the table below.",
    ),
    "cli.bad_filter": (
        "筛选条件“{filter}”无效：请写成 维度=值，维度为 {known} 之一。",
        "The filter “{filter}” is not valid: write DIMENSION=VALUE with one of {known}.",
    ),
    "measure.not_a_definition": (
        "自定义指标的定义必须是一个对象（key、label、kind……）。",
        "A measure's definition must be an object (key, label, kind, …).",
    ),
    "measure.bad_key": (
        "自定义指标的代码“{code}”无效：请用小写英文字母开头，只含小写字母、数字和下划线，最多 40 个字符。",
        "The measure key “{code}” is not valid: start with a lower-case letter and use only lower-case letters, "
        "digits and underscores, at most 40 characters.",
    ),
    "measure.builtin_key": (
        "“{code}”已是内置指标的代码。请给自定义指标换一个代码。",
        "“{code}” is already a built-in KPI's key. Give the measure another key.",
    ),
    "measure.no_label": (
        "自定义指标“{code}”缺少名称。请填写名称。",
        "The measure “{code}” has no name. Give it one.",
    ),
    "measure.bad_kind": (
        "指标类型“{kind}”无效。可用类型：{known}。",
        "The measure type “{kind}” is not valid. Use one of: {known}.",
    ),
    "measure.share_needs_among": (
        "占比指标“{label}”缺少分母条件（在哪些工单中计算占比）。请至少添加一个分母条件。",
        "The share “{label}” has no denominator (among which tickets). Add at least one “among” condition.",
    ),
    "measure.bad_better": (
        "“{better}”不是好坏方向：请用 higher 或 lower。",
        "“{better}” is not a direction: use higher or lower.",
    ),
    "measure.bad_conditions": (
        "条件必须是一个列表，最多 {most} 行（字段 / 运算 / 值）。",
        "Conditions must be a list of at most {most} rows (field / operator / value).",
    ),
    "measure.unknown_field": (
        "“{field}”不是工单字段。可用字段：{known}。",
        "“{field}” is not a ticket field. Use one of: {known}.",
    ),
    "measure.duration_needs_dates": (
        "时长只能在两个时间字段之间计算，{field}不是时间字段。",
        "A duration runs between two date fields; {field} is not a date field.",
    ),
    "measure.duration_same_field": (
        "时长的起止字段都是{field}。请选择两个不同的时间字段。",
        "The duration starts and ends at {field}. Pick two different date fields.",
    ),
    "measure.bad_operator": (
        "运算“{op}”无效。可用运算：{known}。",
        "The operator “{op}” is not valid. Use one of: {known}.",
    ),
    "measure.too_many_values": ("一个条件最多 {most} 个值。", "A condition takes at most {most} values."),
    "measure.under_needs_number": (
        "“不超过”只适用于数值或时长，{field}不是。请改用“等于”或“属于”。",
        "“Under” works on numbers and durations; {field} is neither. Use “equals” or “in”.",
    ),
    "measure.between_needs_order": (
        "“介于”只适用于数值、日期或时长，{field}不是。请改用“属于”。",
        "“Between” works on numbers, dates and durations; {field} is none of them. Use “in”.",
    ),
    "measure.bad_value_count": (
        "{field}的“{op}”条件的值个数不对：等于和不超过要一个值，介于要两个值，属于至少一个。",
        "The “{op}” condition on {field} has the wrong number of values: equals and under take one, "
        "between takes two, in at least one.",
    ),
    "measure.between_order": (
        "{field}的区间下限 {low} 大于上限 {high}。请对调两个值。",
        "For {field} the lower bound {low} is above the upper bound {high}. Swap them.",
    ),
    "measure.needs_of": (
        "平均值、中位数和 P90 需要指定计算对象：一个数值字段，或两个时间字段之间的时长。",
        "A mean, median or p90 needs what it is of: a numeric field, or the duration between two date fields.",
    ),
    "measure.not_numeric": (
        "{field}不是数值字段，无法计算平均值或分位数。请选数值字段或时长。",
        "{field} is not a numeric field, so it has no mean or percentile. Pick a numeric field or a duration.",
    ),
    "measure.not_a_number": (
        "{field}的值“{value}”不是数字。",
        "The value “{value}” for {field} is not a number.",
    ),
    "measure.not_a_bool": (
        "{field}的值“{value}”不是是/否。请填 是 或 否（true / false）。",
        "The value “{value}” for {field} is not yes/no. Write true or false (是 / 否).",
    ),
    "measure.not_a_date": (
        "{field}的值“{value}”不是日期。请写成 2024-03-01 或 2024-03-01 08:30。",
        "The value “{value}” for {field} is not a date. Write it as 2024-03-01 or 2024-03-01 08:30.",
    ),
    "measure.value_too_long": (
        "{field}的值太长（最多 200 个字符）。",
        "The value for {field} is too long (200 characters at most).",
    ),
    "measure.bad_file": (
        "自定义指标文件不是有效的 JSON：它应是定义的列表，或含“measures”列表的对象。",
        "The measures file is not valid JSON: it should be a list of definitions, or an object with a "
        "“measures” list.",
    ),
    "measure.missing_field": (
        "自定义指标“{label}”需要{field}列，但当前数据没有。请在数据页映射该列，或修改指标。",
        "The measure “{label}” needs the {field} column, which the data lacks. Map it on the Data page or "
        "change the measure.",
    ),
    "measure.empty_denominator": (
        "自定义指标“{label}”的分母条件在全部数据中没有匹配任何工单，占比无法计算。请放宽分母条件。",
        "The measure “{label}” has a denominator that matches no ticket in the data, so the share cannot be "
        "computed. Loosen its “among” conditions.",
    ),
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
    # Limits on untrusted files (lib/ingest/limits.py LIMITS); {env} is the variable that raises one.
    "read.too_many_rows": (
        "文件“{name}”有 {rows} 行数据，超过上限 {limit} 行。请按月份拆分导出，或请管理员调高环境变量 {env}。",
        "The file “{name}” has {rows} data rows, over the limit of {limit}. Export it month by month, "
        "or ask your administrator to raise the environment variable {env}.",
    ),
    "read.too_many_columns": (
        "文件“{name}”有 {columns} 列，超过上限 {limit} 列。请检查分隔符和换行是否正确、只导出需要的列，或请管理员调高环境变量 {env}。",
        "The file “{name}” has {columns} columns, over the limit of {limit}. Check its separators and line "
        "breaks and export only the columns you need, or ask your administrator to raise the environment variable {env}.",
    ),
    "read.excel_unpacked": (
        "Excel 文件“{name}”解压后有 {size_mb} MB，超过上限 {limit} MB。请拆分或另存为 CSV 后上传，或请管理员调高环境变量 {env}。",
        "The Excel file “{name}” unpacks to {size_mb} MB, over the limit of {limit} MB. Split it or save it as CSV, "
        "or ask your administrator to raise the environment variable {env}.",
    ),
    "read.excel_ratio": (
        "Excel 文件“{name}”中的“{part}”解压后变大 {ratio} 倍（上限 {limit} 倍），像是压缩炸弹，已拒绝读取。"
        "如果文件正常，请另存为 CSV 上传，或请管理员调高环境变量 {env}。",
        "The part “{part}” of the Excel file “{name}” grows {ratio} times when unpacked (limit {limit}), like a "
        "zip bomb, so it was not read. If the file is genuine, save it as CSV, or ask your administrator to raise "
        "the environment variable {env}.",
    ),
    "read.excel_sparse": (
        "Excel 文件“{name}”的工作表“{sheet}”一直延伸到单元格 {corner}（{cells} 个单元格），但几乎没有数据。"
        "请删除数据下方和右侧的空行空列（按 Ctrl+End 可找到最后一个单元格）后保存，或另存为 CSV 上传。",
        "The sheet “{sheet}” of the Excel file “{name}” reaches cell {corner} ({cells} cells) but holds almost no "
        "data. Delete the rows and columns after your data (Ctrl+End shows the last cell) and save, or save it as CSV.",
    ),
    "read.excel_memory": (
        "读取 Excel 文件“{name}”需要超过 {limit} MB 内存，已停止。请另存为 CSV 上传，或请管理员调高环境变量 {env}。",
        "Reading the Excel file “{name}” needed more than {limit} MB of memory and was stopped. Save it as CSV, "
        "or ask your administrator to raise the environment variable {env}.",
    ),
    "read.excel_timeout": (
        "读取 Excel 文件“{name}”超过 {limit} 秒，已停止。请另存为 CSV 上传，或请管理员调高环境变量 {env}。",
        "Reading the Excel file “{name}” took more than {limit} seconds and was stopped. Save it as CSV, "
        "or ask your administrator to raise the environment variable {env}.",
    ),
    # Session bundles (lib/ingest/bundle.py): read as untrusted uploads; a bad one changes nothing.
    "read.bundle_bad": (
        "“{name}”不是 Aftersight 保存的会话包，或已损坏（{detail}）。请上传在“数据”页用“下载会话包”保存的 .zip 文件。当前数据没有改变。",
        "“{name}” is not a session bundle saved by Aftersight, or it is damaged ({detail}). Upload the .zip saved "
        "with “Download session bundle” on the Data page. Your current data is unchanged.",
    ),
    "read.bundle_version": (
        "会话包“{name}”由更新版本的 Aftersight 保存（格式 {version}），本版本只能读取格式 {supported}。请升级后再恢复。当前数据没有改变。",
        "The session bundle “{name}” was saved by a newer Aftersight (format {version}); this version reads "
        "format {supported}. Upgrade, then restore it. Your current data is unchanged.",
    ),
    "read.bundle_too_large": (
        "会话包“{name}”中的“{part}”解压后有 {size_mb} MB，超过上限 {limit_mb} MB（或压缩比异常），已拒绝读取。当前数据没有改变。",
        "The part “{part}” of the session bundle “{name}” unpacks to {size_mb} MB, over the limit of {limit_mb} MB "
        "(or it grows suspiciously when unpacked), so it was not read. Your current data is unchanged.",
    ),
    # --- mapping, scope ---------------------------------------------------------
    "mapping.missing": (
        "必填字段“{field}”在{table}文件中没有对应的列。请在下表中为它选择一列；可选的列：{candidates}。",
        "The required field “{field}” has no column in the {table} file. Pick one in the table below; "
        "candidates: {candidates}.",
    ),
    # Why a column was chosen for a field (lib/ingest/inference.py), shown beside the mapping.
    "map.why.header": ("表头为“{header}”", "header says “{header}”"),
    "map.why.saved": ("来自保存的映射文件", "from the saved mapping file"),
    "map.why.user": ("由你选择", "chosen by you"),
    "map.why.unique": ("每行取值都不同", "unique in every row"),
    "map.why.one_start": (
        "同一编号的各行创建时间相同（{share}）",
        "rows with the same value share one creation time ({share})",
    ),
    "map.why.repeats": ("重复出现的编号（不同取值占 {share}）", "an id that repeats ({share} distinct)"),
    "map.why.earliest": ("{share} 的行中是最早的时间", "the earliest date in {share} of rows"),
    "map.why.named": ("表头含“{word}”", "the header mentions “{word}”"),
    "map.why.later_than": ("{share} 的行晚于“{other}”", "later than “{other}” in {share} of rows"),
    "map.why.sooner": (
        "{share} 的行晚于“{other}”，且远早于完成时间",
        "later than “{other}” in {share} of rows, and much sooner than the resolution",
    ),
    "map.why.values": ("取值如 {examples}", "values like {examples}"),
    "map.why.scale": ("{low} 到 {high} 分的评分", "scores from {low} to {high}"),
    "map.why.free_text": ("自由文本", "free text"),
    "map.why.only_date": ("文件中的日期列", "the file's date column"),
    "map.why.refused": (
        "表头“{header}”像是这个字段，但{problem}，未采用",
        "the header “{header}” looks like this field, but {problem}; not used",
    ),
    "map.why.doubt": (
        "表头“{header}”像是这个字段，但{problem}：没有更合适的列，请确认",
        "the header “{header}” looks like this field, but {problem}: no better column, please check",
    ),
    "map.problem.repeats": ("它在不同工单间重复", "it repeats across tickets"),
    "map.problem.deadline": (
        "它是期限（应在何时完成），不是实际发生的时间",
        "it is a deadline (when it should happen), not when it did",
    ),
    "map.problem.times_only": (
        "它的值只有时刻或时长，没有日期",
        "its values are clock times or durations with no date",
    ),
    "map.problem.empty": ("该列是空的", "the column is empty"),
    "map.problem.not_dates": ("它的值不是日期", "its values are not dates"),
    "map.problem.not_yes_no": ("它的值不是“是/否”", "its values are not yes/no"),
    "map.problem.not_numbers": ("它的值不是数字", "its values are not numbers"),
    "map.problem.free_text": ("它是自由文本，不是编号或分类", "it holds free text, not codes or categories"),
    "map.conf.high": ("高", "high"),
    "map.conf.medium": ("中", "medium"),
    "map.conf.low": ("低 · 请确认", "low · please check"),
    "map.cli.line": (
        "{table}.{field} ← “{column}”（{confidence}：{why}）",
        "{table}.{field} ← “{column}” ({confidence}: {why})",
    ),
    "map.cli.refused": ("{table}.{field}：{why}", "{table}.{field}: {why}"),
    "mapping.low_confidence": (
        "“{field}”的对应列“{column}”是把握较低的推断（{why}），--strict-mapping 下不采用。请用 --mapping 给出映射文件。",
        "The column “{column}” for “{field}” is a low-confidence guess ({why}); --strict-mapping refuses it. "
        "Give a mapping file with --mapping.",
    ),
    "data.col_confidence": ("把握", "Confidence"),
    "data.mapped_preview": (
        "按上表对应后，文件的前几行：",
        "The file's first rows, read with the mapping above:",
    ),
    "data.col_why": ("依据", "Why"),
    "data.col_examples": ("示例值（按对应解析）", "Examples (parsed as mapped)"),
    "data.check_guesses": (
        "{count} 个字段是根据列的内容推断的：请确认标有“请确认”的行，选错了直接在下表改。",
        "Fields guessed from their content: {count}. Check the rows marked “please check”, and pick another "
        "column in the table if one is wrong.",
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
    "lake.no_spark": (
        "未安装 Spark：请运行 pip install -r requirements-spark.txt（还需要 Java 17），或去掉 --engine spark 在本机计算。",
        "Spark is not installed: run pip install -r requirements-spark.txt (Java 17 is needed too), or leave out --engine spark to compute locally.",
    ),
    "lake.no_tickets": (
        "数据湖计算需要工单表：请用 --tickets 指定 Parquet 路径或 table:库名.表名。",
        "Computing on the lake needs a tickets table: give --tickets a Parquet path or table:db.name.",
    ),
    "lake.unreadable": (
        "Spark 无法读取 {source}：{reason}。请给出 Parquet 文件或文件夹，或 table:库名.表名。",
        "Spark cannot read {source}: {reason}. Give a Parquet file or folder, or table:db.name.",
    ),
    "lake.bad_type": (
        "{source} 的列“{column}”用作 {field}，但类型不对（应为 {expected}）。数据湖中的表需已按类型存储；请转换该列或在映射文件中改选其他列。",
        "Column “{column}” of {source} is used as {field} but has the wrong type (expected {expected}). Lake tables must be typed already: convert the column, or map another one in the mapping file.",
    ),
    "lake.one_source": (
        "用 Spark 计算时每种表只能给一个来源（{table}）：把多个文件放进同一个文件夹，或用通配符 *.parquet。",
        "With Spark, give one source per table ({table}): put the files in one folder, or use a glob such as *.parquet.",
    ),
    "lake.no_connect": (
        'AFTERSIGHT_SPARK_MASTER 是 Spark Connect 地址（sc://），但未安装其客户端：请运行 pip install "pyspark[connect]"，或改用 spark:// 或 local[2]。',
        "AFTERSIGHT_SPARK_MASTER is a Spark Connect address (sc://) but its client is not installed: run "
        'pip install "pyspark[connect]", or use a spark:// or local[2] master.',
    ),
    "lake.connect_unreachable": (
        "Spark Connect 地址 {endpoint} 没有应答（{reason}）。请确认该处的 Spark Connect 服务正在运行，并检查 AFTERSIGHT_SPARK_MASTER 中的主机、端口和令牌。",
        "The Spark Connect endpoint {endpoint} does not answer ({reason}). Check that a Spark Connect server runs "
        "there, and the host, port and token in AFTERSIGHT_SPARK_MASTER.",
    ),
    "lake.no_tickets_setting": (
        "AFTERSIGHT_ENGINE=spark 需要工单表的位置：请设置 {setting}（Parquet 路径、通配符或 table:库名.表名），在环境变量或 .streamlit/secrets.toml 中。",
        "AFTERSIGHT_ENGINE=spark needs the tickets table: set {setting} (a Parquet path, a glob or table:db.name) "
        "in the environment or .streamlit/secrets.toml.",
    ),
    "lake.no_mapping_file": (
        "无法读取映射文件 {path}：{reason}。请检查 AFTERSIGHT_LAKE_MAPPING，或去掉它以按列名自动对应。",
        "The mapping file {path} cannot be read: {reason}. Check AFTERSIGHT_LAKE_MAPPING, or leave it out to map "
        "the columns by their names.",
    ),
    "lake.query_failed": (
        "Spark 对 {source} 的查询失败：{reason}。请检查集群是否在运行、应用的账号能否读取该表，以及映射文件中的列是否存在；页面其余部分照常显示。",
        "Spark's query on {source} failed: {reason}. Check that the cluster is up, that the app's account may read "
        "the table and that the columns of the mapping file exist; the rest of the page still shows.",
    ),
    "lake.page_not_yet": (
        "此页面还不能在数据湖上计算（目前支持：概览、效率、满意度、团队、成本、预测、自助分析、报告中的指标表）。管理员可以去掉 AFTERSIGHT_ENGINE=spark 改为在本机计算。",
        "This page does not compute on the lake yet (supported now: Overview, Efficiency, Satisfaction, Team, Cost, Forecast, "
        "Explore, and the report's KPI table). An "
        "administrator can remove AFTERSIGHT_ENGINE=spark to compute locally.",
    ),
    "lake.backlog_per_period": (
        "数据湖模式下，积压工单还不能按时间粒度查看：请去掉时间粒度，或选择其他指标。",
        "On the lake, the backlog cannot be shown per period yet: remove the time grain, or pick another KPI.",
    ),
    "lake.data_intro": (
        "数据由管理员配置在数据湖中，由 Spark 计算；此模式下不能上传文件。每页只从 Spark 取回汇总后的结果。",
        "The data lives in the lake the administrator configured and Spark computes on it; there is no upload in "
        "this mode. Each page fetches only aggregated results from Spark.",
    ),
    "lake.endpoint": ("计算引擎 Spark：{endpoint}", "Spark: {endpoint}"),
    "lake.table_line": ("**{table}** · {rows} 行 · {source}", "**{table}** · {rows} rows · {source}"),
    "lake.mapping_file": ("映射文件：{path}", "Mapping file: {path}"),
    "lake.mapping_auto": (
        "没有映射文件：列按名称自动对应（AFTERSIGHT_LAKE_MAPPING 可指定数据页保存的映射文件）。",
        "No mapping file: columns are mapped by their names (AFTERSIGHT_LAKE_MAPPING can name a mapping file saved on "
        "the Data page).",
    ),
    "lake.mapping_table": ("列对应", "Column mapping"),
    "lake.explaining": (
        "Spark 正在分析每条告警变化的原因，完成后会显示在上面的告警里（数据湖上可能需要几分钟，页面其余部分不必等待）。",
        "Spark is working out why each alert moved; the reasons appear in the alerts above when ready (minutes on "
        "the lake; the rest of the page does not wait).",
    ),
    "lake.computing": ("Spark 正在计算…", "Spark is computing…"),
    "lake.col_table": ("表", "Table"),
    "lake.col_field": ("字段", "Field"),
    "lake.col_column": ("数据湖中的列", "Lake column"),
    "lake.report_table": (
        "数据湖模式下报告只提供指标表（可下载 CSV）；完整报告需在本机计算。",
        "On the lake the report gives the KPI table (CSV download); the full report needs local computing.",
    ),
    "cli.not_a_file": (
        "“{path}” 不是文件。本机计算读取文件；文件夹、通配符和 table:库名.表名 需要 --engine spark。",
        "“{path}” is not a file. Local computing reads files; folders, globs and table:db.name need --engine spark.",
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
    "drill.active": (
        "已下钻：{field} = {value}（本页所有数字都只含这部分）",
        "Drilled into {field} = {value} (every number on this page)",
    ),
    "drill.empty_value": ("（空）", "(empty)"),
    "drill.clear": ("清除", "Clear"),
    "drill.everywhere": ("应用到所有页面", "Filter every page"),
    "drill.hint": (
        "点击柱形或表格行可下钻；双击空白处取消。",
        "Click a bar or a table row to drill down; double-click empty space to undo.",
    ),
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
    "column.p25": ("25 分位数", "P25"),
    "column.p50": ("中位数", "Median"),
    "column.p75": ("75 分位数", "P75"),
    "column.p90": ("90 分位数", "P90"),
    "column.p10": ("10 分位数", "P10"),
    "column.metric": ("指标", "Metric"),
    "column.median": ("团队中位数", "Team median"),
    "column.low": ("正常下限", "Normal from"),
    "column.high": ("正常上限", "Normal to"),
    "column.direction": ("方向", "Direction"),
    "column.date": ("日期", "Date"),
    "column.ds": ("日期", "Date"),
    "column.y": ("实际工单量", "Actual tickets"),
    "column.yhat": ("预测工单量", "Forecast tickets"),
    "column.expected": ("预期工单量", "Expected tickets"),
    "column.lower": ("区间下限", "Interval low"),
    "column.upper": ("区间上限", "Interval high"),
    "column.series": ("预测对象", "Series"),
    "column.model": ("模型", "Model"),
    "column.agents": ("所需人数", "People needed"),
    "column.cutoff": ("回测起点", "Back-test start"),
    "column.mae": ("平均绝对误差 MAE", "MAE"),
    "column.mape": ("平均百分比误差 MAPE", "MAPE"),
    "column.mape_days_skipped": ("MAPE 跳过的零值天数", "Zero days left out of MAPE"),
    "column.mase": ("相对基准误差 MASE", "MASE vs baseline"),
    "column.coverage": ("区间覆盖率", "Interval coverage"),
    # --- analysis pages ------------------------------------------------------------
    "nav.efficiency": ("效率", "Efficiency"),
    "nav.satisfaction": ("满意度", "Satisfaction"),
    "nav.team": ("团队", "Team"),
    "nav.cost": ("成本", "Cost"),
    "page.no_rows": (
        "所选范围和筛选条件下没有工单。请放宽日期范围或筛选条件。",
        "No tickets in the selected range and filters. Widen the date range or the filters.",
    ),
    "team.title": ("团队绩效", "Team performance"),
    "team.outliers": ("需要关注的人员", "Who stands out"),
    "team.no_outliers": (
        "没有人明显偏离团队中位数（超出中位数 ± 1.5 倍四分位距）。",
        "Nobody is far from the team median (beyond median ± 1.5 × IQR).",
    ),
    "team.outlier_worse": (
        ":red[●] **{agent}** 明显差于团队：{metrics}",
        ":red[●] **{agent}** is clearly worse than the team on {metrics}",
    ),
    "team.outlier_better": (
        ":green[●] **{agent}** 明显好于团队，值得借鉴：{metrics}",
        ":green[●] **{agent}** is clearly better than the team (worth learning from) on {metrics}",
    ),
    "team.outlier_metric": ("{metric} {value}（中位数 {median}）", "{metric} {value} (median {median})"),
    "team.outlier_rule": (
        "偏离团队中位数超过 1.5 倍四分位距（IQR）的人员，只评价本期至少 {tickets} 张工单的人；按偏离程度排序。",
        "People more than 1.5 × the interquartile range (IQR) from the team median, among those with at least "
        "{tickets} tickets in the period; farthest first.",
    ),
    "team.more_outliers": ("另有 {count} 项", "{count} more"),
    "team.ranking": ("排名", "Ranking"),
    "team.metric": ("排名指标", "Rank by"),
    "team.ranking_title": ("按{metric}排名（虚线为团队中位数）", "Ranked by {metric} (dashed: team median)"),
    "team.table": ("人员明细", "Per person"),
    "team.workload": ("工作量趋势", "Workload over time"),
    "team.other": ("其他", "Others"),
    "team.unassigned": ("未分配", "Unassigned"),
    "cost.title": ("服务成本", "Service cost"),
    "cost.structure": ("成本结构", "Cost structure"),
    "cost.structure_title": ("各成本项随时间变化", "Cost by component over time"),
    "cost.as_share": ("按占比显示", "Show as shares"),
    "cost.by_dimension": ("单均成本分布", "Cost per ticket by group"),
    "cost.dimension": ("分组维度", "Group by"),
    "cost.per_ticket_by": ("按{field}的单均成本", "Cost per ticket by {field}"),
    "cost.pareto": ("成本帕累托（问题类型）", "Cost Pareto (problem category)"),
    "cost.pareto_title": ("哪些问题类型占了大部分成本", "Which categories make most of the cost"),
    "cost.pareto_words": (
        "{total} 个问题类型中的 **{vital} 个** 占了 **{share}** 的成本：{names}。",
        "**{vital} of {total}** categories make **{share}** of the cost: {names}.",
    ),
    "cost.warranty": ("保内与保外", "In vs out of warranty"),
    "cost.warranty_title": ("保内/保外单均成本", "Cost per ticket in and out of warranty"),
    "cost.in_warranty": ("保内", "In warranty"),
    "cost.out_of_warranty": ("保外", "Out of warranty"),
    "cost.warranty_unknown": ("未知", "Unknown"),
    "efficiency.title": ("服务效率", "Service efficiency"),
    "efficiency.distributions": ("响应与解决时长分布", "How long responses and resolutions take"),
    "efficiency.split_by": ("按维度对比", "Compare by"),
    "efficiency.first_response": ("首次响应时长", "First response time"),
    "efficiency.resolution": ("解决时长", "Resolution time"),
    "efficiency.hours_axis": ("小时", "Hours"),
    "efficiency.days_axis": ("天", "Days"),
    "efficiency.whole_days": (
        "日期不含时刻：时长按整天显示（卡片与明细表仍以小时计）。",
        "The dates have no time of day: durations are shown in whole days (cards and tables stay in hours).",
    ),
    "efficiency.log_note": ("（对数刻度）", " (log scale)"),
    "efficiency.histogram_title": ("{name}分布", "{name}: distribution"),
    "efficiency.box_title": ("按{field}的{name}", "{name} by {field}"),
    "efficiency.over_time": ("随时间变化", "Over time"),
    "efficiency.sla_sheet": ("SLA 达标率趋势", "SLA rates over time"),
    "efficiency.rates_sheet": ("返修与一次解决趋势", "Reopen and FCR over time"),
    "efficiency.sla_rule": (
        "达标标准：首次响应 ≤ {response:g} 小时，解决 ≤ {resolution:g} 小时",
        "Within SLA: first response ≤ {response:g} h, resolution ≤ {resolution:g} h",
    ),
    "efficiency.sla_per_priority": (
        "；部分优先级使用单独的时限（见“目标设置”）。",
        "; some priorities have their own limits (see Targets).",
    ),
    "efficiency.open_tickets": ("未解决工单", "Open tickets"),
    "efficiency.backlog_title": ("每日积压（当日结束时未解决的工单）", "Backlog at each day's end"),
    "efficiency.heatmaps": ("工单什么时候堆积", "When work piles up"),
    "efficiency.arrivals": ("来单量（星期 × 小时）", "Tickets arriving (weekday × hour)"),
    "efficiency.response_by_hour": (
        "首次响应中位数（小时，按来单时间）",
        "Median first response (hours, by arrival time)",
    ),
    "efficiency.no_data": ("无数据", "No data"),
    "efficiency.no_hours": (
        "日期不含时刻（每张工单都记在 0 点），因此不显示星期 × 小时热力图。",
        "The dates have no time of day (every ticket sits at 00:00), so the weekday × hour heat maps are not shown.",
    ),
    "efficiency.breakdowns": ("分维度明细", "Breakdowns"),
    "efficiency.breakdown_by": ("维度", "Break down by"),
    "efficiency.breakdown_sheet": ("按{field}", "By {field}"),
    "weekday.1": ("周一", "Mon"),
    "weekday.2": ("周二", "Tue"),
    "weekday.3": ("周三", "Wed"),
    "weekday.4": ("周四", "Thu"),
    "weekday.5": ("周五", "Fri"),
    "weekday.6": ("周六", "Sat"),
    "weekday.7": ("周日", "Sun"),
    "satisfaction.title": ("客户满意度", "Customer satisfaction"),
    "satisfaction.over_time": ("满意度趋势", "Satisfaction over time"),
    "satisfaction.nps_split": ("推荐者、中立者与贬损者", "Promoters, passives and detractors"),
    "satisfaction.nps_split_title": ("NPS 构成（各期占比）", "NPS mix per period"),
    "satisfaction.promoter": ("推荐者 9–10", "Promoters 9–10"),
    "satisfaction.passive": ("中立者 7–8", "Passives 7–8"),
    "satisfaction.detractor": ("贬损者 0–6", "Detractors 0–6"),
    "satisfaction.drivers": ("满意度驱动因素", "What drives satisfaction"),
    "satisfaction.driver": ("按什么看", "Look at"),
    "satisfaction.driver_resolution_band": ("解决时长", "Resolution time"),
    "satisfaction.driver_reopened": ("是否返修", "Reopened or not"),
    "satisfaction.score": ("评分", "Score"),
    "satisfaction.driver_title": ("{score}：各组对比（n = 回答数）", "{score} by group (n = answers)"),
    "satisfaction.hours_unit": ("小时", " h"),
    "satisfaction.unresolved": ("未解决", "Unresolved"),
    "satisfaction.reopened": ("有返修", "Reopened"),
    "satisfaction.not_reopened": ("无返修", "Not reopened"),
    "satisfaction.small_note": (
        "颜色较浅的组回答少于 {n} 个，分数波动大，请谨慎解读。",
        "Lighter bars are groups with fewer than {n} answers: their scores move a lot, read them with care.",
    ),
    "satisfaction.sentiment": ("评价在说什么", "What the comments say"),
    "satisfaction.reading_comments": (
        "正在分析评价的情感与主题……",
        "Reading the comments' sentiment and themes…",
    ),
    "satisfaction.sentiment_trend": ("正面 / 中性 / 负面评价占比", "Positive, neutral and negative comments"),
    "satisfaction.negative_by": ("各{field}的负面评价占比", "Negative comments by {field}"),
    "satisfaction.themes": (
        "大家在谈什么（点击主题筛选下方评价）",
        "What people talk about (click a theme to filter the comments)",
    ),
    "satisfaction.pick_theme": ("主题", "Theme"),
    "satisfaction.theme_trend": (
        "主题提及趋势（未选主题时为提及最多的 5 个）",
        "Theme mentions over time (the 5 most mentioned unless one is picked)",
    ),
    "satisfaction.search": ("搜索评价", "Search the comments"),
    "satisfaction.search_hint": ("例如：师傅、收费、waiting", "e.g. 师傅, 收费, waiting"),
    "satisfaction.comments_found": (
        "按负面程度排序，显示 {shown} / {total} 条。",
        "Most negative first: {shown} of {total} comments shown.",
    ),
    "satisfaction.comments_capped": (
        "范围内有 {total} 条评价，分析的是最新的 {shown} 条；缩小日期范围可分析全部。",
        "The range has {total} comments; the newest {shown} are analysed. Narrow the date range to analyse them all.",
    ),
    "satisfaction.comment_list": ("评价（按负面程度）", "Comments (most negative first)"),
    "sentiment.no_column": (
        "文件中没有名为“{column}”的列。可用的列：{columns}。",
        "The file has no column “{column}”. Its columns: {columns}.",
    ),
    "sentiment.positive": ("正面", "Positive"),
    "sentiment.neutral": ("中性", "Neutral"),
    "sentiment.negative": ("负面", "Negative"),
    "column.sentiment": ("情感", "Sentiment"),
    "column.sentiment_score": ("情感分（−1 至 1）", "Sentiment score (−1 to 1)"),
    "column.language": ("语言", "Language"),
    "column.negative_share": ("负面占比", "Negative share"),
    "column.share_negative": ("负面占比", "Negative share"),
    "column.positive_share": ("正面占比", "Positive share"),
    "column.comments": ("评价数", "Comments"),
    "column.theme": ("主题", "Theme"),
    "column.example": ("例句", "Example"),
    "theme.waiting": ("等待时间", "Waiting"),
    "theme.appointment": ("预约与上门", "Appointments and visits"),
    "theme.attitude": ("服务态度", "Attitude"),
    "theme.fees": ("收费", "Fees"),
    "theme.parts": ("配件", "Parts"),
    "theme.engineer_skill": ("师傅技术", "Engineer's skill"),
    "theme.resolution": ("是否修好", "Fixed or not"),
    "theme.repeat_repair": ("返修", "Repeat repairs"),
    "theme.communication": ("沟通联系", "Communication"),
    "theme.accountability": ("推诿与投诉", "Passing the buck"),
    "theme.installation": ("安装", "Installation"),
    "theme.noise": ("噪音", "Noise"),
    "theme.cleanliness": ("清洁", "Cleanliness"),
    "theme.product_quality": ("产品质量", "Product quality"),
    "theme.warranty": ("保修", "Warranty"),
    "theme.loyalty": ("是否还会再来", "Would come back"),
    "satisfaction.lowest": ("评分最低的评论", "Lowest-scored comments"),
    "satisfaction.no_comments": (
        "所选范围内没有带文字的评价。",
        "No answers with a comment in the selected range.",
    ),
    "satisfaction.lake_comments": (
        "数据湖模式下不做评价文字的情感与主题分析：那需要把每条评价读进本应用。上面评分最低的 {limit} 条评价由 Spark 挑出后显示。",
        "On the lake the comments' sentiment and themes are not analysed: that would read every comment into the "
        "app. The {limit} lowest-scored comments above are picked by Spark and shown.",
    ),
    # --- forecast --------------------------------------------------------------------
    "nav.forecast": ("预测", "Forecast"),
    "forecast.title": ("工单量预测", "Ticket volume forecast"),
    "forecast.intro": (
        "用历史工单（侧边栏的筛选条件适用）预测未来工单量，并用过去的数据检验它本来会有多准。",
        "Forecasts ticket volume from the history (the sidebar's filters apply) and checks how accurate it would "
        "have been.",
    ),
    "forecast.history": ("学习哪段历史", "History to learn from"),
    "forecast.history_all": ("全部历史", "All of it"),
    "forecast.history_range": ("只用侧边栏的日期范围", "Only the sidebar's date range"),
    "forecast.horizon": ("预测多少天", "Days ahead"),
    "forecast.bad_country": (
        "不认识节假日日历“{country}”。可用：{known}。",
        "Unknown holiday calendar “{country}”. Known: {known}.",
    ),
    "forecast.interval": ("区间", "Interval"),
    "forecast.interval_short": ("{level} 区间", "{level} interval"),
    "forecast.split": ("分开预测", "Forecast separately by"),
    "forecast.no_split": ("不分（只看总量）", "Nothing (total only)"),
    "forecast.calendar": ("节假日与公司活动", "Holidays and company events"),
    "forecast.country": ("节假日日历", "Holiday calendar"),
    "forecast.events_help": (
        "促销（618、双11）、新品发布、召回等会带来工单高峰：在此登记（名称、开始、结束），预测会把它们当作节假日学习。它们随映射文件一起保存。",
        "Promotions (618, Singles' Day), launches and recalls bring ticket peaks: list them here (name, start, end) "
        "and the forecast learns them like holidays. They are saved with the mapping file.",
    ),
    "forecast.event_name": ("活动名称", "Event"),
    "forecast.event_start": ("开始日期", "Start"),
    "forecast.event_end": ("结束日期（可空）", "End (optional)"),
    "forecast.events_apply": ("应用活动表", "Use these events"),
    "forecast.bad_event": (
        "活动表有误：{detail}。请修改开始/结束日期。",
        "The events table has an error: {detail}. Fix its start or end dates.",
    ),
    "forecast.estimated_years": (
        "{years} 年的法定节假日尚未公布，使用的是按往年规律推算的日期（不含调休）。",
        "The public holidays of {years} are not published yet; estimated dates are used (without make-up working days).",
    ),
    "forecast.fitting": ("正在拟合预测并回测……", "Fitting the forecast and its back-test…"),
    "forecast.reason_no_data": (
        "所选范围内没有工单，无法预测。",
        "No tickets in the selected range: nothing to forecast.",
    ),
    "forecast.reason_short_history": (
        "历史不足 {weeks} 周，预测会没有意义。请在侧边栏选择更长的日期范围，或上传更多月份的数据。",
        "Less than {weeks} weeks of history: a forecast would mean nothing. Pick a longer date range in the sidebar "
        "or upload more months.",
    ),
    "forecast.reason_idle_start": (
        "历史开头有一段没有工单的日子，已从训练数据中去掉。",
        "The history starts with days without tickets; they were left out.",
    ),
    "forecast.reason_long_history": (
        "只用最近三年的历史拟合：更早的年份让计算慢很多，对接下来几周的预测帮助很小。",
        "Only the last three years of history are fitted: older years slow the computation a lot and add little "
        "to the next weeks' forecast.",
    ),
    "forecast.reason_no_backtest": (
        "历史太短，无法回测：使用最简单的模型，准确度未经检验。",
        "The history is too short for a back-test: the simplest model is used, its accuracy untested.",
    ),
    "forecast.reason_few_cutoffs": (
        "历史只够做少于 4 次回测，准确度的数字不够稳。",
        "The history allows fewer than 4 back-tests: the accuracy figures are shaky.",
    ),
    "forecast.volume": ("预测", "Forecast"),
    "forecast.chart_title": (
        "工单量：实际与预测（模型：{model}）",
        "Tickets: actual and forecast (model: {model})",
    ),
    "forecast.series_history": ("实际", "Actual"),
    "forecast.series_forecast": ("预测", "Forecast"),
    "forecast.series_anomaly": ("异常", "Anomaly"),
    "forecast.model_seasonal_naive": ("重复上周同一天", "same weekday last week"),
    "forecast.model_prophet": ("Prophet 模型", "Prophet"),
    "forecast.model_prophet_flexible": ("Prophet（灵活趋势）", "Prophet (flexible trend)"),
    "forecast.model_prophet_multiplicative": (
        "Prophet（乘法季节性）",
        "Prophet (multiplicative seasonality)",
    ),
    "forecast.model_prophet_yearly": ("Prophet（年季节性）", "Prophet (yearly seasonality)"),
    "forecast.per_day": ("每天", "a day"),
    "forecast.unit_day": ("天", "days"),
    "forecast.unit_week": ("周", "weeks"),
    "forecast.per_week": ("每周", "a week"),
    "forecast.better_than_naive": (
        "比“重复上周同一天”准 {share}",
        "{share} better than repeating the same weekday last week",
    ),
    "forecast.worse_than_naive": (
        "比“重复上周同一天”差 {share}",
        "{share} worse than repeating the same weekday last week",
    ),
    "forecast.accuracy": (
        "在过去 {cutoffs} 次回测中（每次预测 {horizon} {unit}），所选模型“{model}”{per}平均偏差 {mae} 张工单"
        "（MAPE {mape}），{comparison}；实际值有 {coverage} 落在 {interval} 区间内。",
        "Over the last {cutoffs} back-tests ({horizon} {unit} ahead each), the chosen model ({model}) was off by "
        "{mae} tickets {per} on average (MAPE {mape}), {comparison}; {coverage} of the actual values fell inside the "
        "{interval} interval.",
    ),
    "forecast.accuracy_short": (
        "回测{per}平均偏差 {mae}，{comparison}。",
        "Back-test: off by {mae} {per}, {comparison}.",
    ),
    "forecast.accuracy_short_naive": (
        "回测{per}平均偏差 {mae}；Prophet 未胜过“重复上周同一天”。",
        "Back-test: off by {mae} {per}; Prophet did not beat repeating the same weekday last week.",
    ),
    "forecast.accuracy_short_beyond": (
        "回测{per}平均偏差 {mae}；模型这次的预测超出了回测检验过的范围，所以显示“重复上周同一天”。",
        "Back-test: off by {mae} {per}; the models strayed beyond what the back-test checked, so repeating the "
        "same weekday last week is shown.",
    ),
    "forecast.accuracy_naive": (
        "在过去 {cutoffs} 次回测中（每次预测 {horizon} {unit}），“重复上周同一天”{per}平均偏差 {mae} 张工单"
        "（MAPE {mape}）{prophet}。实际值有 {coverage} 落在 {interval} 区间内。",
        "Over the last {cutoffs} back-tests ({horizon} {unit} ahead each), repeating the same weekday last week was "
        "off by {mae} tickets {per} on average (MAPE {mape}){prophet}. {coverage} of the actual values fell inside "
        "the {interval} interval.",
    ),
    "forecast.prophet_lost": (
        "；Prophet 的各种设置都没有胜过它（最好的一个{comparison}），所以显示的是这个基准预测",
        "; no Prophet setting beat it (the best was {comparison}), so this baseline is shown",
    ),
    "forecast.model_blend": ("组合预测", "blend"),
    "forecast.accuracy_blend": (
        "在过去 {cutoffs} 次回测中（每次预测 {horizon} {unit}），组合预测{per}平均偏差 {mae} 张工单，{comparison}。",
        "Over the last {cutoffs} back-tests ({horizon} {unit} ahead each), the blend was off by {mae} tickets "
        "{per} on average, {comparison}.",
    ),
    "forecast.blend": (
        "预测是 {parts} 的加权组合，权重按各模型在最近 {windows} 个回测窗口（起点相隔 {step} 天）中的准确度分配{shrunk}。",
        "The forecast is a blend of {parts}, each weighted by how well it did in the last {windows} back-test "
        "windows ({step} days apart){shrunk}.",
    ),
    "forecast.blend_shrunk": (
        "；相对“重复上周同一天”的优势不够稳定（{windows} 个窗口中 {beat} 个更好），所以 {share} 的权重退回给这个基准",
        "; its gain over repeating the same weekday last week was not steady (better in {beat} of {windows} "
        "windows), so {share} of the weight went back to that baseline",
    ),
    "forecast.coverage": (
        "回测中，80% 区间覆盖了 {c80} 的实际值，95% 区间覆盖了 {c95}{widened}。",
        "In the back-test the 80% interval held {c80} of the actual days and the 95% interval {c95}{widened}.",
    ),
    "forecast.widened": ("（区间按回测误差放宽到了这个程度）", " (the intervals were widened to get there)"),
    "forecast.narrowed": (
        "（回测误差显示原区间过宽，已相应收窄）",
        " (the intervals were narrowed to get there: the back-test's errors showed them too wide)",
    ),
    "forecast.reason_beyond_backtest": (
        "历史不足一年，而各模型这次的预测与“重复上周同一天”相差得比任何一个回测窗口里都远：回测的证据管不到这么远，"
        "所以只用这个基准。",
        "With less than a year of history, the models' forecasts stray further from repeating the same weekday last "
        "week this time than in any back-test window: the back-test's evidence does not reach that far, so that "
        "baseline alone is used.",
    ),
    "forecast.calendar_explains": (
        "节假日：{country}——历史中它的 {holidays} 个节假日里有 {explained} 天是异常日（其他日子只有 {share}），"
        "所以自动选用；可在“节假日与公司活动”中更改。",
        "Holidays: {country} — {explained} of its {holidays} holiday days in the history were unusual days (other "
        "days: {share}), so it was chosen automatically; change it under “Holidays and company events”.",
    ),
    "forecast.calendar_none_fits": (
        "节假日：不使用——试过的日历（{tried}）都解释不了历史中的 {unusual} 个异常日；可在“节假日与公司活动”中指定。",
        "Holidays: none — no calendar tried ({tried}) explained the history's {unusual} unusual days; pick one "
        "under “Holidays and company events”.",
    ),
    "forecast.calendar_set": ("节假日：{country}（按设置）。", "Holidays: {country}, as set."),
    "forecast.calendar_set_none": ("节假日：不使用（按设置）。", "Holidays: none, as set."),
    "forecast.untested": ("历史太短，准确度无法回测。", "Too little history to back-test the accuracy."),
    "forecast.backtest": ("回测明细（各模型、各起点）", "Back-test details (every model, every cut-off)"),
    "forecast.components": ("预测的组成", "What the forecast is made of"),
    "forecast.component_trend": ("趋势", "Trend"),
    "forecast.component_weekly": ("星期效应", "Day of week"),
    "forecast.component_yearly": ("年内季节", "Time of year"),
    "forecast.component_holidays": ("节假日与活动", "Holidays and events"),
    "forecast.anomalies": ("异常的日子", "Unusual days"),
    "forecast.no_anomalies": ("历史中没有明显异常的日子。", "No clearly unusual days in the history."),
    "forecast.anomalies_help": (
        "这些日子的工单量落在模型 {level} 区间之外：可能是产品缺陷、系统故障或未登记的活动。",
        "On these days volume fell outside the model's {level} interval: a product defect, an outage or an unlisted "
        "event?",
    ),
    "forecast.by_segment": ("按{field}分别预测", "Forecast by {field}"),
    "forecast.reconciled": (
        "各部分按每天的比例缩放，使它们之和等于总量预测（自上而下按比例调和）。",
        "Each part is scaled day by day so that the parts add up to the total forecast (top-down proportional).",
    ),
    "forecast.total": ("总计", "Total"),
    "forecast.staffing": ("需要多少人", "Staff needed"),
    "forecast.method": ("计算方法", "Method"),
    "forecast.method_erlang_c": ("实时渠道（Erlang C）", "Real-time channels (Erlang C)"),
    "forecast.method_workload": ("后台/上门（工作量）", "Back office / on-site (workload)"),
    "forecast.method_help": (
        "电话、在线等需要即时应答的渠道用 Erlang C 排队模型；工单处理、上门维修按工作量 ÷ 有效工时计算。",
        "Phone and chat, answered live, use the Erlang C queueing model; back-office and on-site work use workload ÷ "
        "productive hours.",
    ),
    "forecast.aht": ("平均处理时长（分钟）", "Average handle time (min)"),
    "forecast.aht_from_data": (
        "默认值来自数据中的处理时长。",
        "The default comes from the handle times in the data.",
    ),
    "forecast.aht_default": ("数据中没有处理时长，请填写。", "The data has no handle times: enter one."),
    "forecast.shrinkage": ("损耗（休假、培训、会议）", "Shrinkage (leave, training, meetings)"),
    "forecast.hours_open": ("服务时间（点）", "Opening hours"),
    "forecast.answer_within": ("在多少秒内接起", "Answer within (seconds)"),
    "forecast.service_level": ("接通率目标", "Service level target"),
    "forecast.productive_hours": ("每人每天有效工时", "Productive hours per person per day"),
    "forecast.staffing_note_erlang_c": (
        "人数 = 服务时间内需同时在线的坐席数（按每天工单平均分布到服务时间计算），再除以（1 − 损耗）。班次短于服务时间时需要更多人。",
        "Agents = people logged in throughout the opening hours (each day's tickets spread evenly over them), "
        "divided by (1 − shrinkage). Shifts shorter than the opening hours need more people.",
    ),
    "forecast.staffing_note_workload": (
        "人数 = 工单量 × 处理时长 ÷（有效工时 ×（1 − 损耗））。",
        "People = tickets × handle time ÷ (productive hours × (1 − shrinkage)).",
    ),
    "forecast.staffing_title": ("每天需要的人数", "People needed"),
    "forecast.agents": ("人数", "People"),
    "settings.holiday_help": (
        "预测使用的节假日日历。“自动”会选节假日最能解释历史异常日的日历（中国含调休），预测页会说明选了哪个、为什么。"
        "随映射文件一起保存。",
        "The holiday calendar forecasts use. Automatic picks the calendar whose holidays best explain the history's "
        "unusual days (China with its make-up working days among them); the Forecast page says which and why. "
        "Saved with the mapping file.",
    ),
    "country.auto": ("自动（按数据选择）", "Automatic (chosen from the data)"),
    "country.none": ("不使用节假日", "No holidays"),
    "country.CN": ("中国大陆", "China (mainland)"),
    "country.HK": ("中国香港", "Hong Kong"),
    "country.TW": ("中国台湾", "Taiwan"),
    "country.SG": ("新加坡", "Singapore"),
    "country.JP": ("日本", "Japan"),
    "country.KR": ("韩国", "South Korea"),
    "country.US": ("美国", "United States"),
    "country.GB": ("英国", "United Kingdom"),
    "country.DE": ("德国", "Germany"),
    "country.FR": ("法国", "France"),
    "country.AU": ("澳大利亚", "Australia"),
    "country.CA": ("加拿大", "Canada"),
    "country.IN": ("印度", "India"),
    # --- churn -----------------------------------------------------------------------
    "nav.churn": ("客户流失", "Churn"),
    "churn.title": ("客户流失预警", "Customer churn"),
    "churn.intro": (
        "流失率来自客户表（按月）；每位在网客户的流失风险由过去各月的数据训练、用从未参与训练的客户和月份检验。",
        "Churn rates come from the customers table (per month); each active customer's risk comes from a model "
        "trained on past months and checked on customers and months it never saw.",
    ),
    "churn.rate": ("月流失率与预测", "Monthly churn rate and forecast"),
    "churn.rate_title": ("月流失率（模型：{model}）", "Monthly churn rate (model: {model})"),
    "churn.month": ("月", "Month"),
    "churn.rate_axis": ("流失率", "Churn rate"),
    "churn.rate_short": (
        "流失率历史不足 12 个月，无法预测。",
        "Less than 12 months of churn rates: no forecast.",
    ),
    "churn.model": ("模型可信度", "How far to trust the risk scores"),
    "churn.model_words": (
        "在 {customers} 位从未用于训练的客户上检验（{cutoffs}）：AUC {auc}（最好的单一指标“{feature}”为 {feature_auc}）；"
        "风险最高的 10% 客户中有 {top10} 在 {window} 天内流失，而整体只有 {base}；预测概率与实际的平均偏差（校准误差）{ece}。",
        "Checked on {customers} customers the model never saw ({cutoffs}): AUC {auc} (the best single signal, "
        "“{feature}”, gets {feature_auc}); among the riskiest 10 %, {top10} left within {window} days against {base} "
        "overall; predicted and observed rates differ by {ece} on average (calibration error).",
    ),
    "churn.kind_logistic": ("逻辑回归（已校准）", "logistic regression (calibrated)"),
    "churn.kind_boosting": ("梯度提升（已校准）", "gradient boosting (calibrated)"),
    "churn.kind_rule": ("积分规则", "points rule"),
    "churn.model_kind": ("使用的模型：{kind}。", "Model used: {kind}."),
    "churn.rule_note": (
        "流失客户太少（少于 30 位），无法可靠地训练模型：风险按透明的积分规则计算（近期投诉、返修、超时、满意度低、近期频繁报修），只代表排序，不是概率。",
        "Too few churned customers (fewer than 30) to train a model: risk is a transparent points rule (recent "
        "complaints, reopens, SLA misses, low CSAT, a burst of tickets), a ranking rather than a probability.",
    ),
    "churn.not_scored": ("无法计算风险：{why}", "No risk scores: {why}"),
    "churn.why_no_customers": ("需要上传客户文件。", "a customers file is needed."),
    "churn.why_no_churn_dates": (
        "客户表没有流失日期，无法学习谁在何时流失。",
        "the customers table has no churn dates to learn from.",
    ),
    "churn.why_no_active": ("没有在网客户。", "there are no active customers."),
    "churn.why_short_history": (
        "历史太短，没有可用于训练和检验的月份。",
        "the history is too short to learn and check on past months.",
    ),
    "churn.calibration": (
        "预测概率与实际流失率（按风险分十组）",
        "Predicted vs observed churn (ten risk groups)",
    ),
    "churn.predicted": ("预测", "Predicted"),
    "churn.observed": ("实际", "Observed"),
    "churn.risk_group": ("风险分组（低 → 高）", "Risk group (low → high)"),
    "churn.importance": ("哪些因素最影响风险", "What drives the risk most"),
    "churn.at_risk": ("高风险客户名单", "Customers at risk"),
    "churn.band": ("风险等级", "Risk band"),
    "churn.band_high": ("高", "High"),
    "churn.band_medium": ("中", "Medium"),
    "churn.band_low": ("低", "Low"),
    "churn.bands_note": (
        "高 = 风险最高的 10%，中 = 其后 20%。",
        "High = the riskiest 10 %, medium = the next 20 %.",
    ),
    "churn.detail": ("客户详情", "Customer detail"),
    "churn.event_ticket": ("报修", "Ticket"),
    "churn.event_survey": ("回访", "Survey"),
    "churn.pick_customer": ("选择客户", "Customer"),
    "churn.by_attribute": ("按客户属性的流失率", "Churn rate by customer attribute"),
    "churn.actions": ("建议措施（可修改）", "Suggested actions (editable)"),
    "churn.actions_help": (
        "每个原因对应的建议措施；修改后名单中的“建议”一列随之改变，并随映射文件保存。",
        "The suggested step for each reason; edits change the list's action column and are saved with the mapping file.",
    ),
    "churn.reason": ("原因", "Reason"),
    "column.customer_id": ("客户编号", "Customer"),
    "column.churn_risk": ("流失风险", "Churn risk"),
    "column.risk_band": ("风险等级", "Risk band"),
    "column.reason_1": ("主要原因", "Main reason"),
    "column.reason_2": ("原因二", "Second reason"),
    "column.reason_3": ("原因三", "Third reason"),
    "column.action": ("建议措施", "Suggested action"),
    "column.customers": ("客户数", "Customers"),
    "column.churned": ("流失客户", "Churned"),
    "column.churn_rate": ("流失率", "Churn rate"),
    "column.age_band": ("年龄段", "Age band"),
    "column.importance": ("影响程度", "Influence"),
    "column.feature": ("因素", "Factor"),
    "column.at": ("时间", "When"),
    "column.event": ("事件", "Event"),
    "column.ref": ("单号", "Reference"),
    "column.resolution_hours": ("解决时长（小时）", "Resolution hours"),
    "churn.feature_tickets_total": ("累计报修次数", "Tickets so far"),
    "churn.feature_tickets_90d": ("近 90 天报修次数", "Tickets, last 90 days"),
    "churn.feature_tickets_prev_90d": ("此前 90 天报修次数", "Tickets, 90 days before"),
    "churn.feature_days_since_last_ticket": ("距上次报修天数", "Days since last ticket"),
    "churn.feature_complaints_total": ("累计投诉", "Complaints so far"),
    "churn.feature_complaints_90d": ("近 90 天投诉", "Complaints, last 90 days"),
    "churn.feature_reopens": ("返修次数", "Reopens"),
    "churn.feature_repeat_contacts": ("重复报修", "Repeat contacts"),
    "churn.feature_mean_resolution_hours": ("平均解决时长", "Mean resolution time"),
    "churn.feature_worst_resolution_hours": ("最长解决时长", "Longest resolution time"),
    "churn.feature_last_resolution_hours": ("上次解决时长", "Last resolution time"),
    "churn.feature_last_ticket_complaint": ("上次工单是投诉", "Last ticket a complaint"),
    "churn.feature_sla_misses": ("超时次数", "SLA misses"),
    "churn.feature_last_csat": ("最近满意度", "Last CSAT"),
    "churn.feature_csat_change": ("满意度变化", "CSAT change"),
    "churn.feature_last_nps": ("最近推荐意愿", "Last NPS answer"),
    "churn.feature_nps_change": ("推荐意愿变化", "NPS change"),
    "churn.feature_negative_comment_share": ("负面评价占比", "Negative comment share"),
    "churn.feature_tenure_days": ("客户时长", "Tenure"),
    "churn.feature_segment": ("客户类型", "Segment"),
    "churn.feature_region": ("区域", "Region"),
    "churn.feature_age_band": ("年龄段", "Age band"),
    "churn.feature_gender": ("性别", "Gender"),
    "churn.scoring": ("正在训练并检验流失模型……", "Training and checking the churn model…"),
    "churn.model_naive": ("沿用上月", "same as last month"),
    "churn.rate_accuracy_naive": (
        "过去 {cutoffs} 次回测中，“沿用上月”的流失率平均偏差 {mae}；Prophet 没有胜过它，所以显示的是它。",
        "Over {cutoffs} back-tests, “same as last month” was off by {mae} on average; Prophet did not beat it, "
        "so it is shown.",
    ),
    "churn.rate_accuracy_better": (
        "过去 {cutoffs} 次回测中，预测的流失率平均偏差 {mae}，比“沿用上月”准 {share}。",
        "Over {cutoffs} back-tests the forecast rate was off by {mae} on average, {share} better than “same as last month”.",
    ),
    "churn.rate_accuracy_worse": (
        "过去 {cutoffs} 次回测中，预测的流失率平均偏差 {mae}，比“沿用上月”差 {share}。",
        "Over {cutoffs} back-tests the forecast rate was off by {mae} on average, {share} worse than “same as last month”.",
    ),
    "churn.listed": ("显示 {shown} / {total} 位在网客户。", "Showing {shown} of {total} active customers."),
    "churn.reason_tickets_total": ("累计报修 {value} 次", "tickets so far: {value}"),
    "churn.reason_tickets_90d": ("近 90 天报修 {value} 次", "tickets in the last 90 days: {value}"),
    "churn.reason_tickets_prev_90d": ("此前 90 天报修 {value} 次", "tickets in the 90 days before: {value}"),
    "churn.reason_days_since_last_ticket": (
        "{value} 天前刚报修过",
        "a ticket very recently (days ago: {value})",
    ),
    "churn.reason_complaints_total": ("累计投诉 {value} 次", "complaints so far: {value}"),
    "churn.reason_complaints_90d": ("近 90 天投诉 {value} 次", "complaints in the last 90 days: {value}"),
    "churn.reason_reopens": ("返修 {value} 次", "reopened repairs: {value}"),
    "churn.reason_repeat_contacts": ("30 天内重复报修 {value} 次", "repeat contacts within 30 days: {value}"),
    "churn.reason_mean_resolution_hours": (
        "平均解决时长 {value} 小时",
        "repairs took {value} hours on average",
    ),
    "churn.reason_worst_resolution_hours": (
        "最长一次解决用了 {value} 小时",
        "the longest repair took {value} hours",
    ),
    "churn.reason_last_resolution_hours": (
        "上次维修用了 {value} 小时（{ago}报修）",
        "the last repair took {value} hours (reported {ago})",
    ),
    "churn.reason_last_ticket_complaint": (
        "上一张工单是投诉（{ago}）",
        "the last ticket was a complaint ({ago})",
    ),
    "churn.reason_last_ticket_reopens": (
        "上一张工单返修了 {value} 次（{ago}报修）",
        "reopens of the last ticket: {value} (reported {ago})",
    ),
    "churn.reason_last_ticket_csat": (
        "上一张工单满意度只有 {value} 分（{ago}报修）",
        "the last ticket was rated CSAT {value} (reported {ago})",
    ),
    "churn.ago": ("{days} 天前", "{days} days ago"),
    "churn.ago_one": ("1 天前", "1 day ago"),
    "churn.ago_today": ("今天", "today"),
    "churn.reason_tickets_per_year": ("平均每年报修 {value} 次", "tickets a year on average: {value}"),
    "column.last_ticket_days": ("上次报修（天前）", "Last ticket (days ago)"),
    "churn.kind_blend": (
        "逻辑回归与梯度提升合成（已校准）",
        "logistic regression and gradient boosting combined (calibrated)",
    ),
    "churn.feature_tickets_per_year": ("每年报修次数", "Tickets a year"),
    "churn.feature_days_since_last_fix": ("上次修好后的天数", "Days since the last fix"),
    "churn.feature_last_ticket_reopens": ("上一张工单返修次数", "Reopens of the last ticket"),
    "churn.feature_last_ticket_late": ("上一张工单超时", "Last ticket over the target"),
    "churn.feature_last_ticket_csat": ("上一张工单满意度", "Last ticket's CSAT"),
    "churn.feature_recent_complaint": ("近期工单是投诉", "Recent ticket a complaint"),
    "churn.feature_recent_reopens": ("近期工单返修", "Recent ticket reopened"),
    "churn.feature_recent_late": ("近期工单超时", "Recent ticket over the target"),
    "churn.feature_recent_low_csat": ("近期工单满意度低", "Recent ticket's low CSAT"),
    "churn.action_last_ticket_reopens": (
        "派资深工程师上门复查，一次修好",
        "Send a senior engineer to check it is fixed for good",
    ),
    "churn.action_last_ticket_csat": ("回访了解上次不满意的原因", "Call to ask what went wrong last time"),
    "churn.action_tickets_per_year": (
        "指定专属服务顾问，主动预防故障",
        "Assign a named service contact for preventive care",
    ),
    "churn.reason_sla_misses": ("{value} 次超过解决时限", "repairs over the resolution target: {value}"),
    "churn.reason_last_csat": ("最近一次满意度 {value} 分", "last CSAT {value}"),
    "churn.reason_csat_change": ("满意度变化 {value} 分", "CSAT changed by {value}"),
    "churn.reason_last_nps": ("最近一次推荐意愿 {value} 分", "last NPS answer {value}"),
    "churn.reason_nps_change": ("推荐意愿变化 {value} 分", "NPS answer changed by {value}"),
    "churn.reason_negative_comment_share": ("{value} 的评价是负面的", "{value} of comments negative"),
    "churn.reason_tenure_days": ("成为客户 {value} 天", "a customer for {value} days"),
    "churn.reason_segment": ("客户类型为“{value}”，该类客户流失较多", "segment “{value}”, which churns more"),
    "churn.reason_region": ("所在区域“{value}”流失较多", "region “{value}”, which churns more"),
    "churn.reason_age_band": ("年龄段 {value} 流失较多", "age band {value}, which churns more"),
    "churn.reason_gender": ("性别“{value}”", "gender “{value}”"),
    "churn.action_default": ("安排回访，了解近况", "Call to check in"),
    "churn.action_complaints_total": (
        "由主管回访，处理未了结的投诉",
        "Supervisor call-back to close open complaints",
    ),
    "churn.action_complaints_90d": (
        "24 小时内由主管回访并给出补偿方案",
        "Supervisor call-back within 24 h with a goodwill offer",
    ),
    "churn.action_last_ticket_complaint": (
        "由主管回访并给出补偿方案",
        "Supervisor call-back with a goodwill offer",
    ),
    "churn.action_reopens": ("下次派资深工程师，一次修好", "Send a senior engineer next time"),
    "churn.action_repeat_contacts": (
        "检查是否根本问题未解决，安排资深工程师",
        "Check for an unsolved root cause; senior engineer",
    ),
    "churn.action_sla_misses": (
        "致歉并赠送延保或优惠券",
        "Apologise and offer an extended warranty or voucher",
    ),
    "churn.action_mean_resolution_hours": ("优先派单，缩短等待", "Prioritise their next ticket"),
    "churn.action_worst_resolution_hours": (
        "为那次等待致歉并赠送优惠券",
        "Apologise for that wait with a voucher",
    ),
    "churn.action_last_resolution_hours": (
        "为上次等待致歉并赠送优惠券",
        "Apologise for the last wait with a voucher",
    ),
    "churn.action_last_csat": ("回访了解不满意的原因", "Call to ask what went wrong"),
    "churn.action_csat_change": ("回访了解满意度下降的原因", "Call to ask why satisfaction fell"),
    "churn.action_last_nps": ("回访并邀请参加会员关怀", "Call back and offer a loyalty programme"),
    "churn.action_nps_change": (
        "回访了解推荐意愿下降的原因",
        "Call to ask why they would no longer recommend us",
    ),
    "churn.action_negative_comment_share": ("阅读其评价并逐条回复", "Read their comments and answer each"),
    "churn.action_days_since_last_ticket": (
        "回访确认上次维修是否满意",
        "Call to check the last repair went well",
    ),
    "churn.action_tickets_90d": ("主动上门检修，避免再次故障", "Offer a preventive check-up visit"),
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
    "settings.reset_done": ("已恢复默认目标和时区。", "Default targets and time zone restored."),
    "settings.timezone_title": ("时区", "Time zone"),
    "settings.timezone": ("团队时区（IANA 名称）", "Team time zone (IANA name)"),
    "settings.timezone_help": (
        "例如 Asia/Shanghai、Asia/Hong_Kong、Asia/Singapore、Europe/London、America/New_York、UTC。",
        "For example Asia/Shanghai, Asia/Hong_Kong, Asia/Singapore, Europe/London, America/New_York, UTC.",
    ),
    "settings.timezone_about": (
        "带时区的时间（2024-03-01T00:30:00Z、+08:00、-05:00）和 Unix 时间戳会换算成这个时区的当地时间，"
        "按小时和按天的统计都按当地时间；没有时区的时间视为已是当地时间，保持不变。只影响之后加载的文件，"
        "已加载的文件需重新加载。",
        "Times with an offset (2024-03-01T00:30:00Z, +08:00, -05:00) and Unix timestamps are converted to local "
        "time in this zone, so hourly and daily counts are local; times without an offset are taken as local "
        "already and kept. It applies to files loaded from now on: load a file again to convert it.",
    ),
    "settings.timezone_now": ("{zone} 现在是 UTC{offset}。", "{zone} is now UTC{offset}."),
    "settings.saved_timezone": (
        "设置已保存。时区改为 {zone}：之后加载的文件按此时区换算，已加载的数据不变。",
        "Saved. The time zone is now {zone}: files loaded from now on are converted to it; data already "
        "loaded stays as it was read.",
    ),
    "settings.bad_timezone": (
        "“{zone}”不是时区名称。请填写 IANA 时区名，例如 Asia/Shanghai、America/New_York 或 UTC。",
        "“{zone}” is not a time zone name. Use an IANA name such as Asia/Shanghai, America/New_York or UTC.",
    ),
    "settings.download": (
        "下载映射文件（含这些目标和时区）",
        "Download the mapping file (with these targets and the time zone)",
    ),
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
    "overview.no_alerts": (
        "所有有目标的指标都在目标范围内或接近目标。",
        "Every KPI with a target is on or near target.",
    ),
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
    "alert.below": (
        "{kpi} 为 {value}，低于目标 {target}。",
        "{kpi} is {value}, below the target of {target}.",
    ),
    "alert.above": (
        "{kpi} 为 {value}，高于目标 {target}。",
        "{kpi} is {value}, above the target of {target}.",
    ),
    "alert.no_previous": ("没有可对比的上期数据。", "No comparison period to explain the change."),
    "alert.not_compared": (
        "{note}：不作对比，也不分析变化原因。",
        "Not compared, so no change is explained: {note}.",
    ),
    # why a card shows no change: the comparison period is not (fully) in the data (periods.coverage)
    "compare.none.previous": ("上期无数据", "no data for the previous period"),
    "compare.none.year": ("去年同期无数据", "no data for the same period last year"),
    "compare.partial.previous": (
        "上期数据不完整（自 {start} 起）",
        "previous period only partly covered (data from {start})",
    ),
    "compare.partial.year": (
        "去年同期数据不完整（自 {start} 起）",
        "same period last year only partly covered (data from {start})",
    ),
    "overview.period_none": (
        "统计期 {start} 至 {end}；对比期 {prev_start} 至 {prev_end} 无数据，不作对比",
        "Period {start} to {end}; no data for {prev_start} to {prev_end}, so no comparison",
    ),
    "overview.period_partial": (
        "统计期 {start} 至 {end}；对比期 {prev_start} 至 {prev_end} 数据不完整（自 {data_from} 起），不作对比",
        "Period {start} to {end}; {prev_start} to {prev_end} only partly covered (data from {data_from}), "
        "so no comparison",
    ),
    "alert.steady": (
        "与对比期基本持平：问题不是新出现的。",
        "About the same as in the comparison period: not a new problem.",
    ),
    "alert.up": ("上升 {change}", "up {change}"),
    "alert.down": ("下降 {change}", "down {change}"),
    "alert.worse": ("较对比期{direction}", "Compared with the comparison period it is {direction}"),
    "alert.better": (
        "较对比期已好转（{direction}），但仍未达标。",
        "Better than the comparison period ({direction}), still off target.",
    ),
    "alert.spread": (
        "；变化分散在各组，没有单一分组能解释。",
        "; the change is spread out, no single group explains it.",
    ),
    "alert.part": ("，其中 {share} 来自 {segment}", "; {share} of the change comes from {segment}"),
    "alert.part_more": (
        "；{segment} 单独也能解释 {share}（两组可能重叠）",
        "; {segment} alone explains {share} (the two may overlap)",
    ),
    "alert.part_all": (
        "；{segment} 一项就超过全部变化（其他组有所好转），若它保持上期水平，本期将为 {value}",
        "; {segment} alone is more than the whole change (other groups improved): had it stayed as before, "
        "this period would be {value}",
    ),
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
    "data.source_sample": (
        "当前数据：内置示例数据（{tables}）。",
        "Current data: the bundled sample ({tables}).",
    ),
    "data.source_upload": ("当前数据：你上传的文件（{tables}）。", "Current data: your uploads ({tables})."),
    "data.source_empty": ("当前没有数据。", "No data loaded."),
    # --- team workspace (issue 19) -----------------------------------------------
    "data.source_workspace": (
        "当前数据：团队数据（{tables}）。",
        "Current data: the team's data ({tables}).",
    ),
    "workspace.missing": (
        "团队工作区文件夹 {folder} 不存在。请管理员创建它，或改正 AFTERSIGHT_WORKSPACE。",
        "The team workspace folder {folder} does not exist. Ask the administrator to create it or to correct "
        "AFTERSIGHT_WORKSPACE.",
    ),
    "workspace.denied": (
        "应用没有读取团队工作区文件夹 {folder} 的权限。请管理员给运行应用的用户开放读取权限。",
        "The app may not read the team workspace folder {folder} (no permission). Ask the administrator to give "
        "the app's user access.",
    ),
    "workspace.bad": (
        "无法读取 {folder} 中的团队工作区：{detail}。工作区没有被改动；请管理员从备份恢复该文件夹。",
        "The team workspace in {folder} cannot be read: {detail}. Nothing in it was changed; ask the "
        "administrator to restore the folder from a backup.",
    ),
    "workspace.read_only": (
        "应用不能写入团队工作区文件夹 {folder}，没有添加任何数据。请管理员给运行应用的用户开放写入权限。",
        "The app may not write to the team workspace folder {folder}, so nothing was added. Ask the administrator "
        "to give the app's user write access.",
    ),
    "workspace.write_failed": (
        "无法写入团队工作区 {folder}（{detail}），没有添加任何数据，原有数据不变。请管理员检查磁盘空间和该文件夹。",
        "The team workspace in {folder} could not be written ({detail}), so nothing was added and its data is "
        "unchanged. Ask the administrator to check the disk space and the folder.",
    ),
    "workspace.nothing_to_undo": (
        "{folder} 中的团队工作区没有可以撤销的添加。",
        "The team workspace in {folder} has no addition to undo.",
    ),
    "workspace.not_editor": (
        "只有编辑者可以修改团队数据。请管理员把你加入 AFTERSIGHT_EDITORS。",
        "Only editors may change the team's data. Ask the administrator to add you to AFTERSIGHT_EDITORS.",
    ),
    "workspace.cli_no_data": (
        "请用 --tickets 指定文件，或用 --workspace 指定团队工作区文件夹。",
        "Name the files with --tickets, or the team workspace folder with --workspace.",
    ),
    "ws.refresh": (
        "添加到团队数据的文件会一直保留，每次打开应用都从团队数据开始；只“加载”而未添加的文件只在本会话中，刷新页面（F5）后就没有了。",
        "Files added to the team's data stay: every visit opens on it. Files only loaded (not added) are in this "
        "session alone and are gone after a refresh (F5).",
    ),
    "ws.fallback": ("应用已改为打开示例数据。", "The app opened on the sample data instead."),
    "ws.title": ("团队工作区", "Team workspace"),
    "ws.status": (
        "团队数据（第 {version} 版）：{tables}。每位成员打开应用时看到的都是这些数据。",
        "The team's data (version {version}): {tables}. Everyone who opens the app starts on it.",
    ),
    "ws.empty": (
        "团队工作区还是空的：在下方上传第一个导出文件，校验后点击“添加到团队数据”。",
        "The team workspace is empty: upload the first export below and, after its check, click “Add to the "
        "team's data”.",
    ),
    "ws.open": ("打开团队数据", "Open the team's data"),
    "ws.add": ("添加到团队数据", "Add to the team's data"),
    "ws.add_help": (
        "把这个文件的有效行加入团队数据（编号相同的行会被替换），所有成员下次操作时都会看到。",
        "Adds this file's usable rows to the team's data (rows with an id already there are replaced); every "
        "member sees them on their next click.",
    ),
    "ws.adding": ("正在添加到团队数据……", "Adding to the team's data…"),
    "ws.added": (
        "已添加到团队数据：{name}——新增 {added} 行，替换 {replaced} 行，排除 {excluded} 行。",
        "Added to the team's data: {name} — {added} rows added, {replaced} replaced, {excluded} excluded.",
    ),
    "ws.undo": ("撤销最近一次添加", "Undo the last addition"),
    "ws.undone": (
        "已撤销第 {number} 次添加（{files}），团队数据已恢复到添加之前。",
        "Addition {number} ({files}) is undone: the team's data is back as it was before it.",
    ),
    "ws.history": ("添加记录", "History of additions"),
    "ws.history_empty": ("还没有添加过数据。", "Nothing has been added yet."),
    "ws.col_number": ("序号", "No."),
    "ws.col_when": ("时间（UTC）", "When (UTC)"),
    "ws.col_who": ("操作人", "Who"),
    "ws.col_name": ("文件", "File"),
    "ws.col_table": ("表", "Table"),
    "ws.col_added": ("新增行", "Rows added"),
    "ws.col_replaced": ("替换行", "Replaced"),
    "ws.col_skipped": ("跳过（重复）", "Skipped (repeats)"),
    "ws.col_excluded": ("排除行", "Excluded"),
    "ws.changed": (
        "团队数据已更新（第 {version} 版），页面现在显示最新数据。",
        "The team's data was updated (version {version}); this page now shows the latest data.",
    ),
    "ws.reader": (
        "你可以查看团队数据；只有编辑者可以添加或撤销（当前身份：{who}）。",
        "You can read the team's data; only editors can add to it or undo (you are: {who}).",
    ),
    "ws.nobody": ("未登录", "not signed in"),
    "ws.anyone_edits": (
        "未配置登录：任何能打开本应用的人都可以修改团队数据。",
        "No sign-in is configured: anyone who reaches the app can change the team's data.",
    ),
    "ws.sample_hint": (
        "“使用示例数据”只影响你自己的会话，团队数据不变；点击“打开团队数据”可回到团队数据。",
        "“Use sample data” changes only your session, not the team's data; “Open the team's data” brings it back.",
    ),
    "ws.settings_team": (
        "你在团队工作区中：这里的设置会为整个团队保存。",
        "You are on the team workspace: settings changed here are saved for the whole team.",
    ),
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
    "data.bundle_refresh": (
        "注意：刷新页面（F5）或新开标签页会开始一个新会话，上传的数据、列映射和设置都不会保留。"
        "要保留工作，请在本页下方下载会话包；之后在本页上传它，一步即可恢复。",
        "Note: refreshing the page (F5) or opening a new tab starts a new session, without your uploads, column "
        "mappings or settings. To keep your work, download a session bundle below; upload it on this page later "
        "to restore everything in one step.",
    ),
    "data.bundle_title": ("会话包（保存和恢复全部工作）", "Session bundle (save and restore all your work)"),
    "data.bundle_about": (
        "一个 .zip 文件，包含已加载的全部数据表（Parquet）、列映射、目标、公司事件和流失应对措施。上传会替换当前数据。",
        "One .zip file holding every loaded table (Parquet), the column mappings, targets, company events and "
        "churn actions. Uploading one replaces the data loaded now.",
    ),
    "data.bundle_download": ("下载会话包", "Download session bundle"),
    "data.bundle_upload": ("上传会话包以恢复", "Upload a session bundle to restore it"),
    "data.bundle_restored": (
        "已从“{name}”恢复会话（保存于 {created}）：{tables}。列映射和设置也已恢复。",
        "Session restored from “{name}” (saved {created}): {tables}. Column mappings and settings are restored too.",
    ),
    "data.about_tickets": (
        "每行一张工单。必需：工单号、创建时间。",
        "One row per ticket. Required: ticket ID, created at.",
    ),
    "data.about_surveys": (
        "每行一条回访答复。必需：提交时间。与已加载的答复完全相同的行（同一文件再传一次、相互重叠的导出）不会重复加入。",
        "One row per survey answer. Required: submitted at. Rows identical to answers already loaded (the same "
        "file again, exports that overlap) are not added twice.",
    ),
    "data.about_customers": (
        "每行一个客户。必需：客户编号。",
        "One row per customer. Required: customer ID.",
    ),
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
    "data.timezone": ("时区 {zone}", "Time zone {zone}"),
    "data.col_field": ("标准字段", "Field"),
    "data.col_required": ("必填", "Required"),
    "data.col_source": ("文件中的列", "Column in your file"),
    "data.load": ("加载这些数据", "Load these rows"),
    "data.file_loaded": (
        "“{name}”已加载，校验结果见下方。",
        "“{name}” is loaded; its validation report is below.",
    ),
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
    "report.skipped": ("未再次加入", "Not added again"),
    "report.skipped_help": (
        "与已加载的答复完全相同的行（每一列都相同，空值与空值相同）不再加入，满意度、NPS 和答复数不会因重复加载而虚高。",
        "Answers identical to one already loaded (every column equal, empty equal to empty) are not added again, "
        "so CSAT, NPS and response counts do not grow when a file is loaded twice.",
    ),
    "load.skipped_same_file": (
        "{rows} 条答复此前已加载（同一文件），未再次加入。",
        "{rows} answers were already loaded (same file) and were not added again.",
    ),
    "load.skipped_rows": (
        "{rows} 条答复此前已加载（与已加载的行完全相同，包括提交时间），未再次加入。",
        "{rows} answers were already loaded (identical rows, submission time included) and were not added again.",
    ),
    "load.same_file_added": (
        "“{name}”此前已加载过，但其中 {rows} 条答复与当时加载的不同（列的对应改过？），已再次加入：这些答复可能被算了两次。"
        "若要每条只算一次，请点“使用示例数据”重新开始，再上传各文件。",
        "“{name}” was loaded before, but {rows} of its answers differ from those loaded then (was a column mapped "
        "differently?) and were added: they may now be counted twice. To count each once, start again with “Use "
        "sample data” and upload the files again.",
    ),
    "data.file_loaded_skipped": (
        "“{name}”已加载：其中 {rows} 条答复此前已加载，未再次加入（见下方校验结果）。",
        "“{name}” is loaded: {rows} of its answers were already loaded and were not added again (see its "
        "report below).",
    ),
    "report.dayorder_detected": (
        "日期按{order}读取（由数据判断）。",
        "Dates read as {order} (decided from the data).",
    ),
    "report.dayorder_assumed": (
        "日期按{order}读取（数据中无法判断，可在上方更改）。",
        "Dates read as {order} (the data does not say; change it above).",
    ),
    "report.col_reason": ("原因", "Reason"),
    "report.col_field": ("字段", "Field"),
    "report.col_action": ("处理", "Action"),
    "report.col_rows": ("行数", "Rows"),
    "report.col_examples": ("示例行号（表头为第 1 行）", "Example rows (header is row 1)"),
    "report.download": ("下载问题行 CSV", "Download problem rows (CSV)"),
    "report.clean": ("所有行都通过了校验。", "Every row passed validation."),
    "report.date_only": (
        "日期不含时刻：时长按整天计算，不显示按小时的图表。",
        "Dates have no time of day: durations are in whole days; hour-of-day charts are not shown.",
    ),
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
    "reason.title_rows": ("表头上方的标题行（已跳过）", "Title rows above the header (skipped)"),
    "reason.total_row": ("合计、小计行", "Total or subtotal row"),
    "reason.time_without_date": (
        "只有时间、没有日期（请对应含日期的列）",
        "Time without a date (map the column with the date)",
    ),
    "reason.implausible_date": ("日期早于 1980 年或在未来", "Date before 1980 or in the future"),
    "reason.wrong_scale": (
        "评分是 0–10 分制，应为 1–5（已清空）",
        "Scores on a 0–10 scale where 1–5 is expected (cleared)",
    ),
    "reason.text_truncated": ("文字过长，已截断", "Text too long (cut)"),
    "reason.repeated_row": (
        "与本文件前面某行完全相同（已保留：请确认导出是否重复）",
        "Same as an earlier row of this file (kept: check whether the export repeated it)",
    ),
    "report.loud": (
        "{share} 的行（{rows} 行）在列“{column}”（{field}）中{action}，原因：{reason}。这一列可能对应错了：请在上面的表中检查，或改选另一列。",
        "{share} of the rows ({rows}) were {action} in column “{column}” ({field}): {reason}. The column may be "
        "mapped wrong: check it in the table above, or pick another.",
    ),
    "loud.excluded": ("被排除", "excluded"),
    "data.file_loaded_loud": (
        "“{name}”已加载，但有大量行被排除或清空：请看下方的校验结果，多半是某一列对应错了。",
        "“{name}” is loaded, but many of its rows were excluded or cleared: see its validation report below; most "
        "often a column is mapped wrong.",
    ),
    "loud.flagged": ("被清空或标记", "cleared or flagged"),
    "action.excluded": ("排除", "Excluded"),
    "action.flagged": ("保留并标记", "Kept, flagged"),
    # --- data folder (files read in place) ---------------------------------------------
    "folder.title": ("从服务器数据目录选择文件", "Pick a file from the server's data folder"),
    "folder.intro": (
        "管理员放在服务器数据目录中的文件无需经浏览器上传，由 DuckDB 直接就地读取，适合数百万行的大文件。"
        "大数据请优先使用 Parquet 格式：文件更小、读取更快，类型也不会被误判。",
        "Files the administrator put in the server's data folder are read in place by DuckDB, without an "
        "upload through the browser: the way to load millions of rows. For large data prefer Parquet: "
        "smaller files, faster reads, and column types that need no guessing.",
    ),
    "folder.empty": (
        "数据目录中没有可读取的文件（CSV、Excel 或 Parquet）。",
        "The data folder holds no readable file (CSV, Excel or Parquet).",
    ),
    "folder.placeholder": ("选择一个文件", "Choose a file"),
    "folder.pick": ("数据目录中的文件", "File in the data folder"),
    "folder.file_title": ("{name} · {columns} 列", "{name} · {columns} columns"),
    "folder.parquet_hint": (
        "提示：这个文本文件会被分块校验后加载；同样的数据导出为 Parquet 会小得多、加载更快。",
        "Tip: this text file is checked and loaded in chunks; the same data exported as Parquet is much "
        "smaller and loads faster.",
    ),
    "folder.report_after": (
        "文件将被完整读取一遍：加载时逐块校验，校验结果（排除和标记的行）在加载后显示。",
        "The file is read once, checked chunk by chunk while loading; the validation report (rows excluded "
        "and flagged) is shown after loading.",
    ),
    "folder.loading": ("正在读取并校验文件……", "Reading and checking the file…"),
    "folder.outside": (
        "“{name}”不在数据目录中（不允许绝对路径、“..”或指向目录外的链接）。请从列表中选择文件。",
        "“{name}” is not in the data folder (absolute paths, “..” and links leading out of the folder are "
        "refused). Pick a file from the list.",
    ),
    "folder.missing": (
        "数据目录中已找不到“{name}”。请刷新页面后重新选择。",
        "“{name}” is no longer in the data folder. Refresh the page and pick again.",
    ),
    "folder.remote_unavailable": (
        "无法读取远程文件“{name}”：服务器没有安装 DuckDB 的 httpfs 扩展。请联系管理员。",
        "The remote file “{name}” cannot be read: DuckDB's httpfs extension is not installed on the server. "
        "Ask your administrator.",
    ),
}
CATALOGUE.update(REPORT_CATALOGUE)


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
