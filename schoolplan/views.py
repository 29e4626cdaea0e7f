from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import attention, clock, next_year
from .extensions import DISTRICT_LINKS, SCHOOL_LINKS, place_links, school_page_sections
from .forms import DistrictForm, SchoolForm, SchoolYearForm
from .models import LEVEL_ORDER, District, EssaDesignation, Level, School, SchoolYear, default_dates
from .permissions import (
    KEEP_SCHOOL_RECORDS,
    MANAGE_DISTRICT,
    MANAGE_SCHOOL,
    VIEW_CADRE,
    VIEW_DISTRICT,
    VIEW_DISTRICT_WORK,
    VIEW_SCHOOL,
    can,
    get_visible_or_404,
    require,
)

SCHOOLS_PER_PAGE = 25


def home(request):
    # The same deadline rules as the e-mail reminders: what is open for this person, each
    # district's as of its own today, on the card of the place it is about.
    loose, cards = attention.home(request.user)
    return render(
        request,
        "schoolplan/home.html",
        {"deadlines": loose, "cards": cards, "today": clock.today()},
    )


def school_list(request):
    schools = School.objects.visible_to(request.user).select_related("district")
    query = request.GET.get("q", "").strip()
    if query:
        schools = schools.filter(Q(name__icontains=query) | Q(district__name__icontains=query))
    level = request.GET.get("level", "")
    if level in Level.values:
        schools = schools.filter(level=level)
    essa = request.GET.get("essa", "")
    if essa in EssaDesignation.values:
        schools = schools.filter(essa_designation=essa)
    if request.GET.get("title_i") == "1":
        schools = schools.filter(title_i=True)
    page = Paginator(schools.order_by("name"), SCHOOLS_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "schoolplan/school_list.html",
        {
            "page": page,
            "query": query,
            "level": level,
            "essa": essa,
            "title_i": request.GET.get("title_i") == "1",
            "levels": Level.choices,
            "essa_choices": EssaDesignation.choices,
            "filter_query": filters.urlencode(),
        },
    )


def school_detail(request, pk):
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, VIEW_SCHOOL, pk=pk
    )
    today = clock.today(school)
    year = SchoolYear.objects.of_district_on(school.district_id, today)
    return render(
        request,
        "schoolplan/school_detail.html",
        {
            "school": school,
            "year": year,
            "today": today,
            "can_manage": can(request.user, MANAGE_SCHOOL, school),
            "can_keep_records": can(request.user, KEEP_SCHOOL_RECORDS, school),
            "can_view_district": can(request.user, VIEW_DISTRICT, school.district),
            "can_view_cadre": can(request.user, VIEW_CADRE, school),
            # What the apps above add (progress: the compliance row), from their hooks.
            "sections": school_page_sections(request, school),
            "links": place_links(request.user, school, SCHOOL_LINKS),
        },
    )


@require_http_methods(["GET", "POST"])
def school_edit(request, pk):
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, VIEW_SCHOOL, pk=pk
    )
    require(request.user, MANAGE_SCHOOL, school)
    principal_only = not can(request.user, MANAGE_DISTRICT, school.district)
    form = SchoolForm(request.POST or None, instance=school, principal_only=principal_only)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{school} saved.")
        return redirect(school)
    return render(request, "schoolplan/school_form.html", {"school": school, "form": form})


def district_detail(request, pk):
    district = get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT, pk=pk)
    schools = sorted(
        School.objects.visible_to(request.user).filter(district=district),
        key=lambda school: (LEVEL_ORDER[school.level], school.name),
    )
    years = list(district.school_years.all())
    today = clock.today(district)
    start_from = next_year.startable(years, today)
    summary = district.schools.aggregate(
        total=Count("id"),
        title_i=Count("id", filter=Q(title_i=True)),
        designated=Count("id", filter=~Q(essa_designation=EssaDesignation.NONE)),
    )
    return render(
        request,
        "schoolplan/district_detail.html",
        {
            "district": district,
            "schools": schools,
            "years": years,
            "summary": summary,
            "today": today,
            # The latest year, when district staff may start the next one from it.
            "start_from": start_from,
            "start_name": start_from and next_year.year_name(start_from.start_year + 1),
            "can_manage": can(request.user, MANAGE_DISTRICT, district),
            "can_view_district_work": can(request.user, VIEW_DISTRICT_WORK, district),
            "links": place_links(request.user, district, DISTRICT_LINKS),
        },
    )


@require_http_methods(["GET", "POST"])
def district_edit(request, pk):
    district = get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT, pk=pk)
    require(request.user, MANAGE_DISTRICT, district)
    form = DistrictForm(request.POST or None, instance=district)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{district} saved.")
        return redirect(district)
    return render(request, "schoolplan/district_form.html", {"district": district, "form": form})


@require_http_methods(["GET", "POST"])
def school_year_edit(request, district_pk, pk=None):
    district = get_visible_or_404(
        District.objects.all(), request.user, VIEW_DISTRICT, pk=district_pk
    )
    require(request.user, MANAGE_DISTRICT, district)
    if pk is None:
        year = SchoolYear(district=district)
        latest = district.school_years.order_by("-start_year").first()
        start = (
            latest.start_year + 1
            if latest
            else SchoolYear.start_year_containing(clock.today(district))
        )
        initial = {"start_year": start, **default_dates(start)}
    else:
        year = get_object_or_404(SchoolYear, district=district, pk=pk)
        initial = {}
    form = SchoolYearForm(request.POST or None, instance=year, district=district, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, f"School year {year.name} saved.")
        return redirect(district)
    return render(
        request,
        "schoolplan/school_year_form.html",
        {"district": district, "year": year, "form": form, "creating": pk is None},
    )
