"""Write fg2.docx, the synthetic transcript of Fokusgruppe 2, as a transcriber would in Word.

The text is invented for the example (in the spirit of the 2023 report's quotes) and carries
planted names, schools and places so that anonymisation can be tested. Word features a real
transcript has are used on purpose: bold speaker labels, a turn that goes on over several
paragraphs, a manual line break inside a paragraph and empty paragraphs between turns.

Run from the repository root:  python examples/skolemiljo-2023/qual/make_fg2_docx.py
"""

from __future__ import annotations

from pathlib import Path

import docx

TURNS: list[tuple[str, list[str]]] = [
    ("Intervjuer", [
        "Takk for at dere ville komme. Jeg sier det samme som til den andre gruppen: Det er "
        "frivillig å være med, og dere kan trekke dere når som helst. Ingen skal kunne kjennes "
        "igjen i det vi skriver, så navn på personer, skoler og steder blir tatt ut. Vi vil gjerne "
        "at dere snakker med hverandre, ikke bare med oss. Kan vi ta en runde først, med utdanning "
        "og hva dere jobber med til daglig?"]),
    ("D7", [
        "Jeg er barne- og ungdomsarbeider med fagbrev, og jobber på Kvaleberg skole, en barneskole "
        "med rundt tre hundre elever. Jeg er mest på femte og sjette trinn, og så har jeg SFO tre "
        "ettermiddager i uken."]),
    ("D8", [
        "Jeg er skoleassistent og ufaglært. Jeg jobbet i butikk hos Coop i mange år før jeg "
        "begynte i skolen, så det er en ganske annen verden. Nå har jeg vært assistent i seks år."]),
    ("D9", [
        "Jeg er vernepleier og jobber som miljøterapeut på Jåttå videregående skole, på en "
        "avdeling for elever med store hjelpebehov. Vi er femten elever og rundt tjue ansatte, så "
        "det er en helt annen bemanning enn det de andre her beskriver."]),
    ("D10", [
        "Helsefagarbeider. Jeg er også i videregående, på et tilrettelagt tilbud, og jeg har "
        "ansvaret for stell, medisiner og en del av den praktiske oppfølgingen av elevene."]),
    ("D11", [
        "Jeg er sosionom, bachelor i sosialt arbeid, og jobber som miljøarbeider på en "
        "ungdomsskole i Sandnes kommune. Jeg er mye på skolemiljø, mobbesaker og samtaler med "
        "elever som har det vanskelig hjemme."]),
    ("D12", [
        "Jeg har fagbrev og er SFO-leder på en skole på Ganddal. Jeg har vært leder i fem år, og "
        "før det var jeg barne- og ungdomsarbeider på samme skole."]),
    ("Intervjuer", [
        "Da begynner vi der vi begynte med den første gruppen. Hvordan opplever dere at "
        "kompetansen deres blir brukt i skolen?"]),
    ("D9", [
        "Hos oss føler jeg at vi er litt i en særstilling. Alle elevene har sin faste "
        "fagarbeider, og så er det en pedagog på hvert team. Før skoleåret starter, kartlegger vi "
        "de nye elevene og spør: Hva trenger vi av faglig påfyll? Da får alle det samme tilbudet "
        "ut fra hva vi trenger. Vi har fysioterapeut, helsefagarbeidere og mange barne- og "
        "ungdomsarbeidere, og det er laget en plan for hvordan alle skal brukes.",
        "Men jeg ser jo at det er en himmelvid forskjell fra barneskolen. Når jeg hører dere "
        "snakke, så tenker jeg at vi har det veldig bra."]),
    ("D7", [
        "Ja, det høres ut som en annen verden. Hos oss er det ingen plan for hvordan "
        "kompetansen min skal brukes. Jeg blir satt der det trengs. En dag er jeg i klassen med "
        "Magnus, en gutt som trenger mye hjelp til å regulere seg, neste dag er jeg vikar i "
        "matte fordi læreren er syk. Det er greit nok, men det er ikke planlagt."]),
    ("D8", [
        "Og når jeg er vikar, har jeg ikke fått noe opplegg. Jeg får beskjed i døra: «Du tar "
        "sjuende i dag.» Det er akkurat det å bli kastet ut på dypt vann. Du må bare svømme. Jeg "
        "husker første gangen, jeg hadde aldri stått foran en klasse før, og de merket det med "
        "én gang."]),
    ("D11", [
        "Det er noe med at vi skal kunne alt og ingenting. Jeg har en utdanning i sosialt "
        "arbeid, men det jeg bruker mest tid på, er å passe på i friminuttene. Det er viktig, "
        "altså, for det er der mobbingen skjer. Men jeg kunne gjort så mye mer med familiene."]),
    ("D10", [
        "For meg er det motsatt. Jeg får brukt helsefagkompetansen hver dag. Men jeg tror det er "
        "fordi elevene våre har så store behov at det ikke går an å la være."]),
    ("Intervjuer", [
        "Hvordan er samarbeidet med lærerne og med ledelsen? Er dere med når det planlegges?"]),
    ("D12", [
        "Det har blitt mye bedre hos oss det siste året. Vi fikk ny rektor, Trond, og han "
        "har sagt at fra høsten skal vi ha et ressursteam der spesialpedagoger og assistenter "
        "jobber sammen. Vi håper at vi kommer dit. Men før Trond kom, var det nesten ingen "
        "møtepunkter. Vi var der om morgenen og på SFO, og lærerne hadde sine møter når vi var "
        "på SFO."]),
    ("D7", [
        "Det er helt likt hos oss. Møtene er etter skoletid, og da er jeg på SFO. Så jeg er "
        "aldri med. Ingrid, som er kontaktlærer i sjette, prøver å ta fem minutter med meg i "
        "gangen etterpå, men det blir aldri det samme. Det blir brannslukking. Vi løser det som "
        "skjedde i dag, og så er det neste dag."]),
    ("D11", [
        "Jeg tror problemet er at det ikke er avklart hva vi skal ha ansvar for. Da blir det "
        "prisgitt lederen. Hvis du har en rektor som ser nytten av andre yrkesgrupper, så går "
        "det. Hvis ikke, så blir du bare en ekstra voksen.",
        "Og den voksne kan flyttes rundt som det passer."]),
    ("D9", [
        "Hos oss er det to timer i uken der hele avdelingen setter seg ned, lærere og "
        "fagarbeidere sammen, og diskuterer elevsaker og hvordan vi skal jobbe. Vi sitter "
        "likestilte rundt bordet. Det er det tydeligste beviset på at vi blir anerkjent, tenker "
        "jeg."]),
    ("D8", [
        "Det hadde vært en drøm. Hos oss er det sånn at når noen er syke, så er samarbeidstiden "
        "det første som forsvinner. Vi skal ha en halvtime i uken med læreren, men det kan gå "
        "flere uker mellom hver gang."]),
    ("D12", [
        "Og det er ikke fordi lærerne ikke vil. De fleste lærerne er veldig fine å samarbeide "
        "med. Det er rammene."]),
    ("Intervjuer", [
        "Dere som jobber i barneskolen, har dere elever dere følger ekstra tett?"]),
    ("D7", [
        "Ja, Emma i femte. Hun kom til oss i fjor fra Klepp, og hun hadde hatt en tøff start. Jeg "
        "var den første hun snakket med om morgenen og den siste hun sa hadet til. Hennes mor "
        "sa til meg på et foreldremøte at Emma hadde begynt å glede seg til skolen igjen, og at "
        "det var på grunn av meg. Det er sånt man lever lenge på."]),
    ("D8", [
        "Jeg har Ahmed i tredje, som har autisme. Han trenger forutsigbarhet mer enn noe annet. "
        "Hvis timeplanen endres og ingen har sagt fra til ham, så faller hele dagen sammen. Ahmeds "
        "far og jeg har en fast melding hver fredag om neste uke. Det er ikke noe som står i noen "
        "plan, det er noe vi har funnet på selv."]),
    ("D11", [
        "Sånn blir det når det ikke er satt i system. Vi finner på løsninger selv, og det "
        "fungerer, men det står og faller på enkeltpersoner."]),
    ("Intervjuer", [
        "Blir dere bedt om å gjøre oppgaver som dere mener ikke hører til stillingen?"]),
    ("D8", [
        "Hele tiden. Kopiere, rydde etter arrangementer, vaske bord i kantina når det mangler "
        "folk. Jeg sier ikke nei, for jeg vil være en god kollega. Men jeg merker at det er oss "
        "de spør, ikke lærerne. Det er liksom en selvfølge at assistenten tar det.",
        "Det er noen år der jeg nesten har hatt lyst til å se maling tørke i stedet. Jeg har "
        "sittet bak i et klasserom et helt skoleår bare for å holde ro, fordi læreren ikke fikk "
        "til klasseledelsen. Det var ikke meg eleven trengte, det var læreren som trengte hjelp."]),
    ("D11", [
        "Og så er det møtene om enkeltelever. Der sitter ledelsen, kontaktlæreren, "
        "helsesykepleier, PPT og kanskje BUP. Men hvem er det de glemmer? Den som er sammen med "
        "eleven hver eneste dag. Jeg har opplevd at jeg har fått referatet etterpå, med tiltak jeg "
        "skal gjennomføre, uten at noen har spurt meg om hva jeg tror fungerer."]),
    ("D7", [
        "Ingrids klasse er et godt eksempel. Hun tar meg med på råd, og da fungerer tiltakene. I "
        "de andre klassene får jeg bare beskjed. Det er så personavhengig."]),
    ("D10", [
        "Vi hadde noe av det samme på den forrige skolen min, før jeg kom til videregående. Der "
        "ansatte de tre helsefagarbeidere på en gang, og to av dem sluttet nesten med én gang. "
        "Ingen hadde forklart dem hva jobben var, og ingen visste hvordan de skulle brukes. Han "
        "som ble igjen, gjorde en kjempejobb, men hans rolle var aldri avklart."]),
    ("D12", [
        "Jeg tok fagbrevet mitt i Trondheim, og der lærte vi mye om hvordan et lag rundt "
        "eleven skal fungere. Men ute i skolen er det lite av den tenkningen. Man glemmer egne "
        "ansatte og hvilke kvalifikasjoner de har, og så vil man heller hente inn folk utenfra."]),
    ("Intervjuer", [
        "Hva med kompetanseheving? Får dere tilbud om kurs eller videreutdanning?"]),
    ("D9", [
        "Hos oss får vi stadig vekk kurs når vi får elever med nye diagnoser. Og da er det "
        "sånn at den som har vært på kurs, må komme tilbake og fortelle de andre hva hen har "
        "lært. Det er en fast ordning."]),
    ("D7", [
        "Det var tanken hos oss også en gang. Men så kom vi tilbake til hverdagen, og det ble "
        "aldri tid til å dele noe. Og kurs får vi nesten ikke. Vi er fagarbeidere som ikke "
        "blir prioritert når det kommer til etter- og videreutdanning. Prioriteringen i skolen er "
        "fra lærerne og oppover."]),
    ("D12", [
        "Jeg tok seksti studiepoeng i spesialpedagogikk ved siden av jobben. Da jeg spurte om "
        "det kunne gi noe i lønn, fikk jeg høre at det ikke var den kompetansen skolen "
        "etterspurte. Samtidig er det jo akkurat de elevene vi jobber med hver dag.",
        "Så jeg sitter med papirene i en skuff."]),
    ("D10", [
        "Det er også pengene. Skal en lærer på kurs, så får skolen ofte midler og kan sette inn "
        "vikar. Skal en assistent eller en fagarbeider på kurs, så må skolen betale alt selv, og "
        "så er det ingen vikar som kan ta eleven. Det er enklere å sette inn en vikar i et "
        "klasserom enn hos en enkeltelev, for det går så mye på relasjonen."]),
    ("D8", [
        "Kanskje handler det litt om bemanning også. Hadde man hatt flere folk, så hadde man "
        "hatt mer rom for både veiledning og kurs."]),
    ("Intervjuer", [
        "Jeg vil gjerne høre om hvordan dere opplever å bli verdsatt. Av elevene, foreldrene, "
        "lærerne og ledelsen, og kanskje av samfunnet."]),
    ("D11", [
        "Av elevene og foreldrene, veldig. Foreldre kan komme med en blomst eller en sjokolade "
        "før jul og si at barnet deres ikke hadde hatt det så bra uten meg. Men høyere opp, i "
        "kommunen, så er jeg en lønningspost. Det er det ingen tvil om."]),
    ("D7", [
        "Jeg føler at det er et A- og B-lag på skolen. Lærerne er A-laget, og vi andre er "
        "B-laget som skal fylle inn der det mangler. Når det snakkes om andre yrkesgrupper, så "
        "er alle bare «assistenter». Jeg har fagbrev og jobber som barne- og ungdomsarbeider, "
        "men jeg blir alltid plassert nederst."]),
    ("D9", [
        "Det er litt som under pandemien. Alle takket lærerne, og det var fortjent, men vi som "
        "var på jobb hver dag med de mest sårbare elevene, ble ikke nevnt. Jeg husker at det "
        "stod i Jærbladet om hvor flinke lærerne hadde vært, og min kollega Mona Hauge, som "
        "hadde vært på jobb hver eneste dag, ble ikke nevnt med et ord. Mona tok det tungt."]),
    ("D10", [
        "Og rektor hos oss syns vel at avdelingen vår er en belastning, for vi koster så mye "
        "penger. Det får vi høre. Du må ned på avdelingsledernivå før noen virkelig setter pris på "
        "det vi gjør."]),
    ("D12", [
        "Jeg tror det handler om kunnskap. Folk vet ikke hva vi gjør. Det er først når du har et "
        "barn med utfordringer selv at du ser hvilken jobb vi gjør. Som Siri sa, vi er der hver "
        "dag, og da blir vi viktige for dem."]),
    ("D9", [
        "Men vi må også tørre å ta plassen vår. Vi må si høyt hvem vi er og hva vi kan. Det er "
        "ingen andre som gjør det for oss."]),
    ("D8", [
        "Når ledelsen snakker fint om oss på personalmøter, så sprer det seg nedover til "
        "lærerne også. Hvis ikke, så er du «bare en assistent», og da er det helt avhengig av "
        "om du kjenner læreren godt."]),
    ("Intervjuer", [
        "Flere av dere har nevnt brannslukking. Hvordan ser en vanlig dag ut?"]),
    ("D12", [
        "På SFO er det nesten bare det. Vi har en plan for ettermiddagen, med aktiviteter og "
        "grupper, men den holder sjelden hele veien. En elev har hatt en dårlig dag på skolen, "
        "og det tar vi med oss videre til SFO, uten at vi har fått vite noe om det. Da blir det "
        "å slukke branner i stedet for å gjøre det vi hadde planlagt. Hvis vi hadde fått en "
        "kort beskjed fra skoledelen hver dag, hadde vi vært mye mer i forkant."]),
    ("D8", [
        "Jeg er ufaglært på papiret, men jeg har seks år med elevene, og jeg har tre egne barn. "
        "Det er også kompetanse, selv om det ikke står på et vitnemål. Jeg kan se på en elev i "
        "døra om morgenen om dagen kommer til å gå bra eller ikke. Den kunnskapen blir ikke brukt "
        "når vi ikke er med på møtene."]),
    ("D7", [
        "Og det er jo det som er så frustrerende. Hadde vi vært med, så hadde vi kunnet forebygge "
        "mye av det vi nå må rydde opp i etterpå. Det koster mer å slukke branner enn å "
        "forhindre dem."]),
    ("Intervjuer", [
        "Hva skulle til for at dere følte dere sett og hørt som yrkesgruppe?"]),
    ("D9", [
        "At det var en plan. At noen hadde satt seg ned og tenkt: Hva kan en vernepleier, hva "
        "kan en barne- og ungdomsarbeider, og hvordan bruker vi det best? Det finnes skoler som "
        "gjør det, men det burde vært mange flere. Det som er rart, er at det er de samme "
        "skoleeierne som utdanner fagarbeiderne i videregående, som så ikke vet hva de skal gjøre "
        "med dem når de kommer ut i egen skole."]),
    ("D7", [
        "Og at det ble sagt høyt. Jeg fikk en gang en e-post fra rektor der han takket for "
        "innsatsen med Magnus etter en veldig tøff høst. Den har jeg fortsatt. Det trengs ikke "
        "mye, men det må komme."]),
    ("D11", [
        "For meg handler det om å være med der avgjørelsene tas. Å bli spurt. Det er ikke lønnen "
        "som er det viktigste, selv om den også er for dårlig, men at noen ser at det jeg kan, "
        "er noe annet enn det læreren kan, og at begge deler trengs."]),
    ("Intervjuer", [
        "Til slutt har vi en øvelse. Her er et ark med et curlingbo, og i midten står en kopp "
        "med L for lærer. Skriv utdanningen deres i bunnen av koppen, og plasser den der dere "
        "mener dere står i forhold til læreren, i laget rundt eleven."]),
    ("D10", [
        "Jeg føler jeg har kompetanse lærerne setter pris på, så jeg setter meg ganske nær."]),
    ("D8", [
        "Jeg er ufaglært, men jeg setter meg også nær. Jeg føler meg godt tatt imot av lærerne "
        "og ledelsen, jeg er inne i varmen."]),
    ("D11", [
        "Jeg legger meg et stykke ut. Ikke helt i kanten, men samarbeidstiden er så variabel at "
        "jeg ikke kan si at jeg er i sentrum."]),
    ("Intervjuer", [
        "Og hvis vi bytter ut koppen med en kopp med E for eleven?"]),
    ("D7", [
        "Kan jeg sette den oppå?\vDet er der jeg er hele dagen, i hvert fall."]),
    ("Intervjuer", [
        "Hvor mange av dere ville satt koppen oppå, hvis vi hadde latt dere?"]),
    ("D12", [
        "Alle, tror jeg. Se på oss, alle rekker opp hånda."]),
    ("Intervjuer", [
        "Da er alle seks enige. Tusen takk for at dere delte så mye."]),
]


def write(path: Path) -> None:
    """Bold speaker label, then the turn; extra paragraphs of a turn have no label."""
    document = docx.Document()
    for index, (speaker, paragraphs) in enumerate(TURNS):
        first, *rest = paragraphs
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{speaker}:").bold = True
        _add_text(paragraph, f" {first}")
        for text in rest:
            _add_text(document.add_paragraph(), text)
        if index % 4 == 3:
            document.add_paragraph()  # the transcriber's stray empty paragraphs
    document.save(str(path))


def _add_text(paragraph: docx.text.paragraph.Paragraph, text: str) -> None:
    """A vertical tab in TURNS stands for a manual line break (Shift+Enter) in Word."""
    first, *more = text.split("\v")
    run = paragraph.add_run(first)
    for line in more:
        run.add_break()
        run = paragraph.add_run(line)


if __name__ == "__main__":
    write(Path(__file__).with_name("fg2.docx"))
