"""The strategic vision: the partnership's agreement, needs, priorities and plan, in one
language, as design §5 lays it out, with every answer in the annex.

The narrative sections pick out what a hospital head reads first. Tables the engine knows by a
role are found by it; the agreement's questions have no roles, so they are named by key in
``Keys`` (a method without one of them simply leaves that line out).
"""

from __future__ import annotations

from flask_babel import gettext as _

from workshop import charts
from workshop.documents import model
from workshop.documents.content import formats, plan
from workshop.documents.content.annex import annex, votes
from workshop.documents.content.blocks import (
    facts,
    not_answered,
    rows_block,
    side_label,
    table_of,
    table_records,
)
from workshop.documents.content.common import parties, recommendations, signatures
from workshop.documents.content.insight import answers_for_insights
from workshop.documents.content.source import SIDES, Source
from workshop.groupwork.stage import insights
from workshop.method import scale


class Keys:
    """Questions of the agreement stage the vision quotes, by key (they have no role)."""

    UA_FOCAL = "ua_focal_point"
    PARTNER_FOCAL = "partner_focal_point"
    SIGNATORIES = "signatories"
    SIGNED_ON = "memorandum_signed_on"
    TERM = "memorandum_term_months"
    ENDORSEMENT = "endorsement"
    VISION = {"uk": "shared_vision_uk", "en": "shared_vision_en"}
    SHARED_OBJECTIVES = "shared_objectives"
    WANT_TO_LEARN = "want_to_learn"
    CAN_OFFER = "can_offer"
    TPI_OBJECTIVES = "tpi_objectives"
    PRINCIPLES = "partnership_principles"
    RATINGS = "principle_ratings"
    STEERING = "steering_group"
    RHYTHM = "meeting_rhythm"
    COMMUNICATION = ("channels", "working_languages", "interpretation")
    OUTAGE = "outage_plan"
    RESOURCES = "resources_pledged"
    RESOURCES_NOTES = "resources_notes"
    READINESS = "readiness_checklist"
    SUSTAINABILITY_ITEM = "what_sustainability"
    ASSESSMENT = ("assessment_methods", "assessment_team")


def _title(src: Source, key: str, fallback: str) -> str:
    """The method's own title for the section that asks ``key`` (it exists in both languages),
    else the fallback."""
    found = src.method.section_of(key)
    return src.text(found[1].title) if found else fallback


def _stage_title(src: Source, role: str, fallback: str) -> str:
    question = src.method.by_role(role)
    found = src.method.section_of(question.key) if question else None
    return src.text(found[0].title) if found else fallback


def build(
    src: Source,
    meta: model.Meta,
    items: tuple[model.Recommendation, ...],
) -> tuple[model.Section, ...]:
    the_plan = plan.read(src)
    return (
        _context(src),
        _vision(src, the_plan),
        _objectives(src),
        _principles(src),
        _governance(src),
        _communication(src),
        _needs(src),
        _priorities(src),
        _action_plan(src, the_plan),
        _monitoring(src, the_plan),
        _risks(src, the_plan),
        _sustainability(src),
        recommendations(items),
        signatures(src, meta),
        annex(src),
    )


# --- context -----------------------------------------------------------------------------------


def _context(src: Source) -> model.Section:
    blocks: list[model.Block] = []
    focal = {"ua": Keys.UA_FOCAL, "partner": Keys.PARTNER_FOCAL}
    for side, party in zip(SIDES, parties(src), strict=True):
        record = src.institutions.get(side) or {}
        rows = [
            (_("Side"), side_label(side)),
            (_("City"), party.city),
            (_("Region"), party.region),
            (_("Country"), party.country),
            (_("Profile"), str(record.get("profile") or "")),
        ]
        question = src.question(focal[side])
        if question is not None:
            shown = src.show(question, src.value(question.key))
            rows.append((src.text(question.label), shown or _("Not answered yet")))
        blocks.append(model.Facts(tuple((k, v) for k, v in rows if v), caption=party.name))
    partnership = src.snapshot.get("partnership") or {}
    signed = src.value(Keys.SIGNED_ON) or partnership.get("memorandum_date")
    memorandum = [
        (_("Memorandum signed on"), formats.day(signed, src.lang) or _("Not answered yet")),
        *facts(src, [Keys.TERM, Keys.ENDORSEMENT]),
    ]
    areas = [str(a) for a in partnership.get("focus_areas") or []]
    if areas:
        memorandum.append((_("Focus areas"), "; ".join(areas)))
    blocks.append(model.Facts(tuple(memorandum), caption=_("Memorandum")))
    signatories = src.question(Keys.SIGNATORIES)
    if signatories is not None:
        blocks += table_of(src, signatories)
    return model.Section("context", _("The partnership and the two hospitals"), tuple(blocks))


# --- vision and objectives ---------------------------------------------------------------------


def _vision(src: Source, the_plan: plan.Plan) -> model.Section:
    blocks: list[model.Block] = []
    # The document's language first; the other version follows, marked with its language.
    for lang in (src.lang, formats.other(src.lang)):
        question = src.question(Keys.VISION[lang])
        if question is None:
            continue
        text = src.value(question.key)
        if text:
            blocks.append(model.Paragraph(str(text), lang=None if lang == src.lang else lang))
        else:
            blocks.append(not_answered(src, question))
    blocks.append(plan.dates_facts(src, the_plan))
    return model.Section("vision", _("Shared vision and time horizon"), tuple(blocks))


def _objectives(src: Source) -> model.Section:
    blocks: list[model.Block] = []
    shared = src.question(Keys.SHARED_OBJECTIVES)
    if shared is not None:
        rows = src.rows(shared.key)
        column = shared.columns[0] if shared.columns else None
        texts = [src.show(column, r.get(column.key)) for r in rows] if column else []
        texts = [t for t in texts if t]
        blocks.append(
            model.Facts(
                tuple((str(n), t) for n, t in enumerate(texts, start=1)),
                caption=src.text(shared.label),
            )
            if texts
            else not_answered(src, shared)
        )
    goals = [src.question(Keys.WANT_TO_LEARN), src.question(Keys.CAN_OFFER)]
    for side in SIDES:
        items = tuple(
            (src.text(q.label), src.show(q, src.value(q.key, side)) or _("Not answered yet"))
            for q in goals
            if q is not None
        )
        if items:
            blocks.append(model.Facts(items, caption=src.institution_name(side)))
    return model.Section("objectives", _("Objectives"), tuple(blocks))


# --- principles, governance, communication -----------------------------------------------------


def _principles(src: Source) -> model.Section:
    blocks: list[model.Block] = []
    adopted = []
    for key in (Keys.TPI_OBJECTIVES, Keys.PRINCIPLES):
        question = src.question(key)
        if question is not None:
            chosen = src.value(key) or []
            labels = [c.label(src.lang) for c in question.choices if c.id in chosen]
            adopted.append((src.text(question.label), "; ".join(labels) or _("None yet")))
    if adopted:
        blocks.append(model.Facts(tuple(adopted)))
    blocks += _ratings(src)
    return model.Section(
        "principles", _title(src, Keys.TPI_OBJECTIVES, _("Principles")), tuple(blocks)
    )


def _ratings(src: Source) -> list[model.Block]:
    """Each side's 0–3 rating of every principle, side by side (their comments are in the
    annex)."""
    ratings = src.question(Keys.RATINGS)
    status = next((c for c in ratings.columns if c.type == "status"), None) if ratings else None
    if ratings is None or status is None:
        return []
    by_side = {s: {str(r.get("row")): r for r in src.rows(ratings.key, s)} for s in SIDES}
    if not any(by_side.values()):
        return [not_answered(src, ratings)]
    rows = [
        (
            item.label(src.lang),
            *(src.show(status, by_side[s].get(item.id, {}).get(status.key)) or "—" for s in SIDES),
        )
        for item in src.fixed_rows(ratings)
    ]
    headers = (src.text(ratings.item) or _("Item"), *(side_label(s) for s in SIDES))
    return [rows_block(src.text(ratings.label), headers, rows)]


def _governance(src: Source) -> model.Section:
    blocks: list[model.Block] = []
    steering = src.question(Keys.STEERING)
    if steering is not None:
        blocks += table_of(src, steering)
    rhythm = facts(src, [Keys.RHYTHM])
    if rhythm:
        blocks.append(model.Facts(tuple(rhythm)))
    return model.Section("governance", _title(src, Keys.STEERING, _("Governance")), tuple(blocks))


def _communication(src: Source) -> model.Section:
    blocks: list[model.Block] = []
    found = facts(src, list(Keys.COMMUNICATION))
    if found:
        blocks.append(model.Facts(tuple(found)))
    outage = src.question(Keys.OUTAGE)
    text = src.value(Keys.OUTAGE)
    if outage is not None and text:
        blocks.append(model.Facts(((src.text(outage.label), str(text)),)))
    else:
        blocks.append(
            model.Note(
                _(
                    "There is no plan yet for what the partnership does when power or "
                    "connection fails. Agree one before the next outage."
                )
            )
        )
    return model.Section(
        "communication", _title(src, Keys.OUTAGE, _("Communication plan")), tuple(blocks)
    )


# --- needs and priorities ----------------------------------------------------------------------


def _needs(src: Source) -> model.Section:
    blocks: list[model.Block] = []
    how = facts(src, list(Keys.ASSESSMENT))
    if how:
        blocks.append(model.Facts(tuple(how)))
    found = insights.needs_offers(src.method, answers_for_insights(src))
    if any(ua is not None or partner is not None for _a, ua, partner in found.areas):
        blocks.append(
            charts.ratings_by_area(
                [charts.Group(label, (ua, partner)) for label, ua, partner in found.areas],
                sides=(side_label("ua"), side_label("partner")),
                scale=list(scale.labels().values()),
                lang=src.lang,
            )
        )
    else:
        matrix = src.method.by_role("needs_matrix")
        if matrix is not None:
            blocks.append(not_answered(src, matrix))
    blocks += _exchanges(found)
    return model.Section(
        "needs", _stage_title(src, "needs_matrix", _("Needs assessment")), tuple(blocks)
    )


def _exchanges(found: insights.NeedsOffers) -> list[model.Block]:
    """The needs ↔ offers matrix both ways: per area, what one side wants to learn beside what
    the other can share (a record per area: in a two-language layout a three-column table
    would wrap every cell into a narrow column)."""
    labels = scale.labels()

    def said(text: str, status: int | None) -> str:
        rated = labels.get(str(status), "") if status is not None else ""
        return " ".join(p for p in (text, f"({rated})" if rated else "") if p) or "—"

    blocks: list[model.Block] = []
    for learner, teacher, exchanges in (
        ("ua", "partner", found.to_ukraine),
        ("partner", "ua", found.from_ukraine),
    ):
        caption = (
            _("From the partner hospital to the Ukrainian hospital")
            if learner == "ua"
            else _("From the Ukrainian hospital to the partner hospital")
        )
        if not exchanges:
            blocks.append(model.Note(_("%(caption)s: nothing matched yet.", caption=caption)))
            continue
        wants = _("%(side)s wants to learn", side=side_label(learner))
        offers = _("%(side)s can share", side=side_label(teacher))
        blocks.append(
            model.Records(
                caption,
                tuple(
                    model.Record(
                        e.area,
                        model.Facts(
                            (
                                (wants, said(e.wants, e.learner_status)),
                                (offers, said(e.offers, e.teacher_status)),
                            )
                        ),
                    )
                    for e in exchanges
                ),
            )
        )
    return blocks


def _priorities(src: Source) -> model.Section:
    # The gaps themselves, in full, are in the annex; here what was decided and why.
    blocks: list[model.Block] = []
    summary = insights.score_summary(src.method, answers_for_insights(src))
    if summary:
        blocks.append(
            charts.weighted_scores(
                [charts.Group(s.candidate, (s.ua_total, s.partner_total)) for s in summary],
                sides=(side_label("ua"), side_label("partner")),
                maximum=summary[0].maximum,
                lang=src.lang,
            )
        )
        blocks += _disagreements(summary)
    blocks += _votes(src)
    priorities = src.method.by_role("priorities")
    if priorities is not None:
        blocks += table_records(src, priorities)
    return model.Section(
        "priorities", _stage_title(src, "gaps", _("Gaps and priorities")), tuple(blocks)
    )


def _disagreements(summary: list[insights.CandidateScore]) -> list[model.Block]:
    """Where the two sides scored a candidate far apart: worth a conversation."""
    notes: list[model.Block] = []
    for score in summary:
        if score.disagreements:
            apart = "; ".join(
                _("%(criterion)s: %(ua)d and %(partner)d", criterion=c, ua=u, partner=p)
                for c, u, p in score.disagreements
            )
            notes.append(
                model.Note(
                    _(
                        "%(candidate)s: the sides' scores are more than 2 points apart "
                        "(%(criteria)s).",
                        candidate=score.candidate,
                        criteria=apart,
                    )
                )
            )
    return notes


def _votes(src: Source) -> list[model.Block]:
    """The revealed dot votes of the stage that votes, if any."""
    return [b for stage in src.method.stages if stage.vote_on for b in votes(src, stage)]


# --- plan, monitoring, risks, sustainability ---------------------------------------------------


def _action_plan(src: Source, the_plan: plan.Plan) -> model.Section:
    blocks: list[model.Block] = [plan.dates_facts(src, the_plan)]
    blocks += plan.timeline(src, the_plan, width=charts.PORTRAIT_WIDTH, lines_per_chart=44)
    blocks += plan.checks(src)
    # Each objective's text and indicator are under monitoring; each activity's owner,
    # resources and risks in the annex and the action plan itself.
    return model.Section(
        "action_plan", _stage_title(src, "activities", _("Action plan")), tuple(blocks)
    )


def _monitoring(src: Source, the_plan: plan.Plan) -> model.Section:
    blocks: list[model.Block] = [
        model.Paragraph(
            _(
                "Each objective is measured by its indicator, from its baseline to its target, "
                "as often as stated. At the evaluation (stage 6) both sides compare the latest "
                "values with the targets and rate the partnership again on its principles."
            )
        ),
        *plan.indicators(src, the_plan),
    ]
    return model.Section("monitoring", _("Monitoring and evaluation"), tuple(blocks))


def standing_risks() -> model.Facts:
    """The risks every partnership with a Ukrainian hospital plans for, whatever it answered."""
    return model.Facts(
        (
            (
                _("Security"),
                _(
                    "Air-raid alerts and attacks can stop visits, training and meetings at short "
                    "notice: plan remote alternatives and move what cannot happen."
                ),
            ),
            (
                _("Power and connection"),
                _(
                    "Outages interrupt calls and data: keep the outage plan, record sessions and "
                    "share material to read offline."
                ),
            ),
            (
                _("Staff turnover"),
                _(
                    "People trained may leave: train several people per role, keep protocols "
                    "written down and name a deputy for each focal point."
                ),
            ),
            (
                _("Funding"),
                _(
                    "Pledged money may end or be delayed: agree what each side funds, for how "
                    "long, and what continues without new money."
                ),
            ),
        ),
        caption=_("Standing risks"),
    )


def _risks(src: Source, the_plan: plan.Plan) -> model.Section:
    blocks: list[model.Block] = [standing_risks()]
    if not src.value(Keys.OUTAGE) and src.question(Keys.OUTAGE) is not None:
        blocks.append(model.Note(_("The outage plan is missing (see the communication plan).")))
    blocks += plan.risks(src, the_plan)
    return model.Section("risks", _("Risks"), tuple(blocks))


def _sustainability(src: Source) -> model.Section:
    blocks: list[model.Block] = []
    resources = src.question(Keys.RESOURCES)
    if resources is not None:
        for side in SIDES:
            blocks += table_of(src, resources, side)
    notes = src.question(Keys.RESOURCES_NOTES)
    if notes is not None:
        items = tuple(
            (side_label(s), str(src.value(notes.key, s))) for s in SIDES if src.value(notes.key, s)
        )
        if items:
            blocks.append(model.Facts(items, caption=src.text(notes.label)))
    readiness = src.question(Keys.READINESS)
    if readiness is not None:
        item = next(
            (r for r in src.fixed_rows(readiness) if r.id == Keys.SUSTAINABILITY_ITEM), None
        )
        row = next(
            (r for r in src.rows(readiness.key) if r.get("row") == Keys.SUSTAINABILITY_ITEM), {}
        )
        if item is not None:
            cells = "; ".join(text for _label, text in src.cells(readiness, row))
            blocks.append(
                model.Facts(
                    ((item.label(src.lang), cells or _("Not answered yet")),),
                    caption=src.text(readiness.label),
                )
            )
    term = facts(src, [Keys.TERM])
    if term:
        blocks.append(model.Facts(tuple(term)))
    blocks.append(
        model.Paragraph(
            _(
                "The partnership renews itself through the TPI cycle: after the evaluation "
                "(stage 6) both sides decide to continue, adjust or close, and a new cycle "
                "starts from what was learned. Renew the memorandum before its term ends."
            )
        )
    )
    return model.Section("sustainability", _("Sustainability and renewal"), tuple(blocks))
