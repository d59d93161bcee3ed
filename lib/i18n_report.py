"""The service report's sentence templates and labels, zh and en; merged into `lib.i18n.CATALOGUE`.

Kept beside the main catalogue because the report's templates are many and read as a set: each one
is filled with computed values by `lib.report.sentences`, `lib.report.context`, `lib.report.sections`
and `lib.report.outlook`, never hand-written prose.
"""

from __future__ import annotations

REPORT_CATALOGUE: dict[str, tuple[str, str]] = {
    # --- KPI sentences ---------------------------------------------------------------------------
    "rpt.kpi.value": ("{kpi}为 {value}", "{kpi}: {value}"),
    "rpt.kpi.missing": ("{kpi}：{why}。", "{kpi}: {why}."),
    "rpt.kpi.no_previous": ("（{when}无数据可比）", " ({when} has no data to compare with)"),
    "rpt.kpi.up": ("，较{when}（{before}）上升 {change}", ", up {change} on {when} ({before})"),
    "rpt.kpi.down": ("，较{when}（{before}）下降 {change}", ", down {change} on {when} ({before})"),
    "rpt.kpi.stable": ("，与{when}（{before}）基本持平", ", about the same as {when} ({before})"),
    "rpt.kpi.better": ("，有所改善", ", an improvement"),
    "rpt.kpi.worse": ("，有所恶化", ", a deterioration"),
    "rpt.kpi.target_green": ("；达到目标（{target}）", "; it meets the target of {target}"),
    "rpt.kpi.target_amber": (
        "；接近但未达到目标（{target}）",
        "; it is close to but short of the target of {target}",
    ),
    "rpt.kpi.target_red": ("；未达到目标（{target}）", "; it misses the target of {target}"),
    "rpt.end": ("。", "."),
    "rpt.compare.previous": ("上期", "the previous period"),
    "rpt.compare.year": ("去年同期", "the same period last year"),
    "rpt.compare_column.previous": ("上期", "Previous period"),
    "rpt.compare_column.year": ("去年同期", "Same period last year"),
    "rpt.column.change": ("变化", "Change"),
    "rpt.column.section": ("部分", "Section"),
    "rpt.column.text": ("内容", "Text"),
    "rpt.targets.none": (
        "尚未设置任何指标目标（可在“目标”页设置）。",
        "No KPI has a target yet (set them on the Targets page).",
    ),
    "rpt.targets.all_met": ("设有目标的 {total} 项指标全部达标。", "All {total} KPIs with a target meet it."),
    "rpt.targets.count": (
        "设有目标的 {total} 项指标中 {met} 项达标",
        "{met} of {total} KPIs with a target meet it",
    ),
    "rpt.targets.missed": ("；未达标：{kpis}", "; off target: {kpis}"),
    "rpt.targets.close": ("；接近目标：{kpis}", "; close to target: {kpis}"),
    "rpt.group": ("{group}（{value}，{tickets} 单）", "{group} ({value}, {tickets} tickets)"),
    "rpt.group_answers": ("{group}（{value}，{tickets} 条回答）", "{group} ({value}, {tickets} answers)"),
    # --- sections ---------------------------------------------------------------------------------
    "rpt.section.summary": ("摘要", "Summary"),
    "rpt.section.performance": ("服务表现", "Service performance"),
    "rpt.section.satisfaction": ("客户满意度", "Customer satisfaction"),
    "rpt.section.efficiency": ("服务效率", "Efficiency"),
    "rpt.section.team": ("团队", "Team"),
    "rpt.section.cost": ("服务成本", "Cost"),
    "rpt.section.problems": ("发现的问题", "Problems found"),
    "rpt.section.measures": ("改进措施", "Improvement measures"),
    "rpt.section.outlook": ("展望", "Outlook"),
    "rpt.table.kpis": ("指标一览", "KPIs at a glance"),
    "rpt.table.breakdown": ("按{field}", "By {field}"),
    "rpt.table.team": (
        "人员明细（工单最多的 {rows} 人，共 {total} 人）",
        "Per person (the {rows} with most tickets of {total})",
    ),
    "rpt.table.cost_by": ("按{field}的成本", "Cost by {field}"),
    "rpt.table.top": ("（最大的 {rows} 个，共 {total} 个）", " (the {rows} largest of {total})"),
    "rpt.table.themes": ("评价主题", "Comment themes"),
    "rpt.table.at_risk": ("流失风险最高的 {rows} 位客户", "The {rows} customers most at risk"),
    # --- satisfaction -----------------------------------------------------------------------------
    "rpt.satisfaction.no_comments": (
        "回访中没有文字评价，无法分析评价主题。",
        "The surveys have no comments, so there are no themes to analyse.",
    ),
    "rpt.satisfaction.comments": (
        "本期共 {comments} 条文字评价，其中 {negative} 为负面。",
        "There were {comments} written comments this period; {negative} of them negative.",
    ),
    "rpt.satisfaction.top_theme": (
        "提及最多的主题是“{theme}”（{comments} 条，{negative} 为负面）",
        "The most mentioned theme is “{theme}” ({comments} comments, {negative} negative)",
    ),
    "rpt.satisfaction.worst_theme": (
        "；负面比例最高的是“{theme}”（{negative}）",
        "; the most negative is “{theme}” ({negative})",
    ),
    "rpt.satisfaction.reopened": (
        "有返修的工单满意度为 {yes}（{yes_n} 条回答），无返修的为 {no}（{no_n} 条）。",
        "Reopened tickets scored a CSAT of {yes} ({yes_n} answers) against {no} for the others ({no_n}).",
    ),
    "rpt.satisfaction.lowest_group": (
        "按{field}看，满意度最低的是 {group}：{value}（{answers} 条回答），整体为 {overall}。",
        "By {field}, CSAT is lowest for {group}: {value} ({answers} answers) against {overall} overall.",
    ),
    "rpt.satisfaction.even": (
        "各{field}的满意度相近（{low}–{high}）。",
        "CSAT is similar across {field} values ({low}–{high}).",
    ),
    # --- efficiency -------------------------------------------------------------------------------
    "rpt.efficiency.first_response": (
        "一半工单在 {p50}内得到首次响应，90% 在 {p90}内；平均 {mean}。",
        "Half of the tickets got a first response within {p50}, 90% within {p90}; the mean was {mean}.",
    ),
    "rpt.efficiency.resolution": (
        "一半工单在 {p50}内解决，90% 在 {p90}内；平均 {mean}。",
        "Half of the tickets were resolved within {p50}, 90% within {p90}; the mean was {mean}.",
    ),
    "rpt.efficiency.slowest": (
        "解决最慢、拉高平均时长最多的是：{groups}。",
        "Time is lost most in {groups}.",
    ),
    "rpt.efficiency.busiest": (
        "来单最集中的时段是{weekday} {hour}:00–{next}:00（{tickets} 单）。",
        "Most tickets arrive on {weekday} {hour}:00–{next}:00 ({tickets} tickets).",
    ),
    # --- team -------------------------------------------------------------------------------------
    "rpt.team.people": (
        "本期共 {people} 人处理工单，人均（中位数）{median} 单；工单最多的是 {agent}，{tickets} 单（占 {share}）。",
        "{people} people handled tickets, a median of {median} each; {agent} handled most, {tickets} ({share}).",
    ),
    "rpt.team.no_outliers": (
        "工单不少于 {tickets} 张的人员中，没有人明显偏离团队中位数。",
        "Among people with at least {tickets} tickets, nobody is far from the team median.",
    ),
    "rpt.team.more": (
        "另有 {people} 人偏离团队水平，详见“团队”页。",
        "{people} more people are far from the team median; see the Team page.",
    ),
    "rpt.team.better": (
        "{agent} 优于团队中位数：{metrics}。",
        "{agent} is ahead of the team median on {metrics}.",
    ),
    "rpt.team.worse": (
        "{agent} 低于团队水平：{metrics}。",
        "{agent} is behind the team median on {metrics}.",
    ),
    # --- cost -------------------------------------------------------------------------------------
    "rpt.cost.none": (
        "数据中没有成本列（人工、备件、差旅或总成本），本节无法填写。",
        "The data has no cost column (labour, parts, travel or total), so this section is empty.",
    ),
    "rpt.cost.structure": ("成本构成：{parts}。", "Cost is made of {parts}."),
    "rpt.cost.pareto": (
        "{total} 个问题类型中的 {vital} 个占了 {share} 的成本：{names}。",
        "{vital} of {total} categories make {share} of the cost: {names}.",
    ),
    "rpt.cost.warranty": (
        "保内工单单均成本 {inside}（{inside_n} 单），保外 {outside}（{outside_n} 单）。",
        "Cost per ticket was {inside} in warranty ({inside_n} tickets) and {outside} out of warranty ({outside_n}).",
    ),
    # --- problems and measures --------------------------------------------------------------------
    "rpt.problems.none": (
        "所有设有目标的指标均达标，没有需要列出的问题。",
        "Every KPI with a target meets it: no problem to list.",
    ),
    "rpt.problems.where": ("最差的分组：{groups}。", "Worst in {groups}."),
    "rpt.measures.none": (
        "没有未达标的指标，保持现有做法并继续跟踪。",
        "No KPI is off target: keep the current practice and keep tracking.",
    ),
    "rpt.measure.line": (
        "{action}目标：下期{kpi}从 {value} 改善到 {next}（最终目标 {target}）。",
        "{action} Target: {kpi} from {value} to {next} next period (target {target}).",
    ),
    "rpt.measure.response": (
        "在来单高峰时段增加一线人手，按优先级先响应。",
        "Add first-line staff at peak hours and respond by priority.",
    ),
    "rpt.measure.response_where": (
        "重点加快 {where} 的首次响应，在高峰时段增加一线人手。",
        "Speed up first responses in {where} first, with more first-line staff at peak hours.",
    ),
    "rpt.measure.resolution": (
        "每日跟进超时工单，常用备件提前备货。",
        "Review overdue tickets daily and stock common parts ahead.",
    ),
    "rpt.measure.resolution_where": (
        "优先处理 {where}：逐单复盘超时原因，常用备件提前备货。",
        "Start with {where}: review each overdue ticket and stock its common parts ahead.",
    ),
    "rpt.measure.quality": (
        "对返修和重复来电逐单做根因分析，针对性培训工程师。",
        "Root-cause every reopened or repeat ticket and train engineers on what it shows.",
    ),
    "rpt.measure.quality_where": (
        "对 {where} 的返修逐单做根因分析，针对性培训工程师。",
        "Root-cause the reopened tickets in {where} and train engineers on what it shows.",
    ),
    "rpt.measure.complaints": (
        "投诉 24 小时内回访，每周复盘投诉原因。",
        "Call back every complaint within 24 hours and review the causes weekly.",
    ),
    "rpt.measure.complaints_where": (
        "投诉 24 小时内回访，重点复盘 {where}。",
        "Call back every complaint within 24 hours; review {where} first.",
    ),
    "rpt.measure.satisfaction": (
        "回访不满意客户，针对负面评价最多的问题改进。",
        "Call back dissatisfied customers and fix what the negative comments name most.",
    ),
    "rpt.measure.satisfaction_where": (
        "回访不满意客户，重点改进 {where}。",
        "Call back dissatisfied customers, starting with {where}.",
    ),
    "rpt.measure.survey": (
        "完工后当天发送回访，并简化问卷。",
        "Send the survey on the day of completion and shorten it.",
    ),
    "rpt.measure.survey_where": (
        "完工后当天发送回访，重点提升 {where} 的回复。",
        "Send the survey on the day of completion; start with {where}.",
    ),
    "rpt.measure.cost": (
        "核查备件与差旅支出，减少重复上门。",
        "Check parts and travel spending and cut repeat visits.",
    ),
    "rpt.measure.cost_where": (
        "核查 {where} 的备件与差旅支出，减少重复上门。",
        "Check parts and travel spending in {where} and cut repeat visits.",
    ),
    "rpt.measure.handle": (
        "整理常见问题的标准处理流程，缩短处理时长。",
        "Write standard fixes for the common problems to shorten handling.",
    ),
    "rpt.measure.handle_where": (
        "为 {where} 整理标准处理流程，缩短处理时长。",
        "Write standard fixes for {where} to shorten handling.",
    ),
    "rpt.measure.churn": (
        "对高风险客户逐一回访，按流失原因采取措施。",
        "Call each high-risk customer and act on their churn reasons.",
    ),
    "rpt.measure.churn_where": (
        "对高风险客户逐一回访，重点关注 {where}。",
        "Call each high-risk customer, starting with {where}.",
    ),
    # --- outlook ----------------------------------------------------------------------------------
    "rpt.outlook.no_forecast": ("无法预测下期工单量：{why}", "No forecast of next period's tickets: {why}"),
    "rpt.outlook.volume": (
        "预计未来 {days} 天（{start} 至 {end}）约 {tickets} 单，日均 {per_day} 单；最忙的一天是 {peak_day}，约 {peak} 单（80% 区间 {low}–{high}）。",
        "The next {days} days ({start} to {end}) should bring about {tickets} tickets, {per_day} a day; the busiest "
        "day is {peak_day} with about {peak} (80% interval {low}–{high}).",
    ),
    "rpt.outlook.staff": (
        "按平均处理时长 {aht} 分钟、每人每天 8 小时有效工时和 30% 的缺勤损耗计算，每天需 {median} 人在岗，最忙的一天需 {agents} 人。",
        "At the average handle time of {aht} min, 8 productive hours per person and day and 30% shrinkage, "
        "{median} people are needed on a typical day and {agents} on the busiest.",
    ),
    "rpt.outlook.no_staff": (
        "数据中没有处理时长，无法估算所需人手。",
        "The data has no handle time, so staff needs cannot be estimated.",
    ),
    "rpt.outlook.chart": ("工单量预测", "Ticket volume forecast"),
    "rpt.outlook.churn_skipped": (
        "本报告未计算客户流失风险。",
        "Churn risk was not computed for this report.",
    ),
    "rpt.outlook.churn_rule": ("按透明的打分规则排序", "ranked by a transparent points rule"),
    "rpt.outlook.churn_model": (
        "模型在未参与训练的客户上 AUC 为 {auc}",
        "model AUC {auc} on customers it never saw",
    ),
    "rpt.outlook.churn": (
        "{active} 位活跃客户中有 {high} 位在未来 {days} 天内流失风险高（{quality}）；最常见的首要原因：{reasons}。",
        "{high} of {active} active customers are at high risk of leaving within {days} days ({quality}); the "
        "commonest first reasons: {reasons}.",
    ),
    # --- summary findings -------------------------------------------------------------------------
    "rpt.finding.problem": ("最突出的问题：{text}", "The biggest problem: {text}"),
    "rpt.finding.improved": ("改善最大：{text}", "The biggest improvement: {text}"),
    "rpt.finding.forecast": (
        "预计未来 {days} 天约 {tickets} 单。",
        "About {tickets} tickets are expected in the next {days} days.",
    ),
    "rpt.finding.churn": (
        "{high} 位客户流失风险高，建议逐一回访。",
        "{high} customers are at high risk of leaving; call them one by one.",
    ),
    "rpt.cli.no_chromium": (
        "没有找到 Chromium，无法打印 PDF：请安装 chromium（README 的安装命令会安装它），或去掉 --pdf。",
        "No Chromium found to print the PDF: install chromium (the README's setup command does) or drop --pdf.",
    ),
    # --- the page ---------------------------------------------------------------------------------
    "nav.report": ("报告", "Report"),
    "rpt.page.title": ("服务分析报告", "Service report"),
    "rpt.page.intro": (
        "一键生成所选时间段和筛选条件下的完整服务报告（摘要、服务表现、满意度、效率、团队、成本、问题、措施、展望），"
        "所有文字都由数据计算得出。可先修改摘要和措施，再下载 HTML、PDF 或 Excel。",
        "One click writes the full service report for the selected period and filters (summary, performance, "
        "satisfaction, efficiency, team, cost, problems, measures, outlook); every sentence comes from the data. "
        "Edit the summary and measures, then download HTML, PDF or Excel.",
    ),
    "rpt.page.team": ("团队名称（封面）", "Team name (cover)"),
    "rpt.page.with_churn": ("包含客户流失风险", "Include churn risk"),
    "rpt.page.with_churn_help": (
        "首次需要训练流失模型（约半分钟），之后在本次会话中复用。",
        "The churn model is trained the first time (about half a minute), then reused in this session.",
    ),
    "rpt.page.sections": ("包含的部分", "Sections to include"),
    "rpt.page.generate": ("生成报告", "Generate the report"),
    "rpt.page.press": (
        "选择时间段和筛选条件后，点击“生成报告”。",
        "Choose the period and filters in the sidebar, then press “Generate the report”.",
    ),
    "rpt.page.findings": ("摘要（每行一条，可修改）", "Summary (one finding per line, editable)"),
    "rpt.page.measures": ("改进措施（每行一条，可修改）", "Improvement measures (one per line, editable)"),
    "rpt.page.edit_help": (
        "修改后的文字会直接用于下载的报告；重新生成报告会恢复为计算出的文字。",
        "Your edits go into the downloaded report; generating again restores the computed text.",
    ),
    "rpt.page.download_html": ("下载 HTML", "Download HTML"),
    "rpt.page.download_pdf": ("下载 PDF", "Download PDF"),
    "rpt.page.download_xlsx": ("下载表格 (.xlsx)", "Download tables (.xlsx)"),
    "rpt.page.no_pdf": (
        "服务器未安装 Chromium，无法生成 PDF：请下载 HTML，在浏览器中打开后“打印 → 另存为 PDF”。",
        "No Chromium on the server for the PDF: download the HTML, open it in a browser and print it to PDF.",
    ),
    "rpt.page.print_hint": (
        "HTML 文件不依赖网络，图表内嵌；在浏览器中打印即为 A4 版式，每部分另起一页。",
        "The HTML file needs no network and embeds its charts; printed from a browser it lays out on A4, one section per page.",
    ),
    "rpt.page.preview": ("预览", "Preview"),
    # --- the document -----------------------------------------------------------------------------
    "rpt.default_team": ("售后服务团队", "After-sales service team"),
    "rpt.title": ("{team} 服务分析报告", "{team}: service report"),
    "rpt.cover.period": ("报告期：{start} 至 {end}", "Period: {start} to {end}"),
    "rpt.cover.all": ("报告期：全部数据", "Period: all the data"),
    "rpt.cover.compare": ("对比：{when}（{start} 至 {end}）", "Compared with {when} ({start} to {end})"),
    "rpt.cover.none": (
        "不作对比：{when}（{start} 至 {end}）无数据，本报告不列变化",
        "Not compared: there is no data for {when} ({start} to {end}), so the report shows no changes",
    ),
    "rpt.cover.partial": (
        "不作对比：{when}（{start} 至 {end}）数据不完整（自 {data_from} 起），本报告不列变化",
        "Not compared: {when} ({start} to {end}) is only partly covered (data from {data_from}), "
        "so the report shows no changes",
    ),
    "rpt.cover.filters": ("筛选：{filters}", "Filters: {filters}"),
    "rpt.cover.generated": ("生成日期：{date}", "Generated on {date}"),
    "rpt.cover.rows": ("数据：{rows}", "Data: {rows}"),
    "rpt.cover.note": (
        "本报告中的每个数字和句子都由 Aftersight 根据上传的数据计算生成。",
        "Every number and sentence in this report was computed by Aftersight from the uploaded data.",
    ),
    "rpt.contents": ("目录", "Contents"),
    "rpt.problem_title": ("{kpi}：{value}（目标 {target}）", "{kpi}: {value} (target {target})"),
    "rpt.progress.kpis": ("计算指标…", "Computing the KPIs…"),
    "rpt.progress.forecast": ("预测下期工单量…", "Forecasting next period…"),
    "rpt.progress.churn": ("训练流失模型（约半分钟）…", "Training the churn model (about half a minute)…"),
    "rpt.progress.writing": ("生成文件…", "Writing the files…"),
    "rpt.progress.charts": ("绘制图表…", "Drawing the charts…"),
}
