"""`/settings` → Organisation tab: members, roles (with confirmation), invitations, new organisation."""

from __future__ import annotations

import uuid

import reflex as rx

from voelgoed.services.accounts import members, tenancy
from voelgoed.services.platform import NotFound, VoelgoedError, rbac, session_scope
from voelgoed.state.formatting import when
from voelgoed.state.session import SessionState


class MembersState(SessionState):
    tab: str = "organisation"
    can_manage: bool = False
    member_rows: list[dict[str, str]] = []
    invitations: list[dict[str, str]] = []
    invite_error: str = ""
    # role change awaiting confirmation
    confirm_open: bool = False
    pending_membership_id: str = ""
    pending_email: str = ""
    pending_role: str = ""
    new_org_open: bool = False
    new_org_error: str = ""

    def _ctx(self):
        ctx = self._tenant_context()
        if ctx is None:
            raise NotFound("not_found", "Please sign in again")
        return ctx

    def _reload(self) -> None:
        ctx = self._tenant_context()
        if ctx is None:
            return
        self.can_manage = rbac.can_manage_members(ctx)
        with session_scope() as session:
            self.member_rows = [{**m, "joined": when(m["joined_at"], "%d %b %Y"),
                                 "name": m["full_name"] or m["email"]} for m in members.list_members(session, ctx)]
            self.invitations = [{**i, "expires": when(i["expires_at"], "%d %b %Y")}
                                for i in (members.list_invitations(session, ctx) if self.can_manage else [])]

    @rx.event
    def load(self):
        params = self.router.url.query_parameters
        self.tab = params.get("tab", "organisation") if params.get("tab") in ("organisation", "account", "api") else "organisation"
        self.new_org_open = params.get("new") == "1"
        self.confirm_open = False
        self._reload()

    @rx.event
    def set_tab(self, value: str):
        self.tab = value

    @rx.event
    def invite(self, form: dict):
        self.invite_error = ""
        try:
            with session_scope() as session:
                invitation, _token = members.invite_member(session, self._ctx(), email=str(form.get("email", "")),
                                                           role=str(form.get("role") or "staff"))
        except VoelgoedError as exc:
            self.invite_error = exc.message
            return
        self._reload()
        return [rx.toast.success(f"Invitation sent to {invitation.email}"), rx.set_value("invite-email", "")]

    @rx.event
    def ask_role_change(self, membership_id: str, email: str, role: str):
        self.pending_membership_id, self.pending_email, self.pending_role = membership_id, email, role
        self.confirm_open = True

    @rx.event
    def cancel_role_change(self):
        self.confirm_open = False
        self._reload()  # put the select back to the stored role

    @rx.event
    def confirm_role_change(self):
        self.confirm_open = False
        try:
            with session_scope() as session:
                members.change_role(session, self._ctx(), membership_id=uuid.UUID(self.pending_membership_id),
                                    role=self.pending_role)
        except (VoelgoedError, ValueError) as exc:
            self._reload()
            return rx.toast.error(getattr(exc, "message", "That member could not be changed"))
        self._reload()
        self._refresh()
        return rx.toast.success(f"{self.pending_email} is now {self.pending_role}")

    @rx.event
    def remove_member(self, membership_id: str, email: str):
        try:
            with session_scope() as session:
                members.remove_member(session, self._ctx(), membership_id=uuid.UUID(membership_id))
        except (VoelgoedError, ValueError) as exc:
            return rx.toast.error(getattr(exc, "message", "That member could not be removed"))
        self._reload()
        return rx.toast.success(f"{email} was removed")

    @rx.event
    def revoke_invitation(self, invitation_id: str):
        try:
            with session_scope() as session:
                members.revoke_invitation(session, self._ctx(), invitation_id=uuid.UUID(invitation_id))
        except (VoelgoedError, ValueError):
            return rx.toast.error("That invitation could not be revoked")
        self._reload()
        return rx.toast.success("Invitation revoked")

    @rx.event
    def set_new_org_open(self, value: bool):
        self.new_org_open, self.new_org_error = bool(value), ""

    @rx.event
    def create_organization(self, form: dict):
        self.new_org_error = ""
        try:
            with session_scope() as session:
                org = tenancy.create_organization_for_token(session, token=self.session_token, name=str(form.get("name", "")))
                name = org.name
        except VoelgoedError as exc:
            self.new_org_error = exc.message
            return
        self.new_org_open = False
        self._refresh()
        self._reload()
        return [rx.toast.success(f"Created {name}"), rx.redirect("/dashboard")]
