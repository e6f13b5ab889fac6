"""Every URL pattern of the project, with sample arguments, for the URL walk.

The patterns come from the URL resolver, so a URL another part of the
project adds is walked without anyone listing it here. Arguments are filled
from SAMPLE_ARGUMENTS by keyword name (a real object's key where one is
needed); a keyword nobody has given a sample for is reported as a failure
by the walk, so that it is added here rather than skipped.
"""

import re
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class WalkedURL:
    name: str  # "namespace:name", or the route itself when the pattern has no name
    route: str  # the pattern as written, for messages
    keywords: tuple[str, ...]


def all_patterns() -> list[WalkedURL]:
    found: list[WalkedURL] = []
    _walk(get_resolver(), namespaces=[], prefix="", keywords=(), found=found)
    return found


def _keywords(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        compiled = re.compile(pattern._regex)
        if compiled.groupindex:
            return tuple(compiled.groupindex)
        # Unnamed groups are passed by position: "arg0", "arg1", ...
        return tuple(f"arg{i}" for i in range(compiled.groups))
    return ()


def _walk(resolver: URLResolver, *, namespaces, prefix, keywords, found) -> None:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        entry_keywords = keywords + _keywords(entry.pattern)
        if isinstance(entry, URLResolver):
            nested = namespaces + [entry.namespace] if entry.namespace else namespaces
            _walk(entry, namespaces=nested, prefix=route, keywords=entry_keywords, found=found)
        elif isinstance(entry, URLPattern):
            # An unnamed pattern is named by its own pattern in angle brackets,
            # e.g. "admin:<(?P<url>.*)$>" for the admin's catch-all, "<>" for the root.
            name = ":".join(namespaces + [entry.name or f"<{entry.pattern}>"])
            found.append(WalkedURL(name=name, route=route, keywords=entry_keywords))


def admin_model_for(url_name: str):
    """The model behind an admin URL name such as admin:reporting_figure_change."""
    if not url_name.startswith("admin:"):
        return None
    bare = url_name.removeprefix("admin:")
    for model in admin.site._registry:
        if bare.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model
    return None


def sample_object(model):
    return model._default_manager.order_by("pk").first()


def build_path(url: WalkedURL, samples: dict, objects: dict | None = None) -> str:
    """The URL with sample arguments; KeyError names a keyword without a sample.
    An admin URL's object is the model's first, or ``objects[model]`` if given."""
    kwargs = {}
    model = admin_model_for(url.name)
    for keyword in url.keywords:
        if keyword in ("object_id", "id", "arg0") and model is not None:
            instance = (objects or {}).get(model) or sample_object(model)
            kwargs[keyword] = str(instance.pk) if instance else "1"
        else:
            kwargs[keyword] = (
                samples[keyword](url) if callable(samples[keyword]) else samples[keyword]
            )
    if not url.name.endswith(">"):
        if any(k.startswith("arg") for k in kwargs):
            return reverse(url.name, args=list(kwargs.values()))
        return reverse(url.name, kwargs=kwargs)
    # An unnamed pattern (e.g. the admin's catch-all): reverse by its regex is not
    # possible, so fill the route by hand.
    path = url.route
    for keyword, value in kwargs.items():
        group = rf"\(\?P<{keyword}>[^)]*\)|<(?:\w+:)?{keyword}>"
        path = re.sub(group, str(value), path)
    return "/" + re.sub(r"[\^$]|\\Z", "", path).replace("\\", "")
