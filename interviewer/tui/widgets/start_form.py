"""The start screen's form: bank, categories, difficulties, count, order and time limit.

Mounted only once the banks are parsed, so the first paint does not wait for these widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
)

from interviewer.core.interview.session import InterviewSettings, Order, matching
from interviewer.core.interview.settings import MAX_TIME_LIMIT
from interviewer.views.safe import cell

if TYPE_CHECKING:
    from interviewer.core.bank.schema import Bank

DIFFICULTIES = ("Junior", "Mid", "Senior")
ORDER_LABELS = {
    Order.SHUFFLED: "shuffled",
    Order.BANK: "bank order",
    Order.DUE: "due & weakest first",
}


class StartForm(Vertical):
    DEFAULT_CSS = """
    StartForm { height: auto; }
    StartForm #matching.-none { color: $error; }
    """

    def __init__(self, banks: Sequence[Bank], defaults: InterviewSettings, due: bool) -> None:
        super().__init__(id="start-fields")
        self.banks = list(banks)
        self.defaults = defaults
        self.due_available = due

    def compose(self) -> ComposeResult:
        defaults = self.defaults
        yield Button("Resume", id="resume", compact=True, variant="warning")
        with Horizontal(classes="field"):
            yield Label("Bank", classes="field-label")
            options = [(cell(f"{b.title} ({len(b.questions)})"), b.id) for b in self.banks]
            yield Select[str](
                options, id="bank", allow_blank=False, compact=True, value=self._bank_id()
            )
        with Horizontal(classes="field"):
            yield Label("Categories", classes="field-label")
            yield SelectionList[str](id="categories", compact=True)
        with Horizontal(classes="field", id="difficulties"):
            yield Label("Difficulty", classes="field-label")
            for level in DIFFICULTIES:
                ticked = not defaults.difficulties or level in defaults.difficulties
                yield Checkbox(level, ticked, id=f"difficulty-{level.lower()}", compact=True)
        with Horizontal(classes="field"):
            yield Label("Questions", classes="field-label")
            yield Input(str(defaults.count), id="count", type="integer", compact=True)
            yield Label("", id="matching", classes="field-hint")
        with Horizontal(classes="field"):
            yield Label("Order", classes="field-label")
            yield from self._order_set()
        with Horizontal(classes="field"):
            yield Label("Time limit", classes="field-label")
            minutes = f"{defaults.time_limit / 60:g}" if defaults.time_limit else "0"
            yield Input(minutes, id="time-limit", type="number", compact=True)
            yield Label("minutes per question (0: none)", classes="field-hint")
        yield Button("Start interview", id="start", variant="primary")

    def _bank_id(self) -> str:
        wanted = self.defaults.bank_id
        known = next((b.id for b in self.banks if b.id == wanted), None)
        return known or self.banks[0].id

    def _order_set(self) -> ComposeResult:
        with RadioSet(id="order", compact=True):
            for order, label in ORDER_LABELS.items():
                button = RadioButton(
                    label,
                    value=order is self.defaults.order,
                    id=f"order-{order.value}",
                    disabled=order is Order.DUE and not self.due_available,
                )
                if button.disabled:
                    button.tooltip = "Available once earlier transcripts exist."
                yield button

    def on_mount(self) -> None:
        self.query_one("#resume").display = False
        self.query_one("#start", Button).tooltip = "Start with these choices (Enter)."
        self._fill_categories()
        self.update_matching()

    @on(SelectionList.SelectedChanged, "#categories")
    @on(Checkbox.Changed)
    @on(Input.Changed, "#count")
    def update_matching(self) -> None:
        """How many questions the filters keep, and how many of them will be asked."""
        bank = self.bank()
        settings = self.chosen_settings()
        found = len(matching(bank.questions, settings)) if bank is not None else 0
        asked = min(found, settings.count)
        text = "1 question matches" if found == 1 else f"{found} questions match"
        text += f", {asked} will be asked" if found else ": change the filters"
        label = self.query_one("#matching", Label)
        label.update(text)
        label.set_class(not found, "-none")

    def bank(self) -> Bank | None:
        value = self.query_one("#bank", Select).value
        return next((b for b in self.banks if b.id == value), None)

    @on(Select.Changed, "#bank")
    def _fill_categories(self) -> None:
        bank = self.bank()
        selection = self.query_one("#categories", SelectionList)
        selection.clear_options()
        if bank is None:
            return
        wanted = self.defaults.categories
        counts = {c: sum(q.category == c for q in bank.questions) for c in bank.categories}
        selection.add_options(
            (cell(f"{c} ({n})"), c, not wanted or c in wanted) for c, n in counts.items()
        )
        if self.is_mounted and self.query("#matching"):
            self.update_matching()

    def chosen_settings(self) -> InterviewSettings:
        listing = self.query_one("#categories", SelectionList)
        categories = tuple(str(c) for c in listing.selected)
        levels = tuple(
            level
            for level in DIFFICULTIES
            if self.query_one(f"#difficulty-{level.lower()}", Checkbox).value
        )
        bank = self.bank()
        return InterviewSettings(
            bank_id=bank.id if bank is not None else None,
            categories=() if len(categories) == listing.option_count else categories,
            difficulties=() if len(levels) == len(DIFFICULTIES) else levels,
            count=_count(self.query_one("#count", Input).value, self.defaults.count),
            order=self._order(),
            time_limit=_minutes_to_seconds(self.query_one("#time-limit", Input).value),
            seed=self.defaults.seed,
        )

    def _order(self) -> Order:
        pressed = self.query_one("#order", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return Order.SHUFFLED
        return Order(pressed.id.removeprefix("order-"))


def _count(text: str, default: int) -> int:
    try:
        value = int(text)
    except ValueError:
        return default
    return value if value > 0 else default


def _minutes_to_seconds(text: str) -> float | None:
    try:
        minutes = float(text)
    except ValueError:
        return None
    return min(minutes * 60, MAX_TIME_LIMIT) if minutes > 0 else None  # 1e308 minutes: a day
