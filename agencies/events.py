"""The audit actions the agencies app records, with their payloads (see `marketplace.events`).

`agency` always holds the agency's primary key; its USCC travels as `uscc`.
"""

from marketplace.events import DATE, FLAG, ID, TEXT, declare

APPLICATION_STARTED = declare("agencies.application_started", "a draft application is created for a USCC",
                              uscc=TEXT, name=TEXT)
APPLICATION_SUBMITTED = declare("agencies.application_submitted", "an application is submitted (or resubmitted)",
                                uscc=TEXT, due_on=DATE, due_confirmed=FLAG, resubmission=FLAG, policy_version=int)
ADMITTED = declare("agencies.admitted", "an agency is admitted (reviewed, or imported from a register)",
                   uscc=TEXT, name=TEXT, region=TEXT, **{"import": FLAG | None})
REJECTED = declare("agencies.rejected", "a submitted application is returned with reasons", uscc=TEXT)
STATUS_CHANGED = declare("agencies.status_changed", "suspended, restored, removed, blacklisted or reopened",
                         **{"from": TEXT}, to=TEXT, until=DATE | None)
DOCUMENT_UPLOADED = declare("agencies.document_uploaded", "a private document is stored",
                            agency=ID, kind=TEXT, sha256=TEXT, size=int)
CHANGE_SUBMITTED = declare("agencies.change_submitted", "a regulated change is proposed for review",
                           agency=ID, kind=TEXT, proposed=dict, due_on=DATE)
CHANGE_APPROVED = declare("agencies.change_approved", "a proposed change is approved and applied",
                          agency=ID, kind=TEXT, applied=dict)
CHANGE_REJECTED = declare("agencies.change_rejected", "a proposed change is returned", agency=ID, kind=TEXT)
STOREFRONT_UPDATED = declare(
    "agencies.storefront_updated", "services, description, regions served or cases edited directly",
    uscc=TEXT, service=TEXT | None, created=FLAG | None, service_removed=TEXT | None, description=FLAG | None,
    regions_served=list | None, case=ID | None, case_removed=ID | None)
IMPORTED = declare("agencies.imported", "a register file is imported", file=TEXT, total=int, created=int,
                   updated=int, admitted=int, skipped=int, created_usccs=list)
CREDIT_EVENT_RECORDED = declare("agencies.credit_event_recorded", "a line is appended to the credit ledger",
                                agency=ID, uscc=TEXT, code=TEXT, date=DATE, state=TEXT, cause_type=TEXT,
                                cause_id=TEXT)
CREDIT_EVENT_CORRECTED = declare(
    "agencies.credit_event_corrected", "a regulator voids a ledger line by appending a correction line",
    agency=ID, uscc=TEXT, event=ID, code=TEXT, date=DATE, previous_state=TEXT)
# `previous` is the grade shown before; "" when the nightly run computes a never-computed row (bulk-loaded data).
CREDIT_UPDATED = declare("agencies.credit_updated", "an agency's stored score or grade changed",
                         as_of=DATE, forced=FLAG, grade=TEXT, previous=TEXT, policy_version=int, score=int)
