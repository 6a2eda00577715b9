"""Role checks for web pages.

A section page refused to the wrong role answers 403 with a friendly page; an
object page answers 404 instead, so it never hints that the object exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from marketdesk.core.actors import Actor

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def role_required(*roles: str, object_page: bool = False) -> Callable[[ViewFunc], ViewFunc]:
    """Let only signed-in users of ``roles`` in; send anonymous visitors to sign-in."""
    allowed = frozenset(str(role) for role in roles)

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "role", None) not in allowed:
                if object_page:
                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapper)

    return decorator


def actor_of(request: HttpRequest) -> Actor:
    """Return the acting user of a request that passed ``role_required``."""
    return Actor.for_user(request.user)
