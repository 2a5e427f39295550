import re

from django.urls import reverse

from ansinh.geo.models import Locality
from ansinh.org.services import branch_create, departments_seed


def headings(html: str) -> list[str]:
    return re.findall(r'data-testid="home-unit-name">([^<]+)<', html)


def test_commune_officer_sees_her_commune_dashboard(tree, personas, client_for):
    for name in ("Thôn A", "Thôn B"):
        branch_create(
            user=personas.officer_hoankiem,
            parent=personas.hoankiem,
            locality_kind=Locality.Kind.VILLAGE,
            locality_name=name,
        )

    response = client_for(personas.officer_hoankiem).get(reverse("core:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert headings(html) == ["Hội LHPN Phường Hoàn Kiếm"]
    assert re.search(r'data-testid="home-branch-count">2<', html)
    assert f'href="{reverse("org:unit_detail", args=[personas.hoankiem.pk])}"' in html
    assert "Cán bộ Hội cơ sở</span> — Hội LHPN Phường Hoàn Kiếm" in html
    assert "Đông Anh" not in html


def test_city_admin_sees_the_city_dashboard(tree, personas, client_for):
    departments_seed(city=tree.city)

    response = client_for(personas.city_admin).get(reverse("core:home"))

    html = response.content.decode()
    assert headings(html) == ["Hội LHPN Thành phố Hà Nội"]
    assert re.search(r'data-testid="home-commune-count">2<', html)
    assert "Phường 1 · Xã 1" in html
    assert re.search(r'data-testid="home-old-count">4<', html)
    assert "2 quận/huyện cũ" in html
    assert re.search(r'data-testid="home-department-count">8<', html)
    assert "Quản trị hệ thống</span> — Hội LHPN Thành phố Hà Nội" in html


def test_aggregate_viewer_sees_city_numbers_and_her_role(tree, personas, client_for):
    response = client_for(personas.aggregate_viewer).get(reverse("core:home"))

    html = response.content.decode()
    assert headings(html) == ["Hội LHPN Thành phố Hà Nội"]
    assert "Xem số liệu tổng hợp</span> — Hội LHPN Thành phố Hà Nội" in html


def test_user_without_roles_is_told_so(db, client_for):
    from ..factories import UserFactory

    response = client_for(UserFactory(username="moi")).get(reverse("core:home"))

    html = response.content.decode()
    assert headings(html) == []
    assert "chưa được phân quyền" in html


def test_home_query_count_is_small(tree, personas, client_for, django_assert_max_num_queries):
    client = client_for(personas.city_admin)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("core:home")).status_code == 200
