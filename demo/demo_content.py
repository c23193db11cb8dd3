"""The demo course "Digital presence for leaders", as plain Python data.

Everything a reader of the demo sees lives here, in one place, so that it can be translated later
without touching the code that builds pages from it (course/management/commands/seed_demo.py).

Shapes:

- ``COURSE``: the course page's fields; ``outcomes`` is a list of one-line strings.
- ``LESSONS``: lesson pages in course order. Each ``body`` is a list of ``(block_type, value)``
  tuples for ``lessons.blocks.LessonStreamBlock``; struct values are dicts, rich text is HTML.
- ``COVER_IMAGE``: a placeholder in image blocks, replaced by the generated cover image.
- ``CONSULTANT``: the consultant's login (the password comes from the environment).

Block ids are derived from the lesson slug, the block type and the block's position among blocks
of that type (``block_id``), so writing assignments keep the same id on every machine that seeds
the demo, and inserting a paragraph does not shift an assignment's id.
"""

import uuid

from lessons.formats import Visibility, WritingFormat


def squash(text):
    """Collapse the line breaks and indentation of a triple-quoted string into single spaces."""
    return " ".join(text.split())


#: Namespace for the demo's block ids: uuid5(DEMO_NAMESPACE, "<lesson slug>/<block type>/<n>").
DEMO_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://klartext.localhost/demo/")


def block_id(lesson_slug, block_type, ordinal):
    """The stable id of the ``ordinal``-th (0-based) block of ``block_type`` in a lesson."""
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{lesson_slug}/{block_type}/{ordinal}"))


#: Stands in for the generated cover image in image blocks.
COVER_IMAGE = "cover-image"

DEMO_COLLECTION_NAME = "Demo"

COVER = {
    "title": "Digital presence for leaders — cover",
    "filename": "klartext-demo-cover.png",
    "heading": "Digital presence for leaders",
    "byline": "Klartext · an eight-week course",
    "alt_text": squash(
        """The title “Digital presence for leaders” below an abstract network of small light
        circles joined by thin lines on a dark blue background; one circle near the centre is
        highlighted in amber and ringed."""
    ),
}

CONSULTANT = {
    "email": "consultant@klartext.localhost",
    "full_name": "Dr. Anna Berger",
    "language": "de",
    "time_zone": "Europe/Berlin",
    "password_env": "DEMO_PASSWORD",
    "default_password": "klartext-demo",
}

COURSE = {
    "title": "Digital presence for leaders",
    "slug": "digital-presence-for-leaders",
    "intro": squash(
        """<p>An eight-week course for executives and managers in Germany and the UK who want to
        be present online in their own voice: honest, specific and worth reading, without a
        ghostwriter and without turning into a brand.</p>
        <p>Each week a new lesson opens. You read it in about half an hour, write a short piece
        in response, and share it with a small circle of peers who give each other candid
        feedback. By the end you will know what you have to say and to whom, where to say it,
        and how to keep going once the course is over.</p>"""
    ),
    "outcomes": [
        "Say in two sentences who you are, what you have to say and to whom.",
        "Choose the few people and groups you want to reach, and the platforms where they already are.",
        "Write short posts and longer pieces about your actual work, in your own voice.",
        "Listen before you talk: two or three thoughtful replies for every post you publish.",
        "Use an event and its hashtag before, during and after, to meet people you would otherwise miss.",
        "Keep your network alive with a routine of thirty minutes a week after the course ends.",
    ],
    "default_cadence_days": 7,
}


# --- lesson 1 -------------------------------------------------------------------------------

LESSON_WHO_AM_I = {
    "title": "Who am I, and what do I have to say?",
    "slug": "who-am-i-and-what-do-i-have-to-say",
    "summary": squash(
        """Before choosing a platform or writing a single post, get clear on three things: the
        experience only you have, the questions you genuinely care about, and what your role
        allows you to say. The lesson ends with a private self-check for your facilitator."""
    ),
    "estimated_minutes": 25,
    "body": [
        (
            "text",
            squash(
                """<p>Most executives who come to this course have been told they “should be
                more visible”. Usually by a communications team, sometimes by a board,
                occasionally by their own teenage children. The advice is rarely wrong, but it
                skips the first question. Visibility is only useful if there is something worth
                seeing. Before we talk about platforms, formats or frequency, we need to find out
                what that is for you.</p>
                <p>This is not about building a personal brand. A brand is a promise that stays
                the same whatever happens; a person changes their mind, has a bad quarter, learns
                something. People who follow leaders online are not looking for a polished logo
                with a face. They want to know how someone in your position thinks, what you
                notice, and what you do when things are difficult.</p>"""
            ),
        ),
        ("heading", {"text": "Three sources of things worth saying", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Almost everything a leader can usefully say comes from one of three
                sources. Look for the place where they overlap.</p>
                <ul>
                <li><b>What you know from experience.</b> Not what your company sells, but what
                you have seen: twenty years of supplier negotiations, three restructurings, the
                first time you managed people older than you. Experience is the one thing nobody
                else can copy.</li>
                <li><b>What you genuinely care about.</b> The questions you come back to in the
                car or on the train: apprenticeships, energy prices in manufacturing, why
                meetings in your industry always overrun. If you would not raise it over dinner,
                you will not write about it well.</li>
                <li><b>What your role allows you to say.</b> Be honest about the constraints:
                stock-market rules, regulators, works agreements, negotiations in progress.
                Constraints are not a reason to stay silent; they show you where the safe and
                interesting ground is.</li>
                </ul>
                <p>The overlap of the three is your territory. For most people it is narrower
                than they fear and deeper than they expect.</p>"""
            ),
        ),
        (
            "image",
            {
                "image": COVER_IMAGE,
                "alt_text": COVER["alt_text"],
                "caption": "Presence is many small, connected conversations, not one loud voice.",
            },
        ),
        ("heading", {"text": "The dinner-party test", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Imagine you are seated next to an intelligent stranger who does not work in
                your industry. They ask what you do and then, more interestingly, what you have
                been thinking about lately. What do you tell them? Whatever you would say in
                those five minutes, with the jargon removed, is very close to what you should be
                writing about.</p>
                <p>Now notice what you would <i>not</i> say. You would not recite your company's
                mission statement, list this quarter's product launches or announce that you are
                “thrilled to share” anything. That instinct is right. Keep it.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": "Which three topics could you talk about for ten minutes without slides?",
                "guidance": squash(
                    """Write them down as they come. Do not filter yet for whether they sound
                    strategic enough; we will sort them later."""
                ),
            },
        ),
        (
            "tip",
            {
                "title": "Describe your role, not your title",
                "text": squash(
                    """<p>Say what you do and for whom. “I run a family business of 900 people
                    that makes pumps, and I worry about who will build them in 2040” tells a
                    reader far more than “CEO, Müller Pumpen GmbH”.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Honest about the gaps", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Honesty also means saying what you do not know. Leaders are often afraid
                that admitting uncertainty will weaken their authority. In practice the opposite
                tends to happen: a short, candid “we tried this, it did not work, and here is
                what we learned” earns more trust than any number of success stories.</p>
                <p>You do not have to publish every doubt. But do not pretend to a certainty you
                do not have. Your own staff will read what you write, and they know.</p>"""
            ),
        ),
        (
            "writing_assignment",
            {
                "title": "Who am I, what do I say, to whom?",
                "prompt": squash(
                    """Write a short, private self-description for your facilitator. In your own
                    words: who you are beyond your job title; the two or three topics where your
                    experience, your interests and your role overlap; and the people you would
                    most like to reach. Finish with one thing you are unsure about, or hesitant
                    to say in public."""
                ),
                "guidance": squash(
                    """<p>This is a working note, not a post. Only your facilitator sees it.</p>
                    <ul>
                    <li>Write in full sentences, as if explaining yourself to a thoughtful
                    colleague.</li>
                    <li>Be specific: name an industry, a region, a kind of person.</li>
                    <li>Write in German if that is easier; your facilitator reads both.</li>
                    <li>We come back to this note in the last lesson to see what has
                    changed.</li>
                    </ul>"""
                ),
                "format": WritingFormat.REFLECTION,
                "suggested_length": 300,
                "due_offset_days": 5,
                "default_audience": Visibility.FACILITATOR,
            },
        ),
    ],
}


# --- lesson 2 -------------------------------------------------------------------------------

LESSON_WHOM = {
    "title": "Whom do I address, and whom do they trust?",
    "slug": "whom-do-i-address-and-whom-do-they-trust",
    "summary": squash(
        """Reach is not the same as trust. This lesson compares two ways of being present —
        broad and shallow, personal and deep — and helps you choose the handful of people and
        groups you actually want to reach."""
    ),
    "estimated_minutes": 25,
    "body": [
        (
            "text",
            squash(
                """<p>Social platforms show you numbers: followers, impressions, reactions. They
                are easy to count and easy to compare, which is why they take over so quickly.
                But a post seen by twenty thousand strangers who scroll on after two seconds
                often achieves less than a reply read carefully by the twelve people who matter
                for your next decision.</p>"""
            ),
        ),
        ("heading", {"text": "Broad and shallow, personal and deep", "level": "h2"}),
        (
            "text",
            squash(
                """<p>There are two ways to be present online, and both have their place.</p>
                <p><b>Broad and shallow</b> means reaching many people lightly: a keynote clip, a
                post about the annual results, a comment on industry news. It builds recognition;
                people learn your name and roughly what you stand for. On its own it does not
                build trust, and it tempts you towards the generic, because generic content
                travels.</p>
                <p><b>Personal and deep</b> means fewer people and more attention: replying to a
                customer's thoughtful post, writing to your own staff about a hard decision,
                following the work of three researchers in your field and telling them when
                something helped you. It builds relationships. It is slow, it does not show up in
                dashboards, and it is where most of the value lies.</p>
                <p>Senior leaders almost always make the same mistake: too much broad, too little
                deep. Your communications team is set up to measure the first. Only you can do
                the second.</p>"""
            ),
        ),
        ("heading", {"text": "Whom do people trust?", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Trust surveys such as the annual Edelman Trust Barometer have found for
                years that people trust “someone like me” and their own employer more than they
                trust chief executives as a group. That should not discourage you. It tells you
                how trust travels: through people who are close to the reader. Most of your
                words reach people second-hand, passed on by a colleague, a customer or a former
                employee who adds “this is worth reading”. Write for that person, the one who
                passes it on, and make it easy for them to do so without embarrassment.</p>
                <p>The sociologist Mark Granovetter showed in 1973, in “The Strength of Weak
                Ties”, that new information such as job openings often reaches us through
                acquaintances rather than close friends. A healthy presence needs both: a small
                core of people you know well, and a wider ring of acquaintances who hear from you
                now and then.</p>"""
            ),
        ),
        ("heading", {"text": "Name your twelve", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Before you write anything else, list twelve people or groups you want to
                reach in the next six months. Be concrete. Not “the industry”, but “the heads of
                procurement at our five largest customers”. Not “young talent”, but “engineering
                students in Dresden and Sheffield who have never heard of us”. Not “employees”,
                but “the shift leaders in our Leipzig plant who only see me at the Christmas
                party”.</p>
                <p>Next to each entry, note where these people already spend their attention: a
                platform, a newsletter, an industry association, a trade fair, a group chat you
                will never be part of. The answer decides where you should show up, and it is
                often not where you expected.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Whose post or message last changed your mind about something at work, and
                    what made it believable?"""
                ),
                "guidance": squash(
                    """Think of one concrete example. Note whether it came from someone you know
                    personally, and whether they were senior, junior or outside your
                    organisation."""
                ),
            },
        ),
        (
            "tip",
            {
                "title": "The audience you already have",
                "text": squash(
                    """<p>Your own organisation is an audience too, and usually the most
                    important one. Staff read what their leaders post in public more closely
                    than any internal memo. Write so that you would be comfortable if every one
                    of them read it.</p>"""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "A post for one group",
                "prompt": squash(
                    """Pick one group from your list of twelve and write a LinkedIn post for
                    them alone. Start with something they recognise from their own working week,
                    then say one thing you have learned that might be useful to them."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Keep the group in mind; you do not have to name it in the post.</li>
                    <li>Leave out anything that would only interest your own company.</li>
                    <li>The first two lines are all most readers see before “…more”. Make them
                    concrete.</li>
                    <li>No hashtags needed yet.</li>
                    </ul>"""
                ),
                "format": WritingFormat.LINKEDIN,
                "suggested_length": 200,
                "due_offset_days": 5,
                "default_audience": Visibility.CIRCLE,
            },
        ),
    ],
}


# --- lesson 3 -------------------------------------------------------------------------------

LESSON_OPENNESS = {
    "title": "Openness starts at the top",
    "slug": "openness-starts-at-the-top",
    "summary": squash(
        """You cannot ask your organisation to be open while the leadership team stays silent.
        This lesson covers how to model openness, how to agree sensible guardrails with legal,
        communications and the works council, and how to protect the people who speak up after
        you."""
    ),
    "estimated_minutes": 30,
    "body": [
        (
            "text",
            squash(
                """<p>Many organisations want their people to “be ambassadors” online and are
                then surprised when nobody does it. The reason is seldom a lack of guidelines.
                It is that employees watch what happens to those who go first. If the leadership
                team never posts anything beyond press releases, or if the one engineer who wrote
                candidly about a project was called in for “a quick chat”, everyone draws the
                obvious conclusion.</p>
                <p>Openness is a behaviour, and behaviour is learned by watching. That makes you
                the most important part of any policy. What you write, how you react to
                criticism, and what you do when a colleague posts something slightly awkward set
                the real rules.</p>"""
            ),
        ),
        (
            "quote",
            {
                "quote": "The great enemy of clear language is insincerity.",
                "attribution": "George Orwell, “Politics and the English Language” (1946)",
            },
        ),
        ("heading", {"text": "Guardrails, not gates", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Openness does not mean saying everything. It means being clear about what
                is off limits and generous about everything else. A good guideline fits on one
                page and covers at least this:</p>
                <ul>
                <li><b>Confidential and inside information.</b> If your company is listed, the
                Market Abuse Regulation applies in the EU, and its UK version in the UK:
                nothing price-sensitive goes out through a personal post, ever. Unannounced
                results, deals and senior appointments are the classic traps.</li>
                <li><b>Customers, staff and partners.</b> No names and no identifiable details
                without consent. Praise people in public only with their permission.</li>
                <li><b>Disputes and negotiations in progress,</b> including collective
                bargaining. Say that you cannot comment, and say why.</li>
                <li><b>Whom to ask.</b> One named person in communications or legal who answers
                within a day, not a committee.</li>
                </ul>
                <p>Everything not covered is allowed. Write that sentence into the guideline;
                people need to read it.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Involve the works council early",
                "text": squash(
                    """<p>In Germany, rules on how employees use social media, and any tool that
                    could be used to monitor their behaviour, may need the works council's
                    agreement. Even where it is not strictly required, talk to them before
                    anything is published. A guideline agreed with the works council is trusted
                    far more than one announced to it.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Going first, in practice", "level": "h2"}),
        (
            "text",
            squash(
                """<p>You do not need a grand announcement. Three habits do most of the
                work:</p>
                <ol>
                <li><b>Share the reasoning, not just the result.</b> When you announce a
                decision, internally or in public, add a paragraph on what you weighed and what
                you decided against. People accept decisions they disagree with when they
                understand how they were made.</li>
                <li><b>Acknowledge in public what went wrong.</b> A delayed product, a failed
                pilot, a reorganisation that caused more disruption than planned. One honest
                sentence is enough; nobody expects a confession.</li>
                <li><b>Visibly back those who follow you.</b> When someone in your organisation
                posts about their work, read it, reply with something specific, and mention it
                in the next team meeting. If they make a mistake, deal with it privately and
                kindly.</li>
                </ol>
                <p>Cultural habits play a part. In the UK the instinct is often towards
                understatement and a reluctance to seem self-promoting; in Germany, towards
                caution and a wish to have everything signed off first. Both instincts protect
                you, and both can become an excuse. Notice which one you lean on.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": squash(
                    """What happened the last time someone in your organisation said something
                    critical in public?"""
                ),
                "guidance": squash(
                    """Be honest about what you did, what others did, and what your staff are
                    likely to have concluded from it."""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Why I am starting to write in public",
                "prompt": squash(
                    """Write a short article addressed to your own organisation: why you have
                    decided to write in public, what you will and will not write about, and what
                    you hope others will feel free to do. It may end up on the intranet, a blog
                    or LinkedIn; for now, write it for your colleagues."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Be personal. Explain what made you decide, not the strategy behind
                    it.</li>
                    <li>Name one or two topics you will write about, and one you will stay away
                    from, and why.</li>
                    <li>Say what support people can expect if they start too.</li>
                    <li>Before it goes further, ask someone in communications what they would
                    change, not whether it is allowed.</li>
                    </ul>"""
                ),
                "format": WritingFormat.BLOG,
                "suggested_length": 450,
                "due_offset_days": 7,
                "default_audience": Visibility.CIRCLE,
            },
        ),
    ],
}


# --- lesson 4 -------------------------------------------------------------------------------

LESSON_YOUR_DAY = {
    "title": "Write about what fills your day",
    "slug": "write-about-what-fills-your-day",
    "summary": squash(
        """The best material is already in your calendar. This lesson shows how to turn ordinary
        working days into posts people want to read — specific, concrete, one thought at a time —
        and how to build a simple habit of collecting it."""
    ),
    "estimated_minutes": 25,
    "body": [
        (
            "text",
            squash(
                """<p>When leaders sit down to write, they often reach for the big themes: the
                future of work, digital transformation, the skills gap. Those posts are almost
                always forgettable, because a thousand other people have written them. What
                nobody else can write is what happened in your Tuesday: the supplier meeting
                where the real problem turned out to be a spreadsheet, the apprentice who asked
                why the company still sends faxes, the board discussion you cannot report but
                whose underlying question you can.</p>"""
            ),
        ),
        (
            "quote",
            {
                "quote": "How can I tell what I think till I see what I say?",
                "attribution": "E. M. Forster, Aspects of the Novel (1927)",
            },
        ),
        ("heading", {"text": "Your calendar is your editorial plan", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Look at last week. Every meeting, visit and conversation is a potential
                post, if you ask three questions of it:</p>
                <ul>
                <li><b>What surprised me?</b> Surprise means your expectations were wrong, which
                is interesting to anyone who shares them.</li>
                <li><b>What did I learn that I did not know on Monday?</b> Small things count:
                how the night shift handles handovers, why a customer chose a competitor.</li>
                <li><b>What question did it leave me with?</b> Open questions invite replies in a
                way that conclusions do not.</li>
                </ul>
                <p>Perhaps one item in ten is worth writing about and can be written about
                without breaking a confidence. At one post a week, that is plenty.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Keep a notes file",
                "text": squash(
                    """<p>Create a single note on your phone called “Worth saying”. Whenever
                    something strikes you, add one line. No drafting, no polishing. When you sit
                    down to write, you start from a list, not from a blank page.</p>"""
                ),
            },
        ),
        ("heading", {"text": "One thought, told concretely", "level": "h2"}),
        (
            "text",
            squash(
                """<p>A good post does one thing. It describes a specific situation, says what
                you made of it, and stops. Resist the urge to add a second point, a list of
                lessons or a call to action. If there is a second point, it is next week's
                post.</p>
                <p>Concrete beats abstract every time. “We are investing in our people” says
                nothing. “Last month we moved the Bremen team meeting from Monday at eight to
                Tuesday at ten, because three people on the team do the school run, and
                attendance went from half the team to nearly everyone” says a great deal, and
                says it about your values without using the word.</p>
                <p>Write the way you would speak to a colleague you respect: short sentences,
                mostly main clauses, words you would say out loud.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Read it aloud",
                "text": squash(
                    """<p>Where you stumble reading your draft aloud, the reader will stumble
                    too. Kurt Tucholsky's advice to speakers from 1930 works just as well for
                    writers: <i>„Hauptsätze, Hauptsätze, Hauptsätze.“</i> Main clauses, main
                    clauses, main clauses.</p>"""
                ),
            },
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Which moment from the past week would you tell a friend about, if they
                    asked how work was?"""
                ),
                "guidance": squash(
                    """Not the most important moment, the most telling one. Write down what
                    happened in three sentences, with no conclusion yet."""
                ),
            },
        ),
        ("heading", {"text": "What to leave out", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Leave out what belongs to other people: their mistakes, their private
                circumstances, conversations they assumed were confidential. If a colleague
                plays a part in your story, ask them first. Most are pleased to be asked, and
                those who are not have just saved you from a mistake.</p>
                <p>Leave out the announcement voice too: “thrilled”, “proud to share”, “an
                exciting journey”. Your readers skip those words, and so should you.</p>"""
            ),
        ),
        (
            "writing_assignment",
            {
                "title": "Something from this week",
                "prompt": squash(
                    """Take one moment from your past week and write a LinkedIn post about it:
                    what happened, what you made of it and, if you have one, the question it
                    leaves you with. One thought only."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Open with the situation, not with a lesson or a greeting.</li>
                    <li>Include one concrete detail: a number, a place, something someone
                    said.</li>
                    <li>Stop when you have made your point. No list of takeaways.</li>
                    <li>Read it aloud before you share it with your circle.</li>
                    </ul>"""
                ),
                "format": WritingFormat.LINKEDIN,
                "suggested_length": 180,
                "due_offset_days": 5,
                "default_audience": Visibility.CIRCLE,
            },
        ),
    ],
}


# --- lesson 5 -------------------------------------------------------------------------------

LESSON_LISTENING = {
    "title": "Listen before you talk",
    "slug": "listen-before-you-talk",
    "summary": squash(
        """Presence is a conversation, not a broadcast. This lesson introduces the simplest rule
        in the course — two or three thoughtful replies for every post you publish — and shows
        what a reply worth reading looks like."""
    ),
    "estimated_minutes": 25,
    "body": [
        (
            "text",
            squash(
                """<p>Most advice about social media is about output: what to post, when, how
                often. This lesson is about the other half, which matters more. The leaders whose
                presence works best spend more time reading and replying than writing. They know
                what their staff, customers and peers are talking about because they have been
                listening, and when they do post, it connects to a conversation that is already
                under way.</p>"""
            ),
        ),
        (
            "quote",
            {
                "quote": squash(
                    """Most people do not listen with the intent to understand; they listen with
                    the intent to reply."""
                ),
                "attribution": "Stephen R. Covey, The 7 Habits of Highly Effective People (1989)",
            },
        ),
        ("heading", {"text": "The rule: two or three replies for every post", "level": "h2"}),
        (
            "text",
            squash(
                """<p>For every post you publish, write at least two or three replies to other
                people's posts. Not reactions, not “Great post!”, but replies: a few sentences
                that add something. The ratio does three things at once. It keeps you informed.
                It shows the people you reply to that you read their work, which is rare and
                remembered. And it builds the relationships that mean your own posts are read by
                people, not just ranked by an algorithm.</p>
                <p>Start with the people on your list of twelve from lesson two. Then widen the
                circle: colleagues who post about their work, customers, researchers, journalists
                who cover your sector, and people who disagree with you.</p>"""
            ),
        ),
        (
            "video",
            {
                "video": "https://www.youtube.com/watch?v=cSohjlYQI2A",
                "caption": "Julian Treasure: 5 ways to listen better (TED, about eight minutes)",
            },
        ),
        ("heading", {"text": "What a good reply looks like", "level": "h2"}),
        (
            "text",
            squash(
                """<p>A good reply does at least one of these things:</p>
                <ul>
                <li><b>Adds an experience.</b> “We saw the same when we moved to four-day shifts;
                what helped us was…”</li>
                <li><b>Asks a real question,</b> one you want to know the answer to, not a
                rhetorical one.</li>
                <li><b>Connects people.</b> “You should talk to Sarah, who has been working on
                exactly this.” Ask Sarah first.</li>
                <li><b>Disagrees respectfully.</b> Say what you see differently and why, and
                accept that the other person may be right.</li>
                </ul>
                <p>A reply from a senior leader carries weight, and that cuts both ways. Praise
                from you can make someone's month; a correction from you in public can feel like
                a reprimand, even when you meant it as a contribution. When in doubt, correct in
                private and appreciate in public.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Block time for listening",
                "text": squash(
                    """<p>Reserve fifteen minutes, three times a week, for reading and replying
                    only, and do it before you open your own drafts. If your feed is full of
                    noise, curate it: unfollow generously, and follow ten people whose work you
                    respect, including some you often disagree with.</p>"""
                ),
            },
        ),
        (
            "reflection",
            {
                "question": "Whose work in your field do you read regularly but have never responded to?",
                "guidance": squash(
                    """Note three names. For each, recall one thing they wrote that was useful to
                    you, and why."""
                ),
            },
        ),
        (
            "text",
            squash(
                """<p>Listening also means noticing who is missing from the conversations you
                follow. If everyone in your feed is your age, in your industry and in your
                country, your picture of what people think is skewed, and so is your sense of
                what is worth saying.</p>"""
            ),
        ),
        (
            "writing_assignment",
            {
                "title": "Three replies",
                "prompt": squash(
                    """Write three replies to other people's posts this week: one to someone in
                    your own organisation, one to someone in your industry you have never
                    interacted with, and one to someone who sees a topic differently from you.
                    Share the replies with your circle, each with a link to or a short
                    description of the original post."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Each reply should add an experience, a question, a connection or a
                    respectful disagreement.</li>
                    <li>Keep each reply short enough for any platform: under 300 characters if
                    you can.</li>
                    <li>A few days later, note whether anyone answered, and what happened
                    next.</li>
                    </ul>"""
                ),
                "format": WritingFormat.SHORT_300,
                "suggested_length": 50,
                "due_offset_days": 4,
                "default_audience": Visibility.CIRCLE,
            },
        ),
    ],
}


# --- lesson 6 -------------------------------------------------------------------------------

LESSON_PLATFORMS = {
    "title": "Platforms and formats",
    "slug": "platforms-and-formats",
    "summary": squash(
        """LinkedIn, Mastodon, Bluesky, X and your own blog each have their own norms, limits and
        audiences. This lesson compares them honestly, so that you can choose one or two to do
        well rather than five to do badly."""
    ),
    "estimated_minutes": 35,
    "body": [
        (
            "text",
            squash(
                """<p>You do not need to be everywhere. Most leaders are best served by one main
                platform where their audience already is, plus a place of their own for longer
                pieces. The choice should follow your list of twelve, not the platform with the
                most users or the one your competitors use. Platforms change quickly, so check
                the current rules before you rely on any detail below.</p>"""
            ),
        ),
        ("heading", {"text": "LinkedIn", "level": "h2"}),
        (
            "text",
            squash(
                """<p>For most executives in both countries, LinkedIn is where professional
                audiences already are: customers, applicants, peers, journalists and your own
                staff. Posts can run to 3,000 characters, but only the first two or three lines
                show before “…more”, so the opening has to carry the post. The feed is
                algorithmic and favours posts that keep people on the platform; many users find
                that posts with external links travel less far.</p>
                <p>The tone is polite and often relentlessly upbeat. That is your opportunity: a
                candid, specific post stands out. The catch is that LinkedIn is a company's
                platform, not yours. It can change the rules at any time, and your network lives
                there only for as long as it allows.</p>"""
            ),
        ),
        ("heading", {"text": "Mastodon", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Mastodon is not one platform but many independent servers that talk to
                each other, part of what is called the fediverse. Posts are limited to 500
                characters on most servers. There is no algorithmic feed: people see the posts
                of those they follow, in order, so reach comes from being followed and shared,
                not from engagement tricks. Hashtags matter for discovery, and many users expect
                image descriptions and content warnings for difficult topics.</p>
                <p>Mastodon is strong among researchers, journalists, open-source communities
                and parts of the public sector; German federal authorities even have a server of
                their own. Its users quickly notice automated cross-posting and corporate tone.
                It rewards people who show up in person and take part.</p>"""
            ),
        ),
        ("heading", {"text": "Bluesky", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Bluesky grew quickly from late 2024 and feels familiar to anyone who used
                Twitter: short posts of up to 300 characters, replies, reposts. Two features are
                worth knowing. You can choose among custom feeds instead of accepting a single
                algorithm. And you can use your own web domain as your handle, which is a simple,
                verifiable way to show that an account really is yours. Starter packs, lists of
                accounts compiled by other users, help you find people in your field
                quickly.</p>"""
            ),
        ),
        ("heading", {"text": "X", "level": "h2"}),
        (
            "text",
            squash(
                """<p>X, formerly Twitter, is still used by some journalists, politicians,
                investors and technical communities; a standard post is limited to 280
                characters. Since 2022 its ownership, moderation and verification rules have
                changed substantially, and many organisations and individuals in Germany and the
                UK have reduced their activity there or left. Whether you stay is a judgement
                about your audience and about the company you want to keep. Either way, decide
                deliberately, and do not leave an abandoned account with your name on it.</p>"""
            ),
        ),
        ("heading", {"text": "Your own blog", "level": "h2"}),
        (
            "text",
            squash(
                """<p>A blog on your own domain, or a page with your name on your company's
                site, is the one place where you set the rules: no character limit, no algorithm,
                no platform that can vanish with your work. It is where a longer argument lives
                and where your short posts can point. It does not bring readers by itself; they
                arrive through the platforms, newsletters and feed readers. In Germany, check the
                legal notice (Impressum) requirements with your legal team before you publish on
                a site of your own.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Adapt, do not copy",
                "text": squash(
                    """<p>When you share the same idea in several places, rewrite it for each.
                    A LinkedIn post pasted into Mastodon reads like an advertisement; a
                    280-character post pasted into LinkedIn looks careless. Keep the thought and
                    change the form.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Which language?", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Write in the language your readers think in. For a German Mittelstand
                audience that is German; for international peers, English. Many leaders
                alternate, and that is fine, as long as each post is written in one language
                from the start rather than translated as an afterthought. Machine translation
                makes a useful first draft and a poor final one.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Where do the twelve people on your list actually spend their attention,
                    and where do you?"""
                ),
                "guidance": squash(
                    """If the two answers differ, that difference tells you more than any
                    platform comparison."""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "One thought, two platforms",
                "prompt": squash(
                    """Take one thought you want to share (it may come from last week's post)
                    and write it twice: once as a Mastodon post of up to 500 characters, and
                    once for the other platform you are most likely to use. Share both with your
                    circle and say which one you would actually publish."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Keep the thought, change the form: the opening, the length, the
                    tone.</li>
                    <li>On Mastodon, add one or two hashtags written in CamelCase, so that screen
                    readers can read them.</li>
                    <li>If you include an image, write a description of it.</li>
                    </ul>"""
                ),
                "format": WritingFormat.SHORT_500,
                "suggested_length": 80,
                "due_offset_days": 5,
                "default_audience": Visibility.CIRCLE,
            },
        ),
    ],
}


# --- lesson 7 -------------------------------------------------------------------------------

LESSON_EVENTS = {
    "title": "Events and a hashtag: before, during, after",
    "slug": "events-before-during-and-after",
    "summary": squash(
        """A conference, trade fair or panel is the easiest place to turn online contacts into
        real ones and back again. This lesson shows how to use an event and its hashtag in three
        phases, so that you meet the right people and keep talking once you are home."""
    ),
    "estimated_minutes": 25,
    "body": [
        (
            "text",
            squash(
                """<p>Events are where online and offline presence meet. People who have read
                your posts for months finally shake your hand; people you meet at a stand look
                you up on the train home. Most leaders treat events as isolated appearances:
                travel, speak, network, leave. With a little preparation, the same two days can
                start a year of relationships.</p>
                <p>The thread that ties the three phases together is the event hashtag.
                Organisers usually announce one; if they do not, a short, distinctive tag agreed
                with a few other participants works just as well. Before you use it, check that
                it is not already taken by something you would rather not be associated
                with.</p>"""
            ),
        ),
        ("heading", {"text": "Before: say that you are coming", "level": "h2"}),
        (
            "text",
            squash(
                """<p>About a week before, post that you will be there and what you are curious
                about. Not just your speaking slot, but a question: “I'm at Hannover Messe on
                Wednesday and want to understand how mid-sized suppliers are preparing for the
                new EU battery rules. Who should I talk to?” Use the hashtag.</p>
                <p>Then look at who else is using it and who is speaking. Follow a few of them,
                and write to two or three people you would like to meet. A short, specific
                message works best: who you are, why them, and when you will be around.</p>"""
            ),
        ),
        ("heading", {"text": "During: be present, and let others be seen", "level": "h2"}),
        (
            "text",
            squash(
                """<p>During the event, post little and listen a lot. One or two posts a day are
                plenty: a thought from a session, crediting the speaker by name; a photo of a
                stand where you learned something, with the people's permission. Follow the
                hashtag to see what others notice, and reply.</p>
                <p>The most valuable thing you can do in this phase is to amplify other people,
                especially less prominent speakers and members of your own team on stage. It
                costs you a minute and may be the most encouraging thing that happens to them all
                week.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Put your phone away, mostly",
                "text": squash(
                    """<p>The point of being there is to be there. Collect notes and names during
                    the day and post in two short windows, at lunch and in the evening. Nobody
                    remembers the executive who live-posted every panel; people remember the one
                    who asked a good question.</p>"""
                ),
            },
        ),
        ("heading", {"text": "After: the part most people skip", "level": "h2"}),
        (
            "text",
            squash(
                """<p>The days after an event decide whether it was worth the trip. Within a
                week:</p>
                <ol>
                <li>Write one longer post about what you take away: what changed your mind, who
                said something you keep thinking about, what you will do differently. Name the
                people involved, and ask first if it was a private conversation.</li>
                <li>Send a personal message to everyone you met and want to stay in touch with,
                referring to something specific from your conversation.</li>
                <li>Note in your contacts what you talked about and when you want to follow
                up.</li>
                </ol>
                <p>This is also the moment to share the best contributions others made under the
                hashtag. Organisers and speakers notice, and the next invitation tends to
                follow.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": "Which event this quarter could you use in all three phases?",
                "guidance": squash(
                    """Think about who else will be there whom you want to meet, and what
                    question you would bring."""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "Before: I'll be there",
                "prompt": squash(
                    """Choose an event in the coming months. Write the short post you would
                    publish a week before it: that you will be there, what you are curious
                    about, and whom you would like to meet. Include the event's hashtag."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Ask a question people can answer.</li>
                    <li>Use the event hashtag once, not a cluster of tags.</li>
                    <li>If you are speaking, mention it in passing, not as the headline.</li>
                    </ul>"""
                ),
                "format": WritingFormat.SHORT_280,
                "suggested_length": 45,
                "due_offset_days": 3,
                "default_audience": Visibility.CIRCLE,
            },
        ),
        (
            "writing_assignment",
            {
                "title": "After: what I take away",
                "prompt": squash(
                    """Write the post you would publish after the event, or after the last event
                    you attended: what you take away, who made you think, and what you will do
                    differently as a result."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Name the people who influenced you; ask them first if it was a private
                    conversation.</li>
                    <li>Say what you will do, not only what you found interesting.</li>
                    <li>Thank the organisers in one sentence, not three.</li>
                    </ul>"""
                ),
                "format": WritingFormat.LINKEDIN,
                "suggested_length": 250,
                "due_offset_days": 7,
                "default_audience": Visibility.CIRCLE,
            },
        ),
    ],
}


# --- lesson 8 -------------------------------------------------------------------------------

LESSON_KEEP_GOING = {
    "title": "Keeping the network alive",
    "slug": "keeping-the-network-alive",
    "summary": squash(
        """The course ends; the habits should not. This lesson helps you set up a routine you can
        sustain, keep your writing circle going, and decide what to do when time runs short or a
        post goes wrong."""
    ),
    "estimated_minutes": 30,
    "body": [
        (
            "text",
            squash(
                """<p>Most online presences die quietly. A burst of activity during a course or
                after a new appointment, then a busy quarter, then silence. The account stays up,
                its last post eighteen months old, and says more about its owner than they would
                like. This last lesson is about making sure that does not happen to you: not by
                promising more than you can keep, but by settling on a routine small enough to
                survive a bad month.</p>"""
            ),
        ),
        ("heading", {"text": "A routine you can keep", "level": "h2"}),
        (
            "text",
            squash(
                """<p>For most leaders, thirty minutes a week is enough, as long as those minutes
                are protected. A workable pattern looks like this:</p>
                <ul>
                <li><b>Three short listening sessions</b> of ten minutes each: read, reply to two
                or three people, and note anything worth saying.</li>
                <li><b>One post a week,</b> drafted from your notes file. Some weeks it will be
                short, and that is fine.</li>
                <li><b>One longer piece a quarter,</b> for your blog or as a LinkedIn article, on
                the question that has occupied you most.</li>
                </ul>
                <p>Put it in your calendar as a recurring appointment with yourself. If someone
                else manages your calendar, tell them it is not to be moved casually.</p>"""
            ),
        ),
        (
            "tip",
            {
                "title": "Delegate the logistics, not the voice",
                "text": squash(
                    """<p>A communications colleague can help you schedule posts, find the right
                    links, check facts and spot risks. They should not write your posts. Readers
                    notice, your own staff notice first, and a presence that is not yours is not
                    worth having.</p>"""
                ),
            },
        ),
        ("heading", {"text": "Keep your circle", "level": "h2"}),
        (
            "text",
            squash(
                """<p>The writing circle you have worked with over these weeks is the most
                valuable thing this course leaves behind: a small group of people at a similar
                level who have read your drafts, given you honest feedback and know what you are
                trying to do. Agree with them how you will carry on: a monthly call, a shared
                channel where you post drafts before publishing, or simply a promise to reply to
                each other's posts. In our experience, groups that agree on something specific
                in the final week keep going far longer than groups that say “let's stay in
                touch”.</p>"""
            ),
        ),
        ("heading", {"text": "When things go wrong", "level": "h2"}),
        (
            "text",
            squash(
                """<p>Sooner or later a post will be misread, a reply will be hostile, or you
                will get something wrong. Three rules help:</p>
                <ol>
                <li><b>Pause before you respond.</b> Almost nothing online needs an answer
                within the hour; the exception is a factual error that could harm someone.</li>
                <li><b>Correct visibly.</b> If you were wrong, say so in the same place, in plain
                words. Editing silently looks like hiding.</li>
                <li><b>Do not feed bad-faith attacks.</b> Answer a real question once, calmly;
                mute or block people who are only looking for a fight. Your time belongs to those
                who engage in good faith.</li>
                </ol>
                <p>If the criticism comes from inside your organisation, treat it as a gift,
                however it is wrapped. It is the surest sign that people believe you are
                listening.</p>"""
            ),
        ),
        (
            "reflection",
            {
                "question": squash(
                    """Look back at the self-check you wrote in the first lesson. What would you
                    change now?"""
                ),
                "guidance": squash(
                    """Notice what has become clearer, what turned out to matter less than you
                    thought, and who turned out to be your real audience."""
                ),
            },
        ),
        (
            "writing_assignment",
            {
                "title": "My routine from here",
                "prompt": squash(
                    """Write down, for your facilitator, the routine you commit to for the next
                    three months: when you will listen, when you will write, where you will
                    publish, and how you will stay in touch with your circle. Add what is most
                    likely to stop you, and what you will do when it does."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Be realistic rather than ambitious: a routine you keep beats one you
                    admire.</li>
                    <li>Put the dates in your calendar before you submit this.</li>
                    <li>Set yourself a reminder to reread this note in three months.</li>
                    </ul>"""
                ),
                "format": WritingFormat.REFLECTION,
                "suggested_length": 250,
                "due_offset_days": 7,
                "default_audience": Visibility.FACILITATOR,
            },
        ),
        (
            "writing_assignment",
            {
                "title": "What I learned in eight weeks",
                "prompt": squash(
                    """Write a blog article about what you have learned about being present
                    online as a leader: what surprised you, what you found hard, and what you
                    will keep doing. Write it for peers who are considering the same step."""
                ),
                "guidance": squash(
                    """<ul>
                    <li>Be honest about what did not work.</li>
                    <li>Link to one or two of your own posts from the course, if you published
                    them.</li>
                    <li>Thank your circle without naming anyone who has not agreed to be
                    named.</li>
                    </ul>"""
                ),
                "format": WritingFormat.BLOG,
                "suggested_length": 600,
                "due_offset_days": 10,
                "default_audience": Visibility.CIRCLE,
            },
        ),
    ],
}


#: The lessons in course order; a lesson's release offset is its index in this list.
LESSONS = [
    LESSON_WHO_AM_I,
    LESSON_WHOM,
    LESSON_OPENNESS,
    LESSON_YOUR_DAY,
    LESSON_LISTENING,
    LESSON_PLATFORMS,
    LESSON_EVENTS,
    LESSON_KEEP_GOING,
]


def video_urls():
    """Every video URL used in the demo lessons."""
    return [
        value["video"]
        for lesson in LESSONS
        for block_type, value in lesson["body"]
        if block_type == "video" and value.get("video")
    ]
