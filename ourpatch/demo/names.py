"""Invented people for the demonstration force: names and languages of West Yorkshire.

West Yorkshire's communities are not one community. Bradford's Pakistani-heritage community
is one of the largest in Britain, Dewsbury and Batley have Gujarati-speaking families, Leeds
has Sikh, Bangladeshi, African and Caribbean communities, and every district has people who
came from Poland and Romania. The demonstration teams reflect that, so that the "languages
spoken" on a team page means something, and so that nobody mistakes the demo for an
all-English force. Every person is invented; any likeness to a real officer is chance.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class Community:
    """Names from one community, and the languages (besides English) its members may speak."""

    key: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    # Where women's surnames differ (Kaur, Begum); empty means the same list as men's
    female_surnames: tuple[str, ...] = ()
    # (language, chance that a member of this community speaks it)
    languages: tuple[tuple[str, float], ...] = ()
    # Polish surnames agree with gender: Kowalski, Kowalska
    gendered_surnames: bool = False


WHITE_BRITISH = Community(
    "white_british",
    female=_words(
        "Sarah Emma Rachel Claire Gemma Laura Hannah Jessica Rebecca Charlotte Helen Nicola "
        "Joanne Kirsty Lisa Amy Katie Sophie Lucy Victoria Jennifer Louise Michelle Zoe Megan "
        "Natalie Danielle Abigail Beth Siobhan"
    ),
    male=_words(
        "James Daniel Matthew Thomas Christopher Andrew David Mark Paul Richard Michael "
        "Stephen Craig Lee Jonathan Adam Ben Ryan Liam Jack Luke Nathan Gareth Simon Martin "
        "Darren Stuart Sam Joe Callum"
    ),
    surnames=_words(
        "Smith Jones Taylor Brown Wilson Walker Wood Robinson Thompson White Wright Hall "
        "Green Clarke Jackson Turner Hill Harrison Atkinson Holmes Shaw Marsden Sutcliffe "
        "Ackroyd Greenwood Crowther Hirst Haigh Firth Lockwood Barraclough Dyson Priestley "
        "Mitchell Pickles Bentley Illingworth Hepworth Booth Senior Kaye Murphy O'Brien Kelly "
        "McDonald Fletcher Hudson Ward Moore Gledhill"
    ),
)

PAKISTANI = Community(
    "pakistani",
    female=_words(
        "Ayesha Shazia Nasreen Samina Farah Saima Hina Amina Sana Rubina Aisha Zainab Nadia "
        "Maryam Iram"
    ),
    male=_words(
        "Imran Asif Nadeem Bilal Zahid Sajid Rizwan Usman Aamir Khalid Adeel Tariq Shahid "
        "Kamran Faisal"
    ),
    surnames=_words(
        "Khan Hussain Ahmed Akhtar Iqbal Mahmood Ali Rashid Shah Butt Aslam Bashir Malik "
        "Hanif Sadiq Mir Qureshi Raza"
    ),
    languages=(("Urdu", 0.6), ("Punjabi", 0.45)),
)

GUJARATI = Community(
    "gujarati",
    female=_words("Priya Hetal Anjali Fatima Khadija Nisha Rupal Heena"),
    male=_words("Nikhil Ravi Vikram Yusuf Ismail Sanjay Hitesh Irfan"),
    surnames=_words("Patel Mistry Desai Lad Parmar Bhana Vania Limbada"),
    languages=(("Gujarati", 0.65),),
)

SIKH_PUNJABI = Community(
    "sikh_punjabi",
    female=_words("Gurpreet Harjit Jaspreet Amrit Simran Manpreet Balvinder"),
    male=_words("Manjit Kuldip Navdeep Sukhvinder Harpal Jagdeep Ranjit"),
    surnames=_words("Singh Sandhu Gill Dhillon Bains Sidhu Johal Virdee"),
    female_surnames=_words("Kaur Sandhu Gill Dhillon Bains Sidhu Johal"),
    languages=(("Punjabi", 0.7),),
)

BANGLADESHI = Community(
    "bangladeshi",
    female=_words("Rahima Ruksana Jahanara Salma Shirin Nazia Taslima"),
    male=_words("Shahid Rezaul Nazmul Abdul Tanvir Jamal Anwar"),
    surnames=_words("Miah Uddin Rahman Islam Chowdhury Hoque Ahmed"),
    female_surnames=_words("Begum Khatun Rahman Islam Chowdhury Hoque"),
    languages=(("Bengali", 0.7),),
)

POLISH = Community(
    "polish",
    female=_words("Katarzyna Agnieszka Magdalena Joanna Anna Ewa Marta Zofia"),
    male=_words("Piotr Tomasz Marek Paweł Łukasz Krzysztof Jakub Michał"),
    surnames=_words(
        "Nowak Kowalski Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Mazur "
        "Krawczyk Jankowski Dąbrowski"
    ),
    languages=(("Polish", 0.95),),
    gendered_surnames=True,
)

ROMANIAN = Community(
    "romanian",
    female=_words("Andreea Elena Cristina Ioana Gabriela Mihaela"),
    male=_words("Andrei Mihai Alexandru Florin Ionuț Bogdan"),
    surnames=_words("Popescu Ionescu Stan Dumitru Constantin Munteanu Radu"),
    languages=(("Romanian", 0.95),),
)

KURDISH = Community(
    "kurdish",
    female=_words("Dilan Shilan Nazdar Zhila Rozhin Avin"),
    male=_words("Azad Karwan Rebin Hemin Dler Shwan"),
    surnames=_words("Aziz Karim Omer Salih Rasul Qadir"),
    languages=(("Kurdish", 0.9), ("Arabic", 0.25)),
)

ARABIC = Community(
    "arabic",
    female=_words("Yasmin Layla Noor Rania Huda Mariam"),
    male=_words("Omar Khaled Samir Tariq Youssef Hamza"),
    surnames=_words("Hassan Abdullah Saleh Mansour Haddad Nasser Farouk"),
    languages=(("Arabic", 0.9),),
)

CARIBBEAN = Community(
    "caribbean",
    female=_words("Marcia Janelle Paulette Shanice Donna Simone"),
    male=_words("Delroy Winston Leroy Andre Marlon Curtis"),
    surnames=_words("Campbell Grant Francis Morrison Bailey Reid Gordon"),
)

AFRICAN = Community(
    "african",
    female=_words("Ngozi Tendai Adaeze Efua Chipo Folake"),
    male=_words("Chinedu Tatenda Oluwaseun Kwame Emeka Farai"),
    surnames=_words("Okafor Adeyemi Moyo Ncube Mensah Okonkwo Adebayo"),
)

COMMUNITIES = (
    WHITE_BRITISH, PAKISTANI, GUJARATI, SIKH_PUNJABI, BANGLADESHI, POLISH, ROMANIAN,
    KURDISH, ARABIC, CARIBBEAN, AFRICAN,
)  # fmt: skip

# Rough shares (per cent) for each district's teams, after the 2011 Census ethnic groups
# and the later arrivals from Poland and Romania. Deliberately approximate: these are
# invented staff, not a model of any real workforce.
DISTRICT_MIX: dict[str, dict[str, float]] = {
    "Bradford": {
        "white_british": 62, "pakistani": 21, "gujarati": 2, "sikh_punjabi": 2,
        "bangladeshi": 2, "polish": 3, "romanian": 2, "kurdish": 1, "arabic": 1,
        "caribbean": 2, "african": 2,
    },
    "Calderdale": {
        "white_british": 84, "pakistani": 8, "gujarati": 1, "bangladeshi": 1, "polish": 3,
        "romanian": 1, "caribbean": 1, "african": 1,
    },
    "Kirklees": {
        "white_british": 74, "pakistani": 10, "gujarati": 6, "sikh_punjabi": 1,
        "bangladeshi": 1, "polish": 2, "romanian": 1, "kurdish": 1, "caribbean": 3,
        "african": 1,
    },
    "Leeds": {
        "white_british": 77, "pakistani": 4, "gujarati": 2, "sikh_punjabi": 2,
        "bangladeshi": 1, "polish": 3, "romanian": 1, "kurdish": 1, "arabic": 1,
        "caribbean": 3, "african": 5,
    },
    "Wakefield": {
        "white_british": 88, "pakistani": 2, "gujarati": 1, "sikh_punjabi": 1,
        "polish": 5, "romanian": 2, "african": 1,
    },
}  # fmt: skip

# Rural neighbourhoods (the Pennine edges) are far less diverse than the towns.
RURAL_DIVERSITY = 0.3

_BY_KEY = {community.key: community for community in COMMUNITIES}


@dataclass(frozen=True)
class Person:
    """An invented person: name parts and the languages they speak."""

    first_name: str
    last_name: str
    female: bool
    languages: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _female_form(surname: str) -> str:
    """Kowalski → Kowalska, Dąbrowski → Dąbrowska; Nowak stays Nowak."""
    for ending in ("ski", "cki", "dzki"):
        if surname.endswith(ending):
            return surname[:-1] + "a"
    return surname


def invent_person(
    rng: random.Random, district: str, *, rural: bool = False, female_share: float = 0.5
) -> Person:
    """One person from ``district``'s mix of communities, drawn with ``rng`` (deterministic)."""
    mix = DISTRICT_MIX[district]
    keys = sorted(mix)
    weights = [
        mix[key] * (RURAL_DIVERSITY if rural and key != WHITE_BRITISH.key else 1.0) for key in keys
    ]
    community = _BY_KEY[rng.choices(keys, weights)[0]]
    female = rng.random() < female_share
    first = rng.choice(community.female if female else community.male)
    surnames = community.female_surnames if female and community.female_surnames else None
    last = rng.choice(surnames or community.surnames)
    if female and community.gendered_surnames:
        last = _female_form(last)
    languages = ["English"]
    for language, chance in community.languages:
        if rng.random() < chance:
            languages.append(language)
    return Person(first, last, female, tuple(languages))


def email_local_part(person: Person) -> str:
    """``firstname.lastname`` in plain ASCII: Łukasz Dąbrowski → lukasz.dabrowski."""

    def ascii_word(text: str) -> str:
        text = text.replace("Ł", "L").replace("ł", "l")
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z-]", "", plain.lower())

    return f"{ascii_word(person.first_name)}.{ascii_word(person.last_name)}"


# The place each postcode district is known by, within each local authority, for naming a
# sector's police office after where it stands ("Chapeltown Police Office"). Postcode
# districts cross boundaries (WF3 is Ardsley in Leeds but Stanley in Wakefield; LS29,
# Ilkley, is in Bradford), hence one table per district. Unlisted: a plain name instead.
PLACES: dict[str, dict[str, str]] = {
    "Leeds": {
        "LS1": "Leeds City Centre", "LS2": "Woodhouse", "LS3": "Burley Road", "LS4": "Burley",
        "LS5": "Kirkstall", "LS6": "Headingley", "LS7": "Chapeltown", "LS8": "Roundhay",
        "LS9": "Harehills", "LS10": "Hunslet", "LS11": "Beeston", "LS12": "Armley",
        "LS13": "Bramley", "LS14": "Seacroft", "LS15": "Cross Gates", "LS16": "Cookridge",
        "LS17": "Moortown", "LS18": "Horsforth", "LS19": "Yeadon", "LS20": "Guiseley",
        "LS21": "Otley", "LS22": "Wetherby", "LS23": "Boston Spa", "LS25": "Garforth",
        "LS26": "Rothwell", "LS27": "Morley", "LS28": "Pudsey", "BD11": "Drighlington",
        "WF3": "Ardsley",
    },
    "Bradford": {
        "BD1": "Bradford City Centre", "BD2": "Eccleshill", "BD3": "Barkerend",
        "BD4": "Bierley", "BD5": "Little Horton", "BD6": "Wibsey", "BD7": "Great Horton",
        "BD8": "Manningham", "BD9": "Heaton", "BD10": "Idle", "BD12": "Low Moor",
        "BD13": "Queensbury", "BD14": "Clayton", "BD15": "Allerton", "BD16": "Bingley",
        "BD17": "Baildon", "BD18": "Shipley", "BD20": "Silsden", "BD21": "Keighley",
        "BD22": "Haworth", "LS29": "Ilkley",
    },
    "Calderdale": {
        "HX1": "Halifax Town Centre", "HX2": "Ovenden", "HX3": "Northowram",
        "HX4": "Greetland", "HX5": "Elland", "HX6": "Sowerby Bridge", "HX7": "Hebden Bridge",
        "HD6": "Brighouse", "OL14": "Todmorden",
    },
    "Kirklees": {
        "HD1": "Huddersfield Town Centre", "HD2": "Fartown", "HD3": "Lindley",
        "HD4": "Crosland Moor", "HD5": "Dalton", "HD7": "Slaithwaite", "HD8": "Kirkburton",
        "HD9": "Holmfirth", "WF12": "Dewsbury", "WF13": "Ravensthorpe", "WF14": "Mirfield",
        "WF15": "Liversedge", "WF16": "Heckmondwike", "WF17": "Batley", "BD19": "Cleckheaton",
    },
    "Wakefield": {
        "WF1": "Wakefield City Centre", "WF2": "Lupset", "WF3": "Stanley", "WF4": "Horbury",
        "WF5": "Ossett", "WF6": "Normanton", "WF7": "Featherstone", "WF8": "Pontefract",
        "WF9": "South Elmsall", "WF10": "Castleford", "WF11": "Knottingley",
    },
}  # fmt: skip


def place_of(district: str, postcode: str) -> str | None:
    """The place a postcode is known by in ``district``: ("Leeds", "LS7 3HB") → Chapeltown."""
    return PLACES.get(district, {}).get(postcode.split(" ")[0])
