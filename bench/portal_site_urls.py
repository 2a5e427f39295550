"""The bench server's urlconf: the product's URLs plus a bare page (bench only).

`/bench/bare/<n>/` is the baseline of the portal load test: one Django view that makes one
indexed query (a donation by primary key) and answers a few bytes, through the same
middleware stack as the public search. The gap between the two is what the search page
itself costs.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


def bare(request, number: int):
    with connection.cursor() as cursor:
        cursor.execute("SELECT amount FROM funds_donation WHERE id = %s", [number])
        row = cursor.fetchone()
    return HttpResponse(f"{row[0] if row else 0}\n", content_type="text/plain")


urlpatterns = [
    path("bench/bare/<int:number>/", bare),
    path("", include("ansinh.urls")),
]
