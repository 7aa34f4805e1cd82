"""Templates in the browser's pages: gallery, copy, editor, import and export, permissions."""

import re

from bs4 import BeautifulSoup
from litestar.testing import TestClient
from sqlalchemy import select

from meetings.models import AgendaTemplate, Meeting, Team
from tests.conftest import post_form, sign_in

BROKEN = 'name = "Ours"\npurpose = "x"\naudience = "y"\nduration_minutes = 30\ntitle = "{{ teem }}"\n' \
         '[[sections]]\ntitle = "A"\n'


def _team_id(db, name="Platform"):
    with db.session() as session:
        return session.scalars(select(Team.id).where(Team.name == name)).one()


def test_gallery_lists_built_ins_with_previews(maya):
    page = BeautifulSoup(maya.get("/templates").text, "html.parser")
    names = [h.get_text() for h in page.select("#builtin-title ~ .grid h3")]
    assert {"1-on-1", "Sprint planning", "Roadmap review", "Daily stand-up"} <= set(names)
    assert page.select_one("details .template-preview")


def test_copy_a_built_in_then_edit_it(maya, db):
    team_id = _team_id(db)
    copied = post_form(maya, "/templates/roadmap-review/copy", {"team_id": str(team_id)}, token_from="/templates")
    assert copied.status_code == 303 and copied.headers["location"].endswith("/edit")
    key = copied.headers["location"].split("/")[2]
    editor = maya.get(f"/templates/{key}/edit")
    source = BeautifulSoup(editor.text, "html.parser").select_one("#f-source").get_text()
    assert 'name = "Roadmap review (Platform)"' in source
    broken = post_form(maya, f"/templates/{key}/edit", {"source": source.replace("{{ meeting_date }}", "{{ day }}")},
                       token_from="/templates")
    assert broken.status_code == 400
    page = BeautifulSoup(broken.text, "html.parser")
    assert "uses the unknown variable {{ day }}" in page.select_one("#f-source-error").get_text()
    assert "{{ day }}" in page.select_one("#f-source").get_text()  # what was typed is kept
    saved = post_form(maya, f"/templates/{key}/edit", {"source": source.replace("Roadmap review (Platform)",
                                                                               "Platform roadmap")},
                      token_from="/templates")
    assert saved.status_code == 303
    assert "Platform roadmap" in maya.get("/templates").text


def test_export_and_import_round_trip(maya, db):
    exported = maya.get("/templates/one-on-one/export")
    assert exported.headers["content-disposition"] == 'attachment; filename="one-on-one.toml"'
    text = exported.text.replace('name = "1-on-1"', 'name = "Imported 1-on-1"')
    team_id = _team_id(db)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', maya.get("/templates").text).group(1)
    response = maya.post(f"/teams/{team_id}/templates/import", data={"_csrf_token": token},
                         files={"file": ("mine.toml", text.encode(), "application/toml")}, follow_redirects=False)
    assert response.status_code == 303
    with db.session() as session:
        row = session.scalars(select(AgendaTemplate)).one()
    assert row.name == "Imported 1-on-1" and row.team_id == team_id
    again = maya.get(f"/templates/custom-{row.id}/export")
    assert again.text == text


def test_import_of_a_broken_file_says_why(maya, db):
    team_id = _team_id(db)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', maya.get("/templates").text).group(1)
    response = maya.post(f"/teams/{team_id}/templates/import", data={"_csrf_token": token},
                         files={"file": ("bad.toml", BROKEN.encode(), "text/plain")})
    assert response.status_code == 400
    assert "unknown variable {{ teem }}" in response.text
    with db.session() as session:
        assert session.scalars(select(AgendaTemplate)).first() is None


def test_other_teams_cannot_see_or_change_a_teams_template(maya, app, db):
    team_id = _team_id(db)
    created = post_form(maya, f"/teams/{team_id}/templates", {"source": BROKEN.replace("teem", "team")},
                        token_from="/templates")
    assert created.status_code == 303
    key = created.headers["location"].rsplit("/", 1)[1]
    sam = TestClient(app)  # Product only
    sign_in(sam, "sam@example.com")
    assert sam.get(f"/templates/{key}").status_code == 404
    assert post_form(sam, f"/templates/{key}/edit", {"source": BROKEN}, token_from="/templates").status_code == 404
    assert "Ours" not in sam.get("/templates").text
    leo = TestClient(app)  # Platform member, not a manager, not the author
    sign_in(leo, "leo@example.com")
    assert leo.get(f"/templates/{key}").status_code == 200
    assert post_form(leo, f"/templates/{key}/delete", {}, token_from="/templates").status_code == 403
    assert post_form(maya, f"/templates/{key}/delete", {}, token_from="/templates").status_code == 303


def test_save_a_meetings_agenda_as_a_template(maya, db):
    with db.session() as session:
        meeting_id = session.scalars(select(Meeting.id).where(Meeting.title == "Sprint 42 planning")).one()
    response = post_form(maya, f"/meetings/{meeting_id}/save-as-template", {"name": "Our planning"},
                         token_from="/templates")
    assert response.status_code == 303
    with db.session() as session:
        row = session.scalars(select(AgendaTemplate)).one()
    assert row.name == "Our planning"
    assert "Alert tuning stories" in row.source and "minutes = 20" in row.source


def test_built_ins_are_not_edited_in_place(maya):
    assert maya.get("/templates/one-on-one/edit", follow_redirects=False).status_code == 303
    response = post_form(maya, "/templates/one-on-one/edit", {"source": "x"}, token_from="/templates")
    assert response.status_code == 422
