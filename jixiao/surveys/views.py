"""Pages of public evaluation: the office's overview, a unit's respondents, samples and links,
the questionnaire settings, phone entry and imports, and the public survey page."""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixiao.accounts.models import Unit
from jixiao.accounts.permissions import (
    can_edit_respondents,
    can_manage_survey,
    can_see_full_phones,
    can_view_cycle,
    can_view_respondents,
    can_view_survey_responses,
    unit_ids_of,
)
from jixiao.cycles.models import Cycle, Participation
from jixiao.surveys import excel, selectors, services
from jixiao.surveys.forms import (
    ConfirmForm,
    PhoneEntryForm,
    PublicAnswerForm,
    QuestionForm,
    ReasonForm,
    RespondentForm,
    ResponseUploadForm,
    SampleForm,
    SurveyForm,
    UploadForm,
    options_text,
)
from jixiao.surveys.models import Invitation, Kind, ListStatus, Question, Respondent, Response
from jixiao.surveys.rules import mask_phone
from jixiao.surveys.workflow import change_list_status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Fetch and check ------------------------------------------------------------------------------


def get_cycle(request: HttpRequest, code: str) -> Cycle:
    cycle = get_object_or_404(Cycle, code=code)
    if not can_view_cycle(request.user, cycle):
        raise Http404
    return cycle


def get_unit(request: HttpRequest, cycle: Cycle, unit_code: str) -> Unit:
    """A participating unit whose respondents the user may see; 404 otherwise, so another
    unit's list is not even confirmed to exist."""
    part = (
        Participation.objects.filter(cycle=cycle, unit__code=unit_code)
        .select_related("unit")
        .first()
    )
    if part is None or not can_view_respondents(request.user, cycle, part.unit):
        raise Http404
    return part.unit


def get_managed_cycle(request: HttpRequest, code: str) -> Cycle:
    cycle = get_cycle(request, code)
    if not can_manage_survey(request.user, cycle):
        raise PermissionDenied
    return cycle


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# The office's overview ------------------------------------------------------------------------


def survey_overview(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    if not can_manage_survey(request.user, cycle):
        own = sorted(unit_ids_of(request.user, cycle))
        unit = Participation.objects.filter(cycle=cycle, unit_id__in=own).select_related("unit")
        first = unit.order_by("unit__code").first()
        if first is None:
            raise PermissionDenied
        return redirect("survey_unit", code=cycle.code, unit_code=first.unit.code)
    rows = selectors.unit_progress(cycle=cycle)
    context = {
        "cycle": cycle,
        "survey": selectors.survey_of(cycle=cycle),
        "rows": rows,
        "totals": {
            "respondents": sum(r.respondents for r in rows),
            "invited": sum(r.invited for r in rows),
            "responses": sum(r.responses for r in rows),
            "flagged": sum(r.flagged for r in rows),
        },
        "compute_form": ReasonForm(),
    }
    return render(request, "surveys/overview.html", context)


@require_POST
def survey_compute(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_managed_cycle(request, code)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        summary = services.compute_public_scores(cycle=cycle, by=request.user, reason=reason)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _(
                "已计算 %(units)s 个单位的公众评议得分(有效答卷 %(n)s 份,样本不足 %(low)s 个);"
                "重新计算综合得分后生效。"
            )
            % {"units": summary.units, "n": summary.responses, "low": summary.low_count},
        )
    return redirect("survey_overview", code=cycle.code)


# The questionnaire ----------------------------------------------------------------------------


def survey_settings(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_managed_cycle(request, code)
    survey = selectors.survey_of(cycle=cycle)
    if request.method == "POST" and request.POST.get("action") == "survey":
        form = SurveyForm(request.POST, instance=survey)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in SurveyForm.Meta.fields}
            try:
                services.save_survey(cycle=cycle, data=data, by=request.user)
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("问卷设置已保存。"))
                return redirect("survey_settings", code=cycle.code)
    else:
        initial = {}
        if survey is None:
            opens, closes = services.survey_window_default()
            initial = {"opens_at": opens, "closes_at": closes}
        form = SurveyForm(instance=survey, initial=initial)
    question_form = QuestionForm()
    if request.method == "POST" and request.POST.get("action") == "question" and survey:
        question_form = QuestionForm(request.POST)
        if question_form.is_valid():
            try:
                services.add_question(
                    survey=survey,
                    text=question_form.cleaned_data["text"],
                    options=question_form.cleaned_data["options"],
                    by=request.user,
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("题目已添加。"))
                return redirect("survey_settings", code=cycle.code)
    questions = list(survey.questions.all()) if survey else []
    context = {
        "cycle": cycle,
        "survey": survey,
        "form": form,
        "question_form": question_form,
        "questions": [(q, options_text(q)) for q in questions],
        "locked_questions": bool(survey) and Response.objects.filter(cycle=cycle).exists(),
    }
    return render(request, "surveys/settings.html", context)


@require_POST
def question_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    cycle = get_managed_cycle(request, code)
    question = get_object_or_404(
        Question.objects.select_related("survey__cycle"), pk=pk, survey__cycle=cycle
    )
    try:
        services.delete_question(question=question, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("survey_settings", code=cycle.code)


# A unit's respondents -------------------------------------------------------------------------


def unit_page(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    unit = get_unit(request, cycle, unit_code)
    can_edit = can_edit_respondents(request.user, cycle, unit)
    form = RespondentForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = RespondentForm(request.POST)
        if form.is_valid():
            try:
                services.add_respondent(
                    cycle=cycle, unit=unit, data=form.cleaned_data, by=request.user
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(request, _("已添加服务对象。"))
                return redirect("survey_unit", code=cycle.code, unit_code=unit.code)
    respondent_list = services.respondent_list_for(cycle=cycle, unit=unit)
    full = can_see_full_phones(request.user, cycle)
    people = list(selectors.respondents(cycle=cycle, unit_id=unit.pk))
    for person in people:
        person.shown_phone = person.phone if full else mask_phone(person.phone or "")  # type: ignore[attr-defined]
    sample = selectors.active_sample(cycle=cycle, unit_id=unit.pk)
    context = {
        "cycle": cycle,
        "unit": unit,
        "people": people,
        "kinds": {k.value: k.label for k in Kind},
        "respondent_list": respondent_list,
        "reported": respondent_list.status == ListStatus.REPORTED,
        "can_edit": can_edit,
        "can_manage": can_manage_survey(request.user, cycle),
        "form": form,
        "sample": sample,
        "sample_form": SampleForm(),
        "reason_form": ReasonForm(),
        "score": selectors.public_score_of(cycle=cycle, unit_id=unit.pk),
    }
    return render(request, "surveys/unit.html", context)


@require_POST
def respondent_delete(request: HttpRequest, code: str, unit_code: str, pk: int) -> HttpResponse:
    cycle = get_cycle(request, code)
    unit = get_unit(request, cycle, unit_code)
    if not can_edit_respondents(request.user, cycle, unit):
        raise PermissionDenied
    respondent = get_object_or_404(Respondent, pk=pk, cycle=cycle, unit=unit)
    try:
        services.delete_respondent(respondent=respondent, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("survey_unit", code=cycle.code, unit_code=unit.code)


@require_POST
def list_status(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    """上报 by the unit (or the office); 退回 by the office, with a reason."""
    cycle = get_cycle(request, code)
    unit = get_unit(request, cycle, unit_code)
    to = request.POST.get("to", "")
    if to == ListStatus.REPORTED:
        allowed = can_edit_respondents(request.user, cycle, unit)
    elif to == ListStatus.DRAFT:
        allowed = can_manage_survey(request.user, cycle)
    else:
        allowed = False
    if not allowed:
        raise PermissionDenied
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if cycle.is_locked:
            raise ValidationError(_("本年度已定档,公众评议数据不能再修改"))
        change_list_status(
            respondent_list=services.respondent_list_for(cycle=cycle, unit=unit),
            to=to,
            by=request.user,
            reason=reason,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("名单已上报。") if to == ListStatus.REPORTED else _("名单已退回。")
        )
    return redirect("survey_unit", code=cycle.code, unit_code=unit.code)


@require_POST
def sample_draw(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = get_managed_cycle(request, code)
    unit = get_unit(request, cycle, unit_code)
    form = SampleForm(request.POST)
    if not form.is_valid():
        for message in form.errors.values():
            messages.error(request, " ".join(str(m) for m in message))
        return redirect("survey_unit", code=cycle.code, unit_code=unit.code)
    data = form.cleaned_data
    try:
        sample = services.draw_sample(
            cycle=cycle,
            unit=unit,
            by=request.user,
            size=data["size"],
            share=services.parse_share(data["share"] or ""),
            seed=data["seed"] or "",
            reason=data["reason"] or "",
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("已抽取 %(n)s 人(可抽 %(eligible)s 人,随机种子 %(seed)s)。")
            % {"n": sample.drawn, "eligible": sample.eligible, "seed": sample.seed},
        )
    return redirect("survey_unit", code=cycle.code, unit_code=unit.code)


def respondents_export(request: HttpRequest, code: str, unit_code: str = "") -> HttpResponse:
    """The lists in the layout reported upward (上报); full phones only for the office.
    Every export is audited."""
    cycle = get_cycle(request, code)
    unit = get_unit(request, cycle, unit_code) if unit_code else None
    if unit is None and not can_manage_survey(request.user, cycle):
        raise PermissionDenied
    full = can_see_full_phones(request.user, cycle)
    kinds = {k.value: str(k.label) for k in Kind}
    qs = selectors.respondents(cycle=cycle, unit_id=unit.pk if unit else None)
    count = 0

    def rows() -> Any:
        nonlocal count
        for r in qs.iterator(chunk_size=2000):
            count += 1
            yield [
                r.unit.code,
                r.unit.name,
                r.name,
                (r.phone or "") if full else mask_phone(r.phone or ""),
                kinds.get(r.kind, r.kind),
                r.matter,
                r.served_on,
                _("是") if r.consent else _("否"),
            ]

    buffer = io.BytesIO()
    header = ["单位代码", "单位名称", "姓名", "电话", "类别", "服务事项", "服务日期", "同意回访"]
    excel.write_workbook(buffer, "服务对象名单", header, rows())
    services.record_respondent_export(
        cycle=cycle, unit=unit, rows=count, full=full, by=request.user
    )
    name = f"respondents-{cycle.code}-{unit.code if unit else 'all'}.xlsx"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Imports: upload, preview, confirm ------------------------------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "survey-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _keep_upload(request: HttpRequest, upload: Any, kind: str) -> str:
    """Keep the uploaded file until it is confirmed; the session remembers whose it is."""
    key = secrets.token_hex(16)
    with open(_upload_dir() / f"{key}.xlsx", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[f"survey-upload-{kind}"] = key
    return key


def _kept_upload(request: HttpRequest, kind: str, key: str) -> Path | None:
    if not key or request.session.get(f"survey-upload-{kind}") != key or not key.isalnum():
        return None
    path = _upload_dir() / f"{key}.xlsx"
    return path if path.exists() else None


def respondents_import(request: HttpRequest, code: str, unit_code: str = "") -> HttpResponse:
    cycle = get_cycle(request, code)
    unit = get_unit(request, cycle, unit_code) if unit_code else None
    if unit is None:
        if not can_manage_survey(request.user, cycle):
            raise PermissionDenied
    elif not can_edit_respondents(request.user, cycle, unit):
        raise PermissionDenied
    back = (
        reverse("survey_unit", args=[cycle.code, unit.code])
        if unit
        else reverse("survey_overview", args=[cycle.code])
    )
    summary = None
    key = ""
    form = UploadForm()
    if request.method == "POST" and "upload" in request.POST:
        confirm = ConfirmForm(request.POST)
        path = _kept_upload(request, "respondents", request.POST.get("upload", ""))
        if not confirm.is_valid() or path is None:
            messages.error(request, _("预览已失效,请重新上传文件。"))
            return redirect(request.path)
        try:
            with open(path, "rb") as stream:
                summary = services.import_respondents(
                    cycle=cycle, unit=unit, stream=stream, by=request.user
                )
        except ValidationError as exc:
            _errors(request, exc)
            return redirect(request.path)
        finally:
            path.unlink(missing_ok=True)
        messages.success(
            request,
            _("已导入 %(rows)s 行:新增 %(created)s 人,合并重复 %(merged)s 人。")
            % {"rows": summary.rows, "created": summary.created, "merged": summary.merged},
        )
        return redirect(back)
    errors: list[str] = []
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            key = _keep_upload(request, form.cleaned_data["file"], "respondents")
            try:
                with open(_upload_dir() / f"{key}.xlsx", "rb") as stream:
                    summary = services.import_respondents(
                        cycle=cycle, unit=unit, stream=stream, by=request.user, dry_run=True
                    )
            except ValidationError as exc:
                errors = exc.messages
                summary = None
    context = {
        "cycle": cycle,
        "unit": unit,
        "form": form,
        "summary": summary,
        "errors": errors,
        "upload": key,
        "back": back,
        "columns": excel.RESPONDENT_HEADER,
    }
    return render(request, "surveys/import_respondents.html", context)


def responses_import(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_managed_cycle(request, code)
    summary = None
    key = ""
    errors: list[str] = []
    form = ResponseUploadForm()
    if request.method == "POST" and "upload" in request.POST:
        path = _kept_upload(request, "responses", request.POST.get("upload", ""))
        source = str(request.session.get("survey-upload-responses-source", ""))
        if path is None:
            messages.error(request, _("预览已失效,请重新上传文件。"))
            return redirect(request.path)
        try:
            with open(path, "rb") as stream:
                summary = services.import_firm_responses(
                    cycle=cycle, stream=stream, source=source, by=request.user
                )
        except ValidationError as exc:
            _errors(request, exc)
            return redirect(request.path)
        finally:
            path.unlink(missing_ok=True)
        messages.success(request, _("已导入 %(rows)s 份答卷。") % {"rows": summary.rows})
        return redirect("survey_responses", code=cycle.code)
    if request.method == "POST":
        form = ResponseUploadForm(request.POST, request.FILES)
        if form.is_valid():
            key = _keep_upload(request, form.cleaned_data["file"], "responses")
            request.session["survey-upload-responses-source"] = form.cleaned_data["source"]
            try:
                with open(_upload_dir() / f"{key}.xlsx", "rb") as stream:
                    summary = services.import_firm_responses(
                        cycle=cycle,
                        stream=stream,
                        source=form.cleaned_data["source"],
                        by=request.user,
                        dry_run=True,
                    )
            except ValidationError as exc:
                errors = exc.messages
    survey = selectors.survey_of(cycle=cycle)
    context = {
        "cycle": cycle,
        "form": form,
        "summary": summary,
        "errors": errors,
        "upload": key,
        "questions": list(survey.questions.all()) if survey else [],
    }
    return render(request, "surveys/import_responses.html", context)


# Invitations, links and QR codes --------------------------------------------------------------


def _link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("survey_public", args=[token]))


def invitations_page(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    unit = get_unit(request, cycle, unit_code)
    pending = request.GET.get("pending") == "1"
    full = can_see_full_phones(request.user, cycle)
    rows = list(selectors.invitations(cycle=cycle, unit_id=unit.pk, pending_only=pending))
    for row in rows:
        row.link = _link(request, row.token)  # type: ignore[attr-defined]
        row.shown_phone = row.respondent.phone if full else mask_phone(row.respondent.phone or "")  # type: ignore[attr-defined]
    context = {"cycle": cycle, "unit": unit, "rows": rows, "pending": pending}
    return render(request, "surveys/invitations.html", context)


def invitations_export(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    unit = get_unit(request, cycle, unit_code)
    full = can_see_full_phones(request.user, cycle)
    qs = selectors.invitations(cycle=cycle, unit_id=unit.pk)
    rows = [
        [
            i.respondent.name,
            (i.respondent.phone or "") if full else mask_phone(i.respondent.phone or ""),
            _link(request, i.token),
            _("已答") if i.answered else _("未答"),  # type: ignore[attr-defined]
        ]
        for i in qs
    ]
    buffer = io.BytesIO()
    excel.write_workbook(buffer, "问卷链接", ["姓名", "电话", "问卷链接", "状态"], rows)
    services.record_respondent_export(
        cycle=cycle, unit=unit, rows=len(rows), full=full, by=request.user
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="links-{cycle.code}-{unit.code}.xlsx"'
    return response


def invitation_qr(request: HttpRequest, code: str, pk: int, fmt: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    invitation = get_object_or_404(Invitation.objects.select_related("unit"), pk=pk, cycle=cycle)
    if not can_view_respondents(request.user, cycle, invitation.unit):
        raise Http404
    qr = segno.make(_link(request, invitation.token), error="m")
    buffer = io.BytesIO()
    if fmt == "svg":
        qr.save(buffer, kind="svg", scale=4, border=2)
        return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    qr.save(buffer, kind="png", scale=6, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/png")


# Responses: the office's review, phone entry --------------------------------------------------


def responses_page(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_cycle(request, code)
    if not can_view_survey_responses(request.user, cycle):
        raise PermissionDenied
    flagged = request.GET.get("flagged") == "1"
    rows = list(selectors.responses(cycle=cycle, flagged_only=flagged)[:500])
    context = {"cycle": cycle, "rows": rows, "flagged": flagged, "reason_form": ReasonForm()}
    return render(request, "surveys/responses.html", context)


@require_POST
def response_validity(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    cycle = get_managed_cycle(request, code)
    response = get_object_or_404(Response, pk=pk, cycle=cycle)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.set_response_validity(
            response=response,
            valid=request.POST.get("valid") == "1",
            reason=reason,
            by=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"{reverse('survey_responses', args=[cycle.code])}?flagged=1")


def phone_entry(request: HttpRequest, code: str) -> HttpResponse:
    cycle = get_managed_cycle(request, code)
    survey = selectors.survey_of(cycle=cycle)
    questions = list(survey.questions.all()) if survey else []
    form = PhoneEntryForm()
    if request.method == "POST":
        form = PhoneEntryForm(request.POST)
        if form.is_valid():
            digits = form.cleaned_data["answers"]
            answers: dict[int, Any] = {
                q.pk: int(digits[i]) if i < len(digits) else None for i, q in enumerate(questions)
            }
            try:
                if len(digits) > len(questions):
                    raise ValidationError(
                        _("输入了 %(n)s 个答案,问卷只有 %(q)s 道题")
                        % {"n": len(digits), "q": len(questions)}
                    )
                invitation = services.invitation_for_token(form.cleaned_data["token"])
                if invitation.cycle_id != cycle.pk:
                    raise services.SurveyUnavailable("invalid")
                services.submit_response(
                    token=invitation.token,
                    answers=answers,
                    comment=form.cleaned_data["comment"],
                    channel="phone",
                    by=request.user,
                )
            except services.SurveyUnavailable as exc:
                messages.error(request, _unavailable_messages()[exc.code][2])
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(
                    request,
                    _("已录入 %(unit)s 的一份电话答卷。") % {"unit": invitation.unit.name},
                )
                return redirect("survey_phone", code=cycle.code)
    context = {"cycle": cycle, "form": form, "questions": questions}
    return render(request, "surveys/phone.html", context)


# The public page ------------------------------------------------------------------------------


def _unavailable_messages() -> dict[str, tuple[int, str, str]]:
    """Why a link cannot be answered: (HTTP status, title, what the respondent is told).
    Nothing about the respondent, the unit or other respondents is revealed."""
    return {
        "invalid": (404, _("链接无效"), _("这个问卷链接无效。请核对短信中的链接是否完整。")),
        "not_open": (403, _("问卷尚未开始"), _("问卷尚未开始,请在评议期间内再打开此链接。")),
        "closed": (410, _("问卷已结束"), _("本次评议已经结束,感谢您的关注。")),
        "used": (
            409,
            _("您已提交过答卷"),
            _("这个链接的问卷已经提交,每个链接只能提交一次。感谢您的参与!"),
        ),
        "throttled": (429, _("提交过于频繁"), _("提交过于频繁,请稍后再试。")),
    }


#: Signs the moment the questionnaire was shown, so the time taken cannot be made up.
_STARTED_SALT = "jixiao.surveys.started"


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def throttled(address: str) -> bool:
    """True when this address has made more than the allowed number of submissions in the
    window. Counted in Django's cache: with the default local-memory cache each server
    process counts on its own (a limit of N per process); a shared cache makes it global."""
    limit = int(getattr(settings, "JIXIAO_SURVEY_RATE_LIMIT", 30))
    window = int(getattr(settings, "JIXIAO_SURVEY_RATE_WINDOW", 600))
    if limit <= 0:
        return False
    key = f"survey-rate:{services.client_hash(address)}:{int(timezone.now().timestamp()) // window}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False


def _polite(request: HttpRequest, code: str) -> HttpResponse:
    status, title, text = _unavailable_messages()[code]
    return render(
        request, "surveys/public/unavailable.html", {"title": title, "text": text}, status=status
    )


def _seconds_since(started: str) -> int | None:
    try:
        moment = signing.loads(started, salt=_STARTED_SALT, max_age=86400)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return max(int(timezone.now().timestamp() - float(moment)), 0)


@login_not_required
@never_cache
def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    """The respondent's page: no login, Chinese, one submission per link."""
    translation.activate("zh-hans")
    request.LANGUAGE_CODE = "zh-hans"
    address = _address(request)
    posted = request.method == "POST"
    if posted and throttled(address):
        return _polite(request, "throttled")
    if posted:
        # The usual submission reads the questions (one query) and leaves every check of
        # the link to submit_response, under the lock of the token's row.
        questions = services.questions_for_token(token)
        comment = bool(questions[0].survey_comment_enabled) if questions else True  # type: ignore[attr-defined]
        form = PublicAnswerForm(request.POST, questions=questions, comment=comment)
        if form.is_valid():
            try:
                services.submit_response(
                    token=token,
                    answers=form.answers(),
                    comment=form.cleaned_data.get("comment", ""),
                    seconds_taken=_seconds_since(form.cleaned_data.get("started", "")),
                    address=address,
                    questions=questions,
                )
            except services.SurveyUnavailable as exc:
                return _polite(request, exc.code)
            except ValidationError:
                messages.error(request, _("请回答每一道题。"))
            else:
                return redirect("survey_thanks")
    try:
        link = services.link_for_token(token)
        survey = services.open_survey_of(link)
    except services.SurveyUnavailable as exc:
        if not posted and exc.code == "invalid" and throttled(address):
            return _polite(request, "throttled")
        return _polite(request, exc.code)
    if posted:
        # Answers missing or not among the options: the form again, with its errors.
        questions = [q for q in questions if q.survey_id == survey.pk] or services.questions_of(
            survey, link.questions_stamp
        )
        form = PublicAnswerForm(request.POST, questions=questions, comment=survey.comment_enabled)
        form.is_valid()
    else:
        form = PublicAnswerForm(
            questions=services.questions_of(survey, link.questions_stamp),
            comment=survey.comment_enabled,
        )
        form.initial["started"] = signing.dumps(timezone.now().timestamp(), salt=_STARTED_SALT)
    context = {
        "survey": survey,
        "form": form,
        "greeting": link.respondent_name if survey.greeting_enabled else "",
        "unit_name": link.unit_name,
    }
    return render(request, "surveys/public/survey.html", context)


@login_not_required
def public_thanks(request: HttpRequest) -> HttpResponse:
    translation.activate("zh-hans")
    return render(request, "surveys/public/thanks.html")
