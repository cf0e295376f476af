"""The demo network: three themes, fourteen people and a few weeks of conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, func, select, update

from forum.demo_cycle import seed_meeting_cycle
from forum.extensions import db
from forum.models import Notification, OutboxEmail, Post, Theme, ThreadRead, User, utcnow
from forum.permissions import Role
from forum.services import accounts as account_service
from forum.services import themes as theme_service
from forum.services import threads as thread_service

DEMO_PASSWORD = "demo-password"  # noqa: S105 (published on purpose: demo logins only)


@dataclass(frozen=True)
class DemoPerson:
    """One demo account and its profile."""

    key: str
    email: str
    name: str
    role: Role
    job_title: str
    library: str
    municipality: str
    region: str
    bio: str


@dataclass(frozen=True)
class DemoReply:
    """A reply by a person, some hours after the thread started."""

    author: str
    hours: float
    body: str


@dataclass(frozen=True)
class DemoThread:
    """A thread with its opening post, started some days ago, and its replies."""

    theme: str
    author: str
    days_ago: int
    hour: int
    title: str
    body: str
    replies: tuple[DemoReply, ...] = field(default_factory=tuple)


THEMES: tuple[tuple[str, str, str], ...] = (
    (
        "maal",
        "Målsætning",
        "At sætte og følge op på mål for bibliotekets bæredygtighedsarbejde – "
        "fra kWh og indkøb til formidling og borgernes adfærd.",
    ),
    (
        "engagement",
        "Engagement",
        "At få kolleger med og holde engagementet levende, også når hverdagen presser.",
    ),
    (
        "partnerskaber",
        "Partnerskaber",
        "Samarbejde med kommunen, andre biblioteker og andre aktører om den grønne omstilling.",
    ),
)


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "signe",
        "admin@example.org",
        "Signe Dahl Mortensen",
        Role.ADMIN,
        "Netværkskoordinator",
        "Vejle Bibliotekerne",
        "Vejle",
        "syddanmark",
        "Koordinerer netværket og står for møderne. Har tidligere arbejdet med "
        "Agenda 21 i Vejle Kommune.",
    ),
    DemoPerson(
        "jonas",
        "facilitator@example.org",
        "Jonas Kjær Lindberg",
        Role.FACILITATOR,
        "Konsulent, bæredygtig omstilling",
        "Silkeborg Bibliotekerne",
        "Silkeborg",
        "midtjylland",
        "Facilitator i netværket. Optaget af, hvordan små forsøg bliver til faste vaner.",
    ),
    DemoPerson(
        "mette",
        "member1@example.org",
        "Mette Søndergaard",
        Role.MEMBER,
        "Afdelingsleder",
        "Københavns Biblioteker, Hovedbiblioteket",
        "København",
        "hovedstaden",
        "Leder af drift og service på Hovedbiblioteket. Arbejder med energimål og "
        "bibliotekets rolle i kommunens klimaplan.",
    ),
    DemoPerson(
        "rasmus",
        "member2@example.org",
        "Rasmus Holm Jeppesen",
        Role.MEMBER,
        "Teamleder, Borgerservice og Bibliotek",
        "Ballerup Bibliotekerne",
        "Ballerup",
        "hovedstaden",
        "Teamleder for et sammenlagt borgerservice og bibliotek. Nysgerrig på, hvordan "
        "man får alle med – også dem, der er trætte af ordet bæredygtighed.",
    ),
    DemoPerson(
        "annemarie",
        "member3@example.org",
        "Anne-Marie Vestergaard",
        Role.MEMBER,
        "Biblioteksleder",
        "Roskilde Bibliotekerne",
        "Roskilde",
        "sjaelland",
        "Biblioteksleder med ansvar for strategi og samarbejde med uddannelsesinstitutioner.",
    ),
    DemoPerson(
        "kasper",
        "member4@example.org",
        "Kasper Lund Nielsen",
        Role.MEMBER,
        "Afdelingsleder, Børn og Unge",
        "Næstved Bibliotek og Borgerservice",
        "Næstved",
        "sjaelland",
        "Leder børne- og ungeområdet. Har startet reparationscafé og arbejder på at "
        "halvere bibliotekets print.",
    ),
    DemoPerson(
        "birgitte",
        "member5@example.org",
        "Birgitte Frost",
        Role.MEMBER,
        "Teamleder",
        "Guldborgsund Bibliotekerne",
        "Guldborgsund",
        "sjaelland",
        "Teamleder for fire lokalbiblioteker på Lolland-Falster. Interesseret i grønne "
        "indkøb og i at gøre klima nærværende i landdistrikterne.",
    ),
    DemoPerson(
        "henrik",
        "member6@example.org",
        "Henrik Mølgaard",
        Role.MEMBER,
        "Afdelingsleder, Drift og Bygninger",
        "Odense Bibliotekerne",
        "Odense",
        "syddanmark",
        "Ansvarlig for bygninger og drift. Har gode erfaringer med energistyring "
        "sammen med kommunens ejendomsafdeling.",
    ),
    DemoPerson(
        "louise",
        "member7@example.org",
        "Louise Thygesen",
        Role.MEMBER,
        "Teamleder, Borgerservice og Bibliotek",
        "Sønderborg Bibliotek",
        "Sønderborg",
        "syddanmark",
        "Teamleder og tovholder på bibliotekets grønne netværk. Er ved at starte en "
        "reparationscafé med frivillige.",
    ),
    DemoPerson(
        "peter",
        "member8@example.org",
        "Peter Damgaard",
        Role.MEMBER,
        "Udviklingsleder",
        "Aarhus Kommunes Biblioteker",
        "Aarhus",
        "midtjylland",
        "Udviklingsleder med fokus på partnerskaber og bibliotekets plads i kommunens DK2020-plan.",
    ),
    DemoPerson(
        "sofie",
        "member9@example.org",
        "Sofie Bach Andersen",
        Role.MEMBER,
        "Afdelingsleder",
        "Herning Bibliotekerne",
        "Herning",
        "midtjylland",
        "Afdelingsleder for formidling og arrangementer. Står bag bibliotekets "
        "verdensmålsuge og et byttemarked, der vokser hvert år.",
    ),
    DemoPerson(
        "mads",
        "member10@example.org",
        "Mads Kirkegaard",
        Role.MEMBER,
        "Teamleder, Formidling og Fællesskaber",
        "Horsens Kommunes Biblioteker",
        "Horsens",
        "midtjylland",
        "Teamleder og primus motor bag bibliotekets tingbibliotek, som drives sammen "
        "med det lokale affaldsselskab.",
    ),
    DemoPerson(
        "camilla",
        "member11@example.org",
        "Camilla Winther",
        Role.MEMBER,
        "Biblioteksleder",
        "Aalborg Bibliotekerne",
        "Aalborg",
        "nordjylland",
        "Biblioteksleder. Har bygget et tæt samarbejde op med kommunens klimateam og "
        "måler gerne på det, der kan måles.",
    ),
    DemoPerson(
        "lars",
        "member12@example.org",
        "Lars Overgaard",
        Role.MEMBER,
        "Afdelingsleder, Kultur og Borgerservice",
        "Hjørring Bibliotekerne",
        "Hjørring",
        "nordjylland",
        "Afdelingsleder og haveentusiast. Startede bibliotekets frøbibliotek sammen med "
        "den lokale haveforening.",
    ),
)


THREADS: tuple[DemoThread, ...] = (
    # --- Målsætning --------------------------------------------------------------------
    DemoThread(
        "maal",
        "mette",
        38,
        9,
        "Mål for energiforbruget: 15 % ned på tre år – realistisk?",
        "Vi er ved at formulere et konkret mål for energiforbruget på biblioteket, og jeg "
        "vil gerne høre, hvordan I har grebet det an.\n\n"
        "Vores tal for 2023 (Hovedbiblioteket, ca. 3.200 m²):\n\n"
        "- **El:** 412.000 kWh\n"
        "- **Fjernvarme:** 298 MWh\n"
        "- Åbningstid: 78 timer om ugen, heraf 40 med betjening\n\n"
        "Forslaget fra ledergruppen er **15 % reduktion på el inden udgangen af 2026**. "
        "Det meste skal komme fra LED i magasinet og udlånshallen og fra at slukke skærme "
        "og pc'er uden for åbningstid. Ejendomscentret regner med, at LED alene giver ca. "
        "35.000 kWh om året.\n\n"
        "Er 15 % for forsigtigt? Og hvordan følger I op – måned for måned eller én gang "
        "om året?",
        (
            DemoReply(
                "henrik",
                5,
                "Vi satte 20 % for el i 2022 og nåede 17 %. Det, der flyttede mest, var "
                "faktisk ikke LED, men **ventilationen**: den kørte fuldt døgnet rundt. "
                "Efter en indregulering sammen med ejendomsafdelingen sparede vi omkring "
                "48.000 kWh om året.\n\n"
                "Spørg efter driftstiderne på anlægget, før I lægger jer fast.",
            ),
            DemoReply(
                "camilla",
                26,
                "Vi følger op hvert kvartal med aflæsninger fra forsyningens portal og "
                "viser kurven på personalemødet. Månedligt blev for støjende – én kold "
                "februar ødelagde hele billedet.\n\n"
                "Husk at graddagskorrigere varmen, ellers kan I ikke sammenligne år med år.",
            ),
            DemoReply(
                "mette",
                29,
                "Tak begge to! Ventilationen havde vi slet ikke tænkt på. Jeg har bedt "
                "ejendomscentret om driftsplanen og vender tilbage med, hvad den viser.",
            ),
            DemoReply(
                "jonas",
                50,
                "Godt eksempel til næste netværksmøde. Vil I tage jeres kurver med, så vi "
                "kan sammenligne på tværs?\n\n"
                "Energistyrelsen har en god forklaring på graddagskorrektion: "
                "[ens.dk](https://ens.dk).",
            ),
        ),
    ),
    DemoThread(
        "maal",
        "annemarie",
        30,
        13,
        "Mål der ikke kun handler om el og varme",
        "Vores bæredygtighedsstrategi er meget teknisk: kWh, kilo affald og kilometer i "
        "bogbussen. Men vores største aftryk er vel det, vi *formidler* og *låner ud*.\n\n"
        "Har nogen formuleret mål for den del? Fx antal arrangementer om klima, udlån af "
        "ting eller samarbejder med skoler?",
        (
            DemoReply(
                "sofie",
                3,
                "Vi har tre slags mål:\n\n"
                "1. **Drift** – energi, indkøb og affald\n"
                "2. **Formidling** – mindst 12 arrangementer om året med et verdensmål "
                "som omdrejningspunkt\n"
                "3. **Brugernes adfærd** – det sværeste. Her måler vi på udlån fra "
                "tingbiblioteket og antal besøgende i reparationscaféen\n\n"
                "Det tredje mål er mest en pejling, men det holder os skarpe.",
            ),
            DemoReply(
                "lars",
                20,
                "Vi prøvede at måle på *andelen af arrangementer med et "
                "bæredygtighedsperspektiv*. Det blev hurtigt en tællekonkurrence.\n\n"
                "Nu beder vi i stedet hver afdeling om **én indsats om året**, som de selv "
                "evaluerer med en kort refleksion. Mindre målbart, men meget mere ejerskab.",
            ),
            DemoReply(
                "annemarie",
                24,
                "Det med én indsats pr. afdeling kan jeg godt lide. Må jeg se jeres "
                "skabelon til refleksionen, Lars?",
            ),
            DemoReply(
                "lars",
                27,
                "Selvfølgelig. Den fylder én side og har tre spørgsmål:\n\n"
                "- Hvad ville vi?\n"
                "- Hvad skete der?\n"
                "- Hvad gør vi anderledes næste gang?\n\n"
                "Jeg tager den med på næste møde.",
            ),
        ),
    ),
    DemoThread(
        "maal",
        "kasper",
        21,
        10,
        "Print: fra 180.000 til 120.000 sider om året",
        "Vi har sat et mål om at skære en tredjedel af vores print – både personalets og "
        "det, borgerne printer på vores maskiner. Tiltagene indtil nu:\n\n"
        "- dobbeltsidet og sort/hvid som standard på alle printere\n"
        "- *follow me*-print, så glemte udskrifter aldrig bliver printet\n"
        "- plakater og programmer kun digitalt på skærmene i hallen\n\n"
        "Har I andre greb, der virkede? Og hvordan tæller I – vi har kun tal fra "
        "leasingaftalen.",
        (
            DemoReply(
                "louise",
                4,
                "Follow me-print gav os 22 % færre sider det første halve år. Glemte "
                "udskrifter var en overraskende stor del af det hele.",
            ),
            DemoReply(
                "birgitte",
                22,
                "Pas på med plakaterne: vores ældre brugere savnede opslagstavlen. Vi "
                "endte med **én** fysisk tavle ved indgangen og resten digitalt. Det "
                "fungerer fint.",
            ),
            DemoReply(
                "kasper",
                30,
                "Godt fif – vi beholder en tavle. Jeg skriver her, når vi har tal for "
                "første kvartal.",
            ),
        ),
    ),
    DemoThread(
        "maal",
        "peter",
        9,
        14,
        "DK2020-klimaplanen – hvor står biblioteket?",
        "Kommunen har vedtaget sin klimaplan under DK2020, og nu skal hver forvaltning "
        "melde ind med delmål. Biblioteket er ikke nævnt med ét ord.\n\n"
        "Har nogen fået biblioteket skrevet ind i kommunens klimaplan – og med hvilke mål?",
        (
            DemoReply(
                "mette",
                2,
                "Vi står i den som *lokal platform for borgerinddragelse og formidling*. "
                "Det lyder af lidt, men det har givet os adgang til klimasekretariatets "
                "kommunikationsmidler og en fast plads i deres borgermøder.",
            ),
            DemoReply(
                "jonas",
                19,
                "Det hænger tæt sammen med temaet Partnerskaber. Peter, vil du give et kort "
                "oplæg om jeres indmelding på næste møde?",
            ),
            DemoReply(
                "peter",
                23,
                "Gerne. Jeg tager udkastet med – og Mettes formulering som inspiration.",
            ),
        ),
    ),
    # --- Engagement --------------------------------------------------------------------
    DemoThread(
        "engagement",
        "louise",
        35,
        11,
        "Reparationscafé – hvordan fik I kollegerne med?",
        "Vi vil gerne starte en reparationscafé én lørdag om måneden, men flere kolleger "
        "er bekymrede for, at det bliver *endnu en opgave oveni*.\n\n"
        "Frivillige reparatører har vi fundet gennem den lokale ældresag og "
        "[Repair Café](https://www.repaircafe.org)-netværket. Hvordan har I fået "
        "personalet med, uden at det blev en pålagt opgave?",
        (
            DemoReply(
                "mads",
                3,
                "Hos os vendte det, da to kolleger, der i forvejen syede, blev tovholdere. "
                "De frivillige står for reparationerne, personalet for velkomst og kaffe.\n\n"
                "**Højst tre timer ad gangen**, og ingen skal arbejde om lørdagen, hvis de "
                "ikke vil.",
            ),
            DemoReply(
                "kasper",
                8,
                "Vi startede med en *reparer-dit-eget*-eftermiddag for personalet en "
                "fredag. Det gjorde det konkret og sjovt, og bagefter meldte fire sig.",
            ),
            DemoReply(
                "camilla",
                28,
                "Husk at fejre det: vi vejer de reddede ting og hænger tallet op. Efter et "
                "år var vi oppe på 640 kg. Det gjorde indtryk – både på kollegerne og i "
                "kultur- og fritidsudvalget.",
            ),
            DemoReply(
                "louise",
                52,
                "Tak for al inspirationen. Vi prøver personale-eftermiddagen i næste måned "
                "og starter med én lørdag før sommerferien.",
            ),
        ),
    ),
    DemoThread(
        "engagement",
        "rasmus",
        25,
        8,
        "Skeptiske kolleger: “Det er ikke vores opgave”",
        "På sidste personalemøde sagde en erfaren kollega ret direkte, at klima er "
        "kommunens opgave og ikke bibliotekets. Flere nikkede.\n\n"
        "Jeg vil gerne tage det alvorligt i stedet for at overhøre det. Hvordan har I "
        "håndteret den slags modstand?",
        (
            DemoReply(
                "birgitte",
                2,
                "Jeg har haft gode erfaringer med at spørge ind: *Hvad skulle der til, for "
                "at det blev vores opgave?* Svaret var ofte, at det skal hænge sammen med "
                "det, vi i forvejen gør – læsning, oplysning og fællesskab. Så fandt vi "
                "indsatser, der passede ind.",
            ),
            DemoReply(
                "henrik",
                6,
                "Biblioteksloven taler om oplysning, uddannelse og kulturel aktivitet. Når "
                "jeg kobler bæredygtighed til **folkeoplysning**, er der færre, der synes, "
                "det ligger uden for vores opgave.",
            ),
            DemoReply(
                "sofie",
                26,
                "Og så må man acceptere, at ikke alle brænder for det. Vi har en kerne på "
                "fem ildsjæle, og resten bidrager, når det passer ind. Det er også fint.",
            ),
            DemoReply(
                "jonas",
                30,
                "Godt tema til næste møde. Vi kunne lave en øvelse, hvor vi ser modstanden "
                "som en ressource: Hvad er det, kollegerne passer på?",
            ),
            DemoReply(
                "rasmus",
                50,
                "Tak alle sammen. Jeg tager Birgittes spørgsmål med til næste "
                "personalemøde og giver det en halv time i stedet for fem minutter.",
            ),
        ),
    ),
    DemoThread(
        "engagement",
        "sofie",
        16,
        15,
        "Verdensmålsugen – hvad lavede I i år?",
        "Her er, hvad vi nåede i Verdensmålsugen:\n\n"
        "- byttemarked for børnetøj (ca. 300 besøgende)\n"
        "- quiz om **verdensmål 12** om ansvarligt forbrug for otte skoleklasser\n"
        "- udstilling om lokal fødevareproduktion sammen med landbrugsskolen\n\n"
        "Materialer og idéer findes på [verdensmaalene.dk](https://www.verdensmaalene.dk). "
        "Hvad lavede I?",
        (
            DemoReply(
                "lars",
                3,
                "Vi holdt frødag og åbnede vores frøbibliotek. 140 poser gik på to timer!",
            ),
            DemoReply(
                "annemarie",
                20,
                "Vi holdt lav profil i år på grund af ombygning, men lavede en debataften "
                "sammen med gymnasiet. De unge stillede de skarpeste spørgsmål.",
            ),
            DemoReply(
                "sofie",
                24,
                "Frøbibliotek – det vil jeg gerne høre mere om, Lars. Vil du starte en tråd?",
            ),
        ),
    ),
    DemoThread(
        "engagement",
        "lars",
        6,
        9,
        "Frøbibliotek: erfaringer efter første sæson",
        "Som lovet – her er vores erfaringer:\n\n"
        "- **Start:** marts, med frø fra haveforeningen og egne indkøb for ca. 2.000 kr.\n"
        "- **Udlån:** ca. 450 poser\n"
        "- **Tilbage:** ca. 60 poser med egne frø i efteråret – under forventning, men "
        "fint for et første år\n\n"
        "Det vigtigste greb: haveforeningen står for rådgivning to gange om måneden, så "
        "personalet ikke skal være haveeksperter.",
        (
            DemoReply(
                "louise",
                4,
                "Hvordan opbevarer I frøene? Vi har kun et gammelt kartotekskab.",
            ),
            DemoReply(
                "lars",
                6,
                "Netop et kartotekskab! Tørt og mørkt, sorteret efter type. Det ser også "
                "godt ud i udlånet.",
            ),
            DemoReply(
                "mads",
                26,
                "Vi overvejer at kombinere det med tingbiblioteket, så man kan låne "
                "havegrej samtidig. Spade, jordbor og såbakker er allerede de mest "
                "populære ting om foråret.",
            ),
        ),
    ),
    # --- Partnerskaber -----------------------------------------------------------------
    DemoThread(
        "partnerskaber",
        "camilla",
        33,
        10,
        "Samarbejde med kommunens klimateam – hvem tog første skridt?",
        "Vi har i dag et fast samarbejde med kommunens klimateam: de bruger biblioteket "
        "til borgermøder om klimatilpasning, og vi får faglige oplæg til vores "
        "arrangementer. Men det tog et år at komme dertil.\n\n"
        "Det, der virkede for os:\n\n"
        "1. en kop kaffe med klimakoordinatoren – uden dagsorden\n"
        "2. et lille fælles arrangement med et klart ejerskab\n"
        "3. en evaluering, vi skrev sammen og sendte til begge chefer\n\n"
        "Hvordan ser det ud hos jer?",
        (
            DemoReply(
                "peter",
                6,
                "Meget genkendeligt. Hos os var det klimateamet, der kom til os, fordi de "
                "manglede lokaler i lokalområderne. Det var en god døråbner, men vi måtte "
                "arbejde for ikke kun at blive et mødelokale.",
            ),
            DemoReply(
                "henrik",
                24,
                "Punkt 3 er undervurderet. Da chefen for teknik og miljø fik evalueringen, "
                "blev biblioteket pludselig nævnt i deres handleplan.",
            ),
            DemoReply(
                "signe",
                30,
                "Tak, Camilla – det er præcis den slags erfaringer, netværket er til for. "
                "Jeg sætter partnerskaber med kommunen på dagsordenen til næste møde.",
            ),
        ),
    ),
    DemoThread(
        "partnerskaber",
        "mads",
        20,
        13,
        "Tingbibliotek sammen med affaldsselskabet",
        "Vi er i dialog med affaldsselskabet om et tingbibliotek: de leverer brugbare "
        "ting fra genbrugspladsen, og vi står for udlånet. Jeg har tre spørgsmål til "
        "jer, der allerede har et:\n\n"
        "- Hvordan har I løst forsikringen?\n"
        "- Hvem rengør og tjekker tingene mellem udlån?\n"
        "- Registrerer I tingene i katalogen som almindelige materialer?",
        (
            DemoReply(
                "henrik",
                4,
                "Vi registrerer dem som materialer med en særlig materialetype, så de kan "
                "reserveres som bøger. Lånetiden er 14 dage, og der er ingen fornyelser på "
                "de mest populære ting.",
            ),
            DemoReply(
                "peter",
                20,
                "Forsikring: kommunens egen forsikring dækkede, da tingene blev "
                "kommunens ejendom. Tjek det med jeres forsikringskontor **før** I tager "
                "imod de første ting.",
            ),
            DemoReply(
                "mette",
                27,
                "Rengøring har vi aftalt med et beskæftigelsesprojekt. Det blev en gevinst "
                "i sig selv: deltagerne er stolte af tingbiblioteket.",
            ),
            DemoReply(
                "mads",
                48,
                "Tusind tak – især tippet om forsikringen. Vi mødes med affaldsselskabet i "
                "næste uge.",
            ),
        ),
    ),
    DemoThread(
        "partnerskaber",
        "birgitte",
        12,
        11,
        "Bæredygtige indkøb – en fælles tjekliste for netværket?",
        "Møbler, it og materialer køber vi gennem kommunens indkøbsaftaler. Men en del "
        "bestemmer vi selv: forplejning, arrangementer og merchandise. Kunne vi lave en "
        "fælles, kort tjekliste i netværket? Mit udkast:\n\n"
        "1. vegetarisk forplejning som standard\n"
        "2. ingen giveaways i plast\n"
        "3. leje eller lån før køb – også på tværs af bibliotekerne\n"
        "4. spørg leverandøren om returordning\n\n"
        "Hvad mangler?",
        (
            DemoReply(
                "rasmus",
                3,
                "Jeg vil tilføje: **købe brugt** til indretning. Vores nye læsehjørne er "
                "møbleret fra kommunens genbrugslager for under 3.000 kr.",
            ),
            DemoReply(
                "annemarie",
                21,
                "God idé. Vi kunne også dele et fælles lager af udstillingsmateriel "
                "mellem bibliotekerne i regionen i stedet for at købe hver for sig.",
            ),
            DemoReply(
                "signe",
                28,
                "Jeg samler forslagene til en tjekliste, som vi kan tage stilling til på "
                "næste netværksmøde.",
            ),
        ),
    ),
)


def _clear_database() -> None:
    """Delete every row in every table, children first."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.flush()


def _at(now: datetime, days_ago: int, hour: int) -> datetime:
    """Return a UTC moment some days before now, at a whole hour."""
    return (now - timedelta(days=days_ago)).replace(hour=hour, minute=7, second=0, microsecond=0)


def _create_people(now: datetime) -> dict[str, User]:
    """Create the demo accounts with profiles and the demo password."""
    people: dict[str, User] = {}
    for person in PEOPLE:
        user = account_service.create_user(person.email, person.name, person.role, DEMO_PASSWORD)
        account_service.update_profile(
            user,
            {
                "job_title": person.job_title,
                "library": person.library,
                "municipality": person.municipality,
                "region": person.region,
                "bio": person.bio,
            },
        )
        user.created_at = now - timedelta(days=60)
        people[person.key] = user
    db.session.flush()
    return people


def _create_thread(spec: DemoThread, themes: dict[str, Theme], people: dict[str, User]) -> None:
    """Create one thread and its replies, then date them back to when they were written."""
    author = people[spec.author]
    thread = thread_service.create_thread(author, themes[spec.theme], spec.title, spec.body)
    for reply in spec.replies:
        thread_service.reply(people[reply.author], thread, reply.body)
    start = _at(utcnow(), spec.days_ago, spec.hour)
    moments = [start] + [start + timedelta(hours=reply.hours) for reply in spec.replies]
    posts = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.position)
    )
    for post, moment in zip(posts, moments, strict=True):
        post.created_at = moment
        # The notifications the post caused date back with it.
        db.session.execute(
            update(Notification).where(Notification.post_id == post.id).values(created_at=moment)
        )
    thread.created_at = start
    # Who wrote in the thread has read it up to their own last post, as real use leaves it.
    for author_id, position in db.session.execute(
        select(Post.author_id, func.max(Post.position))
        .where(Post.thread_id == thread.id)
        .group_by(Post.author_id)
    ):
        db.session.add(
            ThreadRead(user_id=author_id, thread_id=thread.id, last_read_position=position)
        )
    thread.last_post_at = moments[-1]
    last_author = spec.replies[-1].author if spec.replies else spec.author
    thread.last_poster_id = people[last_author].id
    db.session.flush()


def _set_last_logins() -> None:
    """Set everyone's last login to shortly after their latest post."""
    rows = db.session.execute(
        select(Post.author_id, func.max(Post.created_at)).group_by(Post.author_id)
    )
    latest = {author_id: moment for author_id, moment in rows}
    for user in db.session.scalars(select(User)):
        if user.id in latest:
            user.last_login_at = latest[user.id] + timedelta(minutes=42)
    db.session.flush()


def seed_demo_network() -> None:
    """Fill the database with the demo network: themes, people, threads and replies.

    Raises ServiceError when a demo email or theme name is already taken.
    """
    now = utcnow()
    themes = {
        key: theme_service.create_theme(name, description) for key, name, description in THEMES
    }
    people = _create_people(now)
    for spec in THREADS:
        _create_thread(spec, themes, people)
    seed_meeting_cycle(people, themes)
    _set_last_logins()
    # The history is made through the real services, so it leaves the notifications real use
    # would; but a month of history is not news to mail to the demo's made-up addresses.
    db.session.execute(delete(OutboxEmail))
    db.session.commit()  # the seed is one transaction: all of it or nothing


def _account_count() -> int:
    """Return how many accounts the database holds."""
    return db.session.scalar(select(func.count(User.id))) or 0


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Delete everything in the database first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when accounts exist already.")
@with_appcontext
def seed_demo_command(force: bool, if_empty: bool) -> None:
    """Create the demo network (themes, people, threads) in an empty database."""
    if _account_count():
        if if_empty:
            click.echo("The database already has accounts; leaving it as it is.")
            return
        if not force:
            raise click.ClickException(
                "The database already has accounts. Use --force to delete everything "
                "in it and seed the demo network anew."
            )
        _clear_database()
    seed_demo_network()
    if force:
        click.echo("Deleted everything in the database.")
    click.echo(
        f"Seeded {len(PEOPLE)} people, {len(THEMES)} themes, {len(THREADS)} threads, "
        "three meetings with a needs survey, RSVPs and commitments."
    )
    click.echo("Log in with one of these (password for all: " + DEMO_PASSWORD + "):")
    for person in PEOPLE:
        click.echo(f"  {person.email:<26} {person.role:<12} {person.name}")
