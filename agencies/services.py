"""The agencies app's write functions, in one namespace for views, the API, commands and tests.

They live in `admission` (applications), `status` (sanctions and the blacklist), `changes`
(documents, qualifications, practitioners, regulated changes), `storefront` (direct edits) and
`credit` (the ledger and the stored credit).
"""

from agencies.admission import (
    approve_application,
    reject_application,
    start_application,
    submit_application,
    update_application,
)
from agencies.changes import (
    add_practitioner,
    add_qualification,
    approve_change,
    clean_practitioner,
    clean_qualification,
    propose_change,
    reject_change,
    remind_expiring_qualifications,
    remove_practitioner,
    remove_qualification,
    upload_document,
)
from agencies.credit import (
    correct_credit_event,
    record_credit_event,
    set_event_state,
    store_credit,
    store_credit_many,
    store_rating_summaries,
    store_rating_summary,
)
from agencies.status import add_to_blacklist, end_blacklist, set_status
from agencies.storefront import remove_case, remove_service, save_case, save_service, update_storefront

__all__ = [
    "add_practitioner", "add_qualification", "add_to_blacklist", "approve_application", "approve_change",
    "clean_practitioner", "clean_qualification", "correct_credit_event", "end_blacklist", "propose_change",
    "record_credit_event",
    "reject_application", "reject_change", "remind_expiring_qualifications", "remove_case", "remove_practitioner",
    "remove_qualification", "remove_service", "save_case", "save_service", "set_event_state", "set_status",
    "start_application", "store_credit", "store_credit_many", "store_rating_summaries", "store_rating_summary",
    "submit_application",
    "update_application", "update_storefront", "upload_document",
]
