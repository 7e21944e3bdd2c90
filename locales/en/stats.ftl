nav-stats = Statistics
stats-title = Statistics
stats-from = From
stats-to = To
stats-unit = Unit (where cases are now)
stats-all-units = Whole street
stats-show = Show
stats-received = Received
stats-closed = Closed
stats-resolved = Resolved
stats-success-rate = Success rate
stats-amount = Amount involved
stats-people = People involved
stats-avg-days = Average days to close
stats-overdue = Overdue now
stats-by-grade = By grade
stats-by-dispute-type = By dispute type
stats-by-source = By source
stats-by-unit = By unit
stats-trend = Month by month
stats-month = Month
stats-explain = Received, amount, people and the breakdowns count the cases received in the range (by their current grade, type, source and unit); closed, resolved, success rate and average days count the cases closed in the range; overdue is as of now. Click any figure to see its cases.
stats-headline = { $received } disputes mediated in all, involving { $amount } × 10,000 yuan and { $more ->
    [more] more than { $people }
   *[exact] { $people }
} people
stats-err-unknown-unit = There is no such unit.
stats-err-range-too-long = The range may not be longer than twenty years.
case-closed-from = Closed from
case-closed-to = to
case-outcome-filter = Outcome
notify-kind-monthly_report = Monthly report
report-title = Monthly report recipients
report-recipients = Addresses (one a line)
report-hint = On the first working day of each month, last month's headline and tables go by e-mail to these addresses. Leave empty to send none.
report-saved = Saved.
report-link = Monthly report recipients
