# Follow-up visits due (page /follow-ups).
nav-follow-ups = Follow-ups
follow-ups-due-title = Follow-up visits due
follow-ups-due-hint = After an agreement, a follow-up visit checks within 7 days of the last payment date (of the signing, when paid on signing) that it was honoured; the mediation committee supervises the performance of agreements (People's Mediation Law art. 31). Listed: the visits due already and those due in the next 7 days (until { $until }), overdue first.
follow-ups-due-count = { $count } in all
follow-ups-due-empty = No follow-up visit is due or due within 7 days.
follow-ups-due-col-due = Due on
follow-ups-due-col-clock = Clock
follow-ups-due-col-case = Case no.
follow-ups-due-col-lead = Lead mediator
follow-ups-due-col-unit = Unit
follow-ups-due-col-status = Case status
follow-ups-due-overdue = { $days } days overdue
follow-ups-due-today = Due today
follow-ups-due-days-left = { $days } days left
follow-ups-due-no-lead = No lead mediator
