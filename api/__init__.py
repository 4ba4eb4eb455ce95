"""The HTTP side served by app.py's st.App beside the Streamlit UI: health checks, security headers."""
