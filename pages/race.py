"""The race: optimizers side by side on one landscape (the landing page)."""

import streamlit as st

st.title("Downhill")
st.write("Watch optimizers race down a loss landscape.")
