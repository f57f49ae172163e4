"""axe-core accessibility checks for the browser tests, against WCAG 2.2 levels A and AA.

    from ourpatch.web.tests.axe import assert_accessible
    page.goto("/about/")
    assert_accessible(page)

A failure lists each violation with its rule, impact, help link and the offending elements,
so it can be fixed without rerunning anything.
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

# axe-core tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 added no level-A rules to axe)
WCAG_22_AA_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

_axe = Axe()


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """Run axe on the page as it is now (or on the element matched by ``context``)."""
    options = {
        "runOnly": {"type": "tag", "values": list(WCAG_22_AA_TAGS)},
        "resultTypes": ["violations"],
    }
    results = _axe.run(page, context=context, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def format_violations(violations: list[dict[str, Any]], where: str) -> str:
    """A readable report: one block per rule, one line per element."""
    lines = [f"axe found {len(violations)} WCAG 2.2 A/AA violation(s) on {where}:"]
    for violation in violations:
        wcag = ", ".join(t for t in violation.get("tags", []) if t.startswith("wcag"))
        lines.append("")
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'unknown impact'}; {wcag}): "
            f"{violation.get('help', '')}"
        )
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            html = " ".join(str(node.get("html", "")).split())
            lines.append(f"  * element: {target}")
            lines.append(f"    html:    {html[:300]}")
            summary = str(node.get("failureSummary") or "").strip()
            for detail in summary.splitlines():
                lines.append(f"    {detail.strip()}")
    return "\n".join(lines)


def assert_accessible(page: Page, context: str | None = None) -> None:
    """Fail, with the details, unless axe finds no WCAG 2.2 A/AA violation on the page."""
    violations = axe_violations(page, context)
    if violations:
        raise AssertionError(format_violations(violations, page.url))
