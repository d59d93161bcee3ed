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
    "read.too_large": (
        "文件“{name}”有 {size_mb} MB，超过上限 {limit_mb} MB。请按月份拆分导出，或请管理员调高 server.maxUploadSize。",
        "The file “{name}” is {size_mb} MB, over the {limit_mb} MB limit. Export it month by month, "
        "or ask your administrator to raise server.maxUploadSize.",
    ),
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
