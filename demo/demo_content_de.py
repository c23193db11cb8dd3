"""The German version of the demo course (demo/demo_content.py), as plain Python data.

Only what a reader sees is here. Each lesson's ``body`` lists the same blocks in the same order as
the English lesson; struct values hold only the translated fields and are laid over the English
value, so formats, due days, audiences, the cover image and the video stay as they are, and every
block gets the same id as its English counterpart (the id comes from the English slug). German
pages keep the English slugs: a lesson has one URL in both languages.

Written in the formal "Sie"; facilitators are "Kursleitung" and circles "Schreibkreis", as in the
German UI catalogue (locale/de).
"""

from demo.demo_content import squash

HOME = {
    "title": "Klartext",
    "intro": "<p>Eine ehrliche digitale Präsenz aufbauen – ein Beitrag nach dem anderen.</p>",
}

COVER_ALT_TEXT = squash(
    """Der Titel „Digital presence for leaders“ unter einem abstrakten Netz aus kleinen hellen
    Kreisen, die auf dunkelblauem Grund durch feine Linien verbunden sind; ein Kreis nahe der
    Mitte ist bernsteinfarben hervorgehoben und umrandet."""
)

COURSE = {
    "title": "Digitale Präsenz für Führungskräfte",
    "intro": squash(
        """<p>Ein achtwöchiger Kurs für Vorstände, Geschäftsführerinnen und Führungskräfte in
        Deutschland und Großbritannien, die online mit eigener Stimme präsent sein möchten:
        ehrlich, konkret und lesenswert – ohne Ghostwriter und ohne sich in eine Marke zu
        verwandeln.</p>
        <p>Jede Woche öffnet eine neue Lektion. Sie lesen sie in etwa einer halben Stunde,
        schreiben einen kurzen Text dazu und teilen ihn mit einem kleinen Kreis von Gleichgesinnten,
        die einander offen Rückmeldung geben. Am Ende wissen Sie, was Sie zu sagen haben und wem,
        wo Sie es sagen und wie Sie nach dem Kurs dranbleiben.</p>"""
    ),
    "outcomes": [
        "In zwei Sätzen sagen, wer Sie sind, was Sie zu sagen haben und wem.",
        "Die wenigen Menschen und Gruppen wählen, die Sie erreichen möchten – und die Plattformen, auf denen sie "
        "schon sind.",
        "Kurze Beiträge und längere Texte über Ihre tatsächliche Arbeit schreiben, in Ihrer eigenen Stimme.",
        "Zuhören, bevor Sie reden: zwei oder drei durchdachte Antworten auf jeden eigenen Beitrag.",
        "Eine Veranstaltung und ihren Hashtag vorher, währenddessen und danach nutzen, um Menschen zu treffen, "
        "die Sie sonst verpassen würden.",
        "Ihr Netzwerk nach dem Kurs mit dreißig Minuten pro Woche lebendig halten.",
    ],
}


# --- Lektion 1 ------------------------------------------------------------------------------

LESSON_WHO_AM_I = {
    "title": "Wer bin ich, und was habe ich zu sagen?",
    "summary": squash(
        """Bevor Sie eine Plattform wählen oder einen einzigen Beitrag schreiben, klären Sie drei
        Dinge: die Erfahrung, die nur Sie haben, die Fragen, die Sie wirklich beschäftigen, und
        das, was Ihre Rolle Ihnen zu sagen erlaubt. Am Ende steht eine vertrauliche
        Selbstbeschreibung für Ihre Kursleitung."""
    ),
    "body": [
        (
            "text",
            squash(
                """<p>Die meisten Führungskräfte, die in diesen Kurs kommen, haben gehört, sie
                „sollten sichtbarer werden“ – meist von der Kommunikationsabteilung, manchmal vom
                Aufsichtsrat, gelegentlich von den eigenen Kindern. Der Rat ist selten falsch,
                aber er überspringt die erste Frage. Sichtbarkeit nützt nur, wenn es etwas zu
                sehen gibt. Bevor wir über Plattformen, Formate oder Frequenz sprechen, finden
                wir heraus, was das bei Ihnen ist.</p>
                <p>Es geht nicht darum, eine Personenmarke aufzubauen. Eine Marke ist ein
                Versprechen, das gleich bleibt, was auch geschieht; ein Mensch ändert seine
                Meinung, hat ein schlechtes Quartal, lernt dazu. Wer Führungskräften online
                folgt, sucht kein poliertes Logo mit Gesicht. Man möchte wissen, wie jemand in
                Ihrer Position denkt, was Ihnen auffällt und was Sie tun, wenn es schwierig
                wird.</p>"""
            ),
        ),
        ("heading", {"text": "Drei Quellen für das, was sich zu sagen lohnt"}),
        (
            "text",
            squash(
                """<p>Fast alles, was eine Führungskraft sinnvoll sagen kann, stammt aus einer von
                drei Quellen. Suchen Sie die Stelle, an der sie sich überschneiden.</p>
                <ul>
                <li><b>Was Sie aus Erfahrung wissen.</b> Nicht, was Ihr Unternehmen verkauft,
                sondern was Sie erlebt haben: zwanzig Jahre Lieferantenverhandlungen, drei
                Umstrukturierungen, das erste Mal, als Sie Menschen geführt haben, die älter
                waren als Sie. Erfahrung ist das Einzige, was niemand kopieren kann.</li>
                <li><b>Was Sie wirklich beschäftigt.</b> Die Fragen, auf die Sie im Auto oder im
                Zug immer wieder zurückkommen: die Ausbildung, Energiepreise in der Industrie,
                warum Besprechungen in Ihrer Branche grundsätzlich überziehen. Worüber Sie beim
                Abendessen nicht sprechen würden, darüber schreiben Sie auch nicht gut.</li>
                <li><b>Was Ihre Rolle Ihnen zu sagen erlaubt.</b> Seien Sie ehrlich, was die
                Grenzen angeht: Kapitalmarktrecht, Aufsichtsbehörden, Betriebsvereinbarungen,
                laufende Verhandlungen. Grenzen sind kein Grund zu schweigen; sie zeigen Ihnen,
                wo sicherer und zugleich interessanter Boden liegt.</li>
                </ul>
                <p>Die Schnittmenge der drei ist Ihr Terrain. Für die meisten ist es schmaler,
                als sie befürchten, und tiefer, als sie erwarten.</p>"""
            ),
        ),
        (
            "image",
            {
                "alt_text": COVER_ALT_TEXT,
                "caption": "Präsenz entsteht aus vielen kleinen, verbundenen Gesprächen, nicht aus einer lauten "
                "Stimme.",
            },
        ),
        ("heading", {"text": "Der Tischnachbar-Test"}),
        (
            "text",
            squash(
                """<p>Stellen Sie sich vor, Sie sitzen bei einem Abendessen neben einem klugen
                Menschen, der nicht in Ihrer Branche arbeitet. Er fragt, was Sie beruflich
                machen, und dann – interessanter –, worüber Sie in letzter Zeit nachdenken. Was
                erzählen Sie? Was Sie in diesen fünf Minuten sagen würden, ohne Fachjargon, liegt
                sehr nahe an dem, worüber Sie schreiben sollten.</p>
                <p>Achten Sie nun darauf, was Sie <i>nicht</i> sagen würden. Sie würden nicht das
                Leitbild Ihres Unternehmens aufsagen, keine Produktneuheiten des Quartals
                aufzählen und nicht verkünden, dass Sie sich „sehr freuen, mitteilen zu dürfen“.
                Dieser Instinkt ist richtig. Behalten Sie ihn.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": "Über welche drei Themen könnten Sie zehn Minuten lang ohne Folien sprechen?",
                "guidance": squash(
                    """Schreiben Sie sie auf, wie sie Ihnen einfallen. Sortieren Sie noch nicht
                    danach, ob sie strategisch genug klingen; das tun wir später."""
                ),
            },
        ),
        (
            "tip",
            {
                "title": "Beschreiben Sie Ihre Aufgabe, nicht Ihren Titel",
                "text": squash(
                    """<p>Sagen Sie, was Sie tun und für wen. „Ich führe ein Familienunternehmen
                    mit 900 Menschen, das Pumpen baut, und ich frage mich, wer sie 2040 noch
                    bauen wird“ sagt viel mehr als „CEO, Müller Pumpen GmbH“.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Ehrlich auch bei den Lücken"}),
        (
            "text",
            squash(
                """<p>Ehrlichkeit heißt auch, zu sagen, was man nicht weiß. Führungskräfte
                fürchten oft, dass eingestandene Unsicherheit ihre Autorität schwächt. In der
                Praxis geschieht meist das Gegenteil: Ein kurzes, offenes „Wir haben das
                versucht, es hat nicht funktioniert, und das haben wir daraus gelernt“ schafft
                mehr Vertrauen als jede Erfolgsgeschichte.</p>
                <p>Sie müssen nicht jeden Zweifel veröffentlichen. Aber geben Sie keine
                Gewissheit vor, die Sie nicht haben. Ihre eigenen Leute lesen, was Sie schreiben –
                und sie merken es.</p>"""
            ),
        ),
        (
            "writing_assignment",
            {
                "title": "Wer bin ich, was sage ich, und wem?",
                "prompt": squash(
                    """Schreiben Sie für Ihre Kursleitung eine kurze, vertrauliche
                    Selbstbeschreibung. In eigenen Worten: wer Sie jenseits Ihres Titels sind; die
                    zwei oder drei Themen, in denen sich Ihre Erfahrung, Ihre Interessen und Ihre
                    Rolle überschneiden; und die Menschen, die Sie am liebsten erreichen würden.
                    Schließen Sie mit einer Sache, bei der Sie unsicher sind oder die Sie ungern
                    öffentlich sagen würden."""
                ),
                "guidance": squash(
                    """<p>Das ist eine Arbeitsnotiz, kein Beitrag. Nur Ihre Kursleitung sieht
                    sie.</p>
                    <ul>
                    <li>Schreiben Sie in ganzen Sätzen, als erklärten Sie sich einer
                    nachdenklichen Kollegin.</li>
                    <li>Werden Sie konkret: Nennen Sie eine Branche, eine Region, eine Art von
                    Mensch.</li>
                    <li>Schreiben Sie gern auf Englisch, wenn Ihnen das leichter fällt; Ihre
                    Kursleitung liest beides.</li>
                    <li>In der letzten Lektion kommen wir auf diese Notiz zurück und sehen, was
                    sich verändert hat.</li>
                    </ul>"""
                ),
            },
        ),
    ],
}


# --- Lektion 2 ------------------------------------------------------------------------------

LESSON_WHOM = {
    "title": "Wen spreche ich an, und wem vertrauen diese Menschen?",
    "summary": squash(
        """Reichweite ist nicht dasselbe wie Vertrauen. Diese Lektion vergleicht zwei Arten, präsent
        zu sein – breit und flach, persönlich und tief – und hilft Ihnen, die Handvoll Menschen
        und Gruppen zu wählen, die Sie wirklich erreichen wollen."""
    ),
    "body": [
        (
            "text",
            squash(
                """<p>Soziale Plattformen zeigen Ihnen Zahlen: Follower, Impressionen,
                Reaktionen. Sie sind leicht zu zählen und leicht zu vergleichen, deshalb
                übernehmen sie so schnell das Kommando. Doch ein Beitrag, den zwanzigtausend
                Fremde sehen und nach zwei Sekunden weiterscrollen, bewirkt oft weniger als eine
                Antwort, die die zwölf Menschen aufmerksam lesen, auf die es bei Ihrer nächsten
                Entscheidung ankommt.</p>"""
            ),
        ),
        ("heading", {"text": "Breit und flach, persönlich und tief"}),
        (
            "text",
            squash(
                """<p>Es gibt zwei Arten, online präsent zu sein, und beide haben ihren Platz.</p>
                <p><b>Breit und flach</b> heißt, viele Menschen flüchtig zu erreichen: ein
                Ausschnitt aus einer Keynote, ein Beitrag zum Jahresergebnis, ein Kommentar zu
                Branchennachrichten. Das schafft Bekanntheit; man lernt Ihren Namen und ungefähr,
                wofür Sie stehen. Vertrauen entsteht dadurch allein nicht, und es verleitet zum
                Allgemeinen, weil Allgemeines sich gut verbreitet.</p>
                <p><b>Persönlich und tief</b> heißt, weniger Menschen und mehr Aufmerksamkeit:
                auf den durchdachten Beitrag einer Kundin antworten, den eigenen Mitarbeitenden
                über eine schwierige Entscheidung schreiben, die Arbeit von drei Forschenden in
                Ihrem Fach verfolgen und ihnen sagen, wenn Ihnen etwas geholfen hat. Das schafft
                Beziehungen. Es geht langsam, es taucht in keinem Dashboard auf, und genau dort
                liegt der größte Wert.</p>
                <p>Führungskräfte machen fast immer denselben Fehler: zu viel Breite, zu wenig
                Tiefe. Ihre Kommunikationsabteilung ist darauf eingerichtet, das Erste zu messen.
                Das Zweite können nur Sie selbst.</p>"""
            ),
        ),
        ("heading", {"text": "Wem vertrauen Menschen?"}),
        (
            "text",
            squash(
                """<p>Vertrauensstudien wie das jährliche Edelman Trust Barometer zeigen seit
                Jahren, dass Menschen „jemandem wie mir“ und ihrem eigenen Arbeitgeber mehr
                vertrauen als Vorstandsvorsitzenden als Gruppe. Das soll Sie nicht entmutigen. Es
                zeigt, wie Vertrauen wandert: über Menschen, die den Lesenden nahestehen. Die
                meisten Ihrer Worte erreichen Menschen aus zweiter Hand – weitergegeben von einem
                Kollegen, einer Kundin oder einem ehemaligen Mitarbeiter, der dazuschreibt: „Das
                lohnt sich.“ Schreiben Sie für diese Person, die weitergibt, und machen Sie es
                ihr leicht, das ohne Verlegenheit zu tun.</p>
                <p>Der Soziologe Mark Granovetter hat 1973 in „The Strength of Weak Ties“
                gezeigt, dass neue Informationen, etwa über offene Stellen, uns oft über Bekannte
                erreichen und nicht über enge Freunde. Eine gesunde Präsenz braucht beides: einen
                kleinen Kern von Menschen, die Sie gut kennen, und einen weiteren Kreis von
                Bekannten, die ab und zu von Ihnen hören.</p>"""
            ),
        ),
        ("heading", {"text": "Benennen Sie Ihre zwölf"}),
        (
            "text",
            squash(
                """<p>Bevor Sie irgendetwas anderes schreiben, listen Sie zwölf Menschen oder
                Gruppen auf, die Sie in den nächsten sechs Monaten erreichen wollen. Werden Sie
                konkret. Nicht „die Branche“, sondern „die Einkaufsleitungen unserer fünf größten
                Kunden“. Nicht „junge Talente“, sondern „Ingenieurstudierende in Dresden und
                Sheffield, die noch nie von uns gehört haben“. Nicht „die Belegschaft“, sondern
                „die Schichtleiterinnen und Schichtleiter in unserem Leipziger Werk, die mich nur
                bei der Weihnachtsfeier sehen“.</p>
                <p>Notieren Sie neben jedem Eintrag, wo diese Menschen ihre Aufmerksamkeit schon
                heute verbringen: eine Plattform, ein Newsletter, ein Branchenverband, eine
                Messe, ein Gruppenchat, in dem Sie nie Mitglied sein werden. Die Antwort
                entscheidet, wo Sie auftauchen sollten – und oft ist es nicht dort, wo Sie es
                erwartet hätten.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Wessen Beitrag oder Nachricht hat zuletzt Ihre Meinung zu einer
                    beruflichen Frage geändert, und was hat ihn glaubwürdig gemacht?"""
                ),
                "guidance": squash(
                    """Denken Sie an ein konkretes Beispiel. Notieren Sie, ob es von jemandem kam,
                    den Sie persönlich kennen, und ob die Person über, unter oder außerhalb Ihrer
                    Organisation stand."""
                ),
            },
        ),
        (
            "tip",
            {
                "title": "Das Publikum, das Sie schon haben",
                "text": squash(
                    """<p>Ihre eigene Organisation ist auch ein Publikum, und meist das
                    wichtigste. Mitarbeitende lesen, was ihre Führungskräfte öffentlich schreiben,
                    genauer als jedes interne Rundschreiben. Schreiben Sie so, dass Sie sich
                    wohlfühlen würden, wenn jede und jeder von ihnen es liest.</p>"""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Ein Beitrag für eine Gruppe",
                "prompt": squash(
                    """Wählen Sie eine Gruppe von Ihrer Liste der zwölf und schreiben Sie einen
                    LinkedIn-Beitrag nur für sie. Beginnen Sie mit etwas, das diese Menschen aus
                    ihrer eigenen Arbeitswoche kennen, und sagen Sie dann eine Sache, die Sie
                    gelernt haben und die ihnen nützen könnte."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Behalten Sie die Gruppe im Kopf; nennen müssen Sie sie im Beitrag
                    nicht.</li>
                    <li>Lassen Sie alles weg, was nur Ihr eigenes Unternehmen interessiert.</li>
                    <li>Die ersten zwei Zeilen sind alles, was die meisten vor „…mehr“ sehen.
                    Machen Sie sie konkret.</li>
                    <li>Hashtags brauchen Sie noch nicht.</li>
                    </ul>"""
                ),
            },
        ),
    ],
}


# --- Lektion 3 ------------------------------------------------------------------------------

LESSON_OPENNESS = {
    "title": "Offenheit beginnt an der Spitze",
    "summary": squash(
        """Sie können von Ihrer Organisation keine Offenheit verlangen, solange die Führung
        schweigt. Diese Lektion zeigt, wie Sie Offenheit vorleben, wie Sie mit Rechtsabteilung,
        Kommunikation und Betriebsrat vernünftige Leitplanken vereinbaren und wie Sie die Menschen
        schützen, die nach Ihnen den Mund aufmachen."""
    ),
    "body": [
        (
            "text",
            squash(
                """<p>Viele Organisationen wünschen sich, dass ihre Leute online „Botschafter“
                sind, und wundern sich dann, dass es niemand tut. Am Mangel an Richtlinien liegt
                das selten. Die Mitarbeitenden beobachten, was mit denen geschieht, die vorangehen.
                Wenn die Geschäftsführung nie mehr als Pressemitteilungen teilt, oder wenn der eine
                Ingenieur, der offen über ein Projekt geschrieben hat, zu einem „kurzen Gespräch“
                gebeten wurde, ziehen alle den naheliegenden Schluss.</p>
                <p>Offenheit ist ein Verhalten, und Verhalten lernt man durch Zuschauen. Damit
                sind Sie der wichtigste Teil jeder Richtlinie. Was Sie schreiben, wie Sie auf
                Kritik reagieren und was Sie tun, wenn ein Kollege etwas leicht Unglückliches
                veröffentlicht, das sind die eigentlichen Regeln.</p>"""
            ),
        ),
        (
            "quote",
            {
                "quote": "Der große Feind klarer Sprache ist die Unaufrichtigkeit.",
                "attribution": "George Orwell, „Politics and the English Language“ (1946)",
            },
        ),
        ("heading", {"text": "Leitplanken statt Schranken"}),
        (
            "text",
            squash(
                """<p>Offenheit heißt nicht, alles zu sagen. Sie heißt, klar zu benennen, was
                tabu ist, und großzügig mit allem anderen zu sein. Eine gute Richtlinie passt auf
                eine Seite und regelt mindestens Folgendes:</p>
                <ul>
                <li><b>Vertrauliche Informationen und Insiderinformationen.</b> Ist Ihr
                Unternehmen börsennotiert, gilt in der EU die Marktmissbrauchsverordnung, in
                Großbritannien ihre britische Fassung: Kursrelevantes gehört niemals in einen
                persönlichen Beitrag. Unveröffentlichte Zahlen, Übernahmen und Personalien in der
                Führung sind die klassischen Fallen.</li>
                <li><b>Kunden, Mitarbeitende und Partner.</b> Keine Namen und keine
                erkennbaren Details ohne Einverständnis. Loben Sie Menschen öffentlich nur mit
                ihrer Erlaubnis.</li>
                <li><b>Laufende Streitigkeiten und Verhandlungen,</b> auch Tarifverhandlungen.
                Sagen Sie, dass Sie sich nicht äußern können, und sagen Sie, warum.</li>
                <li><b>Wen man fragt.</b> Eine namentlich benannte Person in Kommunikation oder
                Recht, die binnen eines Tages antwortet – kein Gremium.</li>
                </ul>
                <p>Alles, was nicht geregelt ist, ist erlaubt. Schreiben Sie diesen Satz in die
                Richtlinie; die Menschen müssen ihn lesen.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Beziehen Sie den Betriebsrat früh ein",
                "text": squash(
                    """<p>In Deutschland können Regeln dazu, wie Beschäftigte soziale Medien
                    nutzen, und jedes Werkzeug, mit dem sich ihr Verhalten überwachen ließe, der
                    Mitbestimmung des Betriebsrats unterliegen. Auch wo das nicht zwingend ist:
                    Sprechen Sie mit ihm, bevor etwas veröffentlicht wird. Einer Richtlinie, die
                    mit dem Betriebsrat vereinbart wurde, vertraut man weit mehr als einer, die
                    ihm nur mitgeteilt wurde.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Vorangehen in der Praxis"}),
        (
            "text",
            squash(
                """<p>Sie brauchen keine große Ankündigung. Drei Gewohnheiten leisten den
                Großteil der Arbeit:</p>
                <ol>
                <li><b>Teilen Sie die Abwägung, nicht nur das Ergebnis.</b> Wenn Sie eine
                Entscheidung verkünden, intern oder öffentlich, fügen Sie einen Absatz hinzu:
                was Sie abgewogen und wogegen Sie sich entschieden haben. Menschen akzeptieren
                Entscheidungen, die sie nicht teilen, wenn sie verstehen, wie sie zustande
                kamen.</li>
                <li><b>Räumen Sie öffentlich ein, was schiefgegangen ist.</b> Ein verspätetes
                Produkt, ein gescheitertes Pilotprojekt, eine Umorganisation, die mehr Unruhe
                gestiftet hat als geplant. Ein ehrlicher Satz genügt; niemand erwartet ein
                Geständnis.</li>
                <li><b>Stellen Sie sich sichtbar hinter die, die Ihnen folgen.</b> Wenn jemand
                in Ihrer Organisation über die eigene Arbeit schreibt, lesen Sie es, antworten
                Sie mit etwas Konkretem und erwähnen Sie es in der nächsten Teamrunde. Unterläuft
                jemandem ein Fehler, klären Sie das unter vier Augen und freundlich.</li>
                </ol>
                <p>Kulturelle Gewohnheiten spielen mit. In Großbritannien neigt man oft zum
                Understatement und scheut alles, was nach Selbstdarstellung aussieht; in
                Deutschland eher zur Vorsicht und zu dem Wunsch, vorher alles abzustimmen. Beide
                Instinkte schützen Sie, und beide können zur Ausrede werden. Achten Sie darauf,
                auf welchen Sie sich stützen.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Was ist geschehen, als das letzte Mal jemand in Ihrer Organisation
                    öffentlich etwas Kritisches gesagt hat?"""
                ),
                "guidance": squash(
                    """Seien Sie ehrlich: was Sie getan haben, was andere getan haben und welchen
                    Schluss Ihre Mitarbeitenden vermutlich daraus gezogen haben."""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Warum ich anfange, öffentlich zu schreiben",
                "prompt": squash(
                    """Schreiben Sie einen kurzen Artikel an Ihre eigene Organisation: warum Sie
                    sich entschieden haben, öffentlich zu schreiben, worüber Sie schreiben werden
                    und worüber nicht, und was sich andere hoffentlich ebenfalls trauen. Er kann
                    später im Intranet, in einem Blog oder auf LinkedIn erscheinen; schreiben Sie
                    ihn zunächst für Ihre Kolleginnen und Kollegen."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Werden Sie persönlich. Erklären Sie, was Sie zu der Entscheidung gebracht
                    hat, nicht die Strategie dahinter.</li>
                    <li>Nennen Sie ein oder zwei Themen, über die Sie schreiben werden, und eines,
                    von dem Sie die Finger lassen – und warum.</li>
                    <li>Sagen Sie, welche Unterstützung andere erwarten können, wenn sie auch
                    anfangen.</li>
                    <li>Bevor der Text weitergeht, fragen Sie jemanden aus der Kommunikation, was
                    er ändern würde – nicht, ob er erlaubt ist.</li>
                    </ul>"""
                ),
            },
        ),
    ],
}


# --- Lektion 4 ------------------------------------------------------------------------------

LESSON_YOUR_DAY = {
    "title": "Schreiben Sie über das, was Ihren Tag füllt",
    "summary": squash(
        """Der beste Stoff steht schon in Ihrem Kalender. Diese Lektion zeigt, wie aus gewöhnlichen
        Arbeitstagen Beiträge werden, die man gern liest – konkret, anschaulich, ein Gedanke auf
        einmal –, und wie Sie sich angewöhnen, diesen Stoff zu sammeln."""
    ),
    "body": [
        (
            "text",
            squash(
                """<p>Wenn Führungskräfte sich zum Schreiben hinsetzen, greifen sie oft zu den
                großen Themen: die Zukunft der Arbeit, die digitale Transformation, der
                Fachkräftemangel. Solche Beiträge vergisst man fast immer, weil tausend andere
                sie schon geschrieben haben. Was niemand sonst schreiben kann, ist Ihr Dienstag:
                das Lieferantengespräch, bei dem sich das eigentliche Problem als Tabelle
                entpuppte, die Auszubildende, die fragte, warum das Unternehmen noch Faxe
                verschickt, die Aufsichtsratssitzung, aus der Sie nichts berichten dürfen, deren
                Grundfrage Sie aber sehr wohl stellen können.</p>"""
            ),
        ),
        (
            "quote",
            {
                "quote": "Woher soll ich wissen, was ich denke, bevor ich sehe, was ich sage?",
                "attribution": "E. M. Forster, „Aspects of the Novel“ (1927)",
            },
        ),
        ("heading", {"text": "Ihr Kalender ist Ihr Redaktionsplan"}),
        (
            "text",
            squash(
                """<p>Schauen Sie auf die vergangene Woche. Jede Besprechung, jeder Besuch, jedes
                Gespräch ist ein möglicher Beitrag, wenn Sie ihm drei Fragen stellen:</p>
                <ul>
                <li><b>Was hat mich überrascht?</b> Überraschung heißt, dass Ihre Erwartung
                falsch war – und das ist für alle interessant, die sie teilen.</li>
                <li><b>Was weiß ich jetzt, was ich am Montag noch nicht wusste?</b> Kleines
                zählt: wie die Nachtschicht Übergaben regelt, warum sich ein Kunde für den
                Wettbewerb entschieden hat.</li>
                <li><b>Welche Frage bleibt?</b> Offene Fragen laden zu Antworten ein, wie es
                Schlussfolgerungen nie tun.</li>
                </ul>
                <p>Vielleicht eignet sich eine von zehn Begebenheiten für einen Beitrag, ohne
                dass Sie dabei ein Vertrauen brechen. Bei einem Beitrag pro Woche ist das
                reichlich.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Führen Sie eine Notizdatei",
                "text": squash(
                    """<p>Legen Sie auf Ihrem Telefon eine einzige Notiz mit dem Titel
                    „Lohnt sich zu sagen“ an. Wann immer Ihnen etwas auffällt, ergänzen Sie eine
                    Zeile. Kein Entwurf, kein Feinschliff. Wenn Sie sich zum Schreiben
                    hinsetzen, beginnen Sie mit einer Liste statt mit einem leeren Blatt.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Ein Gedanke, konkret erzählt"}),
        (
            "text",
            squash(
                """<p>Ein guter Beitrag tut eine Sache. Er beschreibt eine bestimmte Situation,
                sagt, was Sie daraus gemacht haben, und hört auf. Widerstehen Sie der
                Versuchung, einen zweiten Punkt anzuhängen, eine Liste von Erkenntnissen oder
                einen Aufruf. Wenn es einen zweiten Punkt gibt, ist das der Beitrag der nächsten
                Woche.</p>
                <p>Konkret schlägt abstrakt, jedes Mal. „Wir investieren in unsere Menschen“
                sagt nichts. „Letzten Monat haben wir die Teamrunde in Bremen von Montag acht Uhr
                auf Dienstag zehn Uhr verlegt, weil drei Leute im Team morgens die Kinder zur
                Schule bringen – seitdem ist fast das ganze Team dabei statt der Hälfte“ sagt
                eine Menge, und es sagt etwas über Ihre Werte, ohne das Wort zu benutzen.</p>
                <p>Schreiben Sie so, wie Sie mit einer Kollegin sprechen würden, die Sie
                schätzen: kurze Sätze, überwiegend Hauptsätze, Wörter, die Sie auch laut sagen
                würden.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Lesen Sie es laut",
                "text": squash(
                    """<p>Wo Sie beim lauten Lesen Ihres Entwurfs stolpern, stolpern auch die
                    Lesenden. Kurt Tucholskys „Ratschläge für einen guten Redner“ von 1930 gelten
                    fürs Schreiben genauso: <i>„Hauptsätze, Hauptsätze, Hauptsätze.“</i></p>"""
                ),
            },
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Von welchem Moment der vergangenen Woche würden Sie einer Freundin
                    erzählen, wenn sie fragt, wie es bei der Arbeit war?"""
                ),
                "guidance": squash(
                    """Nicht vom wichtigsten Moment, sondern vom aufschlussreichsten. Schreiben
                    Sie in drei Sätzen auf, was geschehen ist, noch ohne Schlussfolgerung."""
                ),
            },
        ),
        ("heading", {"text": "Was Sie weglassen"}),
        (
            "text",
            squash(
                """<p>Lassen Sie weg, was anderen gehört: ihre Fehler, ihre privaten Umstände,
                Gespräche, die sie für vertraulich hielten. Spielt eine Kollegin in Ihrer
                Geschichte eine Rolle, fragen Sie sie vorher. Die meisten freuen sich über die
                Frage, und wer nicht, hat Sie gerade vor einem Fehler bewahrt.</p>
                <p>Lassen Sie auch den Verkündigungston weg: „begeistert“, „stolz, teilen zu
                dürfen“, „eine spannende Reise“. Ihre Leserinnen und Leser überspringen diese
                Wörter, und Sie sollten es auch tun.</p>"""
            ),
        ),
        (
            "writing_assignment",
            {
                "title": "Etwas aus dieser Woche",
                "prompt": squash(
                    """Nehmen Sie einen Moment aus Ihrer vergangenen Woche und schreiben Sie
                    darüber einen LinkedIn-Beitrag: was geschehen ist, was Sie daraus gemacht
                    haben und, falls es eine gibt, welche Frage bleibt. Nur ein Gedanke."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Beginnen Sie mit der Situation, nicht mit einer Lehre oder einer
                    Begrüßung.</li>
                    <li>Nennen Sie ein konkretes Detail: eine Zahl, einen Ort, einen Satz, den
                    jemand gesagt hat.</li>
                    <li>Hören Sie auf, wenn Ihr Punkt gemacht ist. Keine Liste von
                    Erkenntnissen.</li>
                    <li>Lesen Sie den Text laut, bevor Sie ihn mit Ihrem Schreibkreis
                    teilen.</li>
                    </ul>"""
                ),
            },
        ),
    ],
}


# --- Lektion 5 ------------------------------------------------------------------------------

LESSON_LISTENING = {
    "title": "Zuhören, bevor Sie reden",
    "summary": squash(
        """Präsenz ist ein Gespräch, keine Sendung. Diese Lektion führt die einfachste Regel des
        Kurses ein – zwei oder drei durchdachte Antworten auf jeden eigenen Beitrag – und zeigt,
        wie eine Antwort aussieht, die es wert ist, gelesen zu werden."""
    ),
    "body": [
        (
            "text",
            squash(
                """<p>Die meisten Ratschläge zu sozialen Medien drehen sich um das Senden: was
                man postet, wann, wie oft. In dieser Lektion geht es um die andere Hälfte, und
                die ist wichtiger. Die Führungskräfte, deren Präsenz am besten wirkt, verbringen
                mehr Zeit mit Lesen und Antworten als mit Schreiben. Sie wissen, worüber ihre
                Mitarbeitenden, Kunden und Kolleginnen sprechen, weil sie zugehört haben – und
                wenn sie selbst etwas veröffentlichen, knüpft es an ein Gespräch an, das schon
                läuft.</p>"""
            ),
        ),
        (
            "quote",
            {
                "quote": squash(
                    """Die meisten Menschen hören nicht zu, um zu verstehen; sie hören zu, um zu
                    antworten."""
                ),
                "attribution": "Stephen R. Covey, „Die 7 Wege zur Effektivität“ (1989)",
            },
        ),
        ("heading", {"text": "Die Regel: zwei oder drei Antworten auf jeden Beitrag"}),
        (
            "text",
            squash(
                """<p>Schreiben Sie für jeden Beitrag, den Sie veröffentlichen, mindestens zwei
                oder drei Antworten auf Beiträge anderer. Keine Reaktionen, kein „Toller
                Beitrag!“, sondern Antworten: ein paar Sätze, die etwas hinzufügen. Dieses
                Verhältnis bewirkt dreierlei. Es hält Sie auf dem Laufenden. Es zeigt den
                Menschen, denen Sie antworten, dass Sie ihre Arbeit lesen – das ist selten, und
                man erinnert sich daran. Und es baut die Beziehungen auf, durch die Ihre eigenen
                Beiträge von Menschen gelesen und nicht nur von einem Algorithmus einsortiert
                werden.</p>
                <p>Beginnen Sie mit den Menschen auf Ihrer Liste der zwölf aus Lektion zwei.
                Ziehen Sie den Kreis dann weiter: Kolleginnen und Kollegen, die über ihre Arbeit
                schreiben, Kunden, Forschende, Journalistinnen, die über Ihre Branche berichten,
                und Menschen, die anderer Meinung sind als Sie.</p>"""
            ),
        ),
        (
            "video",
            {
                "caption": "Julian Treasure: 5 Wege, besser zuzuhören (TED, etwa acht Minuten, auf Englisch)",
            },
        ),
        ("heading", {"text": "Wie eine gute Antwort aussieht"}),
        (
            "text",
            squash(
                """<p>Eine gute Antwort leistet mindestens eines davon:</p>
                <ul>
                <li><b>Sie ergänzt eine Erfahrung.</b> „Das haben wir bei der Umstellung auf
                Vier-Tage-Schichten genauso erlebt; geholfen hat uns …“</li>
                <li><b>Sie stellt eine echte Frage,</b> deren Antwort Sie wissen wollen, keine
                rhetorische.</li>
                <li><b>Sie bringt Menschen zusammen.</b> „Sprechen Sie mit Sarah, sie arbeitet
                genau daran.“ Fragen Sie Sarah vorher.</li>
                <li><b>Sie widerspricht respektvoll.</b> Sagen Sie, was Sie anders sehen und
                warum, und rechnen Sie damit, dass die andere Person recht haben könnte.</li>
                </ul>
                <p>Die Antwort einer Führungskraft hat Gewicht, und das wirkt in beide
                Richtungen. Ein Lob von Ihnen kann jemandem den Monat retten; eine öffentliche
                Korrektur von Ihnen kann sich wie ein Tadel anfühlen, auch wenn sie als Beitrag
                gemeint war. Im Zweifel gilt: unter vier Augen korrigieren, öffentlich
                anerkennen.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Blocken Sie Zeit fürs Zuhören",
                "text": squash(
                    """<p>Reservieren Sie dreimal pro Woche fünfzehn Minuten nur fürs Lesen und
                    Antworten, und zwar bevor Sie Ihre eigenen Entwürfe öffnen. Ist Ihr Feed
                    voller Rauschen, räumen Sie auf: Entfolgen Sie großzügig und folgen Sie zehn
                    Menschen, deren Arbeit Sie schätzen – auch einigen, mit denen Sie oft nicht
                    einer Meinung sind.</p>"""
                ),
            },
        ),
        (
            "reflection",
            {
                "question": "Wessen Arbeit in Ihrem Fach lesen Sie regelmäßig, ohne je darauf geantwortet zu haben?",
                "guidance": squash(
                    """Notieren Sie drei Namen. Erinnern Sie sich bei jedem an eine Sache, die
                    die Person geschrieben hat und die Ihnen genützt hat, und warum."""
                ),
            },
        ),
        (
            "text",
            squash(
                """<p>Zuhören heißt auch zu bemerken, wer in den Gesprächen fehlt, denen Sie
                folgen. Wenn alle in Ihrem Feed in Ihrem Alter, in Ihrer Branche und in Ihrem
                Land sind, ist Ihr Bild davon, was Menschen denken, verzerrt – und damit auch Ihr
                Gespür dafür, was sich zu sagen lohnt.</p>"""
            ),
        ),
        (
            "writing_assignment",
            {
                "title": "Drei Antworten",
                "prompt": squash(
                    """Schreiben Sie diese Woche drei Antworten auf Beiträge anderer: eine an
                    jemanden aus Ihrer eigenen Organisation, eine an jemanden aus Ihrer Branche,
                    mit dem Sie noch nie zu tun hatten, und eine an jemanden, der ein Thema
                    anders sieht als Sie. Teilen Sie die Antworten mit Ihrem Schreibkreis, jede
                    mit einem Link zum ursprünglichen Beitrag oder einer kurzen Beschreibung."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Jede Antwort sollte eine Erfahrung, eine Frage, eine Verbindung oder
                    einen respektvollen Widerspruch beitragen.</li>
                    <li>Halten Sie jede Antwort so kurz, dass sie auf jede Plattform passt:
                    möglichst unter 300 Zeichen.</li>
                    <li>Notieren Sie ein paar Tage später, ob jemand geantwortet hat und was
                    daraus wurde.</li>
                    </ul>"""
                ),
            },
        ),
    ],
}


# --- Lektion 6 ------------------------------------------------------------------------------

LESSON_PLATFORMS = {
    "title": "Plattformen und Formate",
    "summary": squash(
        """LinkedIn, Mastodon, Bluesky, X und Ihr eigener Blog haben jeweils eigene Gepflogenheiten,
        Grenzen und Publika. Diese Lektion vergleicht sie ehrlich, damit Sie ein oder zwei davon
        gut bespielen statt fünf schlecht."""
    ),
    "body": [
        (
            "text",
            squash(
                """<p>Sie müssen nicht überall sein. Den meisten Führungskräften dient eine
                Hauptplattform am besten, auf der ihr Publikum schon ist, dazu ein eigener Ort für
                längere Texte. Die Wahl sollte Ihrer Liste der zwölf folgen, nicht der Plattform
                mit den meisten Nutzern oder der, die Ihr Wettbewerb nutzt. Plattformen ändern
                sich schnell; prüfen Sie die aktuellen Regeln, bevor Sie sich auf eine Einzelheit
                unten verlassen.</p>"""
            ),
        ),
        ("heading", {"text": "LinkedIn"}),
        (
            "text",
            squash(
                """<p>Für die meisten Führungskräfte in beiden Ländern ist LinkedIn der Ort, an
                dem das berufliche Publikum schon ist: Kunden, Bewerberinnen, Kollegen aus der
                Branche, Journalistinnen und die eigene Belegschaft. Beiträge dürfen bis zu 3.000
                Zeichen lang sein, doch vor „…mehr“ erscheinen nur die ersten zwei oder drei
                Zeilen – der Anfang muss den Beitrag tragen. Der Feed wird von einem Algorithmus
                sortiert, der Beiträge bevorzugt, die Menschen auf der Plattform halten; viele
                stellen fest, dass Beiträge mit externen Links weniger weit kommen.</p>
                <p>Der Ton ist höflich und oft unermüdlich positiv. Das ist Ihre Chance: Ein
                offener, konkreter Beitrag fällt auf. Der Haken: LinkedIn ist die Plattform eines
                Unternehmens, nicht Ihre. Es kann die Regeln jederzeit ändern, und Ihr Netzwerk
                lebt dort nur so lange, wie es das zulässt.</p>"""
            ),
        ),
        ("heading", {"text": "Mastodon"}),
        (
            "text",
            squash(
                """<p>Mastodon ist nicht eine Plattform, sondern viele unabhängige Server, die
                miteinander sprechen – ein Teil des sogenannten Fediverse. Beiträge sind auf den
                meisten Servern auf 500 Zeichen begrenzt. Einen algorithmischen Feed gibt es
                nicht: Man sieht die Beiträge derer, denen man folgt, in zeitlicher Reihenfolge.
                Reichweite entsteht also dadurch, dass man Ihnen folgt und Sie teilt, nicht durch
                Tricks. Hashtags sind wichtig, um gefunden zu werden, und viele erwarten
                Bildbeschreibungen und Inhaltswarnungen bei schwierigen Themen.</p>
                <p>Stark ist Mastodon unter Forschenden, Journalistinnen, Open-Source-Gemeinschaften
                und in Teilen des öffentlichen Sektors; Bundesbehörden betreiben sogar einen
                eigenen Server. Automatisch weitergeleitete Beiträge und Unternehmenston fallen
                dort sofort auf. Belohnt wird, wer selbst da ist und mitredet.</p>"""
            ),
        ),
        ("heading", {"text": "Bluesky"}),
        (
            "text",
            squash(
                """<p>Bluesky ist seit Ende 2024 rasch gewachsen und wirkt vertraut auf alle, die
                Twitter genutzt haben: kurze Beiträge mit bis zu 300 Zeichen, Antworten, Reposts.
                Zwei Funktionen lohnen sich zu kennen. Sie können zwischen eigenen Feeds wählen,
                statt einen einzigen Algorithmus hinzunehmen. Und Sie können Ihre eigene
                Webadresse als Nutzernamen verwenden – ein einfacher, überprüfbarer Weg zu
                zeigen, dass ein Konto wirklich Ihnen gehört. Starterpakete, also von anderen
                zusammengestellte Listen von Konten, helfen Ihnen, schnell Menschen aus Ihrem Fach
                zu finden.</p>"""
            ),
        ),
        ("heading", {"text": "X"}),
        (
            "text",
            squash(
                """<p>X, früher Twitter, wird noch von manchen Journalisten, Politikerinnen,
                Investoren und technischen Gemeinschaften genutzt; ein normaler Beitrag ist auf
                280 Zeichen begrenzt. Seit 2022 haben sich Eigentümer, Moderation und
                Verifizierungsregeln grundlegend geändert, und viele Organisationen und Menschen
                in Deutschland und Großbritannien sind dort weniger aktiv oder ganz gegangen. Ob
                Sie bleiben, ist eine Abwägung über Ihr Publikum und über die Gesellschaft, in
                der Sie sich zeigen wollen. So oder so: Entscheiden Sie bewusst, und lassen Sie
                kein verwaistes Konto mit Ihrem Namen zurück.</p>"""
            ),
        ),
        ("heading", {"text": "Ihr eigener Blog"}),
        (
            "text",
            squash(
                """<p>Ein Blog unter Ihrer eigenen Domain oder eine Seite mit Ihrem Namen auf der
                Website Ihres Unternehmens ist der einzige Ort, an dem Sie die Regeln bestimmen:
                keine Zeichengrenze, kein Algorithmus, keine Plattform, die mitsamt Ihrer Arbeit
                verschwinden kann. Dort lebt ein längerer Gedankengang, und dorthin können Ihre
                kurzen Beiträge verweisen. Leserinnen und Leser bringt er nicht von selbst; sie
                kommen über Plattformen, Newsletter und Feedreader. Klären Sie in Deutschland mit
                Ihrer Rechtsabteilung die Pflichten zum Impressum, bevor Sie auf einer eigenen
                Seite veröffentlichen.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Anpassen, nicht kopieren",
                "text": squash(
                    """<p>Wenn Sie denselben Gedanken an mehreren Orten teilen, schreiben Sie ihn
                    für jeden Ort neu. Ein LinkedIn-Beitrag, in Mastodon eingefügt, liest sich
                    wie Werbung; ein 280-Zeichen-Beitrag auf LinkedIn wirkt nachlässig. Behalten
                    Sie den Gedanken und ändern Sie die Form.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Welche Sprache?"}),
        (
            "text",
            squash(
                """<p>Schreiben Sie in der Sprache, in der Ihre Leserinnen und Leser denken. Für
                ein Publikum aus dem deutschen Mittelstand ist das Deutsch, für internationale
                Kolleginnen und Kollegen Englisch. Viele Führungskräfte wechseln ab, und das ist
                in Ordnung, solange jeder Beitrag von Anfang an in einer Sprache geschrieben und
                nicht nachträglich übersetzt wird. Maschinelle Übersetzung liefert einen
                brauchbaren ersten Entwurf und eine schwache Endfassung.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Wo verbringen die zwölf Menschen auf Ihrer Liste tatsächlich ihre
                    Aufmerksamkeit – und wo verbringen Sie Ihre?"""
                ),
                "guidance": squash(
                    """Wenn die beiden Antworten auseinanderliegen, sagt Ihnen dieser Unterschied
                    mehr als jeder Plattformvergleich."""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Ein Gedanke, zwei Plattformen",
                "prompt": squash(
                    """Nehmen Sie einen Gedanken, den Sie teilen möchten (er darf aus dem Beitrag
                    der letzten Woche stammen), und schreiben Sie ihn zweimal: einmal als
                    Mastodon-Beitrag mit bis zu 500 Zeichen und einmal für die andere Plattform,
                    die Sie am ehesten nutzen werden. Teilen Sie beide mit Ihrem Schreibkreis und
                    sagen Sie, welchen Sie tatsächlich veröffentlichen würden."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Behalten Sie den Gedanken, ändern Sie die Form: den Einstieg, die Länge,
                    den Ton.</li>
                    <li>Fügen Sie auf Mastodon ein oder zwei Hashtags in Binnenmajuskeln hinzu
                    (#DigitaleFührung), damit Screenreader sie vorlesen können.</li>
                    <li>Wenn Sie ein Bild anhängen, beschreiben Sie es.</li>
                    </ul>"""
                ),
            },
        ),
    ],
}


# --- Lektion 7 ------------------------------------------------------------------------------

LESSON_EVENTS = {
    "title": "Veranstaltungen und ein Hashtag: vorher, währenddessen, danach",
    "summary": squash(
        """Eine Konferenz, eine Messe oder ein Podium ist der einfachste Ort, um aus Kontakten im
        Netz echte Begegnungen zu machen – und umgekehrt. Diese Lektion zeigt, wie Sie eine
        Veranstaltung und ihren Hashtag in drei Phasen nutzen, damit Sie die richtigen Menschen
        treffen und im Gespräch bleiben, wenn Sie wieder zu Hause sind."""
    ),
    "body": [
        (
            "text",
            squash(
                """<p>Bei Veranstaltungen treffen Online- und Offline-Präsenz aufeinander.
                Menschen, die Ihre Beiträge seit Monaten lesen, geben Ihnen endlich die Hand;
                Menschen, die Sie an einem Messestand kennenlernen, suchen Sie auf der Heimfahrt
                im Netz. Die meisten Führungskräfte behandeln Veranstaltungen als einzelne
                Auftritte: anreisen, sprechen, netzwerken, abreisen. Mit etwas Vorbereitung
                können dieselben zwei Tage ein Jahr voller Beziehungen anstoßen.</p>
                <p>Der Faden, der die drei Phasen verbindet, ist der Hashtag der Veranstaltung.
                Meist geben die Veranstalter einen vor; wenn nicht, tut es ein kurzer,
                unverwechselbarer Hashtag genauso, den Sie mit ein paar anderen Teilnehmenden
                verabreden. Prüfen Sie vorher, ob er nicht schon für etwas verwendet wird, mit
                dem Sie lieber nicht in Verbindung gebracht werden möchten.</p>"""
            ),
        ),
        ("heading", {"text": "Vorher: Sagen Sie, dass Sie kommen"}),
        (
            "text",
            squash(
                """<p>Etwa eine Woche vorher schreiben Sie, dass Sie dabei sind und was Sie
                interessiert. Nicht nur Ihren Vortragstermin, sondern eine Frage: „Ich bin am
                Mittwoch auf der Hannover Messe und möchte verstehen, wie sich mittelständische
                Zulieferer auf die neue EU-Batterieverordnung vorbereiten. Mit wem sollte ich
                sprechen?“ Verwenden Sie den Hashtag.</p>
                <p>Schauen Sie dann, wer ihn noch verwendet und wer spricht. Folgen Sie einigen
                davon und schreiben Sie zwei oder drei Menschen an, die Sie gern treffen würden.
                Eine kurze, gezielte Nachricht wirkt am besten: wer Sie sind, warum gerade diese
                Person und wann Sie vor Ort sind.</p>"""
            ),
        ),
        ("heading", {"text": "Währenddessen: Seien Sie da, und lassen Sie andere sichtbar werden"}),
        (
            "text",
            squash(
                """<p>Während der Veranstaltung schreiben Sie wenig und hören viel zu. Ein oder
                zwei Beiträge am Tag genügen: ein Gedanke aus einer Session, mit Namen der
                Sprecherin; ein Foto von einem Stand, an dem Sie etwas gelernt haben – mit
                Erlaubnis der Menschen darauf. Folgen Sie dem Hashtag, um zu sehen, was anderen
                auffällt, und antworten Sie.</p>
                <p>Das Wertvollste, was Sie in dieser Phase tun können, ist, andere zu
                verstärken, besonders weniger bekannte Sprecherinnen und Sprecher und Menschen
                aus Ihrem eigenen Team auf der Bühne. Es kostet Sie eine Minute und ist für sie
                vielleicht das Ermutigendste der ganzen Woche.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Legen Sie das Telefon weg, meistens",
                "text": squash(
                    """<p>Sie sind dort, um dort zu sein. Sammeln Sie tagsüber Notizen und Namen
                    und schreiben Sie in zwei kurzen Zeitfenstern, mittags und abends. Niemand
                    erinnert sich an die Führungskraft, die jedes Podium live kommentiert hat;
                    man erinnert sich an die, die eine gute Frage gestellt hat.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Danach: der Teil, den die meisten auslassen"}),
        (
            "text",
            squash(
                """<p>Die Tage nach einer Veranstaltung entscheiden, ob sich die Reise gelohnt
                hat. Innerhalb einer Woche:</p>
                <ol>
                <li>Schreiben Sie einen längeren Beitrag darüber, was Sie mitnehmen: was Ihre
                Meinung geändert hat, wer etwas gesagt hat, das Sie nicht loslässt, was Sie
                künftig anders machen werden. Nennen Sie die beteiligten Menschen, und fragen
                Sie vorher, wenn es ein vertrauliches Gespräch war.</li>
                <li>Schicken Sie allen, die Sie getroffen haben und mit denen Sie in Kontakt
                bleiben möchten, eine persönliche Nachricht, die an etwas Konkretes aus Ihrem
                Gespräch anknüpft.</li>
                <li>Notieren Sie in Ihren Kontakten, worüber Sie gesprochen haben und wann Sie
                sich wieder melden wollen.</li>
                </ol>
                <p>Jetzt ist auch der Moment, die besten Beiträge anderer unter dem Hashtag zu
                teilen. Veranstalter und Vortragende bemerken das, und die nächste Einladung
                folgt oft von selbst.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": "Welche Veranstaltung in diesem Quartal könnten Sie in allen drei Phasen nutzen?",
                "guidance": squash(
                    """Überlegen Sie, wer noch dort sein wird, den Sie treffen möchten, und mit
                    welcher Frage Sie hingehen würden."""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Vorher: Ich bin dabei",
                "prompt": squash(
                    """Wählen Sie eine Veranstaltung in den kommenden Monaten. Schreiben Sie den
                    kurzen Beitrag, den Sie eine Woche vorher veröffentlichen würden: dass Sie
                    dabei sind, was Sie interessiert und wen Sie gern treffen würden. Verwenden
                    Sie den Hashtag der Veranstaltung."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Stellen Sie eine Frage, die man beantworten kann.</li>
                    <li>Verwenden Sie den Hashtag der Veranstaltung einmal, nicht ein ganzes
                    Bündel.</li>
                    <li>Wenn Sie sprechen, erwähnen Sie es nebenbei, nicht als Aufmacher.</li>
                    </ul>"""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Danach: Was ich mitnehme",
                "prompt": squash(
                    """Schreiben Sie den Beitrag, den Sie nach der Veranstaltung veröffentlichen
                    würden – oder nach der letzten, die Sie besucht haben: was Sie mitnehmen, wer
                    Sie zum Nachdenken gebracht hat und was Sie deshalb anders machen werden."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Nennen Sie die Menschen, die Sie beeinflusst haben; fragen Sie vorher,
                    wenn es ein vertrauliches Gespräch war.</li>
                    <li>Sagen Sie, was Sie tun werden, nicht nur, was Sie interessant
                    fanden.</li>
                    <li>Danken Sie den Veranstaltern in einem Satz, nicht in dreien.</li>
                    </ul>"""
                ),
            },
        ),
    ],
}


# --- Lektion 8 ------------------------------------------------------------------------------

LESSON_KEEP_GOING = {
    "title": "Das Netzwerk lebendig halten",
    "summary": squash(
        """Der Kurs endet, die Gewohnheiten sollten bleiben. Diese Lektion hilft Ihnen, eine
        Routine einzurichten, die Sie durchhalten, Ihren Schreibkreis weiterzuführen und zu
        entscheiden, was Sie tun, wenn die Zeit knapp wird oder ein Beitrag danebengeht."""
    ),
    "body": [
        (
            "text",
            squash(
                """<p>Die meisten Online-Auftritte sterben leise. Ein Schub von Aktivität während
                eines Kurses oder nach einer neuen Berufung, dann ein volles Quartal, dann Stille.
                Das Konto bleibt stehen, der letzte Beitrag achtzehn Monate alt, und es sagt mehr
                über seinen Inhaber, als diesem lieb ist. In dieser letzten Lektion geht es
                darum, dass Ihnen das nicht passiert: nicht, indem Sie mehr versprechen, als Sie
                halten können, sondern mit einer Routine, die klein genug ist, um einen
                schlechten Monat zu überstehen.</p>"""
            ),
        ),
        ("heading", {"text": "Eine Routine, die Sie durchhalten"}),
        (
            "text",
            squash(
                """<p>Für die meisten Führungskräfte genügen dreißig Minuten pro Woche – sofern
                diese Minuten geschützt sind. Ein praktikables Muster sieht so aus:</p>
                <ul>
                <li><b>Dreimal zehn Minuten Zuhören:</b> lesen, zwei oder drei Menschen
                antworten und notieren, was sich zu sagen lohnt.</li>
                <li><b>Ein Beitrag pro Woche,</b> entworfen aus Ihrer Notizdatei. In manchen
                Wochen wird er kurz, und das ist in Ordnung.</li>
                <li><b>Ein längerer Text pro Quartal,</b> für Ihren Blog oder als
                LinkedIn-Artikel, zu der Frage, die Sie am meisten beschäftigt hat.</li>
                </ul>
                <p>Tragen Sie das als wiederkehrenden Termin mit sich selbst in den Kalender
                ein. Wenn jemand anderes Ihren Kalender führt, sagen Sie, dass dieser Termin
                nicht leichtfertig verschoben wird.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Delegieren Sie die Organisation, nicht die Stimme",
                "text": squash(
                    """<p>Eine Kollegin aus der Kommunikation kann Ihnen helfen, Beiträge zu
                    planen, die richtigen Links zu finden, Fakten zu prüfen und Risiken zu
                    erkennen. Ihre Beiträge schreiben sollte sie nicht. Die Lesenden merken es,
                    Ihre eigenen Leute zuerst, und eine Präsenz, die nicht Ihre ist, lohnt sich
                    nicht.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Behalten Sie Ihren Schreibkreis"}),
        (
            "text",
            squash(
                """<p>Der Schreibkreis, mit dem Sie in diesen Wochen gearbeitet haben, ist das
                Wertvollste, was dieser Kurs hinterlässt: eine kleine Gruppe von Menschen auf
                ähnlicher Ebene, die Ihre Entwürfe gelesen, Ihnen ehrlich Rückmeldung gegeben
                haben und wissen, was Sie vorhaben. Verabreden Sie, wie es weitergeht: ein
                monatliches Telefonat, ein gemeinsamer Kanal, in dem Sie Entwürfe vor dem
                Veröffentlichen teilen, oder einfach das Versprechen, auf die Beiträge der
                anderen zu antworten. Unserer Erfahrung nach bleiben Gruppen, die in der letzten
                Woche etwas Konkretes vereinbaren, weit länger zusammen als Gruppen, die sagen:
                „Lasst uns in Kontakt bleiben.“</p>"""
            ),
        ),
        ("heading", {"text": "Wenn etwas schiefgeht"}),
        (
            "text",
            squash(
                """<p>Früher oder später wird ein Beitrag missverstanden, eine Antwort ist
                feindselig, oder Sie liegen falsch. Drei Regeln helfen:</p>
                <ol>
                <li><b>Halten Sie inne, bevor Sie reagieren.</b> Fast nichts im Netz braucht
                binnen einer Stunde eine Antwort; die Ausnahme ist ein sachlicher Fehler, der
                jemandem schaden könnte.</li>
                <li><b>Korrigieren Sie sichtbar.</b> Wenn Sie falsch lagen, sagen Sie es an
                derselben Stelle, in klaren Worten. Stilles Ändern sieht nach Verstecken
                aus.</li>
                <li><b>Füttern Sie keine böswilligen Angriffe.</b> Beantworten Sie eine echte
                Frage einmal, ruhig; schalten Sie Menschen stumm oder blockieren Sie sie, wenn
                sie nur Streit suchen. Ihre Zeit gehört denen, die es ernst meinen.</li>
                </ol>
                <p>Kommt die Kritik aus Ihrer eigenen Organisation, nehmen Sie sie als Geschenk,
                wie auch immer sie verpackt ist. Sie ist das sicherste Zeichen dafür, dass man
                Ihnen zutraut zuzuhören.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Schauen Sie auf die Selbstbeschreibung aus der ersten Lektion. Was würden
                    Sie heute ändern?"""
                ),
                "guidance": squash(
                    """Achten Sie darauf, was klarer geworden ist, was sich als weniger wichtig
                    erwiesen hat als gedacht und wer sich als Ihr eigentliches Publikum
                    herausgestellt hat."""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Meine Routine ab jetzt",
                "prompt": squash(
                    """Halten Sie für Ihre Kursleitung fest, zu welcher Routine Sie sich für
                    die nächsten drei Monate verpflichten: wann Sie zuhören, wann Sie schreiben,
                    wo Sie veröffentlichen und wie Sie mit Ihrem Schreibkreis in Kontakt bleiben.
                    Ergänzen Sie, was Sie am ehesten davon abhalten wird, und was Sie dann
                    tun."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Lieber realistisch als ehrgeizig: Eine Routine, die Sie einhalten, ist
                    besser als eine, die Sie bewundern.</li>
                    <li>Tragen Sie die Termine in Ihren Kalender ein, bevor Sie diesen Text
                    abgeben.</li>
                    <li>Stellen Sie sich eine Erinnerung, diese Notiz in drei Monaten wieder zu
                    lesen.</li>
                    </ul>"""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Was ich in acht Wochen gelernt habe",
                "prompt": squash(
                    """Schreiben Sie einen Blogartikel darüber, was Sie über Online-Präsenz als
                    Führungskraft gelernt haben: was Sie überrascht hat, was Ihnen schwerfiel und
                    was Sie beibehalten werden. Schreiben Sie ihn für Menschen in ähnlicher
                    Position, die denselben Schritt erwägen."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Seien Sie ehrlich darüber, was nicht funktioniert hat.</li>
                    <li>Verlinken Sie ein oder zwei Ihrer eigenen Beiträge aus dem Kurs, falls
                    Sie sie veröffentlicht haben.</li>
                    <li>Danken Sie Ihrem Schreibkreis, ohne jemanden zu nennen, der nicht
                    zugestimmt hat, genannt zu werden.</li>
                    </ul>"""
                ),
            },
        ),
    ],
}


#: German lessons by the English lesson's slug (German pages keep that slug).
LESSONS = {
    "who-am-i-and-what-do-i-have-to-say": LESSON_WHO_AM_I,
    "whom-do-i-address-and-whom-do-they-trust": LESSON_WHOM,
    "openness-starts-at-the-top": LESSON_OPENNESS,
    "write-about-what-fills-your-day": LESSON_YOUR_DAY,
    "listen-before-you-talk": LESSON_LISTENING,
    "platforms-and-formats": LESSON_PLATFORMS,
    "events-before-during-and-after": LESSON_EVENTS,
    "keeping-the-network-alive": LESSON_KEEP_GOING,
}
