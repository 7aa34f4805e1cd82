from litestar.testing import TestClient

from meetings.app import create_app
from meetings.settings import Settings


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database(client, backend):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": backend}


def test_readyz_is_unavailable_when_the_database_is_down(tmp_path):
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    settings = Settings.from_mapping(
        {"data_dir": tmp_path, "database_url": "postgresql://nobody@127.0.0.1:9/none", "scheduler": False}
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
        assert client.get("/healthz").status_code == 200
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
