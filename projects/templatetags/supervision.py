"""`{% supervision_log project as steps %}`: the posting's public supervision log (projects.supervision)."""

from django import template

from projects.supervision import supervision_log as build

register = template.Library()


@register.simple_tag
def supervision_log(project):
    return build(project)
