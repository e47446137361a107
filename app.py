"""Downhill: watch optimizers descend loss landscapes. Entry point: routes to the pages.

Page scripts live in ``app_pages/``, not ``pages/``: Streamlit treats a folder named ``pages`` next
to the entry point as an old-style page folder until ``st.navigation`` has run once, so a shared
deep link opened first on a fresh server would show the wrong navigation.
"""

import streamlit as st

st.set_page_config(page_title="Downhill", page_icon="⛷️", layout="wide")

st.navigation(
    [
        st.Page("app_pages/race.py", title="Race", icon=":material/sports_score:",
                url_path="race", default=True),
        st.Page("app_pages/learning_rate.py", title="Learning-rate lab", icon=":material/tune:",
                url_path="learning_rate"),
        st.Page("app_pages/basins.py", title="Basins of attraction", icon=":material/map:",
                url_path="basins"),
        st.Page("app_pages/concepts.py", title="Concepts tour", icon=":material/school:",
                url_path="concepts"),
        st.Page("app_pages/neural_network.py", title="Neural network", icon=":material/hub:",
                url_path="neural_network"),
    ]
).run()
