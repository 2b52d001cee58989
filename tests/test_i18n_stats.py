"""Statistics and review in both languages: the headline sentences per period kind and change,
the statistics page, a chart, the downloads' unchanged columns, `--labels zh`, the review pages
and flashes in Chinese."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from flask import get_template_attribute
from openpyxl import load_workbook

from ipr_apps.errors import ConflictError
from ipr_apps.i18n import format_month, format_quantity, format_year, in_language
from ipr_apps.models import Role
from ipr_apps.services import dashboard, enforcement, exports, review
from ipr_apps.services.periods import By, Period
from tests.test_dashboard import ARGS, decided_2019, org  # noqa: F401 (fixtures)
from tests.test_enforcement_stats import PAGE, seed_halves  # noqa: F401 (fixtures)
from tests.test_review_pages import _submitted, holder  # noqa: F401 (fixture)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
H1, Q3, MARCH, YEAR = (Period(By.HALF, 2019, 1), Period(By.QUARTER, 2020, 3),
                       Period(By.MONTH, 2019, 3), Period(By.YEAR, 2024, 1))  # fmt: skip


def approvals(app, locale: str, period: Period | None, approved=0, previous=0, by=None) -> str:
    """The approvals headline as the page words it, in `locale`."""
    macro = get_template_attribute("stats/_headline.html", "approvals")
    row = {"approved": approved, "approved_prev_year": previous}
    headline = None if period is None else dashboard.headline(period, row)
    with app.test_request_context(), in_language(locale):
        return str(macro(headline, by or period.by))


def enforcement_sentence(app, locale: str, period: Period, row: dict) -> str:
    macro = get_template_attribute("stats/_headline.html", "enforcement")
    with app.test_request_context(), in_language(locale):
        return str(macro(enforcement.Headline(period, row), period.by))


# -- The approvals headline ----------------------------------------------------------------

APPROVALS = [
    (H1, 5501, 4877,
     "In the first half of 2019, customs approved 5,501 applications for IPR customs "
     "protection, up 12.8% year on year.",
     "2019年上半年，海关共核准知识产权海关保护备案申请5,501件，同比增长12.8%。"),
    (Q3, 97, 100,
     "In the third quarter of 2020, customs approved 97 applications for IPR customs "
     "protection, down 3.0% year on year.",
     "2020年第三季度，海关共核准知识产权海关保护备案申请97件，同比下降3.0%。"),
    (MARCH, 40, 40,
     "In March 2019, customs approved 40 applications for IPR customs protection, unchanged "
     "year on year.",
     "2019年3月，海关共核准知识产权海关保护备案申请40件，与上年同期持平。"),
    (YEAR, 21614, 0,
     "In 2024, customs approved 21,614 applications for IPR customs protection (no approvals "
     "in the same period a year earlier).",
     "2024年，海关共核准知识产权海关保护备案申请21,614件（上年同期无核准）。"),
    (Period(By.HALF, 2019, 2), 1, 0,
     "In the second half of 2019, customs approved 1 application for IPR customs protection "
     "(no approvals in the same period a year earlier).",
     "2019年下半年，海关共核准知识产权海关保护备案申请1件（上年同期无核准）。"),
    (Period(By.QUARTER, 2019, 1), 1, 2,
     "In the first quarter of 2019, customs approved 1 application for IPR customs "
     "protection, down 50.0% year on year.",
     "2019年第一季度，海关共核准知识产权海关保护备案申请1件，同比下降50.0%。"),
    (H1, 100001, 100000,
     "In the first half of 2019, customs approved 100,001 applications for IPR customs "
     "protection, up less than 0.1% year on year.",
     "2019年上半年，海关共核准知识产权海关保护备案申请100,001件，同比增长不足0.1%。"),
]  # fmt: skip


@pytest.mark.parametrize(("period", "approved", "previous", "english", "chinese"), APPROVALS)
def test_approvals_headline_in_both_languages(app, period, approved, previous, english, chinese):
    assert approvals(app, "en", period, approved, previous) == english
    assert approvals(app, "zh_Hans", period, approved, previous) == chinese


@pytest.mark.parametrize(
    ("by", "english", "chinese"),
    [
        (By.YEAR, "No year in the selected range has ended yet, so there is no headline.",
         "所选范围内尚无已结束的年度，因此暂无统计概要。"),
        (By.MONTH, "No month in the selected range has ended yet, so there is no headline.",
         "所选范围内尚无已结束的月份，因此暂无统计概要。"),
    ],
)  # fmt: skip
def test_no_complete_period_in_both_languages(app, by, english, chinese):
    assert approvals(app, "en", None, by=by) == english
    assert approvals(app, "zh_Hans", None, by=by) == chinese


def test_period_phrases(app):
    phrases = {
        "en": ["March 2019", "the first quarter of 2019", "the fourth quarter of 2019",
               "the first half of 2019", "the second half of 2019", "2019"],
        "zh_Hans": ["2019年3月", "2019年第一季度", "2019年第四季度", "2019年上半年",
                    "2019年下半年", "2019年"],
    }  # fmt: skip
    periods = [Period(By.MONTH, 2019, 3), Period(By.QUARTER, 2019, 1),
               Period(By.QUARTER, 2019, 4), Period(By.HALF, 2019, 1), Period(By.HALF, 2019, 2),
               Period(By.YEAR, 2019, 1)]  # fmt: skip
    for locale, expected in phrases.items():
        with app.test_request_context(), in_language(locale):
            assert [p.phrase for p in periods] == expected


def test_quantities_months_and_years(app):
    with app.test_request_context(), in_language("en"):
        values = [format_quantity(n) for n in (23_810_000, 1_000_000, 999_999, 15_000, 7)]
        assert values == ["23.81 million", "1.00 million", "999,999", "15,000", "7"]
        assert (format_month(date(2019, 3, 1)), format_year(date(2019, 3, 1))) == (
            "March 2019", "2019"
        )  # fmt: skip
    with app.test_request_context(), in_language("zh_Hans"):
        values = [format_quantity(n) for n in (23_810_000, 1_000_000, 12_500, 9_999)]
        assert values == ["2,381万", "100万", "1.25万", "9,999"]
        assert (format_month(date(2019, 3, 1)), format_year(date(2019, 3, 1))) == (
            "2019年3月", "2019年"
        )  # fmt: skip


# -- The enforcement headline --------------------------------------------------------------


def figures(batches, before, items, items_before, value) -> dict:
    return {"batches": batches, "batches_prev_year": before, "items": items,
            "items_prev_year": items_before, "value_cny": Decimal(value)}  # fmt: skip


ENFORCEMENT = [
    (figures(6241, 6149, 23_810_000, 11_863_000, "78730000.00"),
     "In the first half of 2019, customs detained 6,241 batches of suspected infringing goods, "
     "23.81 million items worth ¥78.73 million. Year on year: batches up 1.5%, items up 100.7%.",
     "2019年上半年，海关共扣留侵权嫌疑货物6,241批次、2,381万件，货值7,873万元。"
     "与上年同期相比，批次增长1.5%，件数增长100.7%。"),
    (figures(1, 0, 1, 0, "0.50"),
     "In the first half of 2019, customs detained 1 batch of suspected infringing goods, 1 item "
     "worth ¥0.50. No goods were detained in the same period a year earlier.",
     "2019年上半年，海关共扣留侵权嫌疑货物1批次、1件，货值0.50元。上年同期未扣留侵权嫌疑货物。"),
    (figures(2, 3, 1234, 1236, "12345.67"),
     "In the first half of 2019, customs detained 2 batches of suspected infringing goods, "
     "1,234 items worth ¥12,345.67. Year on year: batches down 33.3%, items down 0.2%.",
     "2019年上半年，海关共扣留侵权嫌疑货物2批次、1,234件，货值1.23万元。"
     "与上年同期相比，批次下降33.3%，件数下降0.2%。"),
    (figures(1, 1, 7, 0, "1"),
     "In the first half of 2019, customs detained 1 batch of suspected infringing goods, 7 items "
     "worth ¥1.00. Year on year: batches unchanged, no items a year earlier.",
     "2019年上半年，海关共扣留侵权嫌疑货物1批次、7件，货值1.00元。"
     "与上年同期相比，批次持平，上年同期件数为零。"),
    (figures(0, 0, 0, 0, "0"),
     "Customs detained no suspected infringing goods in the first half of 2019, nor in the same "
     "period a year earlier.",
     "2019年上半年，海关未扣留侵权嫌疑货物，上年同期亦未扣留。"),
    (figures(0, 5, 0, 9, "0"),
     "Customs detained no suspected infringing goods in the first half of 2019, against 5 "
     "batches in the same period a year earlier.",
     "2019年上半年，海关未扣留侵权嫌疑货物，上年同期扣留5批次。"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "english", "chinese"), ENFORCEMENT)
def test_enforcement_headline_in_both_languages(app, row, english, chinese):
    assert enforcement_sentence(app, "en", H1, row) == english
    assert enforcement_sentence(app, "zh_Hans", H1, row) == chinese


# -- The statistics page and a chart --------------------------------------------------------


@pytest.mark.usefixtures("decided_2019")
def test_statistics_page_in_chinese(client, login, make_user):
    login(make_user(Role.ADMIN))
    html = client.get("/stats/", query_string={**ARGS, "group_by": "ipr_type"}, headers=ZH)
    page = html.get_data(as_text=True)
    headline = re.search(r'data-testid="headline">([^<]*)<', page)[1]
    assert headline == "2019年下半年，海关共核准知识产权海关保护备案申请3件，同比增长50.0%。"
    chinese_words = (
        "备案申请核准统计",
        "按半年统计的备案申请和备案",
        "执法情况",
        "指标说明",
        "办理时间",
        "今日积压情况",
        "待认领",
        "下载分期数据",
        "按权利类型",
        "商标",
    )
    for text in chinese_words:
        assert text in page, text
    english_words = (
        "Approval statistics",
        "Definitions",
        "Processing time",
        "Backlog today",
        "Download the per-period figures",
        "Right type",
        "customs approved",
    )
    for english in english_words:
        assert english not in page, english
    recordations = re.search(r'data-testid="recordations-latest">(.*?)</p>', page, re.S)[1]
    assert recordations == (  # no space between Chinese sentences
        "2019年下半年末，有效备案共0件。该期间海关共核准续展0件。同期有0件备案期满或因权利失效而终止。"
    )
    coverage = re.search(r'data-testid="coverage">\s*([^<]*?)\s*<', page)[1]
    assert "（2018年1月1日至2019年12月31日）" in coverage
    assert re.search(r'<option[^>]*value="half"[^>]*>半年</option>', page)  # the selector
    countries = re.findall(r'data-country="([A-Z]{2})"><th scope="row">([^<]*)</th>', page)
    assert countries and all(name.endswith(f"（{code}）") for code, name in countries)


@pytest.mark.usefixtures("decided_2019")
def test_statistics_page_in_english_keeps_its_words(client, login, make_user):
    login(make_user(Role.REVIEWER))
    page = client.get("/stats/", query_string=ARGS, headers=EN).get_data(as_text=True)
    assert "(1 Jan 2018 to 31 Dec 2019)" in page
    assert "备案" not in page


@pytest.mark.usefixtures("seed_halves")
def test_enforcement_headline_on_the_page_in_chinese(client, login, make_user):
    login(make_user(Role.REVIEWER))
    page = client.get("/stats/", query_string=PAGE, headers=ZH).get_data(as_text=True)
    start = page.index('data-testid="enforcement-headline">') + len(
        'data-testid="enforcement-headline">'
    )
    assert page[start : page.index("</p>", start)] == (
        "2019年上半年，海关共扣留侵权嫌疑货物6,241批次、2,381万件，货值7,873万元。"
        "与上年同期相比，批次增长1.5%，件数增长100.7%。"
    )


@pytest.mark.usefixtures("decided_2019")
def test_chart_in_chinese(client, login, make_user):
    login(make_user(Role.REVIEWER))
    svg = client.get("/stats/chart/approvals.svg", query_string=ARGS, headers=ZH)
    text = svg.get_data(as_text=True)
    assert "按半年统计的核准备案申请" in text and "上年同期" in text and ">已核准<" in text
    assert "Applications approved" not in text and "Same period a year earlier" not in text
    assert "Noto Sans CJK SC" in text  # a CJK font family in the chart's style
    types = client.get("/stats/chart/types.svg", query_string=ARGS, headers=ZH)
    svg_text = types.get_data(as_text=True)
    assert "按权利类型统计的核准备案申请" in svg_text
    # Chinese axis labels fit: a right-aligned label ends at the plot's left edge + x and
    # needs 12 px a character; pygal measured them as Latin letters and cut 外观设计专利 to
    # 卜观设计专利 at the chart's edge.
    plot_x = float(re.search(r'translate\(([\d.]+), [\d.]+\)" class="plot"', svg_text).group(1))
    labels = re.findall(r'<text x="([-\d.]+)"[^>]*>([\u3400-\u9fff]+)</text>', svg_text)
    sized = [(word, plot_x + float(x) - 12 * len(word)) for x, word in labels if "专利" in word]
    assert sized and all(left >= 0 for _word, left in sized), sized
    english = client.get("/stats/chart/approvals.svg", query_string=ARGS, headers=EN)
    assert "Applications approved per half year" in english.get_data(as_text=True)


# -- Downloads: the columns are a contract --------------------------------------------------


@pytest.mark.usefixtures("decided_2019")
@pytest.mark.parametrize("figures_of", ["approvals", "enforcement"])
def test_downloads_are_the_same_in_both_languages(client, login, make_user, figures_of):
    login(make_user(Role.ADMIN))
    args = {**ARGS, "figures": figures_of}
    for fmt in ("csv", "json", "xlsx"):
        chinese = client.get(f"/stats/export.{fmt}", query_string=args, headers=ZH).get_data()
        english = client.get(f"/stats/export.{fmt}", query_string=args, headers=EN).get_data()
        if fmt == "xlsx":
            chinese, english = (_sheet(body) for body in (chinese, english))
        assert chinese == english, fmt
    layout = exports.APPROVALS if figures_of == "approvals" else exports.ENFORCEMENT
    body = client.get("/stats/export.csv", query_string=args, headers=ZH).get_data(as_text=True)
    assert next(csv.reader(io.StringIO(body.lstrip("\ufeff")))) == list(layout.columns)
    body = client.get("/stats/export.json", query_string=args, headers=ZH).get_data(as_text=True)
    assert list(json.loads(body)[0]) == list(layout.columns)


def _sheet(body: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("command", "layout", "labels"),
    [
        ("export-stats", exports.APPROVALS,
         ["统计期", "分组", "受理", "已核准", "已驳回", "上年同期核准", "同比（%）", "期末有效备案",
          "核准续展", "期满及权利失效"]),
        ("export-enforcement-stats", exports.ENFORCEMENT,
         ["统计期", "分组", "批次", "件数", "货值（元）", "上年同期批次", "上年同期件数",
          "上年同期货值（元）", "批次同比（%）", "件数同比（%）", "货值同比（%）"]),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("decided_2019")
def test_cli_xlsx_labels_row(app, tmp_path, command, layout, labels):
    runner = app.test_cli_runner()
    args = ["ipr", command, "--by", "half", "--from", "2018-01-01", "--to", "2019-12-31",
            "--format", "xlsx"]  # fmt: skip
    plain, labelled = tmp_path / "plain.xlsx", tmp_path / "labelled.xlsx"
    assert runner.invoke(args=[*args, "--output", str(plain)]).exit_code == 0
    result = runner.invoke(args=[*args, "--output", str(labelled), "--labels", "zh"])
    assert result.exit_code == 0, result.output
    without, with_labels = _sheet(plain.read_bytes()), _sheet(labelled.read_bytes())
    assert without[0] == with_labels[0] == tuple(layout.columns)
    assert list(with_labels[1]) == labels
    assert with_labels[2:] == without[1:]  # the data rows follow, unchanged
    english = runner.invoke(args=[*args, "--output", str(plain), "--labels", "en"])
    assert english.exit_code == 0
    assert _sheet(plain.read_bytes())[1][:3] == ("Period", "Group", labels_en(command))


def labels_en(command: str) -> str:
    return "Received" if command == "export-stats" else "Batches"


def test_cli_labels_only_for_xlsx(app):
    result = app.test_cli_runner().invoke(
        args=["ipr", "export-stats", "--by", "year", "--from", "2019-01-01", "--to",
              "2019-12-31", "--labels", "zh"]
    )  # fmt: skip
    assert result.exit_code != 0 and "--labels" in result.output


# -- The review queue and page --------------------------------------------------------------


@pytest.fixture
def zhao(make_user, login):
    user = make_user(Role.REVIEWER, name="Officer Zhao")
    login(user)
    return user


def test_queue_in_chinese(client, zhao, holder):  # noqa: F811 (fixture)
    application = _submitted(holder)
    page = client.get("/review/", headers=ZH).get_data(as_text=True)
    for text in ("审核队列", "认领下一件（期限最早）", "待认领", "等待权利人补正",
                 "已决定（近30天）", "申请编号", "剩余工作日", "筛选"):  # fmt: skip
        assert text in page, text
    assert "Review queue" not in page and "Claim next" not in page
    submitted = application.first_submitted_at.date()
    assert f"{submitted.year}年{submitted.month}月{submitted.day}日" in page


def test_review_page_and_flashes_in_chinese(client, zhao, holder):  # noqa: F811 (fixture)
    application = _submitted(holder)
    response = client.post(f"/review/{application.id}/claim", headers=ZH, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"您已认领{application.reference}。" in page
    for text in ("决定期限", "作出决定", "要求补正", "驳回理由", "材料不齐全或无效", "内部备注",
                 "办理记录", "个工作日"):  # fmt: skip
        assert text in page, text
    assert "Decision deadline" not in page and "Grounds for refusal" not in page
    refused = client.post(f"/review/{application.id}/reject", data={"message": ""}, headers=ZH)
    assert refused.status_code == 422
    assert "请至少选择一项驳回理由。" in refused.get_data(as_text=True)
    confirm = client.post(f"/review/{application.id}/reject", headers=ZH,
                          data={"reason_codes": ["other"], "message": "不符合"})  # fmt: skip
    expected = f'驳回<span class="ref">{application.reference}</span>？'
    assert expected in confirm.get_data(as_text=True)
    data = {"reason_codes": ["other"], "message": "不符合", "confirm": "1"}
    done = client.post(f"/review/{application.id}/reject", headers=ZH, data=data,
                       follow_redirects=True)  # fmt: skip
    assert f"{application.reference}已驳回。" in done.get_data(as_text=True)


def test_service_errors_in_chinese(app, zhao, holder, make_user):  # noqa: F811 (fixture)
    application = _submitted(holder)
    review.claim(make_user(Role.REVIEWER, name="Officer Li"), application.id)
    with app.test_request_context(headers=ZH), pytest.raises(ConflictError) as raised:
        review.claim(zhao, application.id)
    assert raised.value.message == f"{application.reference}刚刚已被Officer Li认领。"
