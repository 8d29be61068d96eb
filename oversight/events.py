"""The audit actions the oversight app records (see `marketplace.events`)."""

from marketplace.events import ID, TEXT, declare

FLAG_RAISED = declare("oversight.flag_raised", "a risk scan finds something new (one entry per new flag)",
                      flag=ID, kind=TEXT, subject=TEXT, severity=TEXT)
SCAN_RUN = declare("oversight.scan_run", "a risk scan ran (nightly or on demand)", as_of=TEXT, found=int,
                   new=int, policy_version=int | None)
FLAG_REVIEWING = declare("oversight.flag_under_review", "a regulator marks a flag as under review",
                         flag=ID, kind=TEXT, subject=TEXT)
FLAG_DISMISSED = declare("oversight.flag_dismissed", "a regulator dismisses a flag (reason in the entry)",
                         flag=ID, kind=TEXT, subject=TEXT)
CASE_OPENED = declare("oversight.case_opened", "a regulator opens a case: the flag links an enforcement record",
                      flag=ID, kind=TEXT, subject=TEXT, decision=ID, agency=ID)
