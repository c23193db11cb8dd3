"""The Wagtail admin without inline scripts, so its Content-Security-Policy can keep
script-src 'self' (an injected <script> in the admin, where staff read members' writing, does
not run).

Wagtail starts a few widgets with an inline <script>: the date and time pickers and inline panels
(template overrides in course/templates/wagtailadmin/widgets/ and templates/wagtailadmin/panels/)
and the choosers (`BaseChooser.render`, replaced below). Each renders a hidden marker instead:
`data-klartext-init` names the function, `data-for` the input, `data-config` the options as JSON;
static/js/admin.js makes the same call on page load and for markers added later.
"""

import json

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.admin.widgets import BaseChooser
from wagtail.admin.widgets.workflows import AdminTaskChooser

_inline_render = BaseChooser.render


def marker(init, element_id, config):
    return format_html(
        '<span hidden data-klartext-init="{}" data-for="{}" data-config="{}"></span>',
        init,
        element_id,
        json.dumps(config),
    )


def render_chooser(self, name, value, attrs=None, renderer=None):
    """BaseChooser.render with a marker where Wagtail writes `<script>new X(id, options)</script>`."""
    if isinstance(self, AdminTaskChooser):
        init = "createTaskChooser"  # its render_js_init calls createTaskChooser(id)
    elif type(self).render_js_init is BaseChooser.render_js_init:
        init = self.js_constructor
    else:
        # A chooser with its own start-up code: left as Wagtail renders it (the CSP browser test
        # would report it).
        return _inline_render(self, name, value, attrs, renderer)
    try:
        element_id = attrs["id"]
    except (KeyError, TypeError) as error:
        raise TypeError("BaseChooser cannot be rendered without an 'id' attribute") from error
    value_data = self.get_value_data(value)
    html = self.render_html(name, value_data, attrs)
    config = {} if init == "createTaskChooser" else self.get_js_init_options(element_id, name, value_data)
    return mark_safe(html + marker(init, element_id, config))  # noqa: S308 - html is Wagtail's own widget


def install():
    BaseChooser.render = render_chooser
