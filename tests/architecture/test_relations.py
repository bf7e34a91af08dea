"""The system check that refuses model relations across app boundaries."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models

from extraction.checks import check_cross_boundary_relations


@pytest.fixture
def temporary_model():
    """Define a model in a real app for the duration of a test, then remove it."""
    before = {label: set(models_) for label, models_ in apps.all_models.items()}

    def define(app_label: str, name: str, **fields: models.Field) -> type[models.Model]:
        attrs = {
            "__module__": f"apps.{app_label}.models",
            **fields,
            "Meta": type("Meta", (), {"app_label": app_label}),
        }
        return type(name, (models.Model,), attrs)

    yield define
    # Remove the model and what Django made for it (an M2M's through model).
    for label, registered in apps.all_models.items():
        for name in set(registered) - before.get(label, set()):
            del registered[name]
    apps.clear_cache()


def test_the_project_has_no_cross_boundary_relation():
    assert check_cross_boundary_relations() == []


def test_a_foreign_key_from_orders_to_auth_user_model_fails_manage_py_check(temporary_model):
    # given
    temporary_model(
        "orders",
        "LeakyOrder",
        customer=models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE),
    )
    # when / then
    with pytest.raises(
        SystemCheckError, match=r"seams.E002.*LeakyOrder.customer relates to identity.StaffUser"
    ):
        call_command("check")


@pytest.mark.parametrize("kind", ["one_to_one", "many_to_many"])
def test_other_relation_kinds_are_refused_too(temporary_model, kind):
    field = (
        models.OneToOneField("payments.Payment", on_delete=models.CASCADE)
        if kind == "one_to_one"
        else models.ManyToManyField("payments.Payment")
    )
    temporary_model("orders", f"Leaky{kind.title().replace('_', '')}", payment=field)
    ids = {e.id for e in check_cross_boundary_relations()}
    assert ids == {"seams.E002"}


def test_relations_inside_one_app_and_to_framework_models_are_allowed(temporary_model):
    temporary_model(
        "orders",
        "OrderNote",
        order=models.ForeignKey("orders.Order", on_delete=models.CASCADE),
        content_type=models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE),
    )
    assert check_cross_boundary_relations() == []
