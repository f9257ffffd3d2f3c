"""Admin pages for the focus groups (/admin/qual): coding transcripts and placing cups.

- /admin/qual lists the focus groups with each coder's number of codings;
- /admin/qual/{group} shows the anonymised transcript with the logged-in admin's codings
  marked (another coder's too, read-only, when asked for), a form to code a selection with
  one or more themes of the codebook, the admin's codings with delete and undo, and the theme
  memos. The coder is the admin's username, so two coders' codings stay apart;
- /admin/qual/placement/{group}/{round} places the participants' cups on a curling house
  (round `laerer` or `elev`), and /admin/qual/placements.csv downloads every placement in
  the format of the study's placement file.

The same rules as the other admin pages: a login for everything (303 to the login page),
the CSRF token on every POST (403 without), autoescaped templates, the admin security headers.
These pages run a small script of their own (selection to offsets, dragging cups), let
through by the Content-Security-Policy with the page's nonce; without it the pages still show
everything, and the forms take typed character offsets and typed distances and angles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import TverrsnittError
from ..ingest.placements import MAX_DISTANCE, ROUND_LABEL, ROUNDS
from ..ingest.transcripts import Transcript
from ..study.qual import FocusGroup, QualDefinition
from . import admin_qual_placement as place
from .admin_pages import AdminPages, Fields, one
from .admin_qual_view import (
    MAX_MEMO,
    CodingForm,
    check_coding,
    coding_rows,
    theme_options,
    turn_views,
)
from .context import Site
from .security import Session, add_security_headers

QUAL_URL = "/admin/qual"
PLACEMENT_CSV = "/admin/qual/placements.csv"


@dataclass
class _Transcripts:
    """The anonymised transcripts, read again when a transcript file changes."""

    qual: QualDefinition
    stamp: tuple[int, ...] = ()
    loaded: dict[str, Transcript] = field(default_factory=dict)

    def get(self) -> dict[str, Transcript]:
        from ..clean.anonymise import anonymise_all
        from ..ingest.transcripts import load_transcripts

        paths = [self.qual.transcript_path(g.id) for g in self.qual.groups]
        stamp = tuple(p.stat().st_mtime_ns if p.is_file() else -1 for p in paths)
        if stamp != self.stamp or not self.loaded:
            anonymised = anonymise_all(self.qual, load_transcripts(self.qual))
            self.loaded = {group: a.transcript for group, a in anonymised.items()}
            self.stamp = stamp
        return self.loaded


class TranscriptsUnreadable(TverrsnittError):
    """A transcript file cannot be read (shown on the page instead of the transcript)."""


def qual_routes(site: Site, pages: AdminPages) -> list[Route]:
    """The focus-group admin routes, on the admin pages' shared plumbing and security."""
    qual = site.study.qual
    transcripts = _Transcripts(qual) if qual is not None else None

    # ------------------------------------------------------------------ plumbing
    def render(request: Request, template: str, session: Session, *, status_code: int = 200,
               **context: Any) -> Response:
        # These pages run their own small script, let through by the page's nonce.
        return pages.render(request, template, session, status_code=status_code, scripts=True,
                            **context)

    refuse, redirect, logged_in, posted = pages.refuse, pages.redirect, pages.logged_in, pages.posted

    def group_of(request: Request) -> FocusGroup | None:
        if qual is None:
            return None
        try:
            return qual.group(request.path_params["group"])
        except KeyError:
            return None

    async def texts() -> dict[str, Transcript]:
        """The anonymised transcripts (TranscriptsUnreadable when a file cannot be read)."""
        assert transcripts is not None
        try:
            return await run_in_threadpool(transcripts.get)
        except TverrsnittError as exc:
            raise TranscriptsUnreadable(exc.message) from exc

    def unreadable(request: Request, session: Session, exc: TranscriptsUnreadable) -> Response:
        return refuse(request, session, 500, f"Transkripsjonene kan ikke leses: {exc.message}")

    def no_group(request: Request, session: Session) -> Response:
        if qual is None:
            return refuse(request, session, 404, "Studien har ingen fokusgrupper (qual.yaml).")
        return refuse(request, session, 404, "Denne fokusgruppen finnes ikke. Velg en gruppe "
                      "fra oversikten over fokusgruppene.")

    # ------------------------------------------------------------------ overview
    @logged_in
    async def overview(request: Request, session: Session) -> Response:
        if qual is None:
            return render(request, "qual_index.html", session, qual=None)
        stored = await run_in_threadpool(site.store.stored_codings)
        counts: dict[str, dict[str, int]] = {}
        for item in stored:
            per_group = counts.setdefault(item.coding.coder, {})
            per_group[item.coding.group] = per_group.get(item.coding.group, 0) + 1
        coders = sorted(counts, key=lambda c: (c != session.user, c))
        if session.user not in counts:
            coders.insert(0, session.user or "")
        return render(request, "qual_index.html", session, qual=qual, coders=coders,
                      counts=counts, rounds=ROUND_LABEL, csv_url=PLACEMENT_CSV)

    # ------------------------------------------------------------------ coding
    async def coding_page(request: Request, session: Session, group: FocusGroup, *,
                          form: CodingForm | None = None, errors: list[str] | None = None,
                          other: str | None = None, status_code: int = 200) -> Response:
        assert qual is not None and session.user is not None
        all_texts = await texts()
        transcript = all_texts[group.id]
        user = session.user
        stored = await run_in_threadpool(site.store.stored_codings, None, include_deleted=True)
        mine = [s for s in stored if s.coding.coder == user and s.coding.group == group.id]
        live = [s for s in mine if s.deleted is None]
        deleted = sorted((s for s in mine if s.deleted is not None),
                         key=lambda s: s.deleted or dt.datetime.min, reverse=True)
        others = sorted({s.coding.coder for s in stored
                         if s.coding.coder != user and s.deleted is None})
        if other not in others:
            other = None
        theirs = [s for s in stored if s.coding.coder == other and s.coding.group == group.id
                  and s.deleted is None] if other else []
        memos = await run_in_threadpool(site.store.theme_memos)
        names = qual.themes_by_code()
        form = form or CodingForm()
        preview = ""
        try:
            start, end = int(form.start), int(form.end)
            if 0 <= start < end <= len(transcript.text):
                preview = transcript.text[start:end]
        except ValueError:
            pass
        query = request.query_params
        memo_theme = query.get("tema", "")
        return render(
            request, "qual_coding.html", session, status_code=status_code, group=group,
            groups=qual.groups, turns=turn_views(transcript, group, live, theirs),
            length=len(transcript.text), themes=theme_options(qual.themes, form.themes),
            form=form, errors=errors or [], preview=preview,
            codings=coding_rows(live, transcript, names),
            deleted=coding_rows(deleted, transcript, names), others=others, other=other,
            other_count=len(theirs), memos=memos, theme_names=names,
            memo_theme=memo_theme if memo_theme in names else "",
            memo_text=next((m.memo for m in memos if m.theme == memo_theme), ""),
            memo_by_theme={m.theme: m.memo for m in memos},
            saved=query.get("lagret"), removed=query.get("slettet"),
            restored=query.get("gjenopprettet"), memo_saved=query.get("memo"),
            max_memo=MAX_MEMO, rounds=ROUND_LABEL, back=_back_query(other))

    @logged_in
    async def group_page(request: Request, session: Session) -> Response:
        group = group_of(request)
        if group is None:
            return no_group(request, session)
        try:
            return await coding_page(request, session, group,
                                     other=request.query_params.get("andre"))
        except TranscriptsUnreadable as exc:
            return unreadable(request, session, exc)

    @posted
    async def add_coding(request: Request, session: Session, fields: Fields) -> Response:
        group = group_of(request)
        if group is None:
            return no_group(request, session)
        assert qual is not None and session.user is not None
        form = CodingForm(one(fields, "start", 20), one(fields, "end", 20),
                          tuple(dict.fromkeys(t[:100] for t in fields.get("tema", []))),
                          one(fields, "segment", 200), one(fields, "memo", MAX_MEMO + 1))
        other = one(fields, "andre") or None
        try:
            all_texts = await texts()
            own = await run_in_threadpool(site.store.stored_codings, session.user)
            coding, errors = check_coding(form, coder=session.user, group=group.id, qual=qual,
                                          transcripts=all_texts, own=own)
            if coding is None:
                return await coding_page(request, session, group, form=form, errors=errors,
                                         other=other, status_code=400)
        except TranscriptsUnreadable as exc:
            return unreadable(request, session, exc)
        coding_id = await run_in_threadpool(site.store.add_coding, coding)
        turn = all_texts[group.id].turn_at(coding.start)
        anchor = f"#tur-{turn.index}" if turn is not None else "#kodinger"
        return redirect(_group_url(group.id, other, lagret=coding_id) + anchor)

    def own_coding(fields: Fields, session: Session, group: FocusGroup) -> int | None:
        """The posted coding id, when it is one of this admin's codings of this group."""
        try:
            coding_id = int(one(fields, "id", 20))
        except ValueError:
            return None
        stored = site.store.stored_codings(session.user, include_deleted=True)
        return next((s.id for s in stored if s.id == coding_id and s.coding.group == group.id),
                    None)

    async def change_own(request: Request, session: Session, fields: Fields,
                         change: Callable[[int], object], done: str) -> Response:
        """Delete or restore one of the user's own codings in this group, then show the list."""
        group = group_of(request)
        if group is None:
            return no_group(request, session)
        coding_id = await run_in_threadpool(own_coding, fields, session, group)
        if coding_id is None:
            return refuse(request, session, 404, "Denne kodingen finnes ikke blant dine kodinger.")
        await run_in_threadpool(change, coding_id)
        return redirect(_group_url(group.id, one(fields, "andre") or None, **{done: coding_id})
                        + "#kodinger")

    @posted
    async def delete_coding(request: Request, session: Session, fields: Fields) -> Response:
        return await change_own(request, session, fields, site.store.delete_coding, "slettet")

    @posted
    async def restore_coding(request: Request, session: Session, fields: Fields) -> Response:
        return await change_own(request, session, fields, site.store.restore_coding,
                                "gjenopprettet")

    @posted
    async def theme_memo(request: Request, session: Session, fields: Fields) -> Response:
        group = group_of(request)
        if group is None:
            return no_group(request, session)
        assert qual is not None
        theme = one(fields, "tema", 100)
        if theme not in qual.themes_by_code():
            return refuse(request, session, 400, "Velg et tema fra kodeboken for memoet.")
        memo = one(fields, "memo", MAX_MEMO + 1)
        if len(memo) > MAX_MEMO:
            return refuse(request, session, 400, f"Memoet kan være høyst {MAX_MEMO} tegn.")
        await run_in_threadpool(site.store.set_theme_memo, theme, memo, session.user or "")
        return redirect(_group_url(group.id, one(fields, "andre") or None, memo=theme)
                        + "#temamemoer")

    # ------------------------------------------------------------------ placements
    async def placement_page(request: Request, session: Session, group: FocusGroup, round: str,
                             *, rows: list[place.CupRow] | None = None, status_code: int = 200,
                             source: str = "") -> Response:
        assert qual is not None
        note = None
        if rows is None:
            saved = await run_in_threadpool(site.store.placements, group.id, round)
            if saved:
                rows, source = place.cup_rows(group, saved), "database"
            else:
                from_file, note = await run_in_threadpool(place.file_placements, qual)
                mine = [p for p in from_file if p.group == group.id and p.round == round]
                rows = place.cup_rows(group, mine)
                source = "fil" if mine else "tom"
        heading, letter = place.round_words(round)
        return render(
            request, "qual_placement.html", session, status_code=status_code, group=group,
            round=round, rounds=ROUND_LABEL, heading=heading, letter=letter, rows=rows,
            geometry=place.GEOMETRY, max_distance=MAX_DISTANCE, source=source, file_note=note,
            placement_file=qual.placements, errors=[r for r in rows if r.error],
            saved=request.query_params.get("lagret") == "1", csv_url=PLACEMENT_CSV,
            cup_label=place.cup_label, comma=place.comma)

    def placement_target(request: Request) -> tuple[FocusGroup | None, str]:
        return group_of(request), request.path_params["round"]

    @logged_in
    async def placement_get(request: Request, session: Session) -> Response:
        group, round = placement_target(request)
        if group is None:
            return no_group(request, session)
        if round not in ROUNDS:
            return refuse(request, session, 404, "Ukjent runde: velg læreren eller eleven i "
                          "sentrum.")
        return await placement_page(request, session, group, round)

    @posted
    async def placement_post(request: Request, session: Session, fields: Fields) -> Response:
        group, round = placement_target(request)
        if group is None:
            return no_group(request, session)
        if round not in ROUNDS:
            return refuse(request, session, 404, "Ukjent runde: velg læreren eller eleven i "
                          "sentrum.")
        rows, cups, unplaced = place.read_form(
            group, round, {k: v[0][:40] for k, v in fields.items() if v})
        if any(r.error for r in rows):
            return await placement_page(request, session, group, round, rows=rows,
                                        status_code=400, source="skjema")
        await run_in_threadpool(site.store.save_placements, group.id, round, cups,
                                by=session.user or "", remove=unplaced)
        return redirect(f"{QUAL_URL}/placement/{quote(group.id, safe='')}/{round}?lagret=1")

    @logged_in
    async def placement_csv(request: Request, session: Session) -> Response:
        if qual is None:
            return refuse(request, session, 404, "Studien har ingen fokusgrupper (qual.yaml).")
        saved = await run_in_threadpool(site.store.placements)
        from_file, _ = await run_in_threadpool(place.file_placements, qual)
        rows = place.in_study_order(place.merged(saved, from_file), qual)
        response = Response(place.placements_csv(rows).encode("utf-8"),
                            media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="placement.csv"'})
        return add_security_headers(response)

    return [
        Route(QUAL_URL, overview, methods=["GET"], name="admin_qual"),
        Route(PLACEMENT_CSV, placement_csv, methods=["GET"], name="admin_qual_placement_csv"),
        Route(QUAL_URL + "/placement/{group}/{round}", placement_get, methods=["GET"],
              name="admin_qual_placement"),
        Route(QUAL_URL + "/placement/{group}/{round}", placement_post, methods=["POST"],
              name="admin_qual_placement_save"),
        Route(QUAL_URL + "/{group}", group_page, methods=["GET"], name="admin_qual_group"),
        Route(QUAL_URL + "/{group}/code", add_coding, methods=["POST"], name="admin_qual_code"),
        Route(QUAL_URL + "/{group}/delete", delete_coding, methods=["POST"],
              name="admin_qual_delete"),
        Route(QUAL_URL + "/{group}/restore", restore_coding, methods=["POST"],
              name="admin_qual_restore"),
        Route(QUAL_URL + "/{group}/theme-memo", theme_memo, methods=["POST"],
              name="admin_qual_memo"),
    ]


def _group_url(group: str, other: str | None, **query: Any) -> str:
    params = {"andre": other} if other else {}
    params.update({k: str(v) for k, v in query.items()})
    return f"{QUAL_URL}/{quote(group, safe='')}" + (f"?{urlencode(params)}" if params else "")


def _back_query(other: str | None) -> str:
    return f"?{urlencode({'andre': other})}" if other else ""

