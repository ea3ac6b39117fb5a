"""Issue 11: the administrator is not omnipotent (ADR 0013).

An administrator manages users, organs, calendars and settings; it reads no petition, and cannot
grant itself access. The admin site is driven by the one permission table, and every admin page,
by any app, is behind the same read gate as the pages.

Planted faults that a test here catches (rerun: make the change, run this file):
- ``staff_create`` sets ``is_superuser`` for the admin role again;
- ``XinfangAdminSite.register`` registers ``admin_class`` as given (not ``gated``);
- ``StaffAdmin.get_readonly_fields`` leaves ``organ`` writable on one's own account, or
  ``get_inlines`` shows the roles on it;
- ``StaffAdmin.save_formset`` writes no ``staff.grant`` record;
- ``petition_rows_for_user`` returns ``qs`` unchanged for ``AuditRecord`` or for models that
  point at a petition.
"""

from __future__ import annotations

import pytest

from xinfang.directory.models import Membership, Role

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def sysadmin(world):
    from xinfang.directory.services import staff_create

    return staff_create(
        username="county-admin",
        password="Admin-pass-123",
        organ=world.county_po,
        roles=[Role.ADMIN],
    )


def test_no_administrator_is_a_superuser_and_the_table_opens_the_admin(world, sysadmin, client):
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(is_superuser=True).exists()
    client.force_login(sysadmin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/directory/organ/").status_code == 200
    # petition content is not for the admin role: the pages are forbidden, not just empty
    for path in (
        "/admin/petitions/petition/",
        "/admin/insight/topicdecision/",
        "/admin/feedback/evaluation/",
    ):
        assert client.get(path).status_code == 403, path
    # a handler is no administrator, whatever Django's flags say
    world.handler.is_staff = True
    world.handler.save()
    client.force_login(world.handler)
    r = client.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_every_admin_page_of_every_app_is_on_the_table(world):
    """By construction: whatever an app registers is made a TableAdmin, its inlines too."""
    from django.contrib import admin

    from xinfang.directory.admin_site import TableAdmin, XinfangAdminSite, _TableInline

    assert isinstance(admin.site, XinfangAdminSite)
    assert len(admin.site._registry) >= 9
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, TableAdmin), model
        for inline in model_admin.get_inlines(None, None):  # type: ignore[arg-type]
            assert issubclass(inline, _TableInline), (model, inline)

    # a page registered later, by an app that forgot, is covered all the same

    class Forgetful(admin.ModelAdmin):
        pass

    from xinfang.directory.models import Region

    site = XinfangAdminSite(name="probe")
    site.register(Region, Forgetful)
    assert isinstance(site._registry[Region], TableAdmin)


def test_an_administrator_cannot_change_its_own_organ_or_roles(client, world, sysadmin):
    from xinfang.directory.models import User

    client.force_login(sysadmin)
    page = client.get(f"/admin/directory/user/{sysadmin.pk}/change/").content.decode()
    assert 'name="organ"' not in page and "memberships-TOTAL_FORMS" not in page
    r = client.post(
        f"/admin/directory/user/{sysadmin.pk}/change/",
        {
            "username": sysadmin.username,
            "display_name": "",
            "first_name": "",
            "last_name": "",
            "email": "",
            "organ": str(world.discipline.pk),
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-role": Role.HANDLER,
            "memberships-0-user": str(sysadmin.pk),
        },
    )
    assert r.status_code in (200, 302)
    me = User.objects.get(pk=sysadmin.pk)
    assert me.organ_id == world.county_po.pk and not me.is_superuser
    assert set(Membership.objects.filter(user=me).values_list("role", flat=True)) == {Role.ADMIN}


def test_every_grant_is_audited_and_the_superuser_flag_is_not_offered(client, world, sysadmin):
    from xinfang.audit.models import AuditRecord
    from xinfang.directory.services import staff_create

    clerk = staff_create(
        username="new-clerk", password="Clerk-pass-123", organ=world.county_po, roles=[]
    )
    client.force_login(sysadmin)
    page = client.get(f"/admin/directory/user/{clerk.pk}/change/").content.decode()
    assert "memberships-TOTAL_FORMS" in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    r = client.post(
        f"/admin/directory/user/{clerk.pk}/change/",
        {
            "username": clerk.username,
            "display_name": "新登记员",
            "first_name": "",
            "last_name": "",
            "email": "",
            "organ": str(world.county_po.pk),
            "is_active": "on",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-role": Role.REGISTRAR,
            "memberships-0-user": str(clerk.pk),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert list(Membership.objects.filter(user=clerk).values_list("role", flat=True)) == [
        Role.REGISTRAR
    ]
    rec = AuditRecord.objects.get(kind="staff.grant")
    assert rec.actor_id == sysadmin.pk and rec.object_id == str(clerk.pk)
    assert rec.data == {"role": Role.REGISTRAR}


def test_an_administrator_manages_only_its_own_subtree(client, world, sysadmin):
    client.force_login(sysadmin)
    html = client.get("/admin/directory/user/").content.decode()
    assert f"/admin/directory/user/{world.clerk.pk}/change/" in html
    # the housing bureau is not below the county office
    assert f"/admin/directory/user/{world.handler.pk}/change/" not in html
    assert client.get(f"/admin/directory/user/{world.handler.pk}/change/").status_code == 302


def test_an_admin_add_form_sent_twice_adds_one_row(world, sysadmin, client):
    """Django's add/change forms carry the one-time token too (issue 13 §1.10): a refresh of the
    answer to "保存" or a double click adds one organ, not two. Planted fault this catches: the
    ``admin_templates`` entry removed from ``TEMPLATES["DIRS"]`` (two organs)."""
    import re

    from xinfang.directory.models import Organ

    client.force_login(sysadmin)
    page = client.get("/admin/directory/organ/add/").content.decode()
    token = re.search(r'name="once" value="([^"]+)"', page)
    assert token, "the admin add form carries no one-time token"
    po = world.county_po
    data = {
        "name": "县信访局第二接待室",
        "kind": po.kind,
        "level": po.level,
        "region": po.region_id,
        "parent": po.pk,
        "is_active": "on",
        "once": token.group(1),
    }
    first = client.post("/admin/directory/organ/add/", data)
    assert first.status_code == 302, first.content.decode()[:2000]
    again = client.post("/admin/directory/organ/add/", data)
    assert again.status_code in (302, 303)
    assert Organ.objects.filter(name="县信访局第二接待室").count() == 1
    # a form re-shown with its errors keeps its token, so the corrected form goes through
    bad = dict(data, name="", once="fresh-token-for-the-error-case-000000")
    shown = client.post("/admin/directory/organ/add/", bad)
    assert (
        shown.status_code == 200
        and "fresh-token-for-the-error-case-000000" in shown.content.decode()
    )
