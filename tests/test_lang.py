"""Ukrainian and Russian reports (issue 23): the language seam, inflected places, claims, dates,
sources and modality. Every sentence here is written for these tests."""

from __future__ import annotations

import pytest

from claimledger.extract import extract_claims
from claimledger.geo import find_places
from claimledger.lang import detect, language_of, profile, profile_of
from claimledger.model import Report
from claimledger.pipeline import clean_report


def _report(text: str, language: str | None, published: str = "2022-08-18") -> Report:
    return clean_report(
        Report(
            report_id="r-test",
            sha256="0" * 64,
            path=None,
            url=None,
            outlet=None,
            title=None,
            published=published,
            language=language,
            text=text,
        )
    )


def _claims(text: str, language: str | None, published: str = "2022-08-18"):
    report = _report(text, language, published)
    return extract_claims(report, None, find_places(text, language=language or ""))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Окупанти знову обстріляли околиці міста, є поранені.", "uk"),
        ("Военные сообщили, что ночью над городом сбили беспилотник.", "ru"),
        ("Officials said the bridge was damaged overnight.", "en"),
    ],
)
def test_the_language_of_a_report_is_detected_from_its_text(text: str, code: str) -> None:
    assert detect(text) == code


def test_a_declared_language_the_script_contradicts_is_detected_again() -> None:
    assert language_of("en", "Окупанти знову обстріляли околиці міста.") == "uk"
    assert language_of("ru", "Росіяни вночі обстріляли село, загинула жінка.") == "ru"
    # An unrestricted detector's guess for a short post, with no profile, is told again.
    assert language_of("mk", "Росіяни вночі обстріляли село, загинула жінка.") == "uk"


def test_english_has_no_profile_and_ukrainian_and_russian_do() -> None:
    assert profile_of("en", "Officials said the bridge was damaged.") is None
    assert profile("uk") is not None and profile("ru") is not None
    assert profile("xx") is None and profile("../etc") is None


@pytest.mark.parametrize(
    ("text", "language", "surface", "name", "precision"),
    [
        ("Вибухи пролунали у Харкові вранці.", "uk", "Харкові", "Kharkiv", "place"),
        ("Бої тривають по Білогорівці та довкола неї.", "uk", "Білогорівці", "Bilohorivka", "place"),
        ("Ворог атакував позиції під Ізюмом.", "uk", "Ізюмом", "Izyum", "place"),
        ("Жители в Донецке слышали взрывы.", "ru", "Донецке", "Donetsk", "place"),
        ("Бои идут под Изюмом второй день.", "ru", "Изюмом", "Izyum", "place"),
        ("Колонна прошла через Кривом Роге.", "ru", "Кривом Роге", "Kryvyy Rih", "place"),
        ("Тривога лунала на Харківщині всю ніч.", "uk", "Харківщині", "Kharkiv", "admin1"),
        ("Снаряд влучив у будинок у Харківській області.", "uk", "Харківській області", "Kharkiv", "admin1"),
        ("Обстрел продолжился в Донецкой области.", "ru", "Донецкой области", "Donetsk", "admin1"),
        ("Гуманитарный груз доставили в Крым.", "ru", "Крым", "Crimea", "admin1"),
        ("Бої точаться на Сіверському напрямку.", "uk", "Сіверському", "Siversk", "place"),
        ("Склад вибухнув у Джанкойському районі.", "uk", "Джанкойському", "Dzhankoy", "place"),
        ("Ситуация у Запорожской АЭС остается напряженной.", "ru", "Запорожской АЭС", "Enerhodar", "place"),
        ("Под завалами в Новой Каховке остаются люди.", "ru", "Новой Каховке", "Nova Kakhovka", "place"),
    ],
)
def test_inflected_cyrillic_places_resolve_through_their_lemmas(
    text: str, language: str, surface: str, name: str, precision: str
) -> None:
    places = find_places(text, language=language)
    place = next(p for p in places if p.text == surface)
    assert (place.name, place.precision) == (name, precision)


def test_ukrainian_and_russian_spellings_of_one_town_are_one_place() -> None:
    (uk,) = find_places("Вибухи пролунали в Харкові.", language="uk")
    (ru,) = find_places("Взрывы прогремели в Харькове.", language="ru")
    assert uk.geonameid == ru.geonameid and uk.name == "Kharkiv"


@pytest.mark.parametrize(
    "text",
    [
        "Володимир Петренко розповів про свій день.",  # a given name before a surname
        "Коли стемніло, усі пішли додому.",  # a conjunction that spells a place elsewhere
        'Оперативне командування "Схід" звітує щодня.',  # a unit's name in quotes
        "Будівлю Миколаївської ОДА відновлюють.",  # an abbreviation in capitals
        "Новая техника прибыла вчера.",  # an adjective alone
    ],
)
def test_names_of_people_and_units_and_function_words_are_not_places(text: str) -> None:
    assert [p.name for p in find_places(text, language="uk") if p.precision == "place"] == []


def test_a_foreign_capital_beats_a_ukrainian_village_of_the_same_name() -> None:
    (place,) = find_places("Зустріч відбулася в Парижі.", language="uk")
    assert place.country == "FR"


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Окупанти обстріляли Херсон з артилерії.", "uk", "shelling"),
        ("Над містом збили ворожий безпілотник.", "uk", "air_strike"),
        ("Вночі у місті пролунали вибухи.", "uk", "explosive_device"),
        ("ЗСУ відбили атаку ворога біля села.", "uk", "armed_clash"),
        ("Поліція затримала двох підозрюваних.", "uk", "arrest"),
        ("Российские военные обстреляли окраину Херсона.", "ru", "shelling"),
        ("В результате удара погибли двое мирных жителей.", "ru", "shelling"),
        ("Подразделения освободили населенный пункт.", "ru", "territory_change"),
        ("Из села эвакуировали двести человек.", "ru", "displacement"),
    ],
)
def test_claim_types_are_found_by_lemmas_of_their_triggers(text: str, language: str, kind: str) -> None:
    claims = _claims(text, language)
    assert [c.type for c in claims] == [kind]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Окупанти можуть обстріляти місто вже завтра.", "uk"),  # a possibility
        ("Як відрізнити вибух від роботи ППО?", "uk"),  # an explainer
        ("Родинам загиблих виплатять допомогу.", "uk"),  # the future tense
        ("Противник, возможно, готовит новое наступление.", "ru"),
        ("Взятие города нанесет урон противнику.", "ru"),
        ("Сайт передавав координати для бомбардування.", "uk"),  # a purpose
        ("Сегодня в городе открылась новая школа.", "ru"),  # no event
        ("Факты предоставят после освобождения республики.", "ru"),  # the future before the trigger
        ("Президент заявив про можливий ракетний удар по місту.", "uk"),  # a possible strike
        ("Чим заклеїти вікна, щоб захиститися під час обстрілів", "uk"),  # an explainer
    ],
)
def test_forecasts_questions_and_purposes_are_not_claims(text: str, language: str) -> None:
    assert _claims(text, language) == []


@pytest.mark.parametrize(
    ("text", "language", "published", "start", "end"),
    [
        ("Минулої доби ворог обстріляв громаду.", "uk", "2022-03-20", "2022-03-19", "2022-03-20"),
        ("Вчора окупанти обстріляли село.", "uk", "2022-03-20", "2022-03-19", "2022-03-19"),
        ("16 серпня на складі пролунали вибухи.", "uk", "2022-08-18", "2022-08-16", "2022-08-16"),
        ("В ночь на 27 августа город обстреляли.", "ru", "2022-08-28", "2022-08-26", "2022-08-27"),
        ("Вчера противник обстрелял окраину.", "ru", "2022-08-28", "2022-08-27", "2022-08-27"),
        ("Минулого місяця невідомі пошкодили пам'ятник.", "uk", "2022-07-30", "2022-06-01", "2022-06-30"),
        ("В четвер у місті чули вибухи.", "uk", "2022-08-20", "2022-08-18", "2022-08-18"),
    ],
)
def test_dates_resolve_against_the_report_date(
    text: str, language: str, published: str, start: str, end: str
) -> None:
    (claim,) = _claims(text, language, published)
    assert (claim.date.start, claim.date.end) == (start, end)


def test_a_sentence_without_a_date_takes_the_date_its_paragraph_gave() -> None:
    text = "18 серпня у селі пролунали вибухи. Згодом ворог обстріляв околиці."
    claims = _claims(text, "uk", "2022-08-20")
    assert [c.date.start for c in claims] == ["2022-08-18", "2022-08-18"]


def test_a_report_date_alone_dates_an_undated_claim_by_the_report() -> None:
    (claim,) = _claims("Ворог обстріляв околиці міста.", "uk", "2022-08-20")
    assert (claim.date.start, claim.date.basis) == ("2022-08-20", "report")


@pytest.mark.parametrize(
    ("text", "language", "source", "kind"),
    [
        ("ЗСУ відбили наступ ворога біля міста - Генштаб", "uk", "Генштаб", "military"),
        ("Окупанти обстріляли лікарню, — голова ОВА", "uk", "голова ОВА", "government"),
        ("У Генштабі ЗСУ повідомили про бої на сході.", "uk", "Генштабі ЗСУ", "military"),
        (
            "Міський голова закликав не виходити з укриттів через вибухи.",
            "uk",
            "Міський голова",
            "government",
        ),
        ("За даними Повітряних сил, над областю збили ракету.", "uk", "Повітряних сил", "military"),
        ("В ДНР сообщили, что противник обстрелял окраину города.", "ru", "ДНР", "government"),
        ("Минобороны России заявило об уничтожении склада.", "ru", "Минобороны России", "military"),
        ("Пушилин: атаки противника отбиты.", "ru", "Пушилин", "government"),
    ],
)
def test_sources_are_read_from_verbs_of_saying_and_headline_conventions(
    text: str, language: str, source: str, kind: str
) -> None:
    (claim,) = _claims(text, language)
    (said,) = claim.attributions
    assert said.source.startswith(source) and said.kind == kind
    assert text[said.start : said.end] == source


def test_a_source_line_of_an_article_attributes_its_claims() -> None:
    text = "Ворог обстріляв околиці міста.  Джерело: Повітряні сили  Деталі: Над областю збили ракету."
    claims = _claims(text, "uk")
    assert claims and all(c.attributions[0].source.startswith("Повітряні сили") for c in claims)


def test_a_known_source_is_given_its_english_name() -> None:
    (claim,) = _claims("ЗСУ відбили наступ ворога біля міста - Генштаб", "uk")
    assert "General Staff" in claim.attributions[0].source


@pytest.mark.parametrize(
    ("text", "language", "mode"),
    [
        ("Окупанти нібито обстріляли власні позиції.", "uk", "alleged"),
        ("Міноборони заперечує, що обстріляло місто.", "uk", "denied"),
        ("Противник якобы обстрелял свои позиции.", "ru", "alleged"),
        ("Ведомство опровергло сообщения об обстреле школы.", "ru", "denied"),
        ("Окупанти обстріляли село.", "uk", "asserted"),
        ("Войска не штурмуют завод, заявили в ведомстве.", "ru", "denied"),
    ],
)
def test_modality_words_mark_alleged_and_denied_claims(text: str, language: str, mode: str) -> None:
    (claim,) = _claims(text, language)
    assert claim.modality == mode


def test_fields_are_language_neutral_and_the_summary_english() -> None:
    (claim,) = _claims("Окупанти обстріляли Херсон, — голова ОВА", "uk", "2022-08-18")
    assert claim.locations[0].name == "Kherson"
    assert claim.summary.startswith("Shelling in Kherson on 2022-08-18 — according to голова ОВА")


def test_a_claim_with_no_place_named_is_placed_in_the_profiles_country() -> None:
    (claim,) = _claims("Сили ППО збили ворожий літак.", "uk")
    assert [(p.name, p.precision) for p in claim.locations] == [("Ukraine", "country")]


def test_a_place_that_names_the_speaker_is_not_the_site() -> None:
    (claim,) = _claims("В Херсонской области заявили об обстреле моста.", "ru")
    assert all(p.role != "site" or p.precision == "country" for p in claim.locations)


@pytest.mark.parametrize(
    ("text", "language", "furniture"),
    [
        ("Окупанти обстріляли Херсон Читати далі", "uk", "Читати далі"),
        ("Противник обстрелял окраину. Реклама: купите окна", "ru", "Реклама:"),
    ],
)
def test_channel_furniture_is_boilerplate_and_never_evidence(
    text: str, language: str, furniture: str
) -> None:
    report = _report(text, language)
    at = text.index(furniture)
    assert any(s <= at and at + len(furniture) <= e for s, e in report.boilerplate)
    for claim in extract_claims(report, None, find_places(text, language=language)):
        assert all(e.end <= at or e.start >= at + len(furniture) for e in claim.evidence)


@pytest.mark.parametrize(
    ("query", "name", "precision"),
    [
        ("Ізюм, Харківська область", "Izyum", "place"),
        ("Харківська область", "Kharkiv", "admin1"),
        ("под Изюмом", "Izyum", "place"),
        ("Донецкая область", "Donetsk", "admin1"),
        ("Херсонщина", "Kherson", "admin1"),
    ],
)
def test_cyrillic_place_strings_are_located(query: str, name: str, precision: str) -> None:
    from claimledger.geo import locate_string

    best = locate_string(query)[0]
    assert (best.name, best.precision) == (name, precision)


@pytest.mark.slow
def test_the_pipeline_reads_a_ukrainian_report_through_its_profile(nlp) -> None:
    from claimledger.pipeline import analyse_reports

    text = "Окупанти обстріляли Херсон, є загиблі - ОВА Читати далі"
    ((report, claims),) = list(analyse_reports([_report(text, None)], processes=1))
    assert [(c.type, c.locations[0].name) for c in claims] == [("shelling", "Kherson")]
    assert claims[0].attributions[0].kind == "government"


def test_a_pronoun_speaker_takes_the_source_named_before() -> None:
    text = "Генштаб повідомив про бої на сході. Він додав, що ворог обстріляв село."
    claims = _claims(text, "uk")
    assert claims[-1].attributions[0].source.startswith("Генштаб")


@pytest.mark.slow
def test_a_ukrainian_channel_export_goes_through_end_to_end(ledger_url: str, tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from claimledger.cli import app

    posts = [
        "Окупанти обстріляли Херсон з артилерії, є поранені - ОВА Читати далі",
        "Вночі над Київщиною сили ППО збили ворожий безпілотник Читати далі",
        "Як правильно заклеїти вікна під час тривоги Читати далі",
    ]
    messages = [
        {"id": n, "type": "message", "date": f"2022-09-0{n}T09:00:00", "from": "Тестовий канал", "text": text}
        for n, text in enumerate(posts, start=1)
    ]
    export = tmp_path / "result.json"
    export.write_text(
        json.dumps({"name": "Тестовий канал", "type": "public_channel", "id": 7, "messages": messages}),
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(export), "--db", ledger_url]).exit_code == 0
    claims = [
        json.loads(line)
        for line in runner.invoke(app, ["export", "claims", "--db", ledger_url]).stdout.splitlines()
        if line.startswith("{")
    ]
    assert sorted((c["type"], c["locations"][0]["name"]) for c in claims) == [
        ("air_strike", "Kiev"),
        ("shelling", "Kherson"),
    ]
    assert all("Читати далі" not in e["text"] for c in claims for e in c["evidence"])


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["locate", "Вночі у Харкові пролунали вибухи"], "Kharkiv"),
        (["locate", "Ночью под Изюмом шли бои"], "Izyum"),
        (["locate", "--as-place", "Харківська область"], "Kharkiv"),
    ],
)
def test_locate_reads_cyrillic_text_and_place_strings(args: list[str], name: str) -> None:
    import json

    from typer.testing import CliRunner

    from claimledger.cli import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["places"][0]["name"] == name
