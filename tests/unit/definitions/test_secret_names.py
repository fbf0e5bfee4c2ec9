"""A bundle names its own tenant's secrets: ``secret`` (or the old ``secret_env``,
read the same way, never as an environment variable), with a warning for a name
the tenant has not set when the platform passes the tenant's names in."""

from __future__ import annotations

from workorders.definitions import load_bundle
from workorders.definitions.secret_names import secret_uses


def test_secret_names_are_model_fields_and_listed_with_their_users(base_text: str) -> None:
    result = load_bundle(base_text)
    assert result.bundle is not None
    assert result.bundle.connectors[0].transport.secret == "ERP_SECRET"
    assert result.bundle.notifications.webhooks["ops"].secret == "OPS_SECRET"
    assert secret_uses(result.bundle) == {"ERP_SECRET": ("connector erp",),
                                          "OPS_SECRET": ("webhook ops",)}


def test_a_secret_the_tenant_has_not_set_is_a_warning_not_an_error(base_text: str) -> None:
    result = load_bundle(base_text, secret_names={"OPS_SECRET"})
    assert result.valid
    [warning] = result.warnings
    assert warning.path == "/connectors/0/transport/secret"
    assert warning.message == ("the tenant has no secret named 'ERP_SECRET': connector 'erp' "
                               "cannot sign, so its deliveries fail until the secret is set")
    assert warning.hint is not None and "workorders secrets set" in warning.hint
    assert load_bundle(base_text, secret_names={"OPS_SECRET", "ERP_SECRET"}).warnings == ()


def test_without_the_tenants_names_nothing_is_said_about_them(base_text: str) -> None:
    assert load_bundle(base_text).warnings == ()


def test_the_old_secret_env_key_names_a_tenant_secret_and_says_so(base_text: str) -> None:
    text = base_text.replace("secret: ERP_SECRET}", "secret_env: ERP_SECRET}")
    result = load_bundle(text, secret_names={"ERP_SECRET", "OPS_SECRET"})
    assert result.bundle is not None
    assert result.bundle.connectors[0].transport.secret == "ERP_SECRET"
    [warning] = result.warnings
    assert warning.path == "/connectors/0/transport/secret_env"
    assert "never as a server environment variable" in warning.message
    assert warning.hint is not None and "secret: ERP_SECRET" in warning.hint


def test_a_secret_pasted_into_the_bundle_is_refused_with_what_to_do(base_text: str) -> None:
    result = load_bundle(base_text.replace("secret: ERP_SECRET}", "secret: hunter2-pass}"))
    [error] = result.errors
    assert error.path == "/connectors/0/transport/secret"
    assert "is not a secret name (capital letters, digits and '_'" in error.message
    assert error.hint is not None and "workorders secrets set" in error.hint
