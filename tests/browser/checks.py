"""What every main page has to pass in the browser journeys: axe-core finds no serious or critical
violation, nothing scrolls sideways on a phone, and keyboard focus is always visible.

Problems are collected and reported together at the end of a journey, so one run shows every
page that needs fixing instead of stopping at the first."""

import re
from urllib.parse import urlsplit

from django.templatetags.static import static
from django.utils import translation

# The viewports the journeys run at: a 390 px phone (touch, mobile layout) and a desktop.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
DEVICES = {"phone": PHONE, "desktop": DESKTOP}
BROWSER_LOCALES = {"en": "en-GB", "de": "de-DE"}

BLOCKING_IMPACTS = ("serious", "critical")

RUN_AXE = """async impacts => {
  const result = await window.axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 6).map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                                              summary: n.failureSummary})),
      more: Math.max(0, v.nodes.length - 6),
    }));
}"""

# The elements sticking out to the right, to name the culprit of sideways scrolling (not those
# inside a box that scrolls or clips on its own, such as a .table-responsive, unless absolutely
# positioned: those can escape the box).
OVERFLOW = """() => {
  const limit = Math.min(window.innerWidth, document.documentElement.clientWidth);
  const width = document.scrollingElement.scrollWidth;
  const clipped = el => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const culprits = width <= limit ? [] : [...document.body.querySelectorAll("*")]
    .filter(el => el.getBoundingClientRect().right > limit + 1
                  && (!clipped(el) || getComputedStyle(el).position === "absolute"))
    .map(el => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")}`
               + ` right=${Math.round(el.getBoundingClientRect().right)}`)
    .slice(-6);
  return {width, limit, culprits};
}"""

# A focus indicator a sighted keyboard user can see: an outline or a box-shadow ring on the
# focused element (Bootstrap draws its focus ring as a box-shadow) that it does not have when
# unfocused, so a card's permanent shadow does not count.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const look = () => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return {outline: outline ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : "",
            shadow: style.boxShadow === "none" ? "" : style.boxShadow};
  };
  const focusedLook = look();
  el.blur();
  const restingLook = look();
  el.focus();
  const visible = Boolean(
    (focusedLook.outline && focusedLook.outline !== restingLook.outline)
    || (focusedLook.shadow && focusedLook.shadow !== restingLook.shadow)
  );
  const label = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "").trim();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "", label: label.slice(0, 80),
    visible, refocused: document.activeElement === el, href: el.getAttribute("href") || "",
  };
}"""


def translated(language, message, plural=None, count=None):
    """The text the page shows for a UI string in `language`: the catalogue's translation where
    there is one, else the English original. The German assertions read their strings from
    the catalogue, so rewording a translation does not break them."""
    with translation.override(language):
        if plural is None:
            return translation.gettext(message)
        return translation.ngettext(message, plural, count)


def local_url(live_server, url):
    """An absolute link from an email (built on SITE_URL) pointed at the test server."""
    parts = urlsplit(url)
    return live_server.url + parts.path + (f"?{parts.query}" if parts.query else "")


def links_in(text):
    return re.findall(r"https?://\S+", text)


class PageChecks:
    def __init__(self, live_server, artifacts, label, *, phone):
        self.live_server = live_server
        self.artifacts = artifacts
        self.label = label
        self.phone = phone
        self.problems = []
        self.checked = []

    def axe(self, page, name):
        if not page.evaluate("() => Boolean(window.axe)"):
            # A same-origin script file, not inline code: the pages run under script-src 'self'.
            page.add_script_tag(url=self.live_server.url + static("vendor/axe-core/axe.min.js"))
        violations = page.evaluate(RUN_AXE, list(BLOCKING_IMPACTS))
        for violation in violations:
            where = f"[{self.label}] {name} ({page.url})"
            lines = [f"{where}: {violation['impact']} {violation['id']}: {violation['help']}"]
            for node in violation["nodes"]:
                lines.append(f"    at {node['target']}: {node['html']}")
                lines.append("       " + node["summary"].replace("\n", "\n       "))
            if violation["more"]:
                lines.append(f"    … and {violation['more']} more")
            self.problems.append("\n".join(lines))

    def fits_width(self, page, name):
        overflow = page.evaluate(OVERFLOW)
        if overflow["width"] > overflow["limit"]:
            self.problems.append(
                f"[{self.label}] {name} ({page.url}) scrolls sideways: {overflow['width']} px wide on a "
                f"{overflow['limit']} px screen; sticking out: {', '.join(overflow['culprits'])}"
            )

    def screenshot(self, page, name):
        page.screenshot(path=str(self.artifacts / f"{name}-{self.label}.png"), full_page=True)

    def page(self, page, name, *, screenshot=True):
        """The checks for one main page: axe, sideways scrolling on the phone, a screenshot."""
        self.checked.append(name)
        self.axe(page, name)
        if self.phone:
            self.fits_width(page, name)
        if screenshot:
            self.screenshot(page, name)

    def assert_clean(self):
        assert not self.problems, f"{len(self.problems)} accessibility or layout problem(s):\n\n" + "\n\n".join(
            self.problems
        )


def focused(page):
    return page.evaluate(FOCUS)


def tab_to(page, matches, *, limit=60, backwards=False):
    """Press Tab (or Shift+Tab) until the focused element matches; every element focused on the way
    must show a visible focus indicator. Returns the focused element's description."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        element = focused(page)
        if element is None:
            continue
        seen.append(element)
        assert element["refocused"], f"focus could not be put back on {element}"
        assert element["visible"], f"no visible focus indicator on {element}"
        if matches(element):
            return element
    raise AssertionError(f"never reached the element; focused on the way: {seen}")
