"""Issue 11: two administrators for the admin role and for another administrator's password
(ADR 0013; ``xinfang.directory.approvals``). One administrator may not make a second
administrator, nor log in as one by setting its password: a different administrator approves.

Planted faults this module catches (rerun: make the change, run this file):
- ``grant_request_decide`` without the ``requested_by_id == actor.pk`` refusal: an
  administrator approves its own request (test_an_administrator_cannot_approve_its_own…);
- ``StaffAdmin.save_formset`` keeping the held roles (no ``delete``): the admin role is granted
  by one administrator in the admin site;
- ``StaffAdmin.user_change_password`` calling the parent for everyone: another administrator's
  password changes at once;
- ``grant_request_decide`` not writing ``staff.grant`` with ``approved_by``: the audit test;
- ``two_person_roles`` without ``Role.ADMIN``: the admin-site grant test.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate

from xinfang.audit.models import AuditRecord
from xinfang.directory.approvals import (
    grant_request_create,
    grant_request_decide,
    password_reset_request,
)
from xinfang.directory.models import GrantRequest, Membership, Role, User

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def admins(world):
    from xinfang.directory.services import staff_create

    a = staff_create(
        username="admin-a", password="Admin-pass-123", organ=world.county_po, roles=[Role.ADMIN]
    )
    b = staff_create(
        username="admin-b", password="Admin-pass-456", organ=world.county_po, roles=[Role.ADMIN]
    )
    return a, b


def _roles(user) -> set[str]:
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def _change_form(user, world, roles: list[str]) -> dict[str, str]:
    data = {
        "username": user.username,
        "display_name": "",
        "first_name": "",
        "last_name": "",
        "email": "",
        "organ": str(world.county_po.pk),
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(roles)),
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, role in enumerate(roles):
        data[f"memberships-{i}-role"] = role
        data[f"memberships-{i}-user"] = str(user.pk)
    return data


def _token(html: str, action: str) -> str:
    m = re.search(re.escape(f'action="{action}"') + r'.*?name="once" value="([^"]+)"', html, re.S)
    assert m, f"a form posting to {action} with its one-time token"
    return m.group(1)


def test_the_admin_role_given_in_the_admin_site_waits_for_a_second_administrator(
    client, world, admins
):
    a, b = admins
    clerk = world.clerk
    client.force_login(a)
    r = client.post(
        f"/admin/directory/user/{clerk.pk}/change/",
        _change_form(clerk, world, [Role.HANDLER, Role.ADMIN]),
    )
    assert r.status_code == 302, r.content.decode()[:1500]
    # the ordinary role is granted at once, the admin role is only asked for
    assert _roles(clerk) == {Role.REGISTRAR, Role.HANDLER}
    assert not User.objects.get(pk=clerk.pk).is_staff
    req = GrantRequest.objects.get(user=clerk)
    assert (req.kind, req.role, req.status, req.requested_by_id) == (
        "role",
        "admin",
        "pending",
        a.pk,
    )
    assert AuditRecord.objects.filter(kind="staff.grant_requested", actor_id=a.pk).count() == 1
    assert not AuditRecord.objects.filter(kind="staff.grant", data__role="admin").exists()

    # the requester sees it waiting, without the buttons; the second administrator approves
    page = client.get("/account/approvals/").content.decode()
    assert "须由另一名管理员处理" in page
    assert f"/account/approvals/{req.pk}/approve/" not in page
    client.force_login(b)
    page = client.get("/account/approvals/").content.decode()
    action = f"/account/approvals/{req.pk}/approve/"
    r = client.post(action, {"once": _token(page, action)})
    assert r.status_code == 302 and r["Location"] == "/account/approvals/"
    assert _roles(clerk) == {Role.REGISTRAR, Role.HANDLER, Role.ADMIN}
    assert User.objects.get(pk=clerk.pk).is_staff
    rec = AuditRecord.objects.get(kind="staff.grant", data__role="admin")
    assert rec.actor_id == b.pk and rec.object_id == str(clerk.pk)
    assert rec.data["requested_by"] == a.pk and rec.data["approved_by"] == b.pk


def test_an_administrator_cannot_approve_its_own_request_nor_one_about_itself(
    client, world, admins
):
    a, b = admins
    req = grant_request_create(actor=a, user=world.clerk, role=Role.ADMIN)
    client.force_login(a)
    r = client.post(f"/account/approvals/{req.pk}/approve/")
    assert r.status_code == 403
    assert _roles(world.clerk) == {Role.REGISTRAR}
    assert GrantRequest.objects.get(pk=req.pk).status == "pending"
    refused = AuditRecord.objects.get(kind="staff.approval_refused")
    assert refused.actor_id == a.pk and refused.data["request"] == req.pk
    # nor reject it (a requester could otherwise clear what another would approve)
    assert client.post(f"/account/approvals/{req.pk}/reject/").status_code == 403
    # a request about oneself (b's password) is for a third administrator, not for b
    from xinfang.directory.services import staff_create

    staff_create(
        username="admin-c", password="Admin-pass-000", organ=world.county_po, roles=[Role.ADMIN]
    )
    about_b = password_reset_request(actor=a, user=b, password_hash="x")
    with pytest.raises(Exception, match="与自己有关"):
        grant_request_decide(actor=b, request_id=about_b.pk, approve=True)
    # asking for oneself is refused outright
    with pytest.raises(Exception, match="不能更改自己"):
        grant_request_create(actor=a, user=a, role=Role.ADMIN)


def test_another_administrators_password_is_set_only_after_approval(client, world, admins):
    from xinfang.directory.services import staff_create

    a, b = admins
    c = staff_create(
        username="admin-c", password="Admin-pass-789", organ=world.county_po, roles=[Role.ADMIN]
    )
    client.force_login(a)
    r = client.post(
        f"/admin/directory/user/{b.pk}/password/",
        {"password1": "Taken-over-123", "password2": "Taken-over-123", "usable_password": "true"},
    )
    assert r.status_code == 302, r.content.decode()[:1500]
    assert authenticate(username="admin-b", password="Admin-pass-456") is not None
    assert authenticate(username="admin-b", password="Taken-over-123") is None
    req = GrantRequest.objects.get(user=b, kind="password")
    assert req.password_hash and "Taken-over-123" not in req.password_hash
    rec = AuditRecord.objects.get(kind="staff.password_reset_requested")
    assert "Taken-over" not in str(rec.data)

    # a third administrator rejects it: nothing changes, the hash is forgotten
    grant_request_decide(actor=c, request_id=req.pk, approve=False, note="未经本人确认")
    req.refresh_from_db()
    assert req.status == "rejected" and req.password_hash == ""
    assert authenticate(username="admin-b", password="Admin-pass-456") is not None
    # asked again and approved by the third: the new password works, the old no longer
    client.post(
        f"/admin/directory/user/{b.pk}/password/",
        {
            "password1": "Reset-by-two-123",
            "password2": "Reset-by-two-123",
            "usable_password": "true",
        },
    )
    again = GrantRequest.objects.get(user=b, kind="password", status="pending")
    grant_request_decide(actor=c, request_id=again.pk, approve=True)
    assert authenticate(username="admin-b", password="Reset-by-two-123") is not None
    assert authenticate(username="admin-b", password="Admin-pass-456") is None
    done = AuditRecord.objects.get(kind="staff.password_reset")
    assert done.actor_id == c.pk and done.data["requested_by"] == a.pk


def test_a_non_administrators_password_and_ordinary_roles_need_no_second_administrator(
    client, world, admins
):
    a, _b = admins
    client.force_login(a)
    r = client.post(
        f"/admin/directory/user/{world.clerk.pk}/password/",
        {"password1": "Clerk-new-123", "password2": "Clerk-new-123", "usable_password": "true"},
    )
    assert r.status_code == 302
    assert authenticate(username=world.clerk.username, password="Clerk-new-123") is not None
    assert not GrantRequest.objects.exists()


def test_a_decided_request_is_not_decided_again_and_outsiders_do_not_see_it(client, world, admins):
    from xinfang.directory.services import staff_create

    a, b = admins
    req = grant_request_create(actor=a, user=world.clerk, role=Role.ADMIN)
    grant_request_decide(actor=b, request_id=req.pk, approve=False, note="未经所在机关同意")
    with pytest.raises(Exception, match="已处理"):
        grant_request_decide(actor=b, request_id=req.pk, approve=True)
    assert _roles(world.clerk) == {Role.REGISTRAR}
    # an administrator of another organ's subtree neither sees nor decides it
    other = staff_create(
        username="admin-housing", password="Admin-pass-000", organ=world.housing, roles=[Role.ADMIN]
    )
    again = grant_request_create(actor=a, user=world.clerk, role=Role.ADMIN)
    client.force_login(other)
    assert (
        f"/account/approvals/{again.pk}/" not in client.get("/account/approvals/").content.decode()
    )
    assert client.post(f"/account/approvals/{again.pk}/approve/").status_code == 404
    # and a non-administrator may not open the page at all
    client.force_login(world.clerk)
    assert client.get("/account/approvals/").status_code == 403


def test_the_menu_links_the_approvals_page_for_administrators_only(client, world, admins):
    a, _b = admins
    client.force_login(a)
    assert 'href="/account/approvals/"' in client.get("/account/approvals/").content.decode()
    client.force_login(world.clerk)
    assert 'href="/account/approvals/"' not in client.get("/worklist/").content.decode()


def test_a_request_no_other_administrator_could_decide_is_refused_up_front(world, admins):
    """The demo walk found a request waiting forever: the only other administrators sat in
    organs that do not manage the user. Planted fault: drop ``_require_second_admin`` → the
    request is filed and this fails."""
    from xinfang.core.errors import ApplicationError
    from xinfang.directory.approvals import approvers_for, grant_request_create
    from xinfang.directory.models import GrantRequest
    from xinfang.directory.services import staff_create

    a, b = admins
    clerk = world.clerk
    assert approvers_for(actor=a, user=clerk) == [b]
    b.is_active = False
    b.save(update_fields=["is_active"])
    staff_create(  # an administrator elsewhere does not manage the clerk
        username="admin-far", password="Admin-pass-789", organ=world.housing, roles=[Role.ADMIN]
    )
    with pytest.raises(ApplicationError) as e:
        grant_request_create(actor=a, user=clerk, role=Role.ADMIN)
    assert e.value.status == 409 and "另一名管理员" in e.value.message
    assert not GrantRequest.objects.exists()


def test_a_rejection_names_its_reason_and_the_page_shows_when_it_was_decided(
    client, world, admins
):
    """A rejection with no reason left the requester and the audit trail without the why (it
    was accepted); it is refused and the request stays pending. The decided list shows when."""
    a, b = admins
    req = grant_request_create(actor=a, user=world.clerk, role=Role.ADMIN)
    client.force_login(b)
    r = client.post(f"/account/approvals/{req.pk}/reject/", {"note": "  "})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "pending"
    assert "请写明驳回理由" in client.get("/account/approvals/").content.decode()
    client.post(f"/account/approvals/{req.pk}/reject/", {"note": "未经所在机关同意"})
    req.refresh_from_db()
    assert req.status == "rejected" and req.note == "未经所在机关同意"
    html = client.get("/account/approvals/").content.decode()
    assert req.decided_at is not None
    from django.utils import timezone

    assert timezone.localtime(req.decided_at).strftime("%Y-%m-%d %H:%M") in html
