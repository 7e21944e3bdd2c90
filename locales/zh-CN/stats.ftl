nav-stats = 统计
stats-title = 统计
stats-from = 从
stats-to = 到
stats-unit = 调解组织（案件现在所在）
stats-all-units = 全街道
stats-show = 查看
stats-received = 受理
stats-closed = 办结
stats-resolved = 调解成功
stats-success-rate = 调解成功率
stats-amount = 涉及金额
stats-people = 涉及人员
stats-avg-days = 平均办结天数
stats-overdue = 当前超期
stats-by-grade = 按等级
stats-by-dispute-type = 按争议类型
stats-by-source = 按来源
stats-by-unit = 按调解组织
stats-trend = 月度趋势
stats-month = 月份
stats-explain = 受理、金额、人员和各项分布按收到日期在所选范围内的案件计算（按案件现在的等级、类型、来源和所在组织）；办结、调解成功、成功率和平均天数按办结日期在范围内的案件计算；超期为当前情况。点击任一数字查看对应案件。
stats-headline = 累计调解各类纠纷案件{ $received }件，涉及金额{ $amount }万元，涉及人员{ $people }{ $more ->
    [more] 余
   *[exact] {""}
}人
stats-err-unknown-unit = 没有这个调解组织。
stats-err-range-too-long = 范围不能超过二十年。
case-closed-from = 办结日期从
case-closed-to = 到
case-outcome-filter = 办结结果
notify-kind-monthly_report = 月报
report-title = 月报收件人
report-recipients = 收件地址（每行一个）
report-hint = 每月第一个工作日，上月的统计摘要和分布表通过邮件发给这些地址。留空则不发送。
report-saved = 已保存。
report-link = 月报收件人设置
