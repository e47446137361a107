"""Plotly figure builders (Plotly + NumPy only, never Streamlit). Colours and markers: viz.style."""
