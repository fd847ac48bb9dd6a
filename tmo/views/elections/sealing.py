"""The sealing key's pages, for its holder (the election's scrutineer, or its returning officer
where it has none): making the key before the poll opens, confirming it was kept, and bringing it
back to open the ballot box at the count.

The private key passes through these pages and nowhere else. Making it answers with one page that
shows the recovery phrase and carries the key file as a download inside the page (a ``data:``
link), so nothing of it is kept on the server between requests; the page is not cached (it is a
logged-in page). Confirming and opening read the key from the request, use it in memory and drop
it: the phrase and passphrase fields are never shown back, and no log or audit entry holds them.
"""

import base64

from pyramid.renderers import render_to_response

from tmo.forms import FormPage, form_page
from tmo.permissions import Permission
from tmo.rules.sealing import fingerprint
from tmo.schemas.elections import KEY_FILE_BYTES, KeySchema, MakeKeySchema
from tmo.schemas.files import read_upload
from tmo.services import elections
from tmo.services.elections import ElectionError
from tmo.views.elections import common
from tmo.views.elections.officer import ReturningOfficerPage

LOST_KEY = (
    "tmo keeps only the public key. If the key file's passphrase and the recovery phrase are "
    "both lost, the ballots cannot be opened and the election cannot be counted: it would "
    "have to be cancelled and run again. Keep the file and the phrase apart, somewhere safe."
)


class KeyHolderPage(ReturningOfficerPage):
    def extra(self):
        election = self.context.election
        return {
            **common(self.request, election),
            "holder": elections.key_holder(election),
        }


def key_given(page: FormPage, appstruct: dict):
    """The private key the form carries (file and passphrase, or phrase)."""
    upload = appstruct.get("key_file")
    data = read_upload(upload, KEY_FILE_BYTES) if upload else None
    if data is not None and len(data) > KEY_FILE_BYTES:
        raise ElectionError("That file is too large to be a sealing key file.", "key_file")
    return elections.read_key(data, appstruct["passphrase"], appstruct["phrase"])


@form_page("election_key", "form.jinja2", Permission.ELECTIONS_KEY_HOLD)
class MakeKeyPage(KeyHolderPage):
    schema = MakeKeySchema
    submit_label = "Make the sealing key"
    heading = "Make the sealing key"
    default_field = "passphrase"

    def intro(self):
        return [
            "Every ballot is sealed with this election's key before it is stored, so that nobody "
            "who can read the database or the mail can see how anyone voted. You hold the key: "
            "at the count you bring it back to open the ballot box.",
            "Choose a passphrase. The next page gives you the key file, locked with it, and a "
            "recovery phrase to write down. Then you confirm you kept them; the poll cannot "
            "open until you have.",
            LOST_KEY,
        ]

    def succeed(self, form, appstruct):
        election = self.context.election
        made = elections.make_key(
            self.request.dbsession,
            election,
            appstruct["passphrase"],
            self.request.account.id,
            self.request.now,
        )
        return render_to_response(
            "elections/key_made.jinja2",
            {
                **self.extra(),
                "phrase": made.phrase,
                "fingerprint": made.fingerprint,
                "file_name": f"election-{election.id}-sealing-key.tmokey",
                "file_href": "data:application/octet-stream;base64,"
                + base64.b64encode(made.file).decode(),
                "lost_key": LOST_KEY,
            },
            self.request,
        )


@form_page("election_key_confirm", "form.jinja2", Permission.ELECTIONS_KEY_HOLD)
class ConfirmKeyPage(KeyHolderPage):
    schema = KeySchema
    submit_label = "Confirm the key"
    heading = "Confirm you kept the sealing key"
    default_field = "key_file"

    def intro(self):
        pending = self.context.election.pending_sealing_key
        return [
            "Show that you kept the key: choose the key file you saved and type its passphrase, "
            "or type the recovery phrase you wrote down. It is checked against the key made "
            + (f"(fingerprint {fingerprint(pending)})" if pending else "")
            + " and then forgotten.",
            LOST_KEY,
        ]

    def succeed(self, form, appstruct):
        elections.confirm_key(
            self.request.dbsession,
            self.context.election,
            key_given(self, appstruct),
            self.request.account.id,
        )
        return self.redirect(
            "election_manage",
            "The sealing key is confirmed: ballots will be sealed with it.",
            election_id=self.context.election.id,
        )


@form_page("election_open_box", "form.jinja2", Permission.ELECTIONS_KEY_HOLD)
class OpenBoxPage(KeyHolderPage):
    schema = KeySchema
    submit_label = "Open the ballot box and count"
    heading = "Open the ballot box and count the votes"
    default_field = "key_file"

    def intro(self):
        return [
            "Bring the sealing key: choose the key file and type its passphrase, or type the "
            "recovery phrase. tmo checks the ballot log, opens every sealed ballot in a random "
            "order into the count, deletes the sealed ones, and counts, all at once. The key is "
            "used for this and not kept."
        ]

    def succeed(self, form, appstruct):
        election = self.context.election
        if "open_box" not in dict(elections.moves(election, self.request.now)):
            raise ElectionError("The box is opened once the poll has closed.")
        elections.count(
            self.request.dbsession,
            election,
            self.request.account.id,
            self.request.now,
            key=elections.chain_key(self.request.registry.settings["tmo.secret"]),
            private_key=key_given(self, appstruct),
        )
        return self.redirect(
            "election_manage",
            "The ballot box is opened and the votes are counted. Check the result sheet; the "
            "returning officer then declares the result.",
            election_id=election.id,
        )
