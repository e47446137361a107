"""``controls.is_phone``: the browser's user agent, read once per session."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app_pages.common import controls

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
LAPTOP = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0 Safari/537.36")


class Headers:
    def __init__(self, agent: str | None) -> None:
        self.agent, self.reads = agent, 0

    def get(self, name: str, default: str = "") -> str | None:
        self.reads += 1
        return self.agent if name == "User-Agent" else default


def session(monkeypatch: pytest.MonkeyPatch, agent: str | None) -> Headers:
    headers = Headers(agent)
    monkeypatch.setattr(controls, "st", SimpleNamespace(
        session_state={}, context=SimpleNamespace(headers=headers)))
    return headers


@pytest.mark.parametrize(("agent", "phone"), [(IPHONE, True), (LAPTOP, False), (None, False)])
def test_the_user_agent_is_read_once_per_session(monkeypatch: pytest.MonkeyPatch,
                                                 agent: str | None, phone: bool) -> None:
    headers = session(monkeypatch, agent)
    assert [controls.is_phone() for _ in range(4)] == [phone] * 4
    assert headers.reads == 1  # a laptop's False is kept too, not read again


def test_each_session_reads_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    session(monkeypatch, IPHONE)
    assert controls.is_phone()
    session(monkeypatch, LAPTOP)  # another visitor: another session state
    assert not controls.is_phone()


def test_without_a_script_run_it_is_a_laptop(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        @property
        def headers(self):
            raise RuntimeError("no script run context")

    monkeypatch.setattr(controls, "st", SimpleNamespace(session_state={}, context=Broken()))
    assert controls.is_phone() is False


def test_a_tablet_that_says_it_is_a_mac_is_told_how_to_pick_by_touch() -> None:
    """iPadOS Safari sends a Mac's user agent, so an iPad got "click the map" and its one tap
    picked nothing (Plotly selects a touch on its second tap). Every laptop text that says to
    click a map also says to tap twice."""
    from tests.app.conftest import app_test

    race = app_test("app_pages/race.py").run()
    said = " ".join(m.value for m in race.markdown) + " ".join(c.value for c in race.caption)
    assert said.count("on a touch screen: tap") == 2, said
    basins = app_test("app_pages/basins.py").run()
    said = " ".join(m.value for m in basins.markdown) + basins.info[0].value
    assert said.count("on a touch screen: tap it twice") == 1, said  # once, above the maps


@pytest.mark.parametrize(("page", "query", "selectable"), [
    ("learning_rate.py", {"steps": "60", "sweep": "10"}, 0),
    ("neural_network.py", {"epochs": "3"}, 1),  # the example map picks a point on a tap
])
def test_a_phone_swipes_past_the_lab_and_network_charts(monkeypatch: pytest.MonkeyPatch,
                                                        page: str, query: dict,
                                                        selectable: int) -> None:
    """A swipe that began on the lab's or the network page's charts zoomed them (Plotly keeps a
    touch that starts on a chart that drags) and the page did not scroll: on a phone none drags.
    On a laptop they keep Plotly's zoom."""
    from tests.app.conftest import app_test, charts

    monkeypatch.setattr(controls, "is_phone", lambda: True)
    at = app_test(f"app_pages/{page}", query).run(timeout=180)
    phone = charts(at)
    assert len(phone) >= 4
    # the network's equations are wider than a phone: it says they swipe (they did, unsaid)
    swipe = any("Swipe an equation sideways" in c.value for c in at.caption)
    assert swipe == (page == "neural_network.py")
    assert all(c["layout"].get("dragmode") is False for c in phone), \
        [c["layout"].get("dragmode") for c in phone]
    monkeypatch.setattr(controls, "is_phone", lambda: False)
    laptop = charts(app_test(f"app_pages/{page}", query).run(timeout=180))
    assert sum(c["layout"].get("dragmode") is False for c in laptop) == selectable
