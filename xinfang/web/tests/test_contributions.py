"""The staff petition page shows what the apps above petitions register (petitions.extensions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Template

from conftest import local
from xinfang.petitions import extensions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def contribute():
    names = []

    def _panel(name, text, context):
        extensions.panel_add(name=name, template=Template(text), context=context)
        names.append(name)

    def _timeline(name, items):
        extensions.timeline_add(name=name, items=items)
        names.append(name)

    yield _panel, _timeline
    for n in names:
        extensions._forget(n)


def test_a_registered_panel_is_shown_with_its_own_context(client, world, register, contribute):
    panel, _ = contribute
    seen = []

    def context(*, petition, user):
        seen.append((petition.pk, user.pk))
        return {"plan": "化解方案第一步"}

    panel("backlog_test", '<section id="backlog-test">{{ backlog_test.plan }}</section>', context)
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    client.force_login(world.clerk)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert '<section id="backlog-test">化解方案第一步</section>' in html
    assert seen == [(p.pk, world.clerk.pk)]


def test_a_panel_with_nothing_to_show_is_left_out(client, world, register, contribute):
    panel, _ = contribute
    panel("empty_test", '<section id="empty-test">x</section>', lambda *, petition, user: None)
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    client.force_login(world.clerk)
    assert 'id="empty-test"' not in client.get(f"/petitions/{p.pk}/").content.decode()


def test_registered_timeline_entries_are_merged_with_the_events_by_time(
    client, world, register, contribute
):
    _, timeline = contribute
    received = local(2025, 8, 28)

    def items(*, petition, user):
        if user.pk != world.clerk.pk:  # the app filters for the user itself
            return []
        return [
            extensions.TimelineItem(at=received + timedelta(days=5), label="督办通知回复"),
            extensions.TimelineItem(
                at=received + timedelta(hours=1), label="列入积案", url="/backlog/1/"
            ),
        ]

    timeline("timeline_test", items)
    p = register(received_at=received, at=local(2025, 8, 29)).petition
    client.force_login(world.clerk)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    timeline_html = html[html.index('class="timeline"') :]
    # receive (08-28 10:00) < backlog (11:00) < register (08-29) < reply (09-02)
    assert (
        timeline_html.index("列入积案")
        < timeline_html.index("登记")
        < timeline_html.index("督办通知回复")
    )
    assert '<a href="/backlog/1/">列入积案</a>' in timeline_html
    client.force_login(world.po_head)  # same organ, the entries are not for them
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "登记" in html and "列入积案" not in html


def test_the_same_matter_section_is_a_registered_panel_of_insight():
    names = {p.name: p.template for p in extensions._panels.values()}
    assert names.get("matters") == "insight/matters_section.html"
