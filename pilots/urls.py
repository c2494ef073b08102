from django.urls import path

from pilots import views

app_name = "pilots"

urlpatterns = [
    path("", views.pilot_list, name="list"),
    path("<slug:slug>/", views.pilot_detail, name="detail"),
]
