from marketplace import permissions


def marketplace(request):
    user = getattr(request, "user", None)
    orgs = permissions.organisations(user) if user is not None else []
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "site_name": "中介超市",
        "user_organisations": orgs,
        "is_operator": permissions.is_operator(user) if user is not None else False,
        # Links to owner-only pages (发布采购需求) are shown only to members of an owner organisation.
        "is_owner": any(o.kind == "owner" for o in orgs),
        "unread_notifications": unread,
    }
