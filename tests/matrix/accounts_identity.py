"""Sign-in through the unified identity (OpenID Connect): both steps are opened before anyone
is signed in, like the login form. They answer 404 unless the provider is configured (the
matrix runs unconfigured); tests/accounts/test_identity_sign_in.py walks them configured."""

PUBLIC_URL_NAMES = {
    "oidc_authentication_init": "starts sign-in at the unified identity provider (404 unless configured)",
    "oidc_authentication_callback": "the provider's answer, checked before anyone is signed in (404 unless configured)",
}
