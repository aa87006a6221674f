"""Every write of public evaluation: respondents, survey, samples, responses, scores.

Each function takes keyword arguments and the acting user (``by=``), runs in one transaction
and records an audit entry; bad input raises ValidationError naming the row or field, and
then nothing has changed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from jixiao.accounts.models import Unit
from jixiao.core.services import record_audit
from jixiao.cycles.models import Cycle, Participation
from jixiao.surveys import excel
from jixiao.surveys.models import (
    Answer,
    Channel,
    Flag,
    Invitation,
    Kind,
    ListStatus,
    PublicScore,
    Question,
    Respondent,
    RespondentList,
    Response,
    Sample,
    Survey,
    default_options,
)
from jixiao.surveys.rules import Group, check_options, is_mobile, normalise_phone, unit_score

#: PublicScore.source of a score computed from the survey's responses.
SURVEY_SOURCE = "问卷计算"
#: At most this many row errors are listed; the import is refused either way.
MAX_ERRORS = 200
BATCH = 2000
DEFAULT_QUESTIONS = ("服务态度", "办事效率", "依法办事", "总体评价")


class SurveyUnavailable(Exception):
    """A public link that cannot be answered; ``code`` says why (invalid, not_open, closed,
    used, throttled). The public page turns it into a polite page that reveals nothing."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _locked_cycle(cycle: Cycle) -> None:
    if cycle.is_locked:
        raise ValidationError(_("本年度已定档，公众评议数据不能再修改"))


def respondent_list_for(*, cycle: Cycle, unit: Unit) -> RespondentList:
    """The unit's list row, created on first use (a read that may insert one row)."""
    row, _created = RespondentList.objects.get_or_create(cycle=cycle, unit=unit)
    return row


def _check_editable(cycle: Cycle, unit: Unit) -> None:
    _locked_cycle(cycle)
    status = (
        RespondentList.objects.filter(cycle=cycle, unit=unit)
        .values_list("status", flat=True)
        .first()
    )
    if status == ListStatus.REPORTED:
        raise ValidationError(
            _("%(unit)s 的名单已上报，不能再修改；需要修改请联系效能办退回。") % {"unit": unit}
        )


# Respondents ----------------------------------------------------------------------------------

_KINDS = {**{str(k.label): k.value for k in Kind}, **{k.value: k.value for k in Kind}}
_YES = {"是", "同意", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "不同意", "n", "no", "false", "0", "×"}


def _clean_respondent(raw: dict[str, Any]) -> dict[str, Any]:
    """The fields of one respondent from raw values; ValidationError naming the field."""
    errors: list[str] = []
    name = str(raw.get("name") or "").strip()
    if not name:
        errors.append(_("姓名不能为空"))
    elif len(name) > 100:
        errors.append(_("姓名过长(最多 100 字)"))
    phone = ""
    try:
        phone = normalise_phone(raw.get("phone"))
    except ValidationError as exc:
        errors.extend(exc.messages)
    kind_raw = str(raw.get("kind") or "").strip()
    kind = _KINDS.get(kind_raw or str(Kind.CITIZEN.label))
    if kind is None:
        errors.append(
            _("类别“%(kind)s”无效(可选:%(choices)s)")
            % {"kind": kind_raw, "choices": "、".join(str(k.label) for k in Kind)}
        )
    matter = str(raw.get("matter") or "").strip()
    if len(matter) > 200:
        errors.append(_("服务事项过长(最多 200 字)"))
    served = raw.get("served_on")
    served_on: date | None = None
    if isinstance(served, datetime):
        served_on = served.date()
    elif isinstance(served, date):
        served_on = served
    elif served not in (None, ""):
        served_on = parse_date(str(served).strip().replace("/", "-").replace(".", "-"))
        if served_on is None:
            errors.append(_("服务日期“%(value)s”不是日期") % {"value": served})
    consent_raw = raw.get("consent")
    consent = True
    if isinstance(consent_raw, bool):
        consent = consent_raw
    elif consent_raw not in (None, ""):
        text = str(consent_raw).strip().lower()
        if text in _YES:
            consent = True
        elif text in _NO:
            consent = False
        else:
            errors.append(_("同意回访应填“是”或“否”,不是“%(value)s”") % {"value": consent_raw})
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "phone": phone or None,
        "kind": kind,
        "matter": matter,
        "served_on": served_on,
        "consent": consent,
    }


def add_respondent(*, cycle: Cycle, unit: Unit, data: dict[str, Any], by: Any) -> Respondent:
    """Add one respondent to the unit's list; one with the same phone is merged into (the
    new values replace the old)."""
    fields = _clean_respondent(data)
    with transaction.atomic():
        _check_editable(cycle, unit)
        respondent_list_for(cycle=cycle, unit=unit)
        existing = (
            Respondent.objects.filter(cycle=cycle, unit=unit, phone=fields["phone"]).first()
            if fields["phone"]
            else None
        )
        if existing is not None:
            old = {k: getattr(existing, k) for k in fields}
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            respondent = existing
        else:
            old = None
            respondent = Respondent.objects.create(cycle=cycle, unit=unit, **fields)
        record_audit(
            by=by,
            action="merge_respondent" if old else "add_respondent",
            obj=respondent,
            cycle_code=cycle.code,
            old=old,
            new={k: v for k, v in fields.items() if k != "phone"},
        )
    return respondent


def delete_respondent(*, respondent: Respondent, by: Any) -> None:
    with transaction.atomic():
        _check_editable(respondent.cycle, respondent.unit)
        if Invitation.objects.filter(respondent=respondent).exists():
            raise ValidationError(_("该服务对象已被抽中,不能删除"))
        record_audit(
            by=by,
            action="delete_respondent",
            obj=respondent,
            cycle_code=respondent.cycle.code,
            old={"name": respondent.name, "kind": respondent.kind},
        )
        respondent.delete()


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    merged: int = 0
    units: dict[str, int] = field(default_factory=dict)
    #: (masked phone, units) of phones that appear in more than one unit's list.
    cross_unit: list[tuple[str, list[str]]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False


class _DryRun(Exception):
    pass


def import_respondents(
    *,
    cycle: Cycle,
    unit: Unit | None,
    stream: IO[bytes],
    by: Any,
    dry_run: bool = False,
) -> ImportSummary:
    """Import a respondent workbook, all or nothing; ``dry_run`` does everything and then
    rolls back, which is what the preview shows.

    With ``unit`` every row belongs to it (a 单位代码 column, if present, must name it);
    without, every row must name a participating unit. Rows are written in batches with
    INSERT … ON CONFLICT: a phone already in the unit's list (or earlier in the file) is
    merged, the later row's values winning. Phones found in several units' lists are
    reported. Memory does not grow with the number of rows.
    """
    from jixiao.surveys.rules import mask_phone

    _locked_cycle(cycle)
    units = {
        code: (pk, name)
        for code, pk, name in Participation.objects.filter(cycle=cycle).values_list(
            "unit__code", "unit_id", "unit__name"
        )
    }
    errors: list[str] = []
    summary = ImportSummary(dry_run=dry_run)
    batch: dict[tuple[int, str | None], Respondent] = {}
    no_phone: list[Respondent] = []
    touched: set[int] = set()
    per_unit: Counter[int] = Counter()

    def error(number: int, message: str) -> None:
        if len(errors) < MAX_ERRORS:
            errors.append(_("第 %(row)s 行:%(message)s") % {"row": number, "message": message})

    def flush() -> None:
        if errors:
            batch.clear()
            no_phone.clear()
            return
        rows = list(batch.values())
        if rows:
            Respondent.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["cycle", "unit", "phone"],
                update_fields=["name", "kind", "matter", "served_on", "consent"],
            )
        if no_phone:
            Respondent.objects.bulk_create(no_phone)
        batch.clear()
        no_phone.clear()

    try:
        with transaction.atomic():
            before = Respondent.objects.filter(cycle=cycle).count()
            for number, raw in excel.read_rows(stream, excel.RESPONDENT_COLUMNS):
                summary.rows += 1
                code = str(raw.get("unit") or "").strip()
                if unit is not None:
                    if code and code != unit.code:
                        error(
                            number,
                            _("单位代码“%(code)s”不是本单位(%(unit)s)")
                            % {"code": code, "unit": unit.code},
                        )
                        continue
                    unit_id = unit.pk
                elif not code:
                    error(number, _("没有填写单位代码"))
                    continue
                elif code not in units:
                    error(number, _("单位代码“%(code)s”不是本年度的参评单位") % {"code": code})
                    continue
                else:
                    unit_id = units[code][0]
                try:
                    fields = _clean_respondent(raw)
                except ValidationError as exc:
                    error(number, ";".join(exc.messages))
                    continue
                if unit_id not in touched:
                    touched.add(unit_id)
                    _check_editable(cycle, Unit(pk=unit_id, name=_unit_name(units, unit_id)))
                per_unit[unit_id] += 1
                if errors:
                    continue
                respondent = Respondent(cycle=cycle, unit_id=unit_id, **fields)
                if fields["phone"]:
                    key = (unit_id, fields["phone"])
                    if key in batch:
                        summary.merged += 1
                    batch[key] = respondent
                else:
                    no_phone.append(respondent)
                if len(summary.preview) < 20:
                    summary.preview.append(
                        {
                            "row": number,
                            "unit": code or (unit.code if unit else ""),
                            **fields,
                            "phone": mask_phone(fields["phone"] or ""),
                            "kind": Kind(fields["kind"]).label,
                        }
                    )
                if len(batch) + len(no_phone) >= BATCH:
                    flush()
            flush()
            if summary.rows == 0:
                errors.append(_("工作簿中没有数据行"))
            if errors:
                raise ValidationError(errors)
            after = Respondent.objects.filter(cycle=cycle).count()
            summary.created = after - before
            summary.merged = summary.rows - summary.created
            for unit_id in touched:
                RespondentList.objects.get_or_create(cycle=cycle, unit_id=unit_id)
            codes = {pk: code for code, (pk, _name) in units.items()}
            summary.units = {codes.get(pk, str(pk)): n for pk, n in sorted(per_unit.items())}
            summary.cross_unit = [
                (mask_phone(phone), names) for phone, names in _cross_unit(cycle, touched)
            ]
            record_audit(
                by=by,
                action="import_respondents",
                object_type="surveys.respondent",
                object_repr=unit.name if unit else _("全部单位"),
                cycle_code=cycle.code,
                new={
                    "rows": summary.rows,
                    "created": summary.created,
                    "merged": summary.merged,
                    "units": summary.units,
                },
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _unit_name(units: dict[str, tuple[int, str]], unit_id: int) -> str:
    return next((name for pk, name in units.values() if pk == unit_id), str(unit_id))


def _cross_unit(cycle: Cycle, unit_ids: set[int], limit: int = 50) -> list[tuple[str, list[str]]]:
    """Phones of these units' lists that some other unit's list of the cycle also has."""
    if not unit_ids:
        return []
    phones = (
        Respondent.objects.filter(cycle=cycle, phone__isnull=False)
        .values("phone")
        .annotate(units=Count("unit", distinct=True))
        .filter(units__gt=1)
        .values("phone")
    )
    rows = (
        Respondent.objects.filter(cycle=cycle, phone__in=phones)
        .filter(
            phone__in=Respondent.objects.filter(cycle=cycle, unit_id__in=unit_ids).values("phone")
        )
        .order_by("phone", "unit__code")
        .values_list("phone", "unit__name")
    )
    grouped: dict[str, list[str]] = defaultdict(list)
    for phone, name in rows[: limit * 5]:
        grouped[phone or ""].append(name)
    return list(grouped.items())[:limit]


def record_respondent_export(
    *, cycle: Cycle, unit: Unit | None, rows: int, full: bool, by: Any
) -> None:
    """Audit an export of respondent lists (whether phones were shown in full)."""
    record_audit(
        by=by,
        action="export_respondents",
        object_type="surveys.respondent",
        object_repr=unit.name if unit else _("全部单位"),
        cycle_code=cycle.code,
        new={"rows": rows, "full_phones": full},
    )


# The survey ------------------------------------------------------------------------------------


def save_survey(*, cycle: Cycle, data: dict[str, Any], by: Any) -> Survey:
    """Create or change the cycle's survey; a new survey gets the default questions."""
    with transaction.atomic():
        _locked_cycle(cycle)
        survey = Survey.objects.select_for_update().filter(cycle=cycle).first()
        old = None
        created = survey is None
        if survey is None:
            survey = Survey(cycle=cycle)
        else:
            old = {k: getattr(survey, k) for k in data}
        for key, value in data.items():
            setattr(survey, key, value)
        survey.full_clean()
        survey.save()
        if created:
            Question.objects.bulk_create(
                Question(survey=survey, order=i, text=text, options=default_options())
                for i, text in enumerate(DEFAULT_QUESTIONS, start=1)
            )
        record_audit(
            by=by,
            action="create_survey" if created else "change_survey",
            obj=survey,
            cycle_code=cycle.code,
            old=old,
            new=data,
        )
    return survey


def _check_questions_editable(survey: Survey) -> None:
    _locked_cycle(survey.cycle)
    if Response.objects.filter(cycle=survey.cycle).exists():
        raise ValidationError(_("已有答卷,题目和选项不能再修改"))


def add_question(*, survey: Survey, text: str, options: list[dict[str, str]], by: Any) -> Question:
    check_options(options)
    with transaction.atomic():
        _check_questions_editable(survey)
        order = (
            survey.questions.order_by("-order").values_list("order", flat=True).first() or 0
        ) + 1
        question = Question(survey=survey, order=order, text=text.strip(), options=options)
        question.full_clean()
        question.save()
        record_audit(
            by=by,
            action="add_question",
            obj=question,
            cycle_code=survey.cycle.code,
            new={"text": question.text, "options": options},
        )
    return question


def delete_question(*, question: Question, by: Any) -> None:
    with transaction.atomic():
        _check_questions_editable(question.survey)
        if question.survey.questions.count() <= 1:
            raise ValidationError(_("问卷至少要有一道题"))
        record_audit(
            by=by,
            action="delete_question",
            obj=question,
            cycle_code=question.survey.cycle.code,
            old={"text": question.text, "options": question.options},
        )
        question.delete()


def copy_survey(*, source: Cycle, target: Cycle, by: Any) -> Survey:
    """Copy a cycle's survey and questions to another cycle; the window moves by as many
    years as the cycles' codes differ (when both are years), else it stays."""
    original = Survey.objects.filter(cycle=source).first()
    if original is None:
        raise ValidationError(_("%(cycle)s 没有问卷可复制") % {"cycle": source})
    years = int(target.code) - int(source.code) if (source.code + target.code).isdigit() else 0

    def shift(moment: datetime) -> datetime:
        try:
            return moment.replace(year=moment.year + years)
        except ValueError:  # 29 February
            return moment.replace(year=moment.year + years, day=28)

    with transaction.atomic():
        _locked_cycle(target)
        if Survey.objects.filter(cycle=target).exists():
            raise ValidationError(_("%(cycle)s 已有问卷") % {"cycle": target})
        survey = Survey.objects.create(
            cycle=target,
            title=original.title,
            intro=original.intro,
            opens_at=shift(original.opens_at),
            closes_at=shift(original.closes_at),
            comment_enabled=original.comment_enabled,
            greeting_enabled=original.greeting_enabled,
            min_responses=original.min_responses,
            min_seconds_per_question=original.min_seconds_per_question,
            address_flag_after=original.address_flag_after,
        )
        Question.objects.bulk_create(
            Question(survey=survey, order=q.order, text=q.text, options=q.options)
            for q in original.questions.all()
        )
        record_audit(
            by=by,
            action="copy_survey",
            obj=survey,
            cycle_code=target.code,
            new={"from": source.code},
        )
    return survey


# Sampling -------------------------------------------------------------------------------------


def allocate(strata: dict[str, int], total: int) -> dict[str, int]:
    """Proportional allocation of ``total`` over strata sizes by the largest remainder (ties
    broken by the stratum's name), never more than a stratum holds."""
    population = sum(strata.values())
    total = min(total, population)
    if population == 0 or total <= 0:
        return dict.fromkeys(strata, 0)
    exact = {k: Decimal(total) * n / population for k, n in strata.items()}
    result = {k: int(v) for k, v in exact.items()}
    rest = total - sum(result.values())
    for key in sorted(strata, key=lambda k: (-(exact[k] - result[k]), k))[:rest]:
        result[key] += 1
    return result


def draw_sample(
    *,
    cycle: Cycle,
    unit: Unit,
    by: Any,
    size: int | None = None,
    share: Decimal | None = None,
    seed: str = "",
    reason: str = "",
) -> Sample:
    """Draw the unit's respondents, stratified by kind, from its reported list.

    Only respondents who consented and have a mobile number are eligible. The seed (random
    when not given) is recorded, so the same list and seed draw the same people. A redraw
    needs a reason, is refused once anyone answered, and retires the previous sample and its
    links. Side effects: one Sample, an Invitation with a fresh token per person, an audit
    entry with the seed and the reason.
    """
    if (size is None) == (share is None):
        raise ValidationError(_("请填写样本量或抽样比例(二选一)"))
    if size is not None and size <= 0:
        raise ValidationError({"size": _("样本量必须大于 0")})
    if share is not None and not (Decimal(0) < share <= Decimal(1)):
        raise ValidationError({"share": _("抽样比例须在 0 到 1 之间")})
    seed = seed.strip() or secrets.token_hex(8)
    with transaction.atomic():
        _locked_cycle(cycle)
        status = (
            RespondentList.objects.select_for_update()
            .filter(cycle=cycle, unit=unit)
            .values_list("status", flat=True)
            .first()
        )
        if status != ListStatus.REPORTED:
            raise ValidationError(_("%(unit)s 的服务对象名单尚未上报,不能抽样") % {"unit": unit})
        previous = Sample.objects.filter(cycle=cycle, unit=unit, active=True).first()
        if previous is not None:
            if not reason.strip():
                raise ValidationError({"reason": _("重新抽样必须填写原因")})
            if Response.objects.filter(invitation__sample=previous).exists():
                raise ValidationError(_("本单位已有受访人答卷,不能重新抽样"))
            previous.active = False
            previous.save(update_fields=["active"])
            Invitation.objects.filter(sample=previous).update(active=False)
        eligible: dict[str, list[int]] = defaultdict(list)
        for pk, kind, phone in (
            Respondent.objects.filter(cycle=cycle, unit=unit, consent=True, phone__isnull=False)
            .order_by("id")
            .values_list("id", "kind", "phone")
        ):
            if phone and is_mobile(phone):
                eligible[kind].append(pk)
        population = sum(len(v) for v in eligible.values())
        if size is not None:
            wanted = size
        else:
            assert share is not None
            wanted = int((share * population).quantize(Decimal(1), ROUND_HALF_UP))
        quota = allocate({k: len(v) for k, v in eligible.items()}, wanted)
        rng = random.Random(f"{cycle.code}:{unit.code}:{seed}")
        chosen: list[int] = []
        for kind in sorted(eligible):
            chosen.extend(sorted(rng.sample(eligible[kind], quota[kind])))
        if not chosen:
            raise ValidationError(
                _("%(unit)s 没有可抽取的服务对象(须同意回访且有手机号)") % {"unit": unit}
            )
        sample = Sample.objects.create(
            cycle=cycle,
            unit=unit,
            size=size,
            share=share,
            seed=seed,
            drawn=len(chosen),
            eligible=population,
            reason=reason.strip(),
            drawn_by=by if getattr(by, "pk", None) else None,
        )
        Invitation.objects.bulk_create(
            Invitation(
                sample=sample,
                cycle=cycle,
                unit=unit,
                respondent_id=pk,
                token=secrets.token_urlsafe(24),
            )
            for pk in chosen
        )
        record_audit(
            by=by,
            action="redraw_sample" if previous else "draw_sample",
            obj=sample,
            object_repr=str(unit),
            cycle_code=cycle.code,
            old={"sample": previous.pk, "seed": previous.seed} if previous else None,
            new={
                "size": size,
                "share": share,
                "seed": seed,
                "drawn": len(chosen),
                "eligible": population,
                "strata": quota,
            },
            reason=reason,
        )
    return sample


# Responses ------------------------------------------------------------------------------------


def client_hash(address: str) -> str:
    """A keyed hash of the client's address: equal addresses can be counted, the address
    itself is not stored and cannot be recovered without the site's secret key."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _answers(
    questions: list[Question], answers: dict[int, Any], *, where: str = ""
) -> tuple[list[Answer], int]:
    """Answer rows (without their response) and their points in cents; ValidationError naming
    each question whose answer is missing or not one of its options. An answer is an option's
    number (1 = the first option) or its label."""
    rows: list[Answer] = []
    cents = 0
    errors: list[str] = []
    known = {q.pk for q in questions}
    for key in answers:
        if key not in known:
            errors.append(_("%(where)s题目 %(q)s 不属于本问卷") % {"where": where, "q": key})
    for number, question in enumerate(questions, start=1):
        value = answers.get(question.pk)
        labels = [str(o["label"]) for o in question.options]
        index: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            index = value - 1 if 1 <= value <= len(labels) else None
        elif isinstance(value, str) and value.strip():
            text = value.strip()
            if text in labels:
                index = labels.index(text)
            elif text.isdigit() and 1 <= int(text) <= len(labels):
                index = int(text) - 1
        if value in (None, ""):
            errors.append(
                _("%(where)s第 %(n)s 题“%(q)s”没有作答")
                % {"where": where, "n": number, "q": question.text}
            )
            continue
        if index is None:
            errors.append(
                _("%(where)s第 %(n)s 题“%(q)s”没有选项“%(value)s”(可选:%(choices)s)")
                % {
                    "where": where,
                    "n": number,
                    "q": question.text,
                    "value": value,
                    "choices": "、".join(labels),
                }
            )
            continue
        points = question.points_of(index)
        cents += int(points * 100)
        rows.append(Answer(question=question, option=index, points=points))
    if errors:
        raise ValidationError(errors)
    return rows, cents


def invitation_for_token(token: str) -> Invitation:
    """The active invitation of ``token`` (SurveyUnavailable otherwise). Read-only."""
    invitation = (
        Invitation.objects.select_related("respondent", "unit", "cycle")
        .filter(token=token, active=True)
        .first()
        if 16 <= len(token) <= 64
        else None
    )
    if invitation is None:
        raise SurveyUnavailable("invalid")
    return invitation


@dataclass
class Link:
    """A personal link as the public page and ``submit_response`` see it."""

    invitation_id: int
    cycle_id: int
    unit_id: int
    cycle_code: str
    cycle_locked: bool
    unit_name: str
    respondent_name: str
    answered: bool
    survey: Survey | None
    #: Changes whenever any of the survey's questions changes (see ``questions_of``).
    questions_stamp: str = ""
    #: The cycle's earlier responses from the address asked about, up to the threshold.
    same_address: int = 0


# The public page's hot path reads with plain SQL: one statement for the link, its cycle,
# unit, respondent's name, survey, whether it is answered, a stamp of the survey's questions
# and how many earlier responses came from the submitting address (counted no further than
# the survey's threshold). Built through the ORM, these queries and their objects took about
# ten times the CPU of the statements themselves.
_LINK_SQL = """
SELECT s.*, i.id AS link_id, i.cycle_id AS link_cycle, i.unit_id AS link_unit,
       c.code AS link_cycle_code, c.phase AS link_phase, u.name AS link_unit_name,
       r.name AS link_name,
       EXISTS (SELECT 1 FROM {response} a WHERE a.invitation_id = i.id) AS link_answered,
       (SELECT {stamp} FROM {question} q WHERE q.survey_id = s.id) AS link_questions_stamp,
       (SELECT count(*) FROM (
            SELECT 1 FROM {response} e WHERE e.cycle_id = i.cycle_id AND e.client_hash = %s
            {same_address_limit}) e
       ) AS link_same_address
  FROM {invitation} i
  JOIN {cycle} c ON c.id = i.cycle_id
  JOIN {unit} u ON u.id = i.unit_id
  JOIN {respondent} r ON r.id = i.respondent_id
  LEFT JOIN {survey} s ON s.cycle_id = i.cycle_id
 WHERE i.token = %s AND i.active
"""

#: Every column of every question, so that any change to the questions — through the pages,
#: the admin or a plain UPDATE — changes the stamp and with it the cache key.
_QUESTION_ROW = "q.id || ':' || q.\"order\" || ':' || q.text || ':' || q.options{cast}"


def _tables() -> dict[str, str]:
    return {
        "response": Response._meta.db_table,
        "invitation": Invitation._meta.db_table,
        "cycle": Cycle._meta.db_table,
        "unit": Unit._meta.db_table,
        "respondent": Respondent._meta.db_table,
        "survey": Survey._meta.db_table,
        "question": Question._meta.db_table,
        "answer": Answer._meta.db_table,
    }


def _link_sql(lock: bool) -> str:
    if connection.vendor == "postgresql":
        row = _QUESTION_ROW.format(cast="::text")
        stamp = f"md5(string_agg({row}, '|' ORDER BY q.id))"
        # A flood from one address does not make each submission count all its responses.
        limit = "LIMIT GREATEST(s.address_flag_after - 1, 0)"
    else:
        stamp = f"group_concat({_QUESTION_ROW.format(cast='')}, '|')"
        limit = ""
    sql = _LINK_SQL.format(**_tables(), stamp=stamp, same_address_limit=limit)
    if lock and connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF i"
    return sql


def link_for_token(token: str, *, lock: bool = False, client_hash: str = "") -> Link:
    """The active link of ``token`` (SurveyUnavailable("invalid") otherwise), in one query.
    ``lock`` (inside a transaction): the invitation's row — and only it — is locked.
    ``client_hash``: also count the cycle's earlier responses from that address."""
    if not 16 <= len(token) <= 64:
        raise SurveyUnavailable("invalid")
    params = [client_hash or None, token]
    row: Any = next(iter(Survey.objects.raw(_link_sql(lock), params)), None)
    if row is None:
        raise SurveyUnavailable("invalid")
    return Link(
        invitation_id=row.link_id,
        cycle_id=row.link_cycle,
        unit_id=row.link_unit,
        cycle_code=row.link_cycle_code,
        cycle_locked=Cycle(phase=row.link_phase).is_locked,
        unit_name=row.link_unit_name,
        respondent_name=row.link_name,
        answered=bool(row.link_answered),
        survey=row if row.pk is not None else None,
        questions_stamp=row.link_questions_stamp or "",
        same_address=int(row.link_same_address or 0),
    )


#: The questions of recently answered surveys in this process: survey id → (stamp, questions).
#: The stamp is read with the link, in the same statement, so an edited question is never
#: served from here. The Question objects are shared: read them, do not change them.
_QUESTIONS: dict[int, tuple[str, list[Question]]] = {}
_QUESTIONS_KEPT = 32


def questions_of(survey: Survey, stamp: str = "") -> list[Question]:
    """The survey's questions in order; from this process's cache when ``stamp`` (the link's
    ``questions_stamp``) matches the one they were read with."""
    if stamp:
        kept = _QUESTIONS.get(survey.pk)
        if kept is not None and kept[0] == stamp:
            return kept[1]
    sql = 'SELECT * FROM {question} WHERE survey_id = %s ORDER BY "order", id'
    questions = list(Question.objects.raw(sql.format(**_tables()), [survey.pk]))
    if stamp:
        if len(_QUESTIONS) >= _QUESTIONS_KEPT:
            _QUESTIONS.clear()
        _QUESTIONS[survey.pk] = (stamp, questions)
    return questions


def questions_for_token(token: str) -> list[Question]:
    """The questions of the survey that ``token`` belongs to, in one query, each with
    ``comment_enabled`` of its survey; empty for an unknown token. Read-only: what the token
    may do is decided by ``open_survey_of`` and ``submit_response``."""
    if not 16 <= len(token) <= 64:
        return []
    sql = """
    SELECT q.*, s.comment_enabled AS survey_comment_enabled
      FROM {question} q
      JOIN {survey} s ON s.id = q.survey_id
      JOIN {invitation} i ON i.cycle_id = s.cycle_id
     WHERE i.token = %s AND i.active
     ORDER BY q."order", q.id
    """
    return list(Question.objects.raw(sql.format(**_tables()), [token]))


def check_window(survey: Survey, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if now < survey.opens_at:
        raise SurveyUnavailable("not_open")
    if now >= survey.closes_at:
        raise SurveyUnavailable("closed")


def open_survey_of(link: Link) -> Survey:
    """The survey of a link when it can be answered now; SurveyUnavailable says why not: no
    survey or not open yet, closed or the cycle locked, already answered."""
    if link.survey is None:
        raise SurveyUnavailable("not_open")
    if link.cycle_locked:
        raise SurveyUnavailable("closed")
    check_window(link.survey)
    if link.answered:
        raise SurveyUnavailable("used")
    return link.survey


# The response and its answers in one statement on PostgreSQL (a data-modifying WITH).
_INSERT_SQL = """
WITH r AS (
    INSERT INTO {response} (cycle_id, unit_id, invitation_id, channel, submitted_at,
                            seconds_taken, client_hash, comment, points_cents, answer_count,
                            flags, valid, entered_by_id, external_ref)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)
    RETURNING id
), a AS (
    INSERT INTO {answer} (response_id, question_id, option, points)
    SELECT r.id, v.question_id, v.option, v.points
      FROM r, (VALUES {values}) AS v (question_id, option, points)
)
SELECT id FROM r
"""


def _insert_response(response: Response, rows: list[Answer]) -> None:
    """Insert ``response`` and its answer ``rows`` (one statement on PostgreSQL); the
    response gets its id and submission time, each row its response."""
    if connection.vendor != "postgresql" or not rows:
        response.save(force_insert=True)
        for row in rows:
            row.response = response
        Answer.objects.bulk_create(rows)
        return
    response.submitted_at = timezone.now()
    values = ", ".join(["(%s::bigint, %s::smallint, %s::numeric)"] * len(rows))
    params: list[Any] = [
        response.cycle_id,
        response.unit_id,
        response.invitation_id,
        response.channel,
        response.submitted_at,
        response.seconds_taken,
        response.client_hash,
        response.comment,
        response.points_cents,
        response.answer_count,
        json.dumps(response.flags),
        response.valid,
        response.entered_by_id,
        response.external_ref,
    ]
    for row in rows:
        params += [row.question_id, row.option, row.points]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL.format(**_tables(), values=values), params)
        response.pk = cursor.fetchone()[0]
    response._state.adding = False
    response._state.db = connection.alias
    for row in rows:
        row.response = response


def submit_response(
    *,
    token: str,
    answers: dict[int, Any],
    comment: str = "",
    seconds_taken: int | None = None,
    address: str = "",
    channel: str = Channel.WEB,
    by: Any = None,
    questions: list[Question] | None = None,
) -> Response:
    """Record the answers given through a personal link (on the web or by phone).

    The invitation row (and only it) is locked and the response's one-to-one link to it is
    unique, so of two concurrent submissions of one token exactly one counts; the other gets
    SurveyUnavailable("used"). Answers that are too fast for a person to read or that come
    from an address that has already answered several times are flagged for the office,
    not refused. Phone entries (``by`` the call-centre user) are audited.

    ``questions``: the survey's questions when the caller has just read them
    (``questions_for_token``); they are used only if they belong to the token's survey.
    """
    comment = comment.strip()[:2000]
    digest = client_hash(address) if address and channel == Channel.WEB else ""
    try:
        with transaction.atomic():
            # One query: the token's row locked, its cycle and survey, whether it is answered,
            # the stamp of its questions and the earlier responses from this address.
            link = link_for_token(token, lock=True, client_hash=digest)
            survey = open_survey_of(link)
            if not questions or any(q.survey_id != survey.pk for q in questions):
                questions = questions_of(survey, link.questions_stamp)
            rows, cents = _answers(questions, answers)
            flags: list[str] = []
            if channel == Channel.WEB:
                limit = survey.min_seconds_per_question * len(questions)
                if seconds_taken is not None and seconds_taken < limit:
                    flags.append(Flag.FAST)
                # Counted with the link, no further than the threshold.
                threshold = survey.address_flag_after
                if digest and threshold and link.same_address + 1 >= threshold:
                    flags.append(Flag.SAME_ADDRESS)
            response = Response(
                cycle_id=link.cycle_id,
                unit_id=link.unit_id,
                invitation_id=link.invitation_id,
                channel=channel,
                seconds_taken=seconds_taken,
                client_hash=digest,
                comment=comment if survey.comment_enabled else "",
                points_cents=cents,
                answer_count=len(rows),
                flags=flags,
                entered_by=by if getattr(by, "pk", None) else None,
            )
            _insert_response(response, rows)
            if channel != Channel.WEB:
                record_audit(
                    by=by,
                    action="enter_phone_response",
                    obj=response,
                    cycle_code=link.cycle_code,
                    new={"invitation": link.invitation_id, "answers": [r.option + 1 for r in rows]},
                )
    except IntegrityError:
        # The other submission of the same token committed first: its response was not
        # visible to this one's read, but the unique link refuses the second row.
        raise SurveyUnavailable("used") from None
    return response


@dataclass
class ResponseImportSummary:
    rows: int = 0
    units: dict[str, int] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False


def import_firm_responses(
    *, cycle: Cycle, stream: IO[bytes], source: str, by: Any, dry_run: bool = False
) -> ResponseImportSummary:
    """Import an outside survey firm's results: one row per response, with 单位代码, an
    optional 编号 and one column per question (headed by its number “1”, “第1题” or its
    text) holding the option's label or number. All or nothing; ``dry_run`` rolls back."""
    survey = Survey.objects.select_related("cycle").filter(cycle=cycle).first()
    if survey is None:
        raise ValidationError(_("本年度还没有问卷"))
    _locked_cycle(cycle)
    questions = list(survey.questions.all())
    columns: dict[str, str] = {"单位代码": "unit", "编号": "ref", "意见建议": "comment"}
    for number, q in enumerate(questions, start=1):
        for name in (str(number), f"第{number}题", f"Q{number}", q.text):
            columns[name] = f"q{q.pk}"
    units = dict(Participation.objects.filter(cycle=cycle).values_list("unit__code", "unit_id"))
    summary = ResponseImportSummary(dry_run=dry_run)
    errors: list[str] = []
    per_unit: Counter[str] = Counter()
    pending: list[tuple[Response, list[Answer]]] = []
    header_checked = False

    def write() -> None:
        if errors or not pending:
            pending.clear()
            return
        # Both databases return the new ids from a bulk insert (RETURNING), so the answers
        # can point at their responses without reading them back.
        Response.objects.bulk_create([r for r, _a in pending])
        Answer.objects.bulk_create([a for r, rows in pending for a in _attach(r, rows)])
        pending.clear()

    try:
        with transaction.atomic():
            for number, raw in excel.read_rows(stream, columns):
                if not header_checked:
                    header_checked = True
                    missing = [
                        str(i) for i, q in enumerate(questions, start=1) if f"q{q.pk}" not in raw
                    ]
                    if "unit" not in raw or missing:
                        raise ValidationError(
                            _("表头须有“单位代码”和每道题一列(缺:%(missing)s)")
                            % {
                                "missing": "、".join(
                                    (["单位代码"] if "unit" not in raw else []) + missing
                                )
                            }
                        )
                summary.rows += 1
                code = str(raw.get("unit") or "").strip()
                where = _("第 %(row)s 行:") % {"row": number}
                if not code:
                    errors.append(where + _("没有填写单位代码"))
                    continue
                if code not in units:
                    errors.append(
                        where + _("单位代码“%(code)s”不是本年度的参评单位") % {"code": code}
                    )
                    continue
                given = {q.pk: _as_answer(raw.get(f"q{q.pk}")) for q in questions}
                try:
                    rows, cents = _answers(questions, given, where=where)
                except ValidationError as exc:
                    errors.extend(exc.messages)
                    continue
                if len(errors) >= MAX_ERRORS:
                    break
                per_unit[code] += 1
                pending.append(
                    (
                        Response(
                            cycle=cycle,
                            unit_id=units[code],
                            channel=Channel.IMPORT,
                            comment=str(raw.get("comment") or "")[:2000],
                            points_cents=cents,
                            answer_count=len(rows),
                            entered_by=by if getattr(by, "pk", None) else None,
                            external_ref=f"{source}:{raw.get('ref') or number}"[:100],
                        ),
                        rows,
                    )
                )
                if len(summary.preview) < 20:
                    summary.preview.append(
                        {
                            "row": number,
                            "unit": code,
                            "answers": [
                                q.options[a.option]["label"]
                                for q, a in zip(questions, rows, strict=True)
                            ],
                        }
                    )
                if len(pending) >= BATCH // 4:
                    write()
            write()
            if summary.rows == 0:
                errors.append(_("工作簿中没有数据行"))
            if errors:
                raise ValidationError(errors[:MAX_ERRORS])
            summary.units = dict(sorted(per_unit.items()))
            record_audit(
                by=by,
                action="import_responses",
                object_type="surveys.response",
                object_repr=source,
                cycle_code=cycle.code,
                new={"rows": summary.rows, "units": summary.units, "source": source},
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _attach(response: Response, rows: list[Answer]) -> Iterator[Answer]:
    for row in rows:
        row.response = response
        yield row


def _as_answer(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else (str(value) if value is not None else None)


def set_response_validity(*, response: Response, valid: bool, reason: str, by: Any) -> Response:
    """The office keeps or discards a (flagged) response; the reason is required."""
    if not reason.strip():
        raise ValidationError({"reason": _("必须填写原因")})
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("cycle").get(pk=response.pk)
        _locked_cycle(locked.cycle)
        old = locked.valid
        locked.valid = valid
        locked.save(update_fields=["valid"])
        record_audit(
            by=by,
            action="set_response_validity",
            obj=locked,
            cycle_code=locked.cycle.code,
            old={"valid": old},
            new={"valid": valid},
            reason=reason,
        )
    response.valid = valid
    return response


# Scores ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreSummary:
    units: int
    responses: int
    low_count: int


def compute_public_scores(*, cycle: Cycle, by: Any, reason: str = "") -> ScoreSummary:
    """Turn the cycle's valid responses into each unit's PublicScore.

    One aggregate query reads every valid response once (per unit and number of answers: the
    count, how many came through an invitation, the sum and the sum of squares of the points),
    one more counts the active invitations per unit. Units with responses get a score, count,
    response rate, 95 % interval and a low-count flag; a score computed earlier for a unit
    that now has no valid response is removed; scores from other sources (entered by hand, an
    archive) of units without responses are kept. The recompute then reads them through
    ``selectors.public_scores``. Side effects: PublicScore rows, one audit entry with the
    changed scores.
    """
    survey = Survey.objects.filter(cycle=cycle).first()
    minimum = survey.min_responses if survey else 0
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        _locked_cycle(locked)
        groups: dict[int, list[Group]] = defaultdict(list)
        answered: Counter[int] = Counter()
        for unit_id, answers, count, via_link, total, squares in (
            Response.objects.filter(cycle=cycle, valid=True)
            .order_by()
            .values_list("unit_id", "answer_count")
            .annotate(
                n=Count("id"),
                linked=Count("invitation_id"),
                total=Sum("points_cents"),
                squares=Sum(F("points_cents") * F("points_cents")),
            )
            .values_list("unit_id", "answer_count", "n", "linked", "total", "squares")
        ):
            groups[unit_id].append(Group(answers, count, int(total), int(squares)))
            answered[unit_id] += via_link
        invited = dict(
            Invitation.objects.filter(cycle=cycle, active=True)
            .order_by()
            .values_list("unit_id")
            .annotate(n=Count("id"))
            .values_list("unit_id", "n")
        )
        old = {
            unit_id: (str(score), source)
            for unit_id, score, source in PublicScore.objects.filter(cycle=cycle).values_list(
                "unit_id", "score", "source"
            )
        }
        now = timezone.now()
        rows: list[PublicScore] = []
        low = 0
        for unit_id, unit_groups in groups.items():
            result = unit_score(unit_groups, cycle.precision)
            if result is None:
                continue
            n_invited = invited.get(unit_id)
            rate = (
                (Decimal(answered[unit_id]) / n_invited).quantize(Decimal("0.0001"), ROUND_HALF_UP)
                if n_invited
                else None
            )
            is_low = result.count < minimum
            low += is_low
            rows.append(
                PublicScore(
                    cycle=cycle,
                    unit_id=unit_id,
                    score=result.score,
                    responses=result.count,
                    source=SURVEY_SOURCE,
                    invited=n_invited,
                    answered=answered[unit_id],
                    rate=rate,
                    ci_low=result.ci_low,
                    ci_high=result.ci_high,
                    low_count=is_low,
                    computed_at=now,
                )
            )
        scored = set(groups)
        replaced = scored | {u for u, (_s, source) in old.items() if source == SURVEY_SOURCE}
        PublicScore.objects.filter(cycle=cycle, unit_id__in=replaced).delete()
        PublicScore.objects.bulk_create(rows, batch_size=1000)
        new = {row.unit_id: str(row.score) for row in rows}
        changed_old = {u: s for u, (s, _src) in old.items() if u in replaced and new.get(u) != s}
        changed_new = {u: s for u, s in new.items() if old.get(u, ("", ""))[0] != s}
        record_audit(
            by=by,
            action="compute_public_scores",
            obj=locked,
            cycle_code=cycle.code,
            old=changed_old,
            new=changed_new,
            reason=reason,
        )
    return ScoreSummary(
        units=len(rows), responses=sum(r.responses or 0 for r in rows), low_count=low
    )


def survey_window_default(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    start = now.replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=30)


def parse_share(value: str) -> Decimal | None:
    """“20%”, “0.2” → Decimal("0.2"); blank → None; ValidationError otherwise."""
    text = value.strip()
    if not text:
        return None
    try:
        result = Decimal(text[:-1]) / 100 if text.endswith(("%", "%")) else Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            {"share": _("抽样比例“%(value)s”不是数") % {"value": value}}
        ) from None
    return result
