"""The administration pages in Chinese: every admin page, a form's validation errors, flashes,
locale formatting (dates, money), and the jobs' error reports, which are written in the
language of the admin who started the job (the worker runs the job in that language)."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from ipr_apps import i18n
from ipr_apps.db import db
from ipr_apps.models import Job, JobKind, JobStatus, Role, utcnow
from ipr_apps.models.base import clock_at
from ipr_apps.services import districts, guarantees, job_files, job_runs, jobs
from tests.import_files import csv_text, row

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture(autouse=True)
def jobs_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_FOLDER", str(tmp_path / "jobs"))


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="管理员吴")


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


def _text(response) -> str:
    """The page's visible text, roughly: tags out (inline ones leave no gap), whitespace
    collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(time|span|a|code|wbr)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _zh(client, url: str) -> str:
    response = client.get(url, headers=ZH)
    assert response.status_code == 200, url
    assert '<html lang="zh-Hans"' in response.get_data(as_text=True)
    return _text(response)


# Each admin page: Chinese it must show, English it must no longer show.
PAGES = [
    ("/admin/", ["管理", "创建工作人员账户", "各状态的备案申请"], ["Create a staff account"]),
    (
        "/admin/users",
        ["创建工作人员账户", "创建时间", "最近登录", "从未登录"],
        ["Last sign-in", "Organisation or"],
    ),
    (
        "/admin/users/new",
        ["创建审核人员、管理员或口岸关员账户", "初始密码", "口岸关员（扣留案件）"],
        ["Initial password", "Port officer (detention cases)"],
    ),
    (
        "/admin/jobs",
        ["导入备案…", "导入扣留案件…", "后台运行"],
        ["Import recordations", "run in the"],
    ),
    (
        "/admin/jobs/import",
        ["全部导入或全部不导入", "approved（核准）", "历史数据文件（CSV）"],
        ["All or nothing", "History file", "above."],
    ),
    (
        "/admin/jobs/import-cases",
        ["扣留案件", "cross_border_ecommerce", "货值"],
        ["All or nothing", "is a whole number"],
    ),
    ("/admin/districts", ["关区", "4位关区代码"], ["Every customs officer", "Add a district"]),
    (
        "/admin/districts/new",
        ["添加关区", "关区代码", "中文名称"],
        ["District code", "Name (Chinese)"],
    ),
    ("/admin/guarantees", ["总担保", "搜索权利人"], ["General guarantees", "Search holders"]),
    ("/admin/mail", ["邮件", "待发送", "发送失败"], ["Every e-mail is kept", "Pending"]),
    ("/admin/security-log", ["安全日志", "任意操作", "操作人邮箱"], ["Any action", "Actor e-mail"]),
]


@pytest.mark.parametrize(("url", "chinese", "english"), PAGES, ids=[p[0] for p in PAGES])
def test_admin_pages_are_in_chinese(as_admin, make_user, url, chinese, english):
    make_user(Role.OFFICER)  # a district and an officer, so the lists have rows
    text = _zh(as_admin, url)
    for words in chinese:
        assert words in text, (url, words)
    for words in english:
        assert words not in text, (url, words)


def test_a_validation_error_is_in_chinese(as_admin):
    response = as_admin.post("/admin/districts/new", data={"code": "", "name_local": "海关"},
                             headers=ZH)  # fmt: skip
    text = _text(response)
    assert response.status_code == 200 and "请输入4位关区代码。" in text
    assert "Enter the 4-digit customs code" not in text
    # the service's own check, shown beside the field
    text = _text(as_admin.post("/admin/districts/new", data={"code": "53", "name_local": "海关"},
                               headers=ZH))  # fmt: skip
    assert "关区代码必须为4位数字，例如 5301。" in text and "exactly 4 digits" not in text


def test_wtforms_own_messages_are_in_chinese_too(as_admin):
    data = {"email": "not-an-address", "name": "", "role": "admin", "password": "x" * 12,
            "confirm": "y" * 12}  # fmt: skip
    text = _text(as_admin.post("/admin/users/new", data=data, headers=ZH))
    assert "该字段是必填字段。" in text and "无效的 Email 地址。" in text  # WTForms' catalogue
    assert "两次输入的密码不一致。" in text  # ours
    assert "This field is required" not in text and "Passwords differ" not in text


def test_buttons_are_in_chinese(as_admin):
    html = as_admin.get("/admin/jobs/import", headers=ZH).get_data(as_text=True)
    assert 'value="上传并导入"' in html and "Upload and import" not in html


def test_a_flash_is_in_chinese_with_both_names_the_chinese_first(as_admin):
    data = {"code": "5300", "name_local": "深圳海关", "name_en": "Shenzhen Customs"}
    response = as_admin.post("/admin/districts/new", data=data, headers=ZH, follow_redirects=True)
    text = _text(response)
    assert "已添加关区 5300 深圳海关（Shenzhen Customs）。" in text
    assert "added" not in text
    english = _text(as_admin.get("/admin/districts/5300/deactivate", headers=EN))
    assert "Deactivate customs district 5300 Shenzhen Customs (深圳海关)?" in english


def test_a_conflict_flash_is_in_chinese(as_admin, admin):
    districts.add_district(admin, "5302", "文锦渡海关")
    districts.set_active(admin, "5302", False)
    response = as_admin.post("/admin/districts/5302/deactivate", headers=ZH,
                             follow_redirects=True)  # fmt: skip
    assert "关区 5302 已处于停用状态。" in _text(response)


def test_guarantees_show_money_and_dates_for_the_locale(as_admin, admin, make_user):
    holder = make_user(Role.HOLDER)
    until = date(date.today().year + 1, 6, 30)
    guarantees.set_guarantee(admin, holder.organisation_id, "500000", until)
    text = _zh(as_admin, "/admin/guarantees")
    assert "50万元" in text and f"{until.year}年6月30日" in text
    assert f"Organisation {holder.id}" not in text or "（" in text  # both names, Chinese first
    page = _zh(as_admin, f"/admin/guarantees/{holder.organisation_id}")
    assert f"已登记：500,000.00元，有效期至{until.year}年6月30日。" in page
    english = _text(as_admin.get("/admin/guarantees", headers=EN))
    assert "¥500,000.00" in english and f"30 Jun {until.year}" in english


# --- jobs: the error report in the starter's language ------------------------------------------


def _upload(client, text: str, headers: dict) -> int:
    data = {"file": (io.BytesIO(text.encode("utf-8")), "历史.csv")}
    response = client.post("/admin/jobs/import", data=data, headers=headers,
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    return int(re.fullmatch(r"/admin/jobs/(\d+)", response.headers["Location"])[1])


def _fresh(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_an_import_started_in_chinese_reports_its_errors_in_chinese(as_admin):
    bad = csv_text(row("OLD-1"), row("OLD-2", decision="rejected", recordation_number=""))
    job_id = _upload(as_admin, bad, ZH)
    job = _fresh(job_id)
    assert job.status == JobStatus.FAILED and job.parameters["locale"] == "zh_Hans"
    assert job.error == "1 行无效，未导入任何数据。"
    assert job.error_lines == ["第 3 行，valid_until 列：决定为 rejected（驳回）时必须为空"]
    page = _zh(as_admin, f"/admin/jobs/{job_id}")
    assert "出错原因" in page and "1 行无效" in page and "重新运行此任务" in page
    assert "What went wrong" not in page and "invalid row" not in page
    # The report keeps the language it was written in; the page around it follows the reader.
    english = _text(as_admin.get(f"/admin/jobs/{job_id}", headers=EN))
    assert "What went wrong" in english and "1 行无效" in english


def test_the_same_import_started_in_english_reports_in_english(as_admin):
    bad = csv_text(row("OLD-1", decision="maybe"))
    job = _fresh(_upload(as_admin, bad, EN))
    assert job.parameters["locale"] == "en" and job.error == "1 invalid row; nothing was imported."
    assert job.error_lines == ["line 2, column decision: maybe is not approved or rejected"]


def test_the_worker_writes_in_the_job_language_not_its_own(app, admin, monkeypatch):
    """No request in the worker: the job's stored language decides, not the instance default."""
    monkeypatch.setitem(app.config, "DEFAULT_LOCALE", "en")
    name = job_files.new_file_name("csv")
    job_files.folder().mkdir(parents=True, exist_ok=True)
    job_files.file_path(name).write_text("reference,ipr_type\n", encoding="utf-8")
    job = Job(kind=JobKind.IMPORT_RECORDATIONS, started_by_id=admin.id, input_file=name,
              parameters={"file_name": "h.csv", "locale": "zh_Hans"})  # fmt: skip
    db.session.add(job)
    db.session.commit()
    assert job_runs.run(job.id) == JobStatus.FAILED
    failed = _fresh(job.id)
    assert failed.error == "表头不符，未导入任何数据。"
    assert failed.error_lines[0].startswith("第 1 行：表头应为 reference,ipr_type,")


def test_a_dead_worker_is_reported_in_each_job_language_and_not_as_an_import(admin):
    export = {"by": "half", "from": "2019-01-01", "to": "2019-06-30", "group_by": None,
              "format": "csv"}  # fmt: skip
    made = []
    for locale in ("zh_Hans", "en", None):
        parameters = dict(export, **({"locale": locale} if locale else {}))
        job = Job(kind=JobKind.EXPORT_STATS, started_by_id=admin.id, parameters=parameters)
        db.session.add(job)
        db.session.commit()
        made.append(job.id)
    start = utcnow()
    with clock_at(start):
        for job_id in made:
            jobs.claim(job_id)
    with clock_at(start + jobs.STALE_AFTER + timedelta(seconds=1)):
        assert jobs.mark_stale_failed() == 3
    chinese, english, unknown = (_fresh(job_id).error for job_id in made)
    assert chinese.startswith("运行此任务的后台进程已停止（5 分钟无响应）")
    assert english.startswith("The worker stopped while running this job")
    assert "import" not in english  # an export: the error speaks of the job, not an import
    assert unknown == english  # no language stored (the CLI): the instance default (en here)


def test_job_list_and_page_in_chinese(as_admin, admin):
    job_id = _upload(as_admin, csv_text(row("OLD-1")), ZH)
    listed = _zh(as_admin, "/admin/jobs")
    assert "备案导入" in listed and "已完成" in listed and "已导入 1，已跳过 0" in listed
    page = _zh(as_admin, f"/admin/jobs/{job_id}")
    assert f"任务 {job_id}：备案导入" in page
    assert "已导入 1 项备案；跳过 0 项已有备案。" in page
    assert re.search(r"保留至\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（UTC）。", page)


def test_an_export_job_describes_its_figures_in_chinese(as_admin, admin):
    job = jobs.start_export(admin, "half", date(2018, 1, 1), date(2019, 6, 30), None, "csv",
                            figures="enforcement")  # fmt: skip
    page = _zh(as_admin, f"/admin/jobs/{job.id}")
    assert "按半年统计的扣留案件，2018年1月1日至2019年6月30日，CSV" in page
    assert "执法统计数据导出" in page


def test_security_log_details_in_chinese(app, make_user):
    from ipr_apps.admin.security_log import describe

    with app.app_context(), app.test_request_context("/", headers=ZH):
        assert describe({"reason": "logout", "sessions": [1, 2], "import": True}) == [
            "原因：已退出登录",
            "2 个会话",
            "从文件导入",
        ]
        change = {"role": "officer", "before": {"amount_cny": None, "until": "2030-01-31"}}
        expected = ["角色：口岸关员", "有效期至：2030年1月31日 → —"]
        assert describe(change) == expected
    with app.app_context(), app.test_request_context("/", headers=EN):
        expected = ["Reason: signed out", "1 session"]
        assert describe({"reason": "logout", "sessions": [1]}) == expected


def test_security_log_changes_name_roles_in_the_readers_words(app):
    """A change recorded as {"before": {"role": "reviewer"}} reads 审核人员 on a Chinese page."""
    from ipr_apps.admin.security_log import describe

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        text = " · ".join(describe({"before": {"role": "reviewer"}, "after": {"role": "admin"}}))
    assert text == "角色：审核人员 → 管理员"


@pytest.mark.parametrize(
    ("detail", "english", "chinese"),
    [
        (
            {"before": {"amount_cny": "500000.50", "until": "2030-01-31"},
             "after": {"amount_cny": "800000.00", "until": "2030-01-31"}},
            ["Amount (CNY): ¥500,000.50 → ¥800,000.00"],
            ["金额（人民币元）：500,000.50元 → 800,000.00元"],
        ),
        (
            {"before": {"amount_cny": "800000.00", "until": "2030-01-31"}},
            ["Amount (CNY): ¥800,000.00 → —", "Valid until: 31 Jan 2030 → —"],
            ["金额（人民币元）：800,000.00元 → —", "有效期至：2030年1月31日 → —"],
        ),
        (
            {"name_local": "深圳海关", "name_en": "Shenzhen Customs"},
            ["Name (Chinese): 深圳海关", "Name (English): Shenzhen Customs"],
            ["中文名称：深圳海关", "英文名称：Shenzhen Customs"],
        ),
        ({"name": "Typhoon", "working": True}, ["Name: Typhoon", "A working day"],
         ["名称：Typhoon", "工作日"]),
        ({"colour": "blue"}, ["colour: blue"], ["colour：blue"]),
    ],
)  # fmt: skip
def test_security_log_names_recorded_fields_in_the_readers_words(app, detail, english, chinese):
    """The guarantee's and the district's recorded fields read as the forms name them, a
    change as "field: before → after" (it showed amount_cny, until, name_local: … raw)."""
    from ipr_apps.admin.security_log import describe

    for locale, expected in (("en", english), ("zh_Hans", chinese)):
        with app.test_request_context("/"), i18n.in_language(locale):
            assert describe(detail) == expected
