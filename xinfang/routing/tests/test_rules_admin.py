"""Routing rules as audited data: administrators of a region edit its rules, the desk's
suggestion names the rule, the rule check lists gaps and conflicts (issue 20)."""

from __future__ import annotations

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create
from xinfang.routing.models import RoutingRule
from xinfang.routing.selectors import routing_suggest, rules_check_for_user
from xinfang.routing.services import RuleInput, rule_save, rule_withdraw

PW = "test-pass-123"


@pytest.fixture
def admins(world):
    return {
        "province": staff_create(
            username="provadmin", password=PW, organ=world.prov_gov, roles=[Role.ADMIN]
        ),
        "county": staff_create(
            username="countyadmin", password=PW, organ=world.county_po, roles=[Role.ADMIN]
        ),
    }


def test_an_administrator_adds_a_rule_and_the_change_is_audited(world, admins):
    rule = rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.housing, region=world.county, category="appeal", route=6),
    )
    record = AuditRecord.objects.get(kind="routing.rule_create", object_id=str(rule.pk))
    assert record.actor_id == admins["county"].pk
    assert record.data["after"]["organ"] == world.housing.pk
    changed = rule_save(
        actor=admins["county"],
        rule_id=rule.pk,
        data=RuleInput(organ=world.county_gov, region=world.county, category="appeal"),
    )
    change = AuditRecord.objects.get(kind="routing.rule_change", object_id=str(rule.pk))
    assert change.data["before"]["organ"] == world.housing.pk
    assert change.data["after"]["organ"] == world.county_gov.pk
    assert changed.route is None


def test_a_county_administrator_may_not_make_rules_for_the_city_or_route_to_a_city_organ(
    world, admins
):
    with pytest.raises(ApplicationError) as e:
        rule_save(actor=admins["county"], data=RuleInput(organ=world.housing, region=world.city))
    assert "region" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        rule_save(
            actor=admins["county"], data=RuleInput(organ=world.city_housing, region=world.county)
        )
    assert "organ" in e.value.fields
    with pytest.raises(ApplicationError):
        rule_save(actor=admins["county"], data=RuleInput(organ=world.housing, region=None))
    assert not RoutingRule.objects.exists()


def test_only_administrators_edit_rules(world):
    with pytest.raises(Forbidden):
        rule_save(actor=world.clerk, data=RuleInput(organ=world.housing, region=world.county))


def test_a_route_is_refused_on_a_rule_for_another_category(world, admins):
    with pytest.raises(ApplicationError) as e:
        rule_save(
            actor=admins["county"],
            data=RuleInput(
                organ=world.housing, region=world.county, category="suggestion", route=6
            ),
        )
    assert "route" in e.value.fields


def test_the_desk_suggestion_names_the_rule_and_inherits_from_the_province(world, admins):
    general = rule_save(actor=admins["province"], data=RuleInput(organ=world.city_gov, region=None))
    housing = rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.housing, region=world.county, keywords="物业 拆迁"),
    )
    decision, organ = routing_suggest(region_code="990102", category="appeal", text="小区物业")
    assert organ == world.housing
    assert decision.rule.id == housing.pk
    decision, organ = routing_suggest(region_code="990102", category="appeal", text="道路")
    assert organ == world.city_gov
    assert decision.rule.id == general.pk
    assert "全辖区" in decision.reasons[0]


def test_an_accused_organ_is_never_suggested(world, admins):
    rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.housing, region=world.county, category="accusation"),
    )
    rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.discipline, region=world.county),
    )
    decision, organ = routing_suggest(
        region_code="990102", category="accusation", accused_organ_ids=[world.housing.pk]
    )
    assert organ == world.discipline
    assert decision.action == "refer_discipline"


def test_a_withdrawn_rule_no_longer_routes_and_the_withdrawal_is_audited(world, admins):
    rule = rule_save(
        actor=admins["county"], data=RuleInput(organ=world.housing, region=world.county)
    )
    rule_withdraw(actor=admins["county"], rule_id=rule.pk)
    rule_withdraw(actor=admins["county"], rule_id=rule.pk)  # twice: recorded once
    assert AuditRecord.objects.filter(kind="routing.rule_withdraw").count() == 1
    decision, organ = routing_suggest(region_code="990102", category="appeal")
    assert organ is None and decision.is_gap


def test_the_rule_check_reports_gaps_and_conflicts_in_the_administrators_regions(world, admins):
    rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.housing, region=world.county, category="suggestion"),
    )
    rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.county_gov, region=world.county, category="suggestion"),
    )
    rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.court, region=world.county, category="appeal", route=1),
    )
    rows = rules_check_for_user(user=admins["county"])
    assert {r.region_code for r in rows} == {"990102"}
    cells = {(r.category, r.route): r.decision for r in rows}
    assert len(cells) == 8
    assert cells[("suggestion", None)].is_conflict
    assert cells[("appeal", 1)].organ_id == world.court.pk
    assert cells[("appeal", 6)].is_gap
    # the province's administrator sees every region of the installation
    assert {r.region_code for r in rules_check_for_user(user=admins["province"])} == {
        "990000",
        "990100",
        "990102",
    }


def test_the_pages_list_edit_and_check_rules(client, world, admins):
    client.force_login(admins["county"])
    page = client.get("/routing/rules/")
    assert page.status_code == 200
    assert "尚无分流规则" in page.content.decode()
    form = client.get("/routing/rules/new/")
    assert 'name="once"' in form.content.decode()
    token = "t" * 32
    post = {"once": token, "region": "990102", "category": "appeal", "organ": str(world.housing.pk)}
    first = client.post("/routing/rules/new/", post)
    assert first.status_code == 302
    again = client.post("/routing/rules/new/", post)  # a refresh: saved once
    assert again.status_code == 303 and again["Location"] == "/routing/rules/"
    assert RoutingRule.objects.count() == 1
    bad = client.post("/routing/rules/new/", post | {"once": "u" * 32, "organ": "", "note": "备注"})
    assert bad.status_code == 400
    assert "备注" in bad.content.decode()  # nothing typed is lost
    nul = client.post("/routing/rules/new/", post | {"once": "v" * 32, "keywords": "a\x00b"})
    assert nul.status_code == 400
    assert client.get("/routing/check/").status_code == 200
    rule = RoutingRule.objects.get()
    assert client.get(f"/routing/rules/{rule.pk}/").status_code == 200


def test_a_clerk_cannot_open_the_rule_pages_and_has_no_menu_item(client, world, admins):
    client.force_login(world.clerk)
    for url in ("/routing/rules/", "/routing/rules/new/", "/routing/check/"):
        assert client.get(url).status_code == 403
    worklist = client.get("/worklist/")
    assert worklist.status_code == 200
    assert "/routing/rules/" not in worklist.content.decode()
    client.force_login(admins["county"])
    assert 'href="/routing/rules/"' in client.get("/routing/check/").content.decode()


def test_a_rule_outside_the_administrators_scope_is_not_found(client, world, admins):
    rule = rule_save(actor=admins["province"], data=RuleInput(organ=world.city_gov, region=None))
    client.force_login(admins["county"])
    assert client.get(f"/routing/rules/{rule.pk}/").status_code == 404
    assert client.post(f"/routing/rules/{rule.pk}/withdraw/").status_code == 404
    assert RoutingRule.objects.get().is_active


def test_the_desk_shows_the_rule_beside_the_text_hint(client, world, admins):
    rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.housing, region=world.county, category="appeal", note="职责"),
    )
    client.force_login(world.clerk)
    post = {"title": "小区漏水", "content": "", "region_code": "990102", "category": "appeal"}
    page = client.post("/intake/similar/", post).content.decode()
    assert 'id="routing-suggestion"' in page
    assert "青山县住房和城乡建设局" in page
    assert "本地区规则" in page
    gap = client.post("/intake/similar/", post | {"category": "suggestion"}).content.decode()
    assert "没有适用的分流规则" in gap
    accused = client.post(
        "/intake/similar/", post | {"accused_organ_id": str(world.housing.pk)}
    ).content.decode()
    assert "被检举控告单位" in accused
    assert "<strong>青山县住房和城乡建设局</strong>" not in accused
    odd = client.post("/intake/similar/", post | {"route": "x" * 50, "accused_organ_id": "9" * 40})
    assert odd.status_code == 200  # malformed values are ignored by the hint, not a 500
    assert "青山县住房和城乡建设局" in odd.content.decode()


def test_editing_a_withdrawn_rule_keeps_it_withdrawn_until_it_is_restored(client, world, admins):
    from xinfang.routing.services import rule_restore

    rule = rule_save(
        actor=admins["county"], data=RuleInput(organ=world.housing, region=world.county)
    )
    rule_withdraw(actor=admins["county"], rule_id=rule.pk)
    client.force_login(admins["county"])
    page = client.get(f"/routing/rules/{rule.pk}/").content.decode()
    assert "这条规则已停用" in page
    data = {"once": "w" * 32, "region": "990102", "organ": str(world.housing.pk), "note": "改"}
    assert client.post(f"/routing/rules/{rule.pk}/", data).status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active and rule.note == "改"
    assert client.post(f"/routing/rules/{rule.pk}/restore/", {"once": "x" * 32}).status_code == 302
    rule.refresh_from_db()
    assert rule.is_active
    assert AuditRecord.objects.filter(kind="routing.rule_restore").count() == 1
    rule_restore(actor=admins["county"], rule_id=rule.pk)  # again: nothing more recorded
    assert AuditRecord.objects.filter(kind="routing.rule_restore").count() == 1


def test_the_reason_reads_as_words_not_codes(world, admins):
    rule_save(
        actor=admins["county"],
        data=RuleInput(organ=world.housing, region=world.county, category="appeal", route=6),
    )
    decision, _ = routing_suggest(region_code="990102", category="appeal", route=6)
    reason = decision.reasons[0]
    assert "青山县" in reason and "申诉求决" in reason
    assert "990102" not in reason and "appeal" not in reason


def test_the_rule_form_says_when_its_organ_list_is_cut(client, world, admins, monkeypatch):
    """Never cut silently (issue 12, item 10): past the cap the form says how many there are."""
    import xinfang.routing.views as views

    client.force_login(admins["county"])
    assert "机关较多" not in client.get("/routing/rules/new/").content.decode()
    monkeypatch.setattr(views, "TARGETS_MAX", 1)
    html = client.get("/routing/rules/new/").content.decode()
    assert "机关较多" in html and "排在前面的 1 个" in html
