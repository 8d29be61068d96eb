"""The audit actions the ratings app records, with their payloads (see `marketplace.events`).

`agency`, `project`, `rating`, `review` and `event` (a credit ledger line) hold primary keys; a USCC travels as `uscc`.
"""

from decimal import Decimal

from marketplace.events import DATE, FLAG, ID, TEXT, declare

RATING_OPENED = declare("ratings.rating_opened", "a pending rating opens on acceptance of the deliverable",
                        project=ID, agency=ID, accepted_on=DATE, due_on=DATE)
RATING_RECORDED = declare(
    "ratings.rating_recorded", "the owner rated the service, or the deadline passed (automatic 满意)",
    project=ID, agency=ID, result=TEXT, automatic=FLAG, scores=list | None, mean=Decimal | str | None,
    policy_version=int | None, due_on=DATE | None)
APPEAL_FILED = declare("ratings.appeal_filed", "the agency appeals a rating or a report review (one of the two)",
                       rating=ID | None, review=ID | None, agency=ID, decide_by=DATE, event=ID | None)
APPEAL_DECIDED = declare("ratings.appeal_decided", "a regulator upholds or rejects an appeal", rating=ID | None,
                         review=ID | None, agency=ID, status=TEXT, event=ID | None, event_state=TEXT | None, late=FLAG)
COMPLAINT_FILED = declare(
    "ratings.complaint_filed", "a complaint is registered and assigned (about an agency, or an owner's conduct in a "
    "project: then `agency` is null); `channel` says how it came in, `recorded` that a regulator entered it",
    agency=ID | None, project=ID | None, source=TEXT, regulator=ID | None, respond_by=DATE, target=TEXT | None,
    channel=TEXT | None, recorded=FLAG | None, files=int | None)
COMPLAINT_DECIDED = declare("ratings.complaint_decided", "the competent regulator answers a complaint",
                            agency=ID | None, status=TEXT, late=FLAG)
REVIEW_OPENED = declare("ratings.review_opened", "a report review opens on acceptance of the deliverable",
                        project=ID, agency=ID, accepted_on=DATE, due_on=DATE)
REVIEW_RECORDED = declare("ratings.review_recorded", "a regulator of the approving department reviews the report",
                          project=ID, agency=ID, outcome=TEXT, regulator=ID | None, event=ID | None,
                          policy_version=int | None)
REPAIR_APPLIED = declare("ratings.repair_applied", "the agency applies to repair a ledger line", agency=ID, event=ID)
REPAIR_DECIDED = declare("ratings.repair_decided", "a regulator decides a repair application", agency=ID, event=ID,
                         status=TEXT)
SANCTION_IMPOSED = declare("ratings.sanction_imposed",
                           "a sanction follows from the grade history or the ledger, or a regulator imposes it "
                           "by hand (`manual`)",
                           agency=ID, uscc=TEXT, kind=TEXT, starts_on=DATE, ends_on=DATE | None, manual=FLAG | None)
SANCTION_LIFTED = declare("ratings.sanction_lifted",
                          "a regulator lifts a sanction, or it is lifted because a void took its grounds away "
                          "(`automatic`, by the system)", agency=ID, uscc=TEXT, kind=TEXT, automatic=FLAG | None)
GRADE_CHANGE_VOIDED = declare("ratings.grade_change_voided",
                              "an entry into a grade lost its grounds: the ledger with its voided lines no longer "
                              "gives that grade on that date", agency=ID, uscc=TEXT, grade_change=ID, date=DATE,
                              grade=TEXT)
ENFORCEMENT_RECORDED = declare(
    "ratings.enforcement_recorded", "a regulator records a penalty, violation, fraud, serious dishonesty or award "
    "with its decision document (`status` pending: it waits for a second regulator of the same body)",
    decision=ID, agency=ID, uscc=TEXT, code=TEXT, document_number=TEXT, decided_on=DATE, deciding_body=TEXT,
    status=TEXT, regulator=ID, department=ID | None, files=int)
ENFORCEMENT_CONFIRMED = declare(
    "ratings.enforcement_confirmed", "a second regulator of the same body confirms a fraud or serious-dishonesty "
    "record, which takes effect (双人复核)", decision=ID, agency=ID, uscc=TEXT, code=TEXT, event=ID,
    recorded_by=ID, confirmed_by=ID)
ENFORCEMENT_REJECTED = declare(
    "ratings.enforcement_rejected", "a second regulator of the same body rejects a pending record",
    decision=ID, agency=ID, uscc=TEXT, code=TEXT, recorded_by=ID, rejected_by=ID)
ENFORCEMENT_REVOKED = declare(
    "ratings.enforcement_revoked", "a regulator of the same body revokes a decision on review; its ledger line is "
    "voided", decision=ID, agency=ID, uscc=TEXT, code=TEXT, event=ID | None, review_document=TEXT | None)
CREDIT_RECOMPUTED = declare("ratings.credit_recomputed", "the nightly recomputation of every agency ran",
                            as_of=DATE, changed=int, policy_version=int)
