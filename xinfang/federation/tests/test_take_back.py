"""Taking back (取回) a transfer to another installation that never arrived (issue 20; ADR 0023).

The sending office, with a role that transfers, takes back a hand-over the other installation
has not acknowledged: the petition is routed again here with a new T1, the outbox message is
withdrawn in the same transaction and never sent afterwards; once the other side acknowledged
it, the step is refused. The race with the tick is in test_take_back_race.py (PostgreSQL).

Planted faults (each makes a test here fail):
- the guard allowing a delivered hand-over (``handover_undelivered`` also for ``delivered``):
  the delivered test takes it back;
- ``transfer_withdraw`` not marking the message withdrawn: the tick sends it afterwards;
- ``actor_may`` letting the holder act (no ``TAKE_BACK`` branch): the other organ's user
  is offered and allowed the step;
- the tick not claiming (``_claim`` returning the lease without the conditional UPDATE): a
  take-back during the sending is not refused;
- the inbox mirroring an update on a withdrawn link (no ``withdrawn_at`` branch): the copy
  taken back is concluded by the other side's answer.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import Level, OrganKind, Role
from xinfang.directory.services import organ_create, staff_create
from xinfang.federation import envelope as e
from xinfang.federation.models import Link, OutboundMessage, RemoteStep
from xinfang.federation.services import (
    outbox,
    outbox_deliver,
    peer_add,
    peer_deactivate,
    remote_organ_set,
)
from xinfang.federation.services.outbox import _claim
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_actions_for_user
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.django_db

OTHER = e.private_key_from_secret("the other installation, take back")
OK = {"confirm_withdraw": True}


@pytest.fixture
def remote(world):
    peer = peer_add(
        name="邻省测试", url="https://xf4.example.gov.cn/", public_key=e.public_key_text(OTHER)
    )
    organ = organ_create(name="邻省某市信访局", kind=OrganKind.PETITION_OFFICE, level=Level.CITY, region=world.county)  # fmt: skip
    return remote_organ_set(organ=organ, peer=peer, remote_organ_id=55)


@pytest.fixture
def sent(world, register, remote):
    """A petition the county office transferred to the other installation (undelivered)."""
    p = register(received_at=clock.now() - timedelta(days=2)).petition
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": remote.organ.pk})  # fmt: skip
    return Petition.objects.get(pk=p.pk)


def _offered(user, p) -> list[str]:  # type: ignore[no-untyped-def]
    """The steps the page and the API offer ``user`` now (the petition read afresh)."""
    return petition_actions_for_user(user=user, petition=Petition.objects.get(pk=p.pk))


def _never_post(url, data):  # type: ignore[no-untyped-def]
    if json.loads(data)["envelope"]["kind"] == "transfer":
        raise AssertionError("a withdrawn message was sent")
    return 200, {}


def _take_back(world, p, **kw):  # type: ignore[no-untyped-def]
    return petition_act(
        petition_id=p.pk,
        action="take_back",
        actor=kw.pop("actor", world.clerk),
        reason=kw.pop("reason", "对方系统长期无法送达"),
        data=kw.pop("data", OK),
    )


def test_the_sending_office_takes_back_an_undelivered_transfer_and_routes_it_again(
    world, sent, remote, monkeypatch
):
    assert "take_back" in _offered(world.clerk, sent)
    p = _take_back(world, sent)
    p.refresh_from_db()
    assert (p.state, p.current_organ_id, p.handling_organ_id) == ("routing", world.county_po.pk, None)
    ev = p.events.order_by("-seq").first()
    assert (ev.action, ev.reason, ev.data["returned_to_organ_id"]) == (
        "take_back", "对方系统长期无法送达", world.county_po.pk,
    )  # fmt: skip
    m = OutboundMessage.objects.get()
    assert m.status == "withdrawn" and Link.objects.get().withdrawn_at is not None
    assert AuditRecord.objects.filter(kind="petition.take_back", object_id=str(p.pk)).exists()
    # a new routing round for the office (Art. 22): it may route it, nothing waits over there
    t1 = p.deadlines.filter(code="T1", outcome="open").get()
    assert t1.owner_organ_id == world.county_po.pk and t1.start_date == clock.today()
    assert p.next_due == t1.due_date
    monkeypatch.setattr(outbox, "_post", _never_post)
    later = clock.now() + timedelta(days=3)
    assert outbox_deliver(now=later) == {"delivered": 0, "retry": 0, "refused": 0}
    assert "transfer" in _offered(world.clerk, p)


def test_a_transfer_the_other_side_acknowledged_is_not_taken_back(world, sent, monkeypatch):
    monkeypatch.setattr(outbox, "_post", lambda url, data: (200, {"tracking_code": "XYZ2345678"}))
    outbox_deliver(now=clock.now())
    assert "take_back" not in _offered(world.clerk, sent)
    with pytest.raises(ApplicationError) as err:
        _take_back(world, sent)
    assert err.value.status == 409 and "取回" in err.value.message
    sent.refresh_from_db()
    assert sent.state == "transferred" and OutboundMessage.objects.get().status == "delivered"


def test_a_transfer_the_other_side_refused_is_taken_back(world, sent, monkeypatch):
    monkeypatch.setattr(outbox, "_post", lambda url, data: (422, {"code": "refused", "message": "接收机关不存在"}))  # fmt: skip
    outbox_deliver(now=clock.now())
    assert _take_back(world, sent).state == "routing"


def test_a_withdrawn_peers_waiting_transfer_is_taken_back(world, sent, remote):
    peer_deactivate(peer=remote.peer, reason="对方系统停运")
    assert _take_back(world, sent).state == "routing"


def test_only_the_sending_office_and_the_roles_that_transfer_may_take_back(
    world, sent, remote
):
    for role in Role:
        user = staff_create(username=f"tb-{role}", password=None, organ=world.county_po, roles=[role])  # fmt: skip
        offered = "take_back" in _offered(user, sent)
        may = role in (Role.REGISTRAR, Role.HANDLER, Role.ORGAN_HEAD)
        assert offered == may, role
        if not may:
            with pytest.raises(Forbidden):
                _take_back(world, sent, actor=user)
    # an officer of another organ (even one that could see it) never
    other = staff_create(username="tb-other", password=None, organ=world.city_po, roles=[Role.REGISTRAR])  # fmt: skip
    assert "take_back" not in _offered(other, sent)
    with pytest.raises(Forbidden):
        _take_back(world, sent, actor=other)
    assert Petition.objects.get(pk=sent.pk).state == "transferred"


def test_a_reason_and_the_confirmation_are_required(world, sent):
    with pytest.raises(ApplicationError) as err:
        _take_back(world, sent, reason="  ", data={})
    assert set(err.value.fields) == {"reason", "confirm_withdraw"}
    assert OutboundMessage.objects.get().status == "pending"


def test_a_message_being_sent_is_not_taken_back_until_its_answer_is_recorded(
    world, sent, monkeypatch
):
    """The tick's claim and the take-back exclude each other: one wins, cleanly."""
    m = OutboundMessage.objects.get()
    now = clock.now()
    lease = _claim(m, now=now)
    assert lease is not None and _claim(m, now=now) is None  # one claim at a time
    with pytest.raises(ApplicationError) as err:
        _take_back(world, sent)
    assert err.value.status == 409 and "正在发送" in err.value.message
    m.refresh_from_db()
    assert m.status == "pending" and m.sending_until == lease
    # the claim ran out (the tick died): the message may be taken back, and is then never sent
    OutboundMessage.objects.filter(pk=m.pk).update(sending_until=now - timedelta(seconds=1))
    assert _take_back(world, sent).state == "routing"
    monkeypatch.setattr(outbox, "_post", _never_post)
    # the transfer is never sent; the other side is told of the take-back instead (the claim
    # that ran out may have sent it: revB #4)
    assert outbox_deliver(now=now + timedelta(days=1))["delivered"] == 1
    assert OutboundMessage.objects.get(kind="withdraw").status == "delivered"


def test_a_tick_that_started_long_ago_still_holds_its_claim_while_sending(world, sent, monkeypatch):
    """revB 1: a tick whose earlier messages each waited out the timeout claims a later one
    long after it started. The claim runs from the moment of claiming, not from the tick's
    start: a take-back while that message is being sent is refused, and the message is
    delivered (it used to be withdrawn while the other side registered it)."""
    started = clock.now() - timedelta(seconds=90)
    OutboundMessage.objects.update(next_attempt_at=started - timedelta(seconds=1))
    refused: list[tuple[int, str]] = []

    def post(url, data):  # type: ignore[no-untyped-def]
        try:
            _take_back(world, sent)
        except ApplicationError as err:
            refused.append((err.status, err.message))
        return 200, {"tracking_code": "ABC2345678"}

    monkeypatch.setattr(outbox, "_post", post)
    assert outbox_deliver(now=started)["delivered"] == 1
    assert len(refused) == 1 and refused[0][0] == 409 and "正在发送" in refused[0][1]
    m = OutboundMessage.objects.get()
    assert m.status == "delivered" and m.last_error == ""
    assert Petition.objects.get(pk=sent.pk).state == "transferred"


def test_an_answer_after_the_claim_ran_out_and_the_take_back_keeps_the_withdrawal(
    world, sent, monkeypatch, client
):
    """A tick stuck past its lease: the other side got it after all. The withdrawal stands,
    the acknowledgement is recorded and the page says the other side has it."""
    m = OutboundMessage.objects.get()
    now = clock.now()

    def slow(url, data):  # type: ignore[no-untyped-def]
        OutboundMessage.objects.filter(pk=m.pk).update(sending_until=now - timedelta(seconds=1))
        _take_back(world, sent)  # meanwhile, the office takes it back
        return 200, {"tracking_code": "LATE234567"}

    monkeypatch.setattr(outbox, "_post", slow)
    assert outbox_deliver(now=now)["delivered"] == 0
    m.refresh_from_db()
    assert m.status == "withdrawn" and m.delivered_at is not None
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{sent.pk}/").content.decode()
    assert "已取回" in page and "对方系统在取回后报告已收到该事项" in page


def test_an_update_for_a_withdrawn_transfer_is_acknowledged_as_withdrawn_and_not_mirrored(
    world, sent
):
    from xinfang.federation.services.inbox import _update_apply

    _take_back(world, sent)
    link = Link.objects.get()
    env = e.Envelope(
        sender="x", recipient="y", message_id="m1", kind="update", ts=clock.now(), nonce="n",
        body={"transfer_id": link.transfer_id, "seq": 3, "action": "reply", "state": "replied",
              "state_label": "已答复", "occurred_at": clock.now().isoformat(), "is_open": False},
    )  # fmt: skip
    result = _update_apply(peer=link.peer, envelope=env)
    assert result["withdrawn"] is True
    sent.refresh_from_db()
    assert sent.is_open and sent.state == "routing"  # not concluded by the other side
    assert RemoteStep.objects.filter(link=link).count() == 1
    assert AuditRecord.objects.filter(kind="federation.after_withdrawal").exists()


def test_the_receiver_told_of_a_withdrawal_marks_its_copy(world, register, remote, monkeypatch, client):
    """The other side of the same answer: our update about a petition a peer sent us comes back
    ``withdrawn``: our page says the sender took it back."""
    p = register().petition
    link = Link.objects.create(petition=p, peer=remote.peer, direction=Link.IN, transfer_id="t" * 32, created_at=clock.now())  # fmt: skip
    from xinfang.federation.services.outbox import enqueue

    enqueue(peer=remote.peer, kind="update", body={"transfer_id": link.transfer_id, "seq": 1}, petition=p)  # fmt: skip
    monkeypatch.setattr(outbox, "_post", lambda url, data: (200, {"status": "applied", "withdrawn": True}))  # fmt: skip
    assert outbox_deliver(now=clock.now())["delivered"] == 1
    link.refresh_from_db()
    assert link.withdrawn_at is not None
    assert AuditRecord.objects.filter(kind="federation.withdrawn_notice").count() == 1
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "已取回该事项" in page and "避免重复办理" in page


# --- the staff page --------------------------------------------------------------------------

FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']post[\"'][^>]*>(.*?)</form>", re.S | re.I)


def _form(html: str, action: str) -> str | None:
    for m in FORM.finditer(html):
        if f'action="{action}"' in m.group(0):
            return m.group(0)
    return None


def test_the_page_offers_the_take_back_with_a_confirmation_and_a_refresh_does_not_repeat_it(
    world, sent, client
):
    url = f"/petitions/{sent.pk}/"
    act = f"/petitions/{sent.pk}/act/take_back/"
    client.force_login(world.clerk)
    html = client.get(url).content.decode()
    form = _form(html, act)
    assert form is not None and "confirm_withdraw" in form and 'name="at"' not in form
    assert re.search(r'name="confirm_withdraw" type="checkbox"[^>]*required', form)
    token = re.search(r'name="once" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    # without the confirmation: refused, what was typed kept, nothing done
    r = client.post(act, {"reason": "对方系统停运三个月", "once": token})
    assert r.status_code == 400 and "对方系统停运三个月" in r.content.decode()
    assert Petition.objects.get(pk=sent.pk).state == "transferred"
    r = client.post(act, {"reason": "对方系统停运三个月", "confirm_withdraw": "on", "once": token})
    assert r.status_code == 302 and r["Location"] == url
    again = client.post(act, {"reason": "对方系统停运三个月", "confirm_withdraw": "on", "once": token})
    assert again.status_code == 303  # the refresh: carried out once
    p = Petition.objects.get(pk=sent.pk)
    assert p.state == "routing" and p.events.filter(action="take_back").count() == 1
    html = client.get(url).content.decode()
    assert _form(html, act) is None and "已取回" in html
    # the transfer chain: back with the office, no longer waiting for the other installation
    assert "是否送达见“跨系统转送”" not in html and "取回" in html


def test_the_page_shows_no_take_back_to_another_organ_nor_after_delivery(
    world, sent, client, monkeypatch
):
    act = f"/petitions/{sent.pk}/act/take_back/"
    head = staff_create(username="tb-head", password=None, organ=world.county_po, roles=[Role.ORGAN_HEAD])  # fmt: skip
    client.force_login(head)
    assert _form(client.get(f"/petitions/{sent.pk}/").content.decode(), act) is not None
    client.force_login(world.city_clerk)  # sees the county's petitions, did not send it
    r = client.get(f"/petitions/{sent.pk}/")
    assert r.status_code in (200, 404) and _form(r.content.decode(), act) is None
    monkeypatch.setattr(outbox, "_post", lambda url, data: (200, {"tracking_code": "XYZ2345678"}))
    outbox_deliver(now=clock.now())
    client.force_login(world.clerk)
    assert _form(client.get(f"/petitions/{sent.pk}/").content.decode(), act) is None
    # posted all the same (a stale page): a clear 409 on the page, nothing lost
    r = client.post(act, {"reason": "晚了", "confirm_withdraw": "on"})
    assert r.status_code == 409 and "尚未确认接收的信访事项可以取回" in r.content.decode()
    assert Petition.objects.get(pk=sent.pk).state == "transferred"


def test_the_api_takes_back_with_the_same_rules(world, sent, client):
    from xinfang.api.services import token_issue

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    url = f"/api/v1/petitions/{sent.pk}/actions/take_back"
    r = client.post(url, {"reason": "停运"}, content_type="application/json", **auth)
    assert r.status_code == 400 and "confirm_withdraw" in r.content.decode()
    r = client.post(url, {"reason": "停运", "data": OK}, content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["state"] == "routing"
    r = client.post(url, {"reason": "停运", "data": OK}, content_type="application/json", **auth)
    assert r.status_code == 409


def test_the_portal_shows_the_petition_routed_again_without_the_internal_detail(
    world, sent, remote, client
):
    _take_back(world, sent, reason="内部原因：邻省系统故障")
    from xinfang.portal.selectors import petition_public_view

    v = petition_public_view(petition=Petition.objects.get(pk=sent.pk))
    assert v.state_label == "登记分流中" and v.routing_due is not None
    assert not [s for s in v.steps if s.label == "取回"]
    assert "内部原因" not in str(v.steps)
    from tests.flows import portal_open

    portal_open(client, sent)
    page = client.get(f"/portal/p/{sent.tracking_code}/").content.decode()
    assert "登记分流中" in page and world.county_po.name in page
    assert remote.peer.name not in page and "取回" not in page and "内部原因" not in page


def test_the_withdrawal_confirmation_lists_the_transfers_waiting_by_tracking_code(
    world, sent, remote, client
):
    admin = staff_create(username="tb-admin", password=None, organ=world.prov_gov, roles=[Role.ADMIN])  # fmt: skip
    client.force_login(admin)
    html = client.get(f"/federation/peers/{remote.peer.pk}/disable/").content.decode()
    assert 'id="transfers-waiting"' in html and sent.tracking_code in html
    assert world.county_po.name in html and sent.title not in html  # no petition content
    _take_back(world, sent)
    html = client.get(f"/federation/peers/{remote.peer.pk}/disable/").content.decode()
    assert 'id="transfers-waiting"' not in html


def test_the_take_back_reads_in_english(world, sent, client, monkeypatch):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.clerk)
    url, act = f"/petitions/{sent.pk}/", f"/petitions/{sent.pk}/act/take_back/"
    html = client.get(url).content.decode()
    form = _form(html, act)
    assert form is not None and "Take back" in form and "I confirm" in form
    assert "The sending organ can take it back" in html
    r = client.post(act, {"reason": "down"})
    assert r.status_code == 400 and "Please confirm the take-back" in r.content.decode()
    client.post(act, {"reason": "down", "confirm_withdraw": "on"})
    html = client.get(url).content.decode()
    assert "Taken back" in html and "The sending organ took it back on" in html
    for chinese in ("取回", "已撤回", "重新分流"):
        assert chinese not in html, chinese


def test_the_page_of_an_undelivered_transfer_stays_within_the_petition_pages_budget(
    world, sent, client
):
    """Offering the take-back asks two things (is it delivered; who sent it): the page of such
    a petition runs at most two queries more than the petition page's pinned budget
    (xinfang/web/tests/test_query_budget.py), whatever the petition's history."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.web.tests.test_query_budget import BUDGET

    client.force_login(world.clerk)
    client.get(f"/petitions/{sent.pk}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as q:
        html = client.get(f"/petitions/{sent.pk}/").content.decode()
    assert "take_back" in html
    # +1 over an ordinary petition's budget: whether the hand-over is delivered and who made it
    # (two questions, one saved by the panel reading its links once); +1: the panel's read of
    # its links, which an ordinary petition, with none, skips since the page's presence query
    # (petitions.extensions.presence_read, pagespeed)
    assert len(q.captured_queries) <= BUDGET["/petitions/<id>/"] + 2, len(q.captured_queries)


def test_the_withdrawal_confirmation_lists_a_refused_transfer_too(world, sent, remote, client, monkeypatch):
    """A transfer the other side refused can be taken back as well (``handover_undelivered``):
    the administrator withdrawing the peer is told about it, with its status (revB #6)."""
    monkeypatch.setattr(outbox, "_post", lambda url, data: (422, {"code": "refused", "message": "接收机关不存在"}))  # fmt: skip
    outbox_deliver(now=clock.now())
    assert OutboundMessage.objects.get().status == "refused"
    admin = staff_create(username="tb-admin2", password=None, organ=world.prov_gov, roles=[Role.ADMIN])  # fmt: skip
    client.force_login(admin)
    html = client.get(f"/federation/peers/{remote.peer.pk}/disable/").content.decode()
    assert 'id="transfers-waiting"' in html and sent.tracking_code in html
    assert "对方拒收" in html and sent.title not in html
    _take_back(world, sent)
    html = client.get(f"/federation/peers/{remote.peer.pk}/disable/").content.decode()
    assert 'id="transfers-waiting"' not in html


def test_the_transfer_chain_tells_the_take_back_as_the_sending_office_s(world, sent, remote, client):
    """The other organ never received it: the chain's row is the sending office taking it back,
    not the other organ returning it, and the sentence above tells no objection (walker #14)."""
    from xinfang.routing.chain import transfer_chain

    _take_back(world, sent)
    chain = transfer_chain(petition=Petition.objects.get(pk=sent.pk))
    hop = [h for h in chain["hops"] if h.kind == "take_back"][0]
    assert hop.action_label == "取回（对方未接收）"
    assert (hop.from_organ, hop.to_organ) == (world.county_po.name, "")
    assert (chain["objections"], chain["taken_back"]) == (0, 1)
    client.force_login(world.clerk)
    html = client.get(f"/petitions/{sent.pk}/").content.decode()
    panel = html[html.index('id="chain-panel"') :]
    assert "取回（对方未接收）" in panel and "提出异议" not in panel
    assert "取回尚未送达的转送 1 次" in panel


def test_the_portal_tells_the_take_back_and_never_names_the_peer_by_its_admin_label(
    world, sent, remote, client
):
    """walker #18: before the take-back the portal names the receiving organ, not the label an
    administrator typed for the peer; after it the timeline ends with the petition routed again
    at our office, and the transfer step says it was withdrawn, never received."""
    from tests.flows import portal_open
    from xinfang.portal.selectors import petition_public_view

    portal_open(client, sent)
    page = client.get(f"/portal/p/{sent.tracking_code}/").content.decode()
    assert remote.organ.name in page and remote.peer.name not in page
    _take_back(world, sent)
    v = petition_public_view(petition=Petition.objects.get(pk=sent.pk))
    last = v.steps[-1]
    assert (last.label, last.organ) == ("重新分流", world.county_po.name)
    moved = [s for s in v.steps if s.label == "转送"][-1]
    assert moved.organ == remote.organ.name and "已撤回" in moved.note
    # the 转送告知书 of the withdrawn hand-over says so on the portal (walker #18)
    assert [d.withdrawn_on is not None for d in v.documents if d.kind == "transfer_notice"] == [True]
    page = client.get(f"/portal/p/{sent.tracking_code}/").content.decode()
    assert 'class="doc-withdrawn"' in page and "已撤回，对方未接收" in page
