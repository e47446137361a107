"""Downhill: watch optimizers descend loss landscapes. Entry point: routes to the pages."""

import streamlit as st

st.set_page_config(page_title="Downhill", page_icon="⛷️", layout="wide")

st.navigation(
    [
        st.Page("pages/race.py", title="Race", icon="🏁", url_path="race", default=True),
        st.Page("pages/learning_rate.py", title="Learning-rate lab", icon="🎚️",
                url_path="learning_rate"),
        st.Page("pages/basins.py", title="Basins of attraction", icon="🗺️", url_path="basins"),
        st.Page("pages/concepts.py", title="Concepts tour", icon="🎓", url_path="concepts"),
        st.Page("pages/neural_network.py", title="Neural network", icon="🧠",
                url_path="neural_network"),
    ]
).run()
