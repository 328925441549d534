"""Web fixtures: users with roles, a store folder with a council name."""

from __future__ import annotations

import json

import pytest

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _web_store(tmp_path, settings):
    store = tmp_path / "store"
    store.mkdir()
    (store / "store.json").write_text(json.dumps({"format": 1, "council": "Testshire County Council"}))
    settings.ASC_ASSURE_STORE = store
    return store


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    def make(username: str = "alex", role: str | None = "viewer", password: str | None = PASSWORD):
        user = get_user_model().objects.create_user(username=username, password=password)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make
