"""The report's text: a small Markdown subset, rendered and sanitised.

Administrators write narrative blocks in Markdown. ``render_markdown`` turns
it into HTML with markdown-it-py (raw HTML in the source is not passed
through) and then cleans the result with nh3, which keeps only the tags
below and links to http, https and mailto addresses. What reaches a page is
therefore always this subset, whatever was typed.
"""

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "a", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# The same schemes for a block's "Learn more" address, as the address begins.
LINK_PREFIXES = ("http://", "https://", "mailto:")

# CommonMark without raw HTML, images or headings (a block's title is its heading).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(
    ["image", "heading", "lheading", "html_block", "html_inline", "table"], ignoreInvalid=True
)


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> SafeString:
    """A block's Markdown as sanitised HTML, safe to put in a page."""
    return mark_safe(clean_html(_markdown.render(text or "")))  # noqa: S308 - cleaned by nh3


def validate_link_address(address: str) -> None:
    """A "Learn more" address: a web address (http or https) or ``mailto:``
    and an email address; any other scheme (ftp:, javascript:, data:) is refused."""
    problem = ValidationError(
        f"“{address}” cannot be a link: write a web address starting with http:// or "
        "https://, or mailto: and an email address.",
        code="link_scheme",
    )
    if address.lower().startswith("mailto:"):
        EmailValidator(message=problem.message)(address[len("mailto:") :].split("?", 1)[0])
    elif address.lower().startswith(LINK_PREFIXES):
        URLValidator(schemes=["http", "https"], message=problem.message)(address)
    else:
        raise problem
