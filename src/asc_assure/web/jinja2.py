"""The Jinja2 environment: the project's templates plus GOV.UK Frontend's (govuk-frontend-jinja)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

WEB_DIR = Path(__file__).resolve().parent


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """``reverse`` for templates: ``url('audit')``, ``url('measure', 'ASCOF-1A')``, ``url('x', id=3)``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def template_dirs() -> list[str]:
    """web/templates first, then any web/<feature>/templates (e.g. the dashboard package)."""
    dirs = [WEB_DIR / "templates", *sorted(p for p in WEB_DIR.glob("*/templates") if p.is_dir())]
    return [str(d) for d in dirs]


def environment(**options: Any) -> Environment:
    options.pop("loader", None)
    options.setdefault("autoescape", True)
    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(template_dirs()),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]),
        **options,
    )
    env.globals.update(static=static, url=url)
    return env
