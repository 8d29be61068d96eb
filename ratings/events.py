"""The audit actions the ratings app records, with their payloads (see `marketplace.events`).

`agency`, `project`, `rating` and `event` (a credit ledger line) hold primary keys; a USCC travels as `uscc`.
"""

from decimal import Decimal

from marketplace.events import DATE, FLAG, ID, TEXT, declare

RATING_OPENED = declare("ratings.rating_opened", "a pending rating opens on acceptance of the deliverable",
                        project=ID, agency=ID, accepted_on=DATE, due_on=DATE)
RATING_RECORDED = declare(
    "ratings.rating_recorded", "the owner rated the service, or the deadline passed (automatic 满意)",
    project=ID, agency=ID, result=TEXT, automatic=FLAG, scores=list | None, mean=Decimal | str | None,
    policy_version=int | None, due_on=DATE | None)
APPEAL_FILED = declare("ratings.appeal_filed", "the agency appeals a rating", rating=ID, agency=ID,
                       decide_by=DATE, event=ID | None)
APPEAL_DECIDED = declare("ratings.appeal_decided", "a regulator upholds or rejects an appeal", rating=ID, agency=ID,
                         status=TEXT, event=ID | None, event_state=TEXT | None, late=FLAG)
COMPLAINT_FILED = declare("ratings.complaint_filed", "a complaint is registered and assigned", agency=ID,
                          project=ID | None, source=TEXT, regulator=ID | None, respond_by=DATE)
COMPLAINT_DECIDED = declare("ratings.complaint_decided", "the competent regulator answers a complaint", agency=ID,
                            status=TEXT, late=FLAG)
REPAIR_APPLIED = declare("ratings.repair_applied", "the agency applies to repair a ledger line", agency=ID, event=ID)
REPAIR_DECIDED = declare("ratings.repair_decided", "a regulator decides a repair application", agency=ID, event=ID,
                         status=TEXT)
SANCTION_IMPOSED = declare("ratings.sanction_imposed", "a sanction follows from the grade history or the ledger",
                           agency=ID, uscc=TEXT, kind=TEXT, starts_on=DATE, ends_on=DATE | None)
SANCTION_LIFTED = declare("ratings.sanction_lifted", "a regulator lifts a sanction", agency=ID, uscc=TEXT, kind=TEXT)
CREDIT_RECOMPUTED = declare("ratings.credit_recomputed", "the nightly recomputation of every agency ran",
                            as_of=DATE, changed=int, policy_version=int)
