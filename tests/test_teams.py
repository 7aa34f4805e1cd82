"""Teams: who may create, rename, invite, change roles, remove; reporting lines."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from meetings.models import ReportingLine, Team, TeamMembership, TeamRole, User
from tests.conftest import post_form, sign_in


def _ids(db):
    with db.session() as session:
        teams = {t.name: t.id for t in session.scalars(select(Team))}
        users = {u.email.split("@")[0]: u.id for u in session.scalars(select(User))}
    return teams, users


def test_admin_creates_and_renames_a_team(maya, db):
    response = post_form(maya, "/teams", {"name": "Design"}, token_from="/teams")
    assert response.status_code == 303
    team_id = int(response.headers["location"].rsplit("/", 1)[1])
    clash = post_form(maya, f"/teams/{team_id}/rename", {"name": "platform"}, token_from="/teams")
    assert clash.status_code == 400
    assert BeautifulSoup(clash.text, "html.parser").select_one("#f-name-error").get_text() == \
        "Another team already has this name."
    assert post_form(maya, f"/teams/{team_id}/rename", {"name": "Design Systems"}, token_from="/teams").status_code == 303
    with db.session() as session:
        assert session.get(Team, team_id).name == "Design Systems"


def test_members_cannot_create_teams_or_manage_members(client, demo, db):
    teams, users = _ids(db)
    sign_in(client, "leo@example.com")
    assert post_form(client, "/teams", {"name": "Leo's team"}, token_from="/teams").status_code == 403
    platform = teams["Platform"]
    assert post_form(client, f"/teams/{platform}/members/{users['priya']}/remove", {},
                     token_from="/teams").status_code == 403
    assert post_form(client, f"/teams/{platform}/invitations", {"email": "x@example.com"},
                     token_from="/teams").status_code == 403
    assert post_form(client, f"/teams/{teams['Product']}/rename", {"name": "Mine"},
                     token_from="/teams").status_code == 404  # not his team: not even its existence
    page = BeautifulSoup(client.get(f"/teams/{platform}").text, "html.parser")
    assert page.select_one("#invite-title") is None  # no management controls for members


def test_a_manager_changes_roles_and_removes_members(client, demo, db):
    teams, users = _ids(db)
    sign_in(client, "elena@example.com")  # manager of Product, not an admin
    product = teams["Product"]
    assert post_form(client, f"/teams/{product}/members/{users['sam']}/role", {"role": "manager"},
                     token_from="/teams").status_code == 303
    assert post_form(client, f"/teams/{product}/members/{users['maya']}/remove", {},
                     token_from="/teams").status_code == 303
    with db.session() as session:
        roles = dict(session.execute(select(TeamMembership.user_id, TeamMembership.role)
                                     .where(TeamMembership.team_id == product)).all())
    assert roles == {users["elena"]: TeamRole.MANAGER, users["sam"]: TeamRole.MANAGER}


def test_the_last_manager_cannot_step_down(client, demo, db):
    teams, users = _ids(db)
    sign_in(client, "elena@example.com")
    response = post_form(client, f"/teams/{teams['Product']}/members/{users['elena']}/role", {"role": "member"},
                         token_from="/teams")
    assert response.status_code == 400
    assert "at least one manager" in response.text


def test_inviting_a_member_who_is_already_in_the_team_is_refused(maya, db):
    teams, _ = _ids(db)
    response = post_form(maya, f"/teams/{teams['Platform']}/invitations", {"email": "leo@example.com"},
                         token_from="/teams")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#f-email-error").get_text() == "This person is already a member of the team."
    assert page.select_one("#f-email")["value"] == "leo@example.com"


def test_admin_sets_reporting_lines(maya, db):
    _, users = _ids(db)
    response = post_form(maya, f"/admin/users/{users['sam']}",
                         {"manager_id": str(users["maya"]), "is_active": "on"}, token_from="/admin/users")
    assert response.status_code == 303
    self_managed = post_form(maya, f"/admin/users/{users['sam']}",
                             {"manager_id": str(users["sam"]), "is_active": "on", "is_admin": "on"},
                             token_from="/admin/users")
    assert self_managed.status_code == 400
    with db.session() as session:
        assert session.scalar(select(ReportingLine.manager_id).where(ReportingLine.report_id == users["sam"])) \
            == users["maya"]
        assert session.get(User, users["sam"]).is_admin is False  # the refused change kept nothing


def test_admin_cannot_lock_themselves_out(maya, db):
    _, users = _ids(db)
    response = post_form(maya, f"/admin/users/{users['maya']}", {"manager_id": "", "is_active": "on"},
                         token_from="/admin/users")
    assert response.status_code == 400
    assert "your own admin rights" in response.text


def test_deactivating_a_user_signs_them_out(maya, app, db):
    _, users = _ids(db)
    leo = maya.__class__(app)
    sign_in(leo, "leo@example.com")
    post_form(maya, f"/admin/users/{users['leo']}", {"manager_id": str(users["maya"])}, token_from="/admin/users")
    assert leo.get("/", follow_redirects=False).status_code == 303
