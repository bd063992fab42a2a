"""`locate` on Cyrillic text (issue 23): inflected forms of 50 Ukrainian towns and of the 24 oblasts,
the towns taken from the gazetteer's Cyrillic names (each form is checked against the place its
nominative names there), written for these tests in the cases war reports use them."""

from __future__ import annotations

import pytest

from claimledger.geo import find_places
from claimledger.geo.gazetteer import shared_gazetteer

# (phrase, language, the town's nominative as the gazetteer holds it)
TOWNS = [
    ("у Києві", "uk", "Київ"),
    ("у Харкові", "uk", "Харків"),
    ("в Одесі", "uk", "Одеса"),
    ("у Дніпрі", "uk", "Дніпро"),
    ("у Донецьку", "uk", "Донецьк"),
    ("у Запоріжжі", "uk", "Запоріжжя"),
    ("у Львові", "uk", "Львів"),
    ("у Кривому Розі", "uk", "Кривий Ріг"),
    ("у Миколаєві", "uk", "Миколаїв"),
    ("у Маріуполі", "uk", "Маріуполь"),
    ("у Луганську", "uk", "Луганськ"),
    ("у Вінниці", "uk", "Вінниця"),
    ("у Херсоні", "uk", "Херсон"),
    ("у Полтаві", "uk", "Полтава"),
    ("у Чернігові", "uk", "Чернігів"),
    ("у Черкасах", "uk", "Черкаси"),
    ("у Сумах", "uk", "Суми"),
    ("у Житомирі", "uk", "Житомир"),
    ("у Хмельницькому", "uk", "Хмельницький"),
    ("у Рівному", "uk", "Рівне"),
    ("у Тернополі", "uk", "Тернопіль"),
    ("у Луцьку", "uk", "Луцьк"),
    ("у Краматорську", "uk", "Краматорськ"),
    ("у Бахмуті", "uk", "Бахмут"),
    ("в Ізюмі", "uk", "Ізюм"),
    ("у Мелітополі", "uk", "Мелітополь"),
    ("у Бердянську", "uk", "Бердянськ"),
    ("у Лисичанську", "uk", "Лисичанськ"),
    ("в Енергодарі", "uk", "Енергодар"),
    ("у Нікополі", "uk", "Нікополь"),
    ("в Ірпені", "uk", "Ірпінь"),
    ("у Бучі", "uk", "Буча"),
    ("в Ужгороді", "uk", "Ужгород"),
    ("у Чернівцях", "uk", "Чернівці"),
    ("в Авдіївці", "uk", "Авдіївка"),
    ("у Горлівці", "uk", "Горлівка"),
    ("в Охтирці", "uk", "Охтирка"),
    ("в Умані", "uk", "Умань"),
    ("у Кременчуці", "uk", "Кременчук"),
    ("під Бахмутом", "uk", "Бахмут"),
    ("в Киеве", "ru", "Киев"),
    ("в Харькове", "ru", "Харьков"),
    ("в Одессе", "ru", "Одесса"),
    ("в Донецке", "ru", "Донецк"),
    ("в Мариуполе", "ru", "Мариуполь"),
    ("в Херсоне", "ru", "Херсон"),
    ("в Николаеве", "ru", "Николаев"),
    ("под Изюмом", "ru", "Изюм"),
    ("в Северодонецке", "ru", "Северодонецк"),
    ("в Макеевке", "ru", "Макеевка"),
    ("в Горловке", "ru", "Горловка"),
    ("в Краматорске", "ru", "Краматорск"),
    ("в Энергодаре", "ru", "Энергодар"),
    ("в Запорожье", "ru", "Запорожье"),
    ("в Луганске", "ru", "Луганск"),
]

# (phrase, language, GeoNames admin1 name)
OBLASTS = [
    ("у Вінницькій області", "uk", "Vinnyts'ka"),
    ("на Волині", "uk", "Volyn"),
    ("у Дніпропетровській області", "uk", "Dnipropetrovsk"),
    ("у Донецькій області", "uk", "Donetsk"),
    ("на Житомирщині", "uk", "Zhytomyr"),
    ("у Закарпатській області", "uk", "Zakarpattia"),
    ("у Запорізькій області", "uk", "Zaporizhia"),
    ("в Івано-Франківській області", "uk", "Ivano-Frankivsk"),
    ("на Київщині", "uk", "Kiev"),
    ("у Кіровоградській області", "uk", "Kirovohrad"),
    ("на Луганщині", "uk", "Luhansk"),
    ("у Львівській області", "uk", "Lviv"),
    ("на Миколаївщині", "uk", "Mykolaiv"),
    ("на Одещині", "uk", "Odessa"),
    ("на Полтавщині", "uk", "Poltava"),
    ("на Рівненщині", "uk", "Rivne"),
    ("на Сумщині", "uk", "Sumy"),
    ("у Тернопільській області", "uk", "Ternopil"),
    ("на Харківщині", "uk", "Kharkiv"),
    ("на Херсонщині", "uk", "Kherson"),
    ("на Хмельниччині", "uk", "Khmelnytskyi"),
    ("на Черкащині", "uk", "Cherkasy"),
    ("у Чернівецькій області", "uk", "Chernivtsi"),
    ("на Чернігівщині", "uk", "Chernihiv"),
    ("в Винницкой области", "ru", "Vinnyts'ka"),
    ("в Донецкой области", "ru", "Donetsk"),
    ("в Запорожской области", "ru", "Zaporizhia"),
    ("в Луганской области", "ru", "Luhansk"),
    ("в Харьковской области", "ru", "Kharkiv"),
    ("в Херсонской области", "ru", "Kherson"),
    ("в Николаевской области", "ru", "Mykolaiv"),
    ("в Сумской области", "ru", "Sumy"),
    ("в Черниговской области", "ru", "Chernihiv"),
    ("в Днепропетровской области", "ru", "Dnipropetrovsk"),
    ("в Крыму", "ru", "Crimea"),
]


def _town(nominative: str) -> int | None:
    found = [e for e in shared_gazetteer().cyrillic(nominative) if e.country == "UA" and e.kind == "place"]
    return max(found, key=lambda e: e.population).geonameid if found else None


@pytest.mark.parametrize(("phrase", "language", "nominative"), TOWNS)
def test_inflected_town_names_resolve_to_the_town_their_nominative_names(
    phrase: str, language: str, nominative: str
) -> None:
    expected = _town(nominative)
    assert expected is not None, f"{nominative} is not among the gazetteer's Cyrillic names"
    text = f"Вночі {phrase} пролунали вибухи." if language == "uk" else f"Ночью {phrase} прогремели взрывы."
    assert expected in [p.geonameid for p in find_places(text, language=language)]


@pytest.mark.parametrize(("phrase", "language", "admin1"), OBLASTS)
def test_oblasts_resolve_by_adjective_or_region_name(phrase: str, language: str, admin1: str) -> None:
    text = f"Вночі {phrase} пролунали вибухи." if language == "uk" else f"Ночью {phrase} прогремели взрывы."
    regions = [p for p in find_places(text, language=language) if p.precision == "admin1"]
    assert [(p.name, p.country) for p in regions] == [(admin1, "UA")]
