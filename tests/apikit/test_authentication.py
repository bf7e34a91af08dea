"""Stateless JWT authentication: the principal comes from the claims, never the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from apikit.auth import revocation
from apikit.auth.authentication import StatelessJWTAuthentication
from apikit.auth.revocation import revoke_tokens
from tests.factories.users import StaffUserFactory, SuperuserFactory, UserFactory, token_pair_for

ROOT = Path(__file__).resolve().parents[2]


def authenticate(token):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    return StatelessJWTAuthentication().authenticate(request)[0]


@pytest.fixture(autouse=True)
def _empty_denylist():
    cache.clear()
    revocation.forget_local()
    yield
    cache.clear()
    revocation.forget_local()


@pytest.mark.django_db
def test_the_principal_is_built_from_the_claims_without_a_query(django_assert_num_queries):
    # given
    staff = StaffUserFactory(permissions=["orders.change_order", "orders.view_order"])
    access = token_pair_for(staff).access_token
    # when
    with django_assert_num_queries(0):
        principal = authenticate(access)
        # then
        assert principal.id == staff.id and principal.pk == staff.id
        assert principal.email == staff.email
        assert principal.is_authenticated and principal.is_active and principal.is_staff
        assert not principal.is_superuser
        assert principal.has_perm("orders.change_order")
        assert principal.has_perms(["orders.change_order", "orders.view_order"])
        assert not principal.has_perm("payments.change_payment")
        assert principal.has_module_perms("orders") and not principal.has_module_perms("users")


@pytest.mark.django_db
def test_customers_carry_no_permissions_and_superusers_have_them_all():
    customer = authenticate(token_pair_for(UserFactory()).access_token)
    root = authenticate(token_pair_for(SuperuserFactory()).access_token)
    assert not customer.is_staff and not customer.has_perm("orders.view_order")
    assert "perms" not in customer.token
    assert root.is_superuser and root.has_perm("payments.change_payment")


@pytest.mark.django_db
def test_a_token_issued_before_the_revocation_is_refused_and_a_later_one_passes():
    # given
    user = UserFactory()
    now = timezone.now()
    before = token_pair_for(user).access_token
    before.set_iat(at_time=now - timedelta(seconds=10))
    later = token_pair_for(user).access_token
    # when
    revoke_tokens(user_id=user.id, issued_until=now - timedelta(seconds=5))
    # then
    with pytest.raises(AuthenticationFailed) as refused:
        authenticate(before)
    assert refused.value.detail["code"] == "user_inactive"
    assert authenticate(later).id == user.id


def test_a_replayed_older_revocation_does_not_move_the_cut_off_back():
    user_id = uuid.uuid4()
    now = timezone.now()
    revoke_tokens(user_id=user_id, issued_until=now)
    revoke_tokens(user_id=user_id, issued_until=now - timedelta(minutes=1))
    assert revocation.revoked_until(user_id) == now.timestamp()


@pytest.mark.django_db
def test_a_revocation_written_by_another_process_is_seen_within_the_local_window(settings):
    # given: this process has just looked the user up and found nothing
    settings.SEAMS_TOKEN_DENYLIST_LOCAL_SECONDS = 0.3
    user = UserFactory()
    access = token_pair_for(user).access_token
    assert authenticate(access).id == user.id
    # when: another process records the deactivation in the shared cache
    cache.set(f"{revocation.KEY_PREFIX}{user.id}", timezone.now().timestamp() + 1, timeout=60)
    # then: refused once the local answer is stale
    time.sleep(0.35)
    with pytest.raises(AuthenticationFailed):
        authenticate(access)


def test_a_process_without_the_users_app_authenticates_from_the_claims_alone():
    # given: orders and payments only, and a database that does not exist
    env = {
        **os.environ,
        "SEAMS_SERVICES": "orders,payments",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/absent",
        "SECRET_KEY": "claims-probe-secret-key",
    }
    # when
    done = subprocess.run(
        [sys.executable, "-m", "tests.apikit.claims_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "users_app_installed": False,
        "id_matches": True,
        "email": "ops@seams.example",
        "is_authenticated": True,
        "is_staff": True,
        "may_change_order": True,
        "may_refund": False,
        "revocation_services": ["orders", "payments"],
        "after_deactivation": "user_inactive",
    }
