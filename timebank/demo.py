"""Demo timebank: offers and requests around Barcelona, a few confirmed exchanges, and chores.

Idempotent: posts are found by (author, title), exchanges are made only for posts that have
none, chores by title; a second run creates nothing.
"""

from __future__ import annotations

from collections import Counter

from coop.demo.registry import DemoContext
from coop.geo.approximate import approximate_point
from coop.members.models import User
from timebank import rota, services
from timebank.models import Chore, Exchange, Post

POSTS: tuple[tuple[str, str, str, str], ...] = (
    ("offer", "repairs", "Bike tune-ups and punctures", "I bring my tools; you bring the bike."),
    ("offer", "lessons", "Catalan conversation over coffee", "Relaxed practice for any level."),
    ("offer", "care", "Walking your dog at lunchtime", "Weekdays between 13:00 and 15:00."),
    ("offer", "translation", "Spanish-English translation of letters", "Forms, letters, emails."),
    ("offer", "gardening", "Balcony garden set-up", "Pots, soil and what grows in the shade."),
    ("offer", "tech", "Phone and laptop help", "Backups, updates, a slow computer."),
    ("offer", "cooking", "Batch cooking for the week", "Vegetarian, for up to four people."),
    ("request", "transport", "Help carrying a sofa to the third floor", "No lift, Saturday."),
    ("request", "repairs", "Fix a dripping kitchen tap", "I have the new washer."),
    ("request", "lessons", "Maths homework help for a 12-year-old", "Once a week."),
    ("request", "care", "Company for my grandmother on Sundays", "A walk and a chat."),
    ("request", "translation", "Read a rental contract with me", "In Catalan; I read Spanish."),
)
EXCHANGES = 4
CHORES: tuple[tuple[str, int], ...] = (
    ("Minutes of the neighbourhood council", 90),
    ("Sort the recycling point after the market", 60),
    ("Repair the shared tool library's drill", 45),
)


def seed(context: DemoContext) -> None:
    members = [member for member in context.members if member.home is not None]
    if len(members) < 3:
        context.write("timebank: skipped (needs members with homes)")
        return
    # Counted here rather than with context.tally: the command's grand total is about people.
    made: Counter[str] = Counter()
    authors = context.random.sample(members, k=min(len(POSTS), len(members)))
    created: list[Post] = []
    for (kind, category, title, description), author in zip(POSTS, authors, strict=False):
        post = Post.objects.filter(author=author, title=title).first()
        made["posts"] += post is None
        home = author.home
        if post is None and home is not None:
            # Posted near the author's home, never at it.
            post = services.post_create(
                author=author,
                kind=kind,
                title=title,
                description=description,
                category=category,
                location=approximate_point(home, key=f"demo-post:{title}"),
            )
        if post is not None:
            created.append(post)
    for post in created[:EXCHANGES]:
        if Exchange.objects.filter(post=post).exists():
            continue
        other = _someone_else(context, members, post.author)
        _confirmed_exchange(post, other, minutes=context.random.choice((30, 60, 90, 120)))
        made["exchanges"] += 1
    if context.board:
        for title, minutes in CHORES:
            exists = Chore.objects.filter(title=title).exists()
            made["chores"] += not exists
            if not exists:
                rota.chore_create(board=context.board[0], title=title, minutes=minutes)
    context.write(
        f"timebank: {made['posts']} posts, {made['exchanges']} confirmed exchanges, "
        f"{made['chores']} chores created"
    )


def _someone_else(context: DemoContext, members: list[User], author: User) -> User:
    while True:
        other = context.random.choice(members)
        if other.pk != author.pk:
            return other


def _confirmed_exchange(post: Post, requester: User, *, minutes: int) -> Exchange:
    exchange = services.exchange_request(requester=requester, post=post, minutes=minutes)
    exchange = services.exchange_accept(user=post.author, exchange=exchange)
    provider = User.objects.get(pk=exchange.provider_id)
    receiver = User.objects.get(pk=exchange.receiver_id)
    exchange = services.exchange_complete(user=provider, exchange=exchange)
    return services.exchange_confirm(user=receiver, exchange=exchange)
