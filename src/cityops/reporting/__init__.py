"""Reports (报告): an evaluation run rendered for people, as self-contained HTML, PDF
(WeasyPrint) or an Excel workbook, all from one ``ReportContent`` (docs/reporting.md)."""
