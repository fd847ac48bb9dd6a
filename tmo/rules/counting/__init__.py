"""Vote counting for tmo elections: Scottish STV and block vote, with exact integer arithmetic.

This package owns turning ballots into a result and nothing else: no database, no web. Ballots
arrive as an `Election` (read from BLT or block-vote CSV by `ballots`), a counter
(`count_scottish_stv` or `count_block_vote`) returns a `CountResult` recording every stage and
every drawing of lots, and `render_text_sheet` prints it. Lots are drawn from a seed the caller
supplies, so anyone can repeat a count and get the same winners.
"""

from tmo.rules.counting.ballots import (
    Ballot,
    BallotFileError,
    Election,
    read_block_csv,
    read_blt,
    write_block_csv,
    write_blt,
)
from tmo.rules.counting.block_vote import BLOCK_VOTE, count_block_vote
from tmo.rules.counting.result import (
    BLOCK_SCALE,
    STV_SCALE,
    CountResult,
    LotDraw,
    Stage,
    StageAction,
    format_votes,
    from_record,
    to_record,
)
from tmo.rules.counting.scottish_stv import SCOTTISH_STV, count_scottish_stv, droop_quota
from tmo.rules.counting.sheet import render_text_sheet

__all__ = [
    "BLOCK_SCALE",
    "BLOCK_VOTE",
    "SCOTTISH_STV",
    "STV_SCALE",
    "Ballot",
    "BallotFileError",
    "CountResult",
    "Election",
    "LotDraw",
    "Stage",
    "StageAction",
    "count_block_vote",
    "count_scottish_stv",
    "droop_quota",
    "format_votes",
    "from_record",
    "read_block_csv",
    "read_blt",
    "render_text_sheet",
    "to_record",
    "write_block_csv",
    "write_blt",
]
