"""The audit actions the projects app (postings, selection, award, contract and service delivery) records,
with their payloads (see `marketplace.events`).

`project`, `agency`, `job`, `registration`… hold primary keys; a posting's code travels as `code` and an
agency's USCC as `uscc`. Status changes made through `projects.states.PROJECT.transition` also carry
`from` and `to`. Every delivery entry carries `project`, `agency` and `job`.

The notice events (published, revised, cancelled, result published and withdrawn) name the posting as the
entry's object, and their subscribers (cms notices, search) read the posting itself (and a result's
`agency`): the rest of their payload is a summary of the posting, so those fields are declared optional.
"""

import datetime as dt
from decimal import Decimal

from marketplace.events import DATE, FLAG, ID, MONEY, TEXT, declare

MOMENT = dt.datetime | str     # a datetime, or its ISO form once stored
NUMBER = Decimal | str | int   # a score: Decimal, or its canonical string once stored

# ---- drafting -------------------------------------------------------------------------------------

DRAFT_CREATED = declare("projects.draft_created", "an owner drafts a posting (not public yet)", code=TEXT)
DRAFT_UPDATED = declare("projects.draft_updated", "a draft's fields are edited", fields=list)
PUBLISHED = declare("projects.published", "a draft is published: the window opens and the draw is committed to",
                    code=TEXT | None, deadline=MOMENT | None, commitment=TEXT | None, method=TEXT | None,
                    policy_version=int | None)
REVISED = declare("projects.revised", "a public, dated change to a published posting (reason in the entry)",
                  revision=int | None, diff=dict | None, material=FLAG | None, deadline=MOMENT | None)
CANCELLED = declare("projects.cancelled", "the owner cancels the posting (reason in the entry)",
                    code=TEXT | None, **{"from": TEXT | None}, to=TEXT | None)
REPUBLISHED = declare("projects.republished", "a failed round is re-published as the next round's draft",
                      previous_round=ID, previous_code=TEXT, round=int, method=TEXT)

# ---- registration ---------------------------------------------------------------------------------

REGISTERED = declare("projects.registered", "an agency registers (the quote amount stays sealed)",
                     project=ID, code=TEXT, agency=ID, uscc=TEXT, quoted=FLAG)
QUOTE_SUBMITTED = declare("projects.quote_submitted", "a sealed quote is set or revised (never its amount)",
                          project=ID, code=TEXT, revised=FLAG)
REGISTRATION_CLOSED = declare("projects.registration_closed", "the window closes at the published deadline",
                              closed_at=TEXT, registrations=int)

# ---- selection ------------------------------------------------------------------------------------

PROVIDER_SELECTED = declare(
    "projects.provider_selected", "the selection offers the job to an agency (first choice or fallback)",
    agency=ID, uscc=TEXT, method=TEXT, draw_record=dict | None, policy_version=int | None, price=MONEY | None,
    detail=dict | None, fallback=int | None)
ROUND_FAILED = declare("projects.round_failed", "流标: too few eligible registrants or no valid quote (reason in "
                       "the entry; the selection detail, when there is one, is spread into the payload)", round=int)
TECHNICAL_SCORED = declare("projects.technical_scored", "the evaluation panel enters a technical score",
                           project=ID, code=TEXT, score=NUMBER)
LOW_QUOTE_FLAGGED = declare("projects.low_quote_flagged", "the lowest quote is abnormally low and must be justified",
                            project=ID, code=TEXT, uscc=TEXT)
LOW_QUOTE_JUSTIFIED = declare("projects.low_quote_justified", "the agency submits its written justification",
                              project=ID)
LOW_QUOTE_DECIDED = declare("projects.low_quote_decided", "the owner accepts or rejects it (or its deadline passed)",
                            project=ID, code=TEXT, accepted=FLAG, expired=FLAG | None)

# ---- award ----------------------------------------------------------------------------------------

SELECTION_CONFIRMED = declare("projects.selection_confirmed", "the offered agency confirms",
                              project=ID, code=TEXT, agency=ID)
SELECTION_ABANDONED = declare("projects.selection_abandoned", "the offered agency declines or lets the offer expire",
                              project=ID, code=TEXT, agency=ID, outcome=TEXT)
RESULT_PUBLISHED = declare("projects.result_published", "the result is publicised (publicity window starts)",
                           agency=ID, code=TEXT | None, uscc=TEXT | None, price=MONEY | None,
                           publicity_ends_on=DATE | None, draw_record=dict | None)
OBJECTION_FILED = declare("projects.objection_filed", "a registrant objects to the result inside the publicity window",
                          project=ID, code=TEXT, agency=ID, due=DATE)
OBJECTION_ANSWERED = declare("projects.objection_answered", "the regulator answers an objection (answer in the entry)",
                             project=ID, code=TEXT, upheld=FLAG)
RESULT_WITHDRAWN = declare("projects.result_withdrawn", "an upheld objection withdraws the result",
                           code=TEXT | None, objection=ID | None)
PUBLICITY_ENDED = declare("projects.publicity_ended", "the publicity window ends; the contract is due",
                          code=TEXT, contract_due_on=DATE)

# ---- contract -------------------------------------------------------------------------------------

CONTRACT_SIGNED = declare("projects.contract_signed", "the owner records the contract's signing date",
                          agency=ID, signed_on=DATE, late=FLAG)
CONTRACT_UPLOADED = declare("projects.contract_uploaded", "the signed contract is uploaded; the service job opens",
                            agency=ID, signed_on=DATE)

# ---- service delivery -----------------------------------------------------------------------------

SERVICE_STARTED = declare("projects.service_started", "the service job opens (its clock runs once materials are in)",
                          project=ID, agency=ID, job=ID, limit_wd=int, contract_signed_on=DATE,
                          materials_complete_on=DATE | None, started_on=DATE | None, policy_version=int)
MATERIALS_COMPLETE = declare("projects.materials_complete", "the owner's materials are complete; the clock starts",
                             project=ID, agency=ID, job=ID, materials_complete_on=DATE, started_on=DATE)
CLOCK_PAUSED = declare("projects.clock_paused", "the agency requests 补正 materials (request in the entry)",
                       project=ID, agency=ID, job=ID, pause=ID, first_day=DATE)
CLOCK_RESUMED = declare("projects.clock_resumed", "the owner supplies the materials; the clock runs again",
                        project=ID, agency=ID, job=ID, pause=ID, first_day=DATE, last_day=DATE)
EXTENSION_REQUESTED = declare("projects.extension_requested", "the agency asks for more working days",
                              project=ID, agency=ID, job=ID, extension=ID, requested_wd=int)
EXTENSION_DECIDED = declare("projects.extension_decided", "the owner grants (all or part) or refuses an extension",
                            project=ID, agency=ID, job=ID, extension=ID, decision=TEXT, requested_wd=int,
                            granted_wd=int)
DELIVERABLE_SUBMITTED = declare("projects.deliverable_submitted", "the agency submits its result files",
                                project=ID, agency=ID, job=ID, deliverable=ID, files=list, submitted_on=DATE)
DELIVERABLE_RETURNED = declare("projects.deliverable_returned", "the owner returns the result for rework",
                               project=ID, agency=ID, job=ID, deliverable=ID, returned_on=DATE)
DELIVERABLE_ACCEPTED = declare(
    "projects.deliverable_accepted", "the owner accepts the result; the project is completed and a rating opens",
    project=ID, agency=ID, accepted_on=DATE, job=ID | None, deliverable=ID | None, completed_on=DATE | None,
    limit_wd=int | None, used_wd=int | None, overdue_wd=int | None, event=TEXT | None,
    calendar_confirmed=FLAG | None, policy_version=int | None)
RATING_DEADLINE_CLOSED = declare("projects.rating_deadline_closed", "the owner's rating deadline closes (rated)",
                                 project=ID, agency=ID, job=ID, rated_on=DATE)

# ---- talk: clarifications, posting attachments, job messages (docs/rules.md §12) --------------------
#
# Who must act on each (the first, second and last are declared notifications in projects/notifications.py):
#   clarification_asked    → the owner's members must answer by `answer_due` (1 working day by default);
#   clarification_answered → every registrant and the asker's agency may read the answer (the asker is
#                            found from the Clarification row, never from the payload);
#   attachment_added       → registrants of a published posting (`published` true) see a new file;
#   message_sent           → the other side of the job (`side` names the sender's side).
# None of these payloads names the asking agency: the entries of a clarification are public facts.

CLARIFICATION_ASKED = declare(
    "projects.clarification_asked", "an eligible agency asks a question about an open posting (the question is in "
    "the entry's reason; the asker is the entry's actor and is never shown to the owner or the public)",
    project=ID, code=TEXT, clarification=ID, number=int, answer_due=MOMENT)
CLARIFICATION_ANSWERED = declare(
    "projects.clarification_answered", "the owner answers a question publicly (answer in the entry's reason); "
    "`revision` names the revision published with it when the answer changes the posting",
    project=ID, code=TEXT, clarification=ID, number=int, revision=int | None, late=FLAG)
ATTACHMENT_ADDED = declare(
    "projects.attachment_added", "the owner attaches a file to a posting (while drafting, or with a revision "
    "after publication: `revision` is its number)",
    project=ID, code=TEXT, attachment=ID, name=TEXT, sha256=TEXT, size=int, published=FLAG, revision=int | None)
ATTACHMENT_REMOVED = declare("projects.attachment_removed", "the owner removes a draft's attachment",
                             project=ID, code=TEXT, attachment=ID, name=TEXT)
MESSAGE_SENT = declare("projects.message_sent", "the owner or the agency sends a message in the job's thread "
                       "(never edited afterwards)", project=ID, agency=ID, job=ID, message=ID, side=TEXT, files=list)
MESSAGES_READ = declare("projects.messages_read", "a member of the receiving side opens the thread: the read "
                        "receipts of these messages are set", project=ID, agency=ID, job=ID, messages=list,
                        side=TEXT)
OFFER_UNREACHABLE = declare("projects.offer_unreachable", "an offer was made to an agency with no active member "
                            "with a verified email: nobody could be told, so the owner is", project=ID, code=TEXT,
                            agency=ID, confirm_by=MOMENT)
