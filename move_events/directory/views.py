"""Directory pages for organisers: list, search, add and edit organisations and people."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.directory import bp
from move_events.directory.forms import (
    OrganisationForm,
    OrganisationSearchForm,
    PersonForm,
    PersonSearchForm,
)
from move_events.directory.models import Organisation, Person
from move_events.directory.services import (
    DirectoryError,
    count_members,
    create_organisation,
    create_person,
    search_organisations,
    search_people,
    update_organisation,
    update_person,
)
from move_events.extensions import db


def _paginate(stmt: Select) -> Pagination:
    return db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)


@bp.route("/organisations/")
@role_required(Role.ORGANISER)
def organisation_list():
    form = OrganisationSearchForm(request.args)
    stmt = search_organisations(**form.filters()).options(selectinload(Organisation.partner_cluster))
    return render_template("directory/organisation_list.html", form=form, page=_paginate(stmt))


@bp.route("/organisations/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def organisation_create():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = create_organisation(**form.service_fields())
        except DirectoryError as error:
            form.add_service_error(error)
        else:
            db.session.commit()
            flash(_("%(name)s was added to the directory.", name=organisation.name), "success")
            return redirect(url_for(".organisation_detail", org_id=organisation.id))
    return render_template("directory/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<int:org_id>")
@role_required(Role.ORGANISER)
def organisation_detail(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    people = db.session.scalars(search_people(organisation_id=org_id)).all()
    return render_template(
        "directory/organisation_detail.html",
        organisation=organisation,
        people=people,
        member_count=count_members(organisation),
    )


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def organisation_edit(org_id: int):
    organisation = db.get_or_404(Organisation, org_id)
    form = OrganisationForm(organisation=organisation)
    if form.validate_on_submit():
        try:
            update_organisation(organisation, **form.service_fields())
        except DirectoryError as error:
            form.add_service_error(error)
        else:
            db.session.commit()
            flash(_("%(name)s was saved.", name=organisation.name), "success")
            return redirect(url_for(".organisation_detail", org_id=organisation.id))
    return render_template("directory/organisation_form.html", form=form, organisation=organisation)


@bp.route("/people/")
@role_required(Role.ORGANISER)
def person_list():
    form = PersonSearchForm(request.args)
    filters = form.filters()
    stmt = search_people(**filters).options(selectinload(Person.organisation))
    org_id = filters["organisation_id"]
    organisation = db.session.get(Organisation, org_id) if org_id else None
    return render_template(
        "directory/person_list.html", form=form, page=_paginate(stmt), organisation=organisation
    )


@bp.route("/people/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def person_create():
    form = PersonForm(organisation_id=request.args.get("organisation", 0, type=int))
    if form.validate_on_submit():
        try:
            person = create_person(**form.service_fields())
        except DirectoryError as error:
            form.add_service_error(error)
        else:
            db.session.commit()
            flash(_("%(name)s was added to the directory.", name=person.full_name), "success")
            return redirect(_after_person_saved(person))
    return render_template("directory/person_form.html", form=form, person=None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def person_edit(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = PersonForm(person=person)
    if form.validate_on_submit():
        try:
            update_person(person, **form.service_fields())
        except DirectoryError as error:
            form.add_service_error(error)
        else:
            db.session.commit()
            flash(_("%(name)s was saved.", name=person.full_name), "success")
            return redirect(_after_person_saved(person))
    return render_template("directory/person_form.html", form=form, person=person)


def _after_person_saved(person: Person) -> str:
    """Back to the person's organisation, where organisers usually add its people one after another."""
    if person.organisation_id:
        return url_for(".organisation_detail", org_id=person.organisation_id)
    return url_for(".person_list", q=person.email)
