"""What the storefront's ID tokens say about a person: the marketplace's id, role and shops."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class StorefrontValidator(OAuth2Validator):
    """Claims as marketdesk's default mapping reads them (sub, name, email, locale, role, shops)."""

    # Every claim goes into the ID token whatever the scopes; marketdesk asks for openid, email, profile.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        shops = [
            {"id": membership.shop.external_id, "role": membership.role}
            for membership in user.memberships.select_related("shop")
        ]
        return {
            "sub": user.external_id or f"staff-{user.pk}",
            "name": user.name,
            "email": user.email,
            "locale": user.language,
            "role": user.role,
            "shops": shops,
        }
