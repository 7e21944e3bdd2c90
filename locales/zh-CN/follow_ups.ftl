# 回访待办: the follow-up visits due (page /follow-ups).
nav-follow-ups = 回访待办
follow-ups-due-title = 回访待办
follow-ups-due-hint = 达成调解协议后，应在最后一期履行期限（当场履行的为签订之日）后 7 日内回访，核实协议履行情况；人民调解委员会应当督促当事人履行约定的义务（人民调解法第三十一条）。下表列出已到期和今后 7 日内（至 { $until }）到期的回访，已逾期的在前。
follow-ups-due-count = 共 { $count } 件
follow-ups-due-empty = 没有已到期或 7 日内到期的回访。
follow-ups-due-col-due = 回访到期日
follow-ups-due-col-clock = 期限
follow-ups-due-col-case = 案号
follow-ups-due-col-lead = 主办调解员
follow-ups-due-col-unit = 所在单位
follow-ups-due-col-status = 案件状态
follow-ups-due-overdue = 已逾期 { $days } 天
follow-ups-due-today = 今天到期
follow-ups-due-days-left = 还有 { $days } 天
follow-ups-due-no-lead = 无主办调解员
