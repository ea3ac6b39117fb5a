"""One name for a person wherever a name belongs: 姓名, else the name fields, the login name only
as a last resort (fixb item 2: login names were shown in the leader dropdown, the reception panel,
the leader's board, the accused staff list and the intake's "received by")."""

from __future__ import annotations

import pytest

from xinfang.directory.models import User
from xinfang.reception.selectors.board import leader_name

pytestmark = pytest.mark.django_db


def test_the_written_name_comes_first_then_the_name_fields_then_the_login():
    u = User.objects.create(
        username="zhangsan01", display_name="张三", first_name="San", last_name="Zhang"
    )
    assert u.person_name == str(u) == leader_name(u) == "张三"
    u.display_name = ""
    assert u.person_name == str(u) == "San Zhang"
    u.first_name, u.last_name = "三", "张"
    assert u.person_name == u.print_name == "张三"  # family name first, no space
    u.first_name = u.last_name = ""
    assert u.person_name == "zhangsan01" and u.print_name != "zhangsan01"


def test_the_visit_intake_fills_received_by_with_the_clerks_name(client, world):
    world.clerk.display_name = "王五"
    world.clerk.save(update_fields=["display_name"])
    client.force_login(world.clerk)
    html = client.get("/intake/visit/").content.decode()
    assert 'value="王五"' in html and f'value="{world.clerk.username}"' not in html
