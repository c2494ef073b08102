"""The invented stories behind the small demo: pilots, partners and the words around them.

Needs and approaches echo the kind of work the Area Programmes do; every name, organisation and
figure is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

from pilots.models import Partner, Stage

OVERDUE = "overdue"  # past its end date, still running
STALE = "stale"  # no measurement for months
ARCHIVED = "archived"


@dataclass(frozen=True)
class DemoPilot:
    key: str
    title: str
    area: str
    stage: str
    themes: tuple[str, ...]
    indicators: tuple[str, ...]
    need: str
    summary: str
    approach: str = ""
    target_group: str = ""
    partners: tuple[str, ...] = ()
    lessons: str = ""
    adapted_from: str = ""
    adaptation_notes: str = ""
    untargeted: tuple[str, ...] = ()  # indicator codes left without baseline and target
    flags: frozenset[str] = frozenset()


PARTNERS: list[tuple[str, str]] = [
    ("Föreningen Exempel Grannskap", Partner.Kind.NGO),
    ("Läxhjälpsföreningen Påhittad", Partner.Kind.NGO),
    ("Idrottsklubben Testmålet", Partner.Kind.NGO),
    ("Kvinnoföreningen Exempelbadet", Partner.Kind.NGO),
    ("Studieförbundet Fiktivt Lärande", Partner.Kind.NGO),
    ("Myndigheten för Exempelärenden", Partner.Kind.PUBLIC_AGENCY),
    ("Vårdcentralen Påhittsgatan", Partner.Kind.PUBLIC_AGENCY),
    ("Fiktiva högskolan", Partner.Kind.UNIVERSITY),
    ("Exempelbostäder AB", Partner.Kind.BUSINESS),
    ("Företagarnätverket Demo", Partner.Kind.BUSINESS),
    ("Hyresgästgruppen Gård 7", Partner.Kind.RESIDENTS),
    ("Grannar i Exempelkvarteret", Partner.Kind.RESIDENTS),
    ("Stiftelsen Tänkt Framtid", Partner.Kind.OTHER),
]

HOMEWORK = (
    "Många elever i årskurs 7–9 saknar studiero hemma och lämnar grundskolan utan "
    "gymnasiebehörighet."
)
JOBS = (
    "Arbetslösheten bland unga vuxna är hög och få har egna kontakter med arbetsgivare i "
    "närområdet."
)
HEALTH = (
    "Många boende söker vård först när problemen blivit stora; förtroendet för vården är lågt "
    "och informationen finns sällan på rätt språk."
)
SWIMMING = "Många kvinnor i området har aldrig lärt sig simma, och badhusets tider passar inte dem."
SUMMER_JOBS = "Unga 15–18 år saknar sommarjobb, referenser och en första kontakt med arbetslivet."
LANGUAGE = "Nyanlända har få tillfällen att öva svenska i vardagen utanför undervisningen."
WALKING = "Föräldrar och barn upplever vägen till skolan som otrygg, särskilt under mörka månader."
GIRLS = (
    "Tjejer 12–16 år använder fritidsgården mycket mindre än killar och saknar egna mötesplatser."
)
FOOTBALL = "Young people have nowhere to go on Friday nights, and vandalism peaks then."

PILOTS: list[DemoPilot] = [
    # Herrgården
    DemoPilot(
        key="homework",
        title="Läxhjälp tre kvällar i veckan",
        area="herrgarden",
        stage=Stage.SCALING,
        themes=("school", "youth"),
        indicators=("homework-attendance", "grade-eligibility"),
        need=HOMEWORK,
        summary="Läxhjälp med frivilliga studenter i skolans bibliotek tisdag till torsdag.",
        approach=(
            "Lärarstudenter leder små grupper om högst sex elever. Föräldrarna bjuds in en gång "
            "per termin och skolan lånar ut lokalen utan kostnad."
        ),
        target_group="Elever i årskurs 7–9",
        partners=("Läxhjälpsföreningen Påhittad", "Fiktiva högskolan"),
        lessons=(
            "Samma tid och samma handledare varje vecka betydde mer än själva upplägget. "
            "Fika var avgörande för närvaron."
        ),
    ),
    DemoPilot(
        key="summer-jobs",
        title="Sommarjobb för unga i närområdet",
        area="herrgarden",
        stage=Stage.MAINSTREAMED,
        themes=("work", "youth"),
        indicators=("participants", "youth-activities"),
        need=SUMMER_JOBS,
        summary="Fyra veckors sommarjobb i kommunala verksamheter och hos lokala företag.",
        approach="En kort introduktion före start och en handledare per fem ungdomar.",
        target_group="Unga 15–18 år",
        partners=("Företagarnätverket Demo",),
        lessons="Handledarnas förberedelse avgjorde om ungdomarna kom tillbaka andra veckan.",
    ),
    DemoPilot(
        key="girls-evenings",
        title="Tjejkvällar på fritidsgården",
        area="herrgarden",
        stage=Stage.PILOT,
        themes=("youth", "culture"),
        indicators=("youth-activities",),
        need=GIRLS,
        summary="Två kvällar i veckan då fritidsgården bara är öppen för tjejer.",
        approach="Tjejerna planerar själva programmet tillsammans med två fritidsledare.",
        target_group="Tjejer 12–16 år",
        partners=("Föreningen Exempel Grannskap",),
        lessons="Tjejerna kom när de själva fick bestämma innehållet, inte när vi gjorde det.",
    ),
    DemoPilot(
        key="fast-contact",
        title="Snabbare första kontakt med socialtjänsten",
        area="herrgarden",
        stage=Stage.STOPPED,
        themes=("participation",),
        indicators=("waiting-days",),
        need="Det tar lång tid innan boende som ber om stöd får ett första samtal.",
        summary="En drop-in-tid i områdets mötesplats varje onsdag.",
        approach="Två socialsekreterare på plats med tolk på telefon.",
        target_group="Boende som söker ekonomiskt eller socialt stöd",
        partners=("Myndigheten för Exempelärenden",),
        lessons=(
            "Drop-in nådde främst dem som redan hade kontakt. Pengarna gör mer nytta i "
            "uppsökande arbete, därför stoppade vi piloten."
        ),
    ),
    DemoPilot(
        key="walking-groups",
        title="Promenadgrupper för seniorer",
        area="herrgarden",
        stage=Stage.PROTOTYPE,
        themes=("health",),
        indicators=("participants", "self-rated-health"),
        need="Äldre boende rör sig lite och är ofta ensamma under vintern.",
        summary="Promenader två förmiddagar i veckan med en utbildad promenadledare.",
        target_group="Boende över 65 år",
        partners=("Vårdcentralen Påhittsgatan",),
    ),
    DemoPilot(
        key="youth-council",
        title="Youth council pilot",
        area="herrgarden",
        stage=Stage.IDEA,
        themes=("participation", "youth"),
        indicators=("resident-dialogues",),
        need="Young residents are rarely asked about decisions that shape their neighbourhood.",
        summary="A youth council of twelve members that advises the area programme twice a term.",
        target_group="Young people aged 14–20",
    ),
    # Holma-Kroksbäck
    DemoPilot(
        key="job-matching",
        title="Jobbmatchning med lokala arbetsgivare",
        area="holma-kroksback",
        stage=Stage.SCALING,
        themes=("work",),
        indicators=("participants", "into-work", "into-work-share"),
        need=JOBS,
        summary=(
            "En jobbcoach matchar arbetssökande med arbetsgivare i närområdet och följer upp de "
            "första månaderna på jobbet."
        ),
        approach="Matchningen utgår från arbetsgivarens behov; coachen träffar båda parter.",
        target_group="Arbetssökande 18–35 år",
        partners=("Företagarnätverket Demo", "Myndigheten för Exempelärenden"),
        lessons=(
            "Uppföljningen efter anställning var lika viktig som själva matchningen: avhoppen "
            "sker de första sex veckorna."
        ),
    ),
    DemoPilot(
        key="womens-swimming",
        title="Simskola för kvinnor",
        area="holma-kroksback",
        stage=Stage.PILOT,
        themes=("health", "culture"),
        indicators=("participants", "self-rated-health"),
        need=SWIMMING,
        summary="Egna simtider med kvinnliga instruktörer och barnpassning i samma hus.",
        approach="Nybörjargrupper om åtta deltagare, tio tillfällen per kurs.",
        target_group="Vuxna kvinnor som inte kan simma",
        partners=("Kvinnoföreningen Exempelbadet",),
        lessons="Barnpassningen var förutsättningen; utan den kom hälften så många.",
    ),
    DemoPilot(
        key="digital-help",
        title="Digital vardagshjälp för äldre",
        area="holma-kroksback",
        stage=Stage.PILOT,
        themes=("participation",),
        indicators=("participants", "waiting-days"),
        need="Äldre boende har svårt att boka tider, betala räkningar och nå myndigheter digitalt.",
        summary="Unga volontärer hjälper äldre med telefon och dator på biblioteket.",
        target_group="Boende över 65 år",
        partners=("Studieförbundet Fiktivt Lärande",),
        flags=frozenset({OVERDUE}),
    ),
    DemoPilot(
        key="allotments",
        title="Odlingslotter på gården",
        area="holma-kroksback",
        stage=Stage.PROTOTYPE,
        themes=("housing", "health"),
        indicators=("participants", "resident-dialogues"),
        need="Gårdarna används lite och grannar känner inte varandra.",
        summary="Pallkragar på tre gårdar som hyresgästerna sköter tillsammans.",
        partners=("Exempelbostäder AB", "Hyresgästgruppen Gård 7"),
    ),
    DemoPilot(
        key="late-football",
        title="Late-night football",
        area="holma-kroksback",
        stage=Stage.PILOT,
        themes=("youth", "safety"),
        indicators=("youth-activities", "vandalism-reports"),
        need=FOOTBALL,
        summary=(
            "The sports hall stays open until midnight on Fridays with coaches from a local club."
        ),
        approach="Coaches know the young people by name; a snack and a short talk after each game.",
        target_group="Young people aged 13–19",
        partners=("Idrottsklubben Testmålet",),
        lessons="Regularity built trust: one cancelled Friday cost us a month of attendance.",
    ),
    DemoPilot(
        key="participatory-budget",
        title="Medborgarbudget för gårdarna",
        area="holma-kroksback",
        stage=Stage.IDEA,
        themes=("participation", "housing"),
        indicators=("resident-dialogues",),
        need="Boende upplever att de inte kan påverka hur gemensamma ytor används.",
        summary="Boende röstar om hur en liten budget för gårdarna ska användas.",
        partners=("Hyresgästgruppen Gård 7",),
    ),
    DemoPilot(
        key="maths-mother-tongue",
        title="Matematik med stöd på modersmålet",
        area="holma-kroksback",
        stage=Stage.PROTOTYPE,
        themes=("school",),
        indicators=("grade-eligibility",),
        need="Elever som nyligen kommit till Sverige tappar i matematik medan de lär sig svenska.",
        summary="Studiehandledare förklarar matematiken på elevens modersmål under lektionen.",
        target_group="Nyanlända elever i årskurs 6–9",
    ),
    # Lindängen
    DemoPilot(
        key="health-ambassadors",
        title="Hälsoambassadörer",
        area="lindangen",
        stage=Stage.MAINSTREAMED,
        themes=("health",),
        indicators=("health-contacts", "self-rated-health"),
        need=HEALTH,
        summary="Boende utbildas till hälsoambassadörer som håller hälsosamtal på flera språk.",
        approach="Utbildning i tio veckor; ambassadörerna arvoderas per samtal.",
        target_group="Vuxna boende, särskilt de som inte söker vård",
        partners=("Vårdcentralen Påhittsgatan", "Föreningen Exempel Grannskap"),
        lessons=(
            "Förtroendet kom från att ambassadörerna själva bor i området. "
            "Arvodet behövs för att de ska stanna."
        ),
    ),
    DemoPilot(
        key="safe-routes",
        title="Trygga skolvägar",
        area="lindangen",
        stage=Stage.PILOT,
        themes=("safety", "youth"),
        indicators=("felt-unsafe", "vandalism-reports"),
        need=WALKING,
        summary="Vuxna volontärer längs tre skolvägar, och belysning som barnen själva kartlagt.",
        approach="Barnen ritar kartor över otrygga platser; fastighetsägaren åtgärdar belysningen.",
        target_group="Barn i årskurs 1–6 och deras föräldrar",
        partners=("Grannar i Exempelkvarteret", "Exempelbostäder AB"),
        lessons="Barnens kartor övertygade fastighetsägaren snabbare än våra skrivelser.",
        untargeted=("vandalism-reports",),
    ),
    DemoPilot(
        key="leisure-bank",
        title="Fritidsbank – lån av fritidsutrustning",
        area="lindangen",
        stage=Stage.SCALING,
        themes=("culture", "youth"),
        indicators=("youth-activities", "participants"),
        need=(
            "Familjer har inte råd med utrustning, så barnen stannar utanför idrott och "
            "friluftsliv."
        ),
        summary="Gratis lån av skridskor, tält, bollar och cyklar i två veckor i taget.",
        partners=("Stiftelsen Tänkt Framtid",),
        lessons="Utlånen ökade när vi flyttade in i samma lokal som fritidsgården.",
    ),
    DemoPilot(
        key="parent-support",
        title="Föräldrastöd på flera språk",
        area="lindangen",
        stage=Stage.PILOT,
        themes=("school", "health"),
        indicators=("participants", "self-rated-health"),
        need="Föräldrar känner sig osäkra på svensk skola och hur de kan stötta sina barn.",
        summary="Föräldragrupper på arabiska, somaliska och dari med en samtalsledare.",
        partners=("Studieförbundet Fiktivt Lärande",),
    ),
    DemoPilot(
        key="housing-advice",
        title="Bostadsrådgivning i trapphuset",
        area="lindangen",
        stage=Stage.PILOT,
        themes=("housing",),
        indicators=("resident-dialogues", "waiting-days"),
        need="Trångboddhet och hyresskulder upptäcks sent.",
        summary="Rådgivare knackar dörr och håller öppet hus i trapphusen en gång i månaden.",
        partners=("Exempelbostäder AB",),
        flags=frozenset({OVERDUE}),
    ),
    DemoPilot(
        key="internships",
        title="Praktik i kommunens förvaltningar",
        area="lindangen",
        stage=Stage.PROTOTYPE,
        themes=("work",),
        indicators=("into-work", "into-work-share"),
        need="Långtidsarbetslösa saknar aktuell erfarenhet och referenser från svensk arbetsplats.",
        summary="Tre månaders praktik med handledare, följt av ett samtal om anställning.",
        partners=("Myndigheten för Exempelärenden",),
    ),
    DemoPilot(
        key="absence-early",
        title="Tidig upptäckt av skolfrånvaro",
        area="lindangen",
        stage=Stage.PILOT,
        themes=("school", "youth"),
        indicators=("homework-attendance",),
        need="Frånvaro upptäcks först när eleven redan har tappat mycket.",
        summary=(
            "Skolan ringer hem samma dag vid ogiltig frånvaro och erbjuder ett möte inom en vecka."
        ),
        flags=frozenset({STALE}),
    ),
    # Seved
    DemoPilot(
        key="collaboration-forum",
        title="Föreningar och myndigheter i samverkan",
        area="seved",
        stage=Stage.SCALING,
        themes=("participation", "work"),
        indicators=("resident-dialogues", "waiting-days"),
        need="Föreningar och myndigheter arbetar parallellt och boende skickas runt mellan dem.",
        summary="Ett månatligt forum där föreningar och myndigheter löser ärenden tillsammans.",
        approach="En gemensam ärendelista; varje ärende har en ansvarig som återkopplar.",
        partners=("Föreningen Exempel Grannskap", "Myndigheten för Exempelärenden"),
        lessons=(
            "Forumet fungerade när myndigheterna skickade samma person varje gång. "
            "Föreningarna behöver ersättning för sin tid."
        ),
    ),
    DemoPilot(
        key="language-cafe",
        title="Språkcafé på biblioteket",
        area="seved",
        stage=Stage.MAINSTREAMED,
        themes=("participation", "culture"),
        indicators=("participants", "resident-dialogues"),
        need=LANGUAGE,
        summary="Samtal på svenska i små grupper varje lördag, lett av frivilliga.",
        partners=("Studieförbundet Fiktivt Lärande",),
        lessons="Teman från vardagen – vårdcentralen, skolan, jobbet – höll samtalen igång.",
    ),
    DemoPilot(
        key="data-walks",
        title="Neighbourhood data walks",
        area="seved",
        stage=Stage.PROTOTYPE,
        themes=("safety", "participation"),
        indicators=("resident-dialogues", "felt-unsafe"),
        need="Residents' knowledge of unsafe places rarely reaches those who plan the streets.",
        summary="Residents and planners walk the block together and log problems on a shared map.",
        partners=("Grannar i Exempelkvarteret", "Fiktiva högskolan"),
    ),
    DemoPilot(
        key="mentoring",
        title="Mentoring for school leavers",
        area="seved",
        stage=Stage.PILOT,
        themes=("work", "school"),
        indicators=("participants", "into-work-share"),
        need="Young people who leave school without a plan drift out of work and study.",
        summary="Each school leaver is matched with a working mentor for a year.",
        partners=("Företagarnätverket Demo",),
        lessons="Mentors with a similar background kept contact longer.",
    ),
    DemoPilot(
        key="bike-kitchen",
        title="Cykelkök och cykelskola",
        area="seved",
        stage=Stage.PILOT,
        themes=("health", "culture"),
        indicators=("participants",),
        need="Många vuxna kan inte cykla och har långt till jobb och service.",
        summary="Ett cykelkök där man lagar sin cykel själv, och cykelskola för vuxna.",
        partners=("Föreningen Exempel Grannskap",),
        flags=frozenset({STALE}),
    ),
    DemoPilot(
        key="reading-preschool",
        title="Läsfrämjande för förskolebarn",
        area="seved",
        stage=Stage.IDEA,
        themes=("school",),
        indicators=("participants",),
        need="Många barn möter få böcker hemma innan de börjar skolan.",
        summary="Bokpåsar och sagostunder på flera språk i förskolorna.",
    ),
    DemoPilot(
        key="block-hosts",
        title="Kvartersvärdar",
        area="seved",
        stage=Stage.PILOT,
        themes=("safety", "housing"),
        indicators=("felt-unsafe", "vandalism-reports"),
        need="Boende upplever kvarteret som otryggt på kvällarna och anmäler sällan skadegörelse.",
        summary="Anställda kvartersvärdar som bor i området rör sig ute kvällstid.",
        partners=("Exempelbostäder AB",),
        untargeted=("vandalism-reports",),
    ),
    DemoPilot(
        key="household-economy",
        title="Studiecirkel om privatekonomi",
        area="seved",
        stage=Stage.STOPPED,
        themes=("work", "participation"),
        indicators=("participants",),
        need="Hushåll hamnar i skuld på grund av snabblån och okunskap om avtal.",
        summary="En studiecirkel i sex träffar om budget, avtal och skulder.",
        partners=("Studieförbundet Fiktivt Lärande",),
        lessons="Få anmälde sig till en cirkel om skulder; skammen var större än vi trodde.",
        flags=frozenset({ARCHIVED}),
    ),
    # Adaptations: the same idea moved to another area, with what was kept and changed.
    DemoPilot(
        key="homework-lindangen",
        title="Läxhjälp i Lindängen",
        area="lindangen",
        stage=Stage.PILOT,
        themes=("school", "youth"),
        indicators=("homework-attendance", "grade-eligibility"),
        need=HOMEWORK,
        summary="Läxhjälp två kvällar i veckan på fritidsgården i stället för i skolan.",
        target_group="Elever i årskurs 7–9",
        partners=("Läxhjälpsföreningen Påhittad",),
        adapted_from="homework",
        adaptation_notes=(
            "Behöll: små grupper och samma handledare varje vecka. Ändrade: fritidsgården i "
            "stället för skolbiblioteket, två kvällar i stället för tre. Varför: skolan hade "
            "inga lediga lokaler kvällstid."
        ),
    ),
    DemoPilot(
        key="homework-seved",
        title="Homework club at the library",
        area="seved",
        stage=Stage.PROTOTYPE,
        themes=("school",),
        indicators=("homework-attendance",),
        need=HOMEWORK,
        summary="A homework club at the local library run by volunteers from a student union.",
        adapted_from="homework",
        adaptation_notes=(
            "Kept: small groups, fixed weekly times. Changed: the library instead of the school, "
            "mixed ages. Why: the area has no secondary school of its own."
        ),
    ),
    DemoPilot(
        key="job-matching-herrgarden",
        title="Jobbmatchning i Herrgården",
        area="herrgarden",
        stage=Stage.PILOT,
        themes=("work",),
        indicators=("participants", "into-work"),
        need=JOBS,
        summary="Jobbcoach med kontor i områdets mötesplats, med fokus på kvinnor.",
        partners=("Företagarnätverket Demo",),
        adapted_from="job-matching",
        adaptation_notes=(
            "Behöll: matchning utifrån arbetsgivarens behov och uppföljning efter anställning. "
            "Ändrade: riktat till kvinnor och med barnpassning under möten. Varför: de flesta "
            "arbetssökande i Herrgården som saknar kontakt med arbetsgivare är kvinnor."
        ),
    ),
    DemoPilot(
        key="health-ambassadors-herrgarden",
        title="Hälsoambassadörer i Herrgården",
        area="herrgarden",
        stage=Stage.PILOT,
        themes=("health",),
        indicators=("health-contacts",),
        need=HEALTH,
        summary="Hälsoambassadörer med fokus på diabetes och fysisk aktivitet.",
        partners=("Vårdcentralen Påhittsgatan",),
        adapted_from="health-ambassadors",
        adaptation_notes=(
            "Behöll: utbildningen och arvodet. Ändrade: tema diabetes, samtal i föreningslokaler. "
            "Varför: vårdcentralen ser många med odiagnostiserad diabetes här."
        ),
    ),
    DemoPilot(
        key="health-ambassadors-holma",
        title="Hälsoambassadörer i Holma-Kroksbäck",
        area="holma-kroksback",
        stage=Stage.PROTOTYPE,
        themes=("health",),
        indicators=("health-contacts", "self-rated-health"),
        need=HEALTH,
        summary="Hälsoambassadörer som också följer med till vårdcentralen vid första besöket.",
        adapted_from="health-ambassadors",
        adaptation_notes=(
            "Behöll: ambassadörer som bor i området. Ändrade: följe till första besöket. "
            "Varför: avståndet till vårdcentralen är längre här."
        ),
    ),
    DemoPilot(
        key="womens-swimming-herrgarden",
        title="Women's swimming evenings",
        area="herrgarden",
        stage=Stage.PROTOTYPE,
        themes=("health",),
        indicators=("participants",),
        need=SWIMMING,
        summary="Evening swimming for women at the nearest pool, with transport by minibus.",
        partners=("Kvinnoföreningen Exempelbadet",),
        adapted_from="womens-swimming",
        adaptation_notes=(
            "Kept: women instructors and childcare. Changed: evenings and a minibus. Why: "
            "there is no pool within walking distance of Herrgården."
        ),
    ),
    DemoPilot(
        key="safe-routes-seved",
        title="Trygga stråk i Seved",
        area="seved",
        stage=Stage.PROTOTYPE,
        themes=("safety",),
        indicators=("felt-unsafe",),
        need=WALKING,
        summary=(
            "Barnens kartläggning av otrygga platser, utvidgad till vägen till busshållplatsen."
        ),
        partners=("Grannar i Exempelkvarteret",),
        adapted_from="safe-routes",
        adaptation_notes=(
            "Behöll: barnens kartor. Ändrade: stråk till kollektivtrafiken i stället för "
            "skolvägar. Varför: i Seved går barnen kort väg till skolan men långt till bussen."
        ),
    ),
    DemoPilot(
        key="summer-jobs-holma",
        title="Sommarjobb i Holma-Kroksbäck",
        area="holma-kroksback",
        stage=Stage.SCALING,
        themes=("work", "youth"),
        indicators=("participants",),
        need=SUMMER_JOBS,
        summary="Sommarjobb med fler platser hos lokala företag och en avslutande jobbmässa.",
        partners=("Företagarnätverket Demo",),
        adapted_from="summer-jobs",
        adaptation_notes=(
            "Behöll: handledare per fem ungdomar. Ändrade: fler privata arbetsgivare. Varför: "
            "företagarnätverket är starkt i Hyllie."
        ),
    ),
    DemoPilot(
        key="summer-jobs-lindangen",
        title="Sommarjobb i Lindängen",
        area="lindangen",
        stage=Stage.PILOT,
        themes=("work", "youth"),
        indicators=("participants", "youth-activities"),
        need=SUMMER_JOBS,
        summary="Sommarjobb i kommunens verksamheter, med lön utbetald varje vecka.",
        adapted_from="summer-jobs",
        adaptation_notes=(
            "Behöll: introduktionen och handledarna. Ändrade: veckolön. Varför: "
            "ungdomarna hoppade av när de inte såg någon lön under första månaden."
        ),
    ),
    DemoPilot(
        key="language-cafe-lindangen",
        title="Language café for parents",
        area="lindangen",
        stage=Stage.PILOT,
        themes=("participation", "school"),
        indicators=("participants",),
        need=LANGUAGE,
        summary="A language café at the school while the children are at homework club.",
        adapted_from="language-cafe",
        adaptation_notes=(
            "Kept: volunteers and everyday themes. Changed: at the school, weekday evenings. "
            "Why: parents were already there to collect their children."
        ),
    ),
    DemoPilot(
        key="girls-evenings-lindangen",
        title="Tjejkväll i Lindängen",
        area="lindangen",
        stage=Stage.PROTOTYPE,
        themes=("youth",),
        indicators=("youth-activities",),
        need=GIRLS,
        summary="En kväll i veckan för tjejer, med dans och läxhjälp.",
        adapted_from="girls-evenings",
        adaptation_notes=(
            "Behöll: tjejerna planerar själva. Ändrade: en kväll i stället för två. "
            "Varför: lokalen delas med en förening."
        ),
    ),
    DemoPilot(
        key="late-football-seved",
        title="Fredagsfotboll i Seved",
        area="seved",
        stage=Stage.PROTOTYPE,
        themes=("youth", "safety"),
        indicators=("youth-activities",),
        need=FOOTBALL,
        summary="Fotboll i skolans idrottshall fredagar till midnatt.",
        partners=("Idrottsklubben Testmålet",),
        adapted_from="late-football",
        adaptation_notes=(
            "Behöll: samma tränare varje vecka. Ändrade: skolans hall, ingen mat. "
            "Varför: ingen annan hall fanns att låna."
        ),
    ),
]

DECISION_RATIONALES: dict[str, list[str]] = {
    "go": [
        "Behovet är bekräftat och deltagarna kommer tillbaka; vi går vidare.",
        "Indikatorerna rör sig åt rätt håll och partnerna vill fortsätta.",
        "Prototypen visade att upplägget fungerar i liten skala.",
        "Utvärderingen visar tydlig effekt; verksamheten tar över finansieringen.",
    ],
    "iterate": [
        "Vi ändrar tider och lokal innan vi går vidare.",
        "Målgruppen nås inte än; vi provar en annan kanal en omgång till.",
    ],
    "stop": [
        "Målgruppen nåddes inte trots två omtag; resurserna gör mer nytta på annat håll.",
        "Partnern kunde inte fortsätta och ingen annan kunde ta över.",
    ],
}

UPDATES: dict[str, list[str]] = {
    "progress": [
        "Tolv nya deltagare sedan förra månaden, de flesta via grannar.",
        "Första gemensamma träffen med partnern hölls i veckan; nästa steg är en gemensam plan.",
        "Lokalen är klar och schemat för hösten är satt.",
        "More participants than expected this month; we have opened a second group.",
    ],
    "obstacle": [
        "Lokalen var inte tillgänglig under skollovet; tre tillfällen ställdes in.",
        "Svårt att nå föräldrar som inte läser svenska; vi provar sms på flera språk.",
        "Personalomsättning hos partnern försenade starten med en månad.",
        "Funding for the second year is not yet confirmed.",
    ],
    "lesson": [
        "Personliga inbjudningar fungerade bättre än affischer.",
        "Att träffas på samma tid varje vecka betydde mer än själva innehållet.",
        "Boende som själva bor i området når fler än vi gör.",
        "Ask the target group before choosing the time of day.",
    ],
    "decision": [
        "Styrgruppen beslutade att gå vidare till nästa steg.",
        "Beslut: vi kör en omgång till med ändrade tider innan vi utvärderar.",
    ],
}
