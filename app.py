"""Downhill: watch optimizers descend loss landscapes. Entry point: routes to the pages.

Page scripts live in ``app_pages/``, not ``pages/``: Streamlit treats a folder named ``pages`` next
to the entry point as an old-style page folder until ``st.navigation`` has run once, so a shared
deep link opened first on a fresh server would show the wrong navigation.
"""

import streamlit as st

from app_pages.common.controls import CARD_FOCUS_JS, LINK_CHECK_JS, PLOTLY_CONTROLS_JS, is_phone
from app_pages.common.resync import run_page

THEME_GREY = "rgb(128, 132, 149)"  # Streamlit's light theme's faded text, as Plotly writes it
CHART_TEXT = "#555866"  # 7.3:1 on white, still lighter than the page's text

# A phone starts with the sidebar shut, as Streamlit's "auto" does only on a narrow screen: a
# phone held sideways (844 x 390) opened it over a third of the page, the map below the fold.
st.set_page_config(page_title="Downhill", page_icon="⛷️", layout="wide",
                   initial_sidebar_state="collapsed" if is_phone() else "auto")
# Streamlit tops every page with 6rem of padding under a header that holds nothing here (the
# toolbar is minimal); 3rem still clears the phone's sidebar button and brings the race's Play
# buttons and map 48 px higher on a laptop's first screen.
# A multiselect caps its height at ~4 rows of chips and scrolls the rest out of sight: the race's
# six default optimizers hid the sixth. Every chip shows instead (the box grows). A selectbox's
# choice too long for the sidebar ("Linear regression (mean squared error)") was cut mid-letter;
# it ends in "…" instead.
st.html("<style>[data-testid='stMainBlockContainer'] { padding-top: 3rem; }"
        "[data-testid='stMultiSelect'] .react-aria-ComboBox > div { max-height: none; }"
        "[data-testid='stSelectbox'] input { text-overflow: ellipsis; }"
        # Columns wrap onto rows of their own when the main column is too narrow for them side
        # by side (an iPad's 820 px less the open sidebar left a 504 px column: text one word a
        # line beside a figure). Streamlit stacks them only on a screen under 640 px; the
        # narrowest on a 1280 px laptop is 197 px (the network's notes beside its drawing).
        "[data-testid='stMain'] [data-testid='stColumn'] { min-width: 190px; }"
        # Streamlit's theme draws Plotly's ticks, axis titles, slider labels and button text
        # in a grey of 3.7:1 on white; WCAG asks 4.5:1 of small text. Only that grey darkens.
        f".js-plotly-plot text[style*='fill: {THEME_GREY}'] {{ fill: {CHART_TEXT} !important; }}"
        # Plotly's controls made focusable by plotly_controls.js show where the focus is.
        ".js-plotly-plot g[tabindex]:focus-visible { outline: 2px solid #0072B2; "
        "outline-offset: 2px; }"
        # A shut sidebar is moved off screen, where its ~30 controls still took the keyboard's
        # focus, unseen, before the button that opens it (an accessibility review).
        # (its help icons set their own visibility: every descendant is hidden too)
        "[data-testid='stSidebar'][data-collapsed='true'], "
        "[data-testid='stSidebar'][data-collapsed='true'] * { visibility: hidden !important; }"
        # The script below renders nothing: its element takes no room in the page.
        "[data-testid='stElementContainer']:has(.stHtml #plotly-controls) { display: none; }"
        "</style>")
# Keyboard access to Plotly's Play, Pause, speed buttons and step slider (every page's
# animations), and Play from the step a chart opens at; a word on a link too long to read; and
# the focus kept on a settings card opened or shut from the keyboard.
st.html(f"<span id='plotly-controls'></span><script>{PLOTLY_CONTROLS_JS}\n{LINK_CHECK_JS}\n"
        f"{CARD_FOCUS_JS}"
        "</script>", unsafe_allow_javascript=True)

# The race is the default page, served at "/"; it still reserves a pathname, so "race" is left
# free for the alias below.
RACE = st.Page("app_pages/race.py", title="Race", icon=":material/sports_score:", url_path="home",
               default=True)


def race_alias() -> None:
    """``/race?...`` is where people expect the race: forward to ``/`` with the same query,
    a key given twice kept twice (the race names it; ``to_dict`` kept the last alone)."""
    st.switch_page(RACE, query_params={k: st.query_params.get_all(k) for k in st.query_params})


page = st.navigation(
    [
        RACE,
        st.Page(race_alias, title="Race", url_path="race", visibility="hidden"),
        st.Page("app_pages/learning_rate.py", title="Learning-rate lab", icon=":material/tune:",
                url_path="learning_rate"),
        st.Page("app_pages/basins.py", title="Basins of attraction", icon=":material/map:",
                url_path="basins"),
        st.Page("app_pages/concepts.py", title="Concepts tour", icon=":material/school:",
                url_path="concepts"),
        st.Page("app_pages/neural_network.py", title="Neural network", icon=":material/hub:",
                url_path="neural_network"),
    ]
)
# Each page its own browser title (WCAG 2.4.2: every tab read "Downhill", whatever the page).
st.set_page_config(page_title=f"{page.title} · Downhill")
run_page(page)  # resends the controls' values after a run a click cut short
