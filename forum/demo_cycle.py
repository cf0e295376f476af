"""The demo network's meeting cycle: meetings, a needs survey, RSVPs, commitments with log
entries, a confidential circle thread and a home-page announcement."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from forum import markdown
from forum.extensions import db
from forum.models import (
    Announcement,
    Commitment,
    CommitmentGoal,
    CommitmentStatus,
    CommitmentVisibility,
    LogEntry,
    Meeting,
    QuestionKind,
    Role,
    Rsvp,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    Theme,
    ThreadRead,
    User,
    Visibility,
    utcnow,
)
from forum.services import library as library_service
from forum.services import threads as thread_service
from forum.services.surveys import closes_at_for

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _meeting(title: str, day: date, town: str, place: str, host: str, agenda: str) -> Meeting:
    """Build a meeting from 10 to 15 at a library."""
    practical = "Frokost og kaffe er med. Skriv kostbehov i din tilmelding."
    return Meeting(
        title=title,
        date=day,
        starts_at=time(10, 0),
        ends_at=time(15, 0),
        venue=place.split(", ")[0],
        address=place.split(", ")[1],
        town=town,
        host_library=host,
        **markdown.rendered("agenda", agenda),
        **markdown.rendered("practical", practical),
    )


def _create_meetings(today: date) -> list[Meeting]:
    """Create two past meetings and one upcoming, oldest first."""
    meetings = [
        _meeting(
            "Netværksmøde 1: Hvor står vi?",
            today - timedelta(days=150),
            "Vejle",
            "Vejle Bibliotek, Willy Sørensens Plads 1",
            "Vejle Bibliotekerne",
            "1. Velkommen og præsentation\n2. **Behovsafdækning**: hvad skal netværket "
            "kunne?\n3. Oplæg om DK2020 og bibliotekerne\n4. Første handlinger",
        ),
        _meeting(
            "Netværksmøde 2: Få kollegerne med",
            today - timedelta(days=35),
            "Aalborg",
            "Hovedbiblioteket, Rendsburggade 2",
            "Aalborg Bibliotekerne",
            "1. Runde: hvordan gik handlingerne?\n2. Oplæg om forandringsledelse\n"
            "3. Workshop: ildsjæle og skeptikere\n4. Nye handlinger til næste gang",
        ),
        _meeting(
            "Netværksmøde 3: Partnerskaber",
            today + timedelta(days=20),
            "Odense",
            "Odense Hovedbibliotek, Østre Stationsvej 15",
            "Odense Bibliotekerne",
            "1. Opfølgning på handlingerne\n2. Kommunens klimateam fortæller\n"
            "3. Partnerskabsbørs\n4. Plan for foråret",
        ),
    ]
    db.session.add_all(meetings)
    db.session.flush()
    return meetings


def _create_survey(meeting: Meeting, members: list[User]) -> None:
    """Attach the closed needs survey to the first meeting, with answers from most members."""
    survey = Survey(
        meeting_id=meeting.id,
        title="Behov og ønsker til netværket",
        intro="Hjælp os med at tilrettelægge årets program.",
        anonymous=False,
        opened_at=datetime.combine(meeting.date - timedelta(days=30), time(9, 0)),
        closed_at=datetime.combine(meeting.date, time(15, 0)),
    )
    topics = SurveyQuestion(
        kind=QuestionKind.MULTIPLE, prompt="Hvilke emner vil du helst arbejde med?"
    )
    topics.options = [
        SurveyOption(position=n, label=label)
        for n, label in enumerate(["Energi og drift", "Formidling", "Partnerskaber", "Indkøb"])
    ]
    form = SurveyQuestion(kind=QuestionKind.SINGLE, prompt="Hvilken mødeform passer dig bedst?")
    form.options = [
        SurveyOption(position=n, label=label)
        for n, label in enumerate(["Oplæg og debat", "Workshops", "Studiebesøg"])
    ]
    scale = SurveyQuestion(
        kind=QuestionKind.SCALE, prompt="Hvor godt rustet er du til opgaven i dag?"
    )
    wish = SurveyQuestion(kind=QuestionKind.TEXT, prompt="Hvad skal netværket give dig?")
    survey.questions = [topics, form, scale, wish]
    for position, question in enumerate(survey.questions):
        question.position = position
    db.session.add(survey)
    db.session.flush()
    wishes = [
        "Konkrete eksempler jeg kan tage med hjem.",
        "Sparring om at få ledelsen med.",
        "Et sted at spørge, når jeg går i stå.",
    ]
    for n, member in enumerate(members[:9]):
        response = SurveyResponse(survey_id=survey.id, user_id=member.id)
        response.answers = [
            SurveyAnswer(question_id=topics.id, option_id=topics.options[n % 4].id),
            SurveyAnswer(question_id=topics.id, option_id=topics.options[(n + 1) % 4].id),
            SurveyAnswer(question_id=form.id, option_id=form.options[n % 3].id),
            SurveyAnswer(question_id=scale.id, scale_value=2 + n % 4),
            SurveyAnswer(question_id=wish.id, text=wishes[n % 3]),
        ]
        db.session.add(response)


def _create_open_survey(meeting: Meeting, members: list[User]) -> None:
    """Attach an open survey to the upcoming meeting, answered by its first few members."""
    survey = Survey(
        meeting_id=meeting.id,
        title="Forberedelse til mødet i Odense",
        intro="To korte spørgsmål, så vi kan planlægge partnerskabsbørsen.",
        anonymous=False,
        opened_at=utcnow(),
        closes_at=closes_at_for(meeting.date - timedelta(days=5)),
    )
    partner = SurveyQuestion(
        kind=QuestionKind.SINGLE, prompt="Har du en partner med til partnerskabsbørsen?"
    )
    partner.options = [
        SurveyOption(position=n, label=label) for n, label in enumerate(["Ja", "Nej", "Måske"])
    ]
    hope = SurveyQuestion(kind=QuestionKind.TEXT, prompt="Hvad håber du at finde en partner til?")
    survey.questions = [partner, hope]
    for position, question in enumerate(survey.questions):
        question.position = position
    db.session.add(survey)
    db.session.flush()
    for member in members[:3]:
        response = SurveyResponse(survey_id=survey.id, user_id=member.id)
        response.answers = [
            SurveyAnswer(question_id=partner.id, option_id=partner.options[0].id),
            SurveyAnswer(question_id=hope.id, text="En reparationscafé med frivillige."),
        ]
        db.session.add(response)


# (owner, theme, title, why, status, visibility, sdgs, made at meeting index, entries)
COMMITMENTS = [
    (
        "mette",
        "maal",
        "Skifte til LED i magasinet",
        "Det er vores største strømsluger.",
        CommitmentStatus.DONE,
        CommitmentVisibility.NETWORK,
        [7, 13],
        0,
        2,
    ),
    (
        "mette",
        "maal",
        "Månedlig energiopfølgning med driften",
        "Så vi opdager spild, før regningen kommer.",
        CommitmentStatus.IN_PROGRESS,
        CommitmentVisibility.NETWORK,
        [7, 12],
        1,
        2,
    ),
    (
        "rasmus",
        "engagement",
        "Klimakaffe hver fredag i personalerummet",
        "Kollegerne skal have et sted at tale om det, uden at det bliver en opgave.",
        CommitmentStatus.IN_PROGRESS,
        CommitmentVisibility.NETWORK,
        [13, 4],
        1,
        1,
    ),
    (
        "annemarie",
        "engagement",
        "Reparationscafé en gang om måneden",
        "Vi vil vise, at biblioteket er et sted, man gør noget.",
        CommitmentStatus.PLANNED,
        CommitmentVisibility.NETWORK,
        [12, 11],
        1,
        0,
    ),
    (
        "kasper",
        "maal",
        "Halvere print på publikumsmaskinerne",
        "Det er målbart og synligt for borgerne.",
        CommitmentStatus.PAUSED,
        CommitmentVisibility.NETWORK,
        [12],
        1,
        1,
    ),
    (
        "birgitte",
        "partnerskaber",
        "Tingbibliotek sammen med affaldsselskabet",
        "De har tingene, vi har åbningstiden.",
        CommitmentStatus.IN_PROGRESS,
        CommitmentVisibility.NETWORK,
        [12, 17],
        1,
        1,
    ),
    (
        "henrik",
        "partnerskaber",
        "Fast plads i kommunens klimateam",
        "Biblioteket er ikke nævnt i klimaplanen.",
        CommitmentStatus.DROPPED,
        CommitmentVisibility.NETWORK,
        [13, 17],
        0,
        1,
    ),
    (
        "louise",
        "engagement",
        "Tale med den skeptiske afdelingsleder",
        "Jeg skal have hende med, før vi kan gå videre – det er personligt.",
        CommitmentStatus.PLANNED,
        CommitmentVisibility.FACILITATORS,
        [4],
        1,
        1,
    ),
]

ENTRIES = [
    {
        "tried": "Vi fik et tilbud fra elektrikeren og skiftede første halvdel.",
        "learned": "Forbruget i magasinet faldt med 30 % på en måned.",
    },
    {
        "tried": "Vi har holdt to møder med driften.",
        "learned": "De har data, vi aldrig har spurgt efter.",
        "blocking": "Målerne viser kun hele bygningen.",
        "needs": "Har nogen fået bimålere sat op – og hvem betalte?",
    },
]


def _create_commitments(
    people: dict[str, User], themes: dict[str, Theme], meetings: list[Meeting], now: datetime
) -> None:
    """Create commitments in every status, with check-ins, one asking the network for help."""
    for n, (owner, theme, title, why, status, visibility, sdgs, made_at, entries) in enumerate(
        COMMITMENTS
    ):
        meeting = meetings[made_at]
        created = datetime.combine(meeting.date, time(14, 0))
        commitment = Commitment(
            owner_id=people[owner].id,
            title=title,
            **markdown.rendered("why", why),
            theme_id=themes[theme].id,
            meeting_id=meeting.id,
            due_date=meetings[made_at + 1].date,
            status=status,
            visibility=visibility,
            created_at=created,
            updated_at=created,
        )
        commitment.goals = [CommitmentGoal(sdg=sdg) for sdg in sdgs]
        db.session.add(commitment)
        db.session.flush()
        for k in range(entries):
            texts = ENTRIES[k % len(ENTRIES)]
            # The paused commitment has gone quiet: its only entry is more than 4 weeks old.
            moment = now - timedelta(
                days=40 if status == CommitmentStatus.PAUSED else 20 - 8 * k + n
            )
            entry = LogEntry(
                commitment_id=commitment.id,
                author_id=commitment.owner_id,
                created_at=moment,
                **{
                    column: value
                    for key in ("tried", "learned", "blocking", "needs")
                    for column, value in markdown.rendered(key, texts.get(key, "")).items()
                },
            )
            if owner == "mette" and k == 1:
                thread = thread_service.create_thread(
                    people[owner],
                    themes[theme],
                    f"Hjælp søges: {title}",
                    texts["needs"],
                )
                entry.asks_for_help = True
                entry.help_thread_id = thread.id
                db.session.add(
                    ThreadRead(user_id=people[owner].id, thread_id=thread.id, last_read_position=1)
                )
            db.session.add(entry)
            commitment.entry_count += 1
            commitment.last_entry_at = max(commitment.last_entry_at or moment, moment)


def _create_rsvps(people: dict[str, User], meeting: Meeting) -> None:
    """Let most members answer the upcoming meeting, some with dietary needs."""
    answers = {
        "mette": (True, "Vegetar"),
        "rasmus": (True, ""),
        "annemarie": (True, "Glutenfri"),
        "kasper": (False, ""),
        "birgitte": (True, ""),
        "henrik": (True, "Ingen nødder"),
        "peter": (False, ""),
        "sofie": (True, "Vegansk"),
        "jonas": (True, ""),
    }
    for key, (attending, dietary) in answers.items():
        db.session.add(
            Rsvp(
                meeting_id=meeting.id,
                user_id=people[key].id,
                attending=attending,
                dietary_needs=dietary,
            )
        )


def _create_confidential_threads(people: dict[str, User], themes: dict[str, Theme]) -> None:
    """Add a confidential circle thread and a thread for the facilitators only."""
    circle = thread_service.create_thread(
        people["mette"],
        themes["engagement"],
        "Fortroligt: omstrukturering og klimaarbejdet",
        "Vi skal spare to stillinger, og min klimagruppe mister sin tovholder. Hvordan har "
        "I holdt gang i arbejdet under en sparerunde?",
        visibility=Visibility.CIRCLE,
        circle_ids=[people["rasmus"].id],
    )
    thread_service.reply(
        people["rasmus"], circle, "Vi lagde opgaven ind i driftsmøderne i stedet – det holdt."
    )
    thread_service.create_thread(
        people["peter"],
        themes["maal"],
        "Til facilitator: kan jeg tage en kollega med?",
        "Min souschef vil gerne med til næste møde. Er det i orden?",
        visibility=Visibility.FACILITATORS,
    )


def _create_announcement(facilitator: User, meeting: Meeting) -> None:
    """Pin the invitation to the next meeting to the home page."""
    body = (
        f"Næste netværksmøde er **{meeting.date.strftime('%d.%m.%Y')}** i {meeting.town}, "
        "kl. 10–15. Tilmeld dig under *Møder*, og log gerne dine handlinger inden da."
    )
    db.session.add(
        Announcement(
            author_id=facilitator.id,
            title="Tilmelding til netværksmøde 3",
            **markdown.rendered("body", body),
        )
    )


def _create_resources(
    people: dict[str, User], themes: dict[str, Theme], meetings: list[Meeting]
) -> None:
    """Put a few links in the library, one of them from the last meeting's speaker."""
    links = [
        (
            "mette",
            "maal",
            "DK2020: kommunernes klimaplaner",
            "Realdanias overblik over kommunernes klimaplaner. Find din kommunes plan og se, "
            "hvor biblioteket kan bidrage.",
            "https://realdania.dk/projekter/dk2020",
            [13, 11],
            None,
        ),
        (
            "birgitte",
            "partnerskaber",
            "Tingbiblioteker i Danmark",
            "Oversigt over tingbiblioteker og erfaringer med at låne ting ud.",
            "https://www.tingbibliotek.dk",
            [12],
            None,
        ),
        (
            "jonas",
            "engagement",
            "Oplæg: forandringsledelse i den grønne omstilling",
            "Oplægsholderens materiale fra netværksmøde 2 om at få kollegerne med.",
            "https://www.example.org/forandringsledelse",
            [4, 13],
            meetings[1],
        ),
    ]
    for owner, theme, title, description, url, sdgs, meeting in links:
        library_service.add_link(
            people[owner],
            library_service.ResourceDetails(
                title=title,
                description=description,
                themes=[themes[theme]],
                sdgs=sdgs,
                meeting=meeting,
            ),
            url,
        )


def seed_meeting_cycle(people: dict[str, User], themes: dict[str, Theme]) -> None:
    """Seed meetings, the survey, RSVPs, commitments, log entries and confidential threads."""
    now = utcnow()
    today = datetime.now(COPENHAGEN).date()
    meetings = _create_meetings(today)
    members = [user for user in people.values() if user.role == Role.MEMBER]
    _create_survey(meetings[0], members)
    _create_open_survey(meetings[2], members)
    _create_commitments(people, themes, meetings, now)
    _create_rsvps(people, meetings[2])
    db.session.flush()
    _create_confidential_threads(people, themes)
    _create_announcement(people["jonas"], meetings[2])
    _create_resources(people, themes, meetings)
    db.session.flush()
