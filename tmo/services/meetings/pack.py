"""The agenda pack: the agenda and, item by item, each paper printed in place (a PDF's pages, an
image) or, for a file a PDF cannot hold, how to get it; in the public pack, a confidential item
is a numbered "exempt" placeholder, never its title or its papers."""

import base64
from dataclasses import dataclass, field

from pypdf import PageObject

from tmo.models.meetings import AgendaItem, AgendaPaper, Meeting
from tmo.services import files
from tmo.services.pdf import kept_page_id, pages_of


@dataclass(frozen=True)
class PackPaper:
    """A paper as the pack prints it: ``pages`` (a PDF's), an ``image`` (a ``data:`` URL), or
    neither (a file the pack names, to be had from the meeting's page or the secretary)."""

    paper: AgendaPaper
    key: str
    pages: list[PageObject] = field(default_factory=list)
    image: str = ""

    @property
    def kind(self) -> str:
        """What kind of file it is, in words ("Word", "PDF")."""
        kind = files.sniff(self.paper.file.content)
        return kind.label if kind else "other"

    @property
    def kept_pages(self) -> list[str]:
        """The ``id`` of each page kept for this paper's pages."""
        return [kept_page_id(self.key, number) for number in range(1, len(self.pages) + 1)]


@dataclass(frozen=True)
class PackItem:
    number: int
    item: AgendaItem
    exempt: bool
    papers: list[PackPaper]


@dataclass(frozen=True)
class Pack:
    items: list[PackItem]

    @property
    def inserts(self) -> dict[str, list[PageObject]]:
        return {paper.key: paper.pages for item in self.items for paper in item.papers}


def pack_paper(paper: AgendaPaper) -> PackPaper:
    stored = paper.file
    key = f"paper{paper.id}"
    if stored.media_type == "application/pdf":
        return PackPaper(paper, key, pages=pages_of(stored.content) or [])
    if stored.media_type.startswith("image/"):
        encoded = base64.b64encode(stored.content).decode("ascii")
        return PackPaper(paper, key, image=f"data:{stored.media_type};base64,{encoded}")
    return PackPaper(paper, key)


def agenda_pack(meeting: Meeting, *, full: bool) -> Pack:
    """Every item, numbered as on the full agenda; outside ``full``, a confidential one is only
    its number and the word that it is exempt."""
    items = []
    for number, item in enumerate(meeting.items, start=1):
        exempt = item.confidential and not full
        papers = [] if exempt else [pack_paper(paper) for paper in item.papers]
        items.append(PackItem(number, item, exempt, papers))
    return Pack(items)
