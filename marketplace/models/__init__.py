from .accounts import Invitation, Membership, Organisation, User
from .apikeys import ApiKey
from .audit import AuditAnchor, AuditEntry, AuditHead
from .calendar import CalendarYear, Holiday
from .notifications import Notification, NotificationPreference, NotificationProfile, Subscription
from .policy import PolicyVersion
from .reference import Department, Region, ServiceType
from .search import SearchDocument, SearchFacet

__all__ = [
    "ApiKey",
    "AuditAnchor",
    "AuditEntry",
    "AuditHead",
    "CalendarYear",
    "Department",
    "Holiday",
    "Invitation",
    "Membership",
    "Notification",
    "NotificationPreference",
    "NotificationProfile",
    "Organisation",
    "PolicyVersion",
    "Region",
    "SearchDocument",
    "SearchFacet",
    "ServiceType",
    "Subscription",
    "User",
]
