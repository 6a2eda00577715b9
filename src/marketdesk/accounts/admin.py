"""Admin of people, shop membership and the marketplace's API keys.

API keys are created and revoked only through their services: the raw secret
is shown once, right after it is made, and the stored hash is never displayed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketdesk.accounts.models import ApiKey, ShopMembership, SignInConfig, User
from marketdesk.accounts.services import (
    OIDC_DEFAULTS,
    OIDC_FIELDS,
    api_key_create,
    api_key_revoke,
    sign_in_config_create,
    sign_in_config_set_oidc,
    sign_in_config_update,
)
from marketdesk.core.actors import Actor, Role
from marketdesk.core.admin import AccusativeTitles
from marketdesk.core.errors import DomainError


def _admin_actor(request: HttpRequest) -> Actor:
    """The actor for an admin-site action: a superuser acts as an administrator whatever their role."""
    user: Any = request.user
    if user.is_superuser and user.role != Role.ADMIN:
        return Actor(role=Role.ADMIN, user=user, marketplace_id=user.marketplace_id)
    return Actor.for_user(user)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "role", "marketplace", "language", "is_active")
    list_filter = ("role", "marketplace", "language", "is_staff", "is_active")
    search_fields = ("username", "display_name", "email", "external_id")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("marketdesk"), {"fields": ("role", "display_name", "language", "marketplace", "external_id")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("marketdesk"), {"fields": ("role", "display_name", "language", "marketplace")}),
    )


@admin.register(ShopMembership)
class ShopMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "shop", "role")
    list_filter = ("role", "shop__marketplace")
    search_fields = ("user__username", "user__display_name", "shop__name")
    raw_id_fields = ("user", "shop")


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("marketplace", "name")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "marketplace", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    list_filter = ("marketplace", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    readonly_fields = ("marketplace", "name", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    exclude = ("hashed_secret",)
    actions = ("revoke_keys",)

    def get_form(self, request: HttpRequest, obj: ApiKey | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        # Adding asks for the marketplace and a name; everything else is made by the service.
        return () if obj is None else self.readonly_fields

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        return ("marketplace", "name") if obj is None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        # A key is revoked, never deleted: the audit of who used which key must stay readable.
        return False

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return  # every field is read-only once the key exists
        key, raw = api_key_create(
            actor=_admin_actor(request), marketplace=form.cleaned_data["marketplace"], name=form.cleaned_data["name"]
        )
        obj.pk, obj.prefix, obj.created_at, obj.created_by = key.pk, key.prefix, key.created_at, key.created_by
        obj.hashed_secret = key.hashed_secret
        obj._state.adding = False
        messages.success(
            request,
            _("The key's secret is shown this once; copy it now into the marketplace's settings: %(secret)s")
            % {"secret": raw},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            try:
                api_key_revoke(actor=_admin_actor(request), key_id=key.pk)
            except DomainError as exc:
                messages.error(request, str(exc.message))
                return
            revoked += 1
        messages.success(request, _("%(count)s keys revoked.") % {"count": revoked})


class SignInConfigForm(forms.ModelForm):
    rotate_secret = forms.BooleanField(
        label=_("Make a new HS256 secret"), required=False, help_text=_("The old secret stops working at once.")
    )

    class Meta:
        model = SignInConfig
        fields = ("marketplace", "issuer", "jwks", *OIDC_FIELDS)
        widgets = {"oidc_client_secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in OIDC_DEFAULTS:  # blank means the usual value
            self.fields[name].required = False


@admin.register(SignInConfig)
class SignInConfigAdmin(AccusativeTitles):
    accusative = pgettext_lazy("accusative", "sign-in configuration")
    """Hand-off links of a marketplace: its issuer, public keys and HS256 secret (shown once, when made)."""

    form = SignInConfigForm
    list_display = ("issuer", "marketplace", "created_at")
    exclude = ("hs256_secret",)

    def get_readonly_fields(self, request: HttpRequest, obj: SignInConfig | None = None) -> Any:
        return () if obj is None else ("marketplace", "issuer", "created_at")

    def save_model(self, request: HttpRequest, obj: SignInConfig, form: Any, change: bool) -> None:
        data, actor = form.cleaned_data, _admin_actor(request)
        try:
            if change:
                config, secret = sign_in_config_update(
                    actor=actor, config_id=obj.pk, jwks=data["jwks"] or {}, rotate_secret=data["rotate_secret"]
                )
            else:
                config, secret = sign_in_config_create(
                    actor=actor, marketplace=data["marketplace"], issuer=data["issuer"], jwks=data["jwks"] or {}
                )
            config = sign_in_config_set_oidc(
                actor=actor, config_id=config.pk, values={name: data[name] for name in OIDC_FIELDS}
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return
        obj.pk, obj.created_at, obj.hs256_secret = config.pk, config.created_at, config.hs256_secret
        obj._state.adding = False
        if secret:
            messages.success(
                request,
                _("The HS256 secret is shown this once; copy it now into the marketplace's settings: %(secret)s")
                % {"secret": secret},
            )


# Django's own group admin, with Russian titles declined ("Добавить группу").
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AccusativeTitles, DjangoGroupAdmin):
    accusative = pgettext_lazy("accusative", "group")
