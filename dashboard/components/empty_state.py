from dash import html


def empty_state(message: str, hint: str | None = None, **attrs):
    """A quiet box saying why there is nothing to show, and what to do about it."""
    children = [html.P(message, className="empty-message")]
    if hint:
        children.append(html.P(hint, className="empty-hint"))
    return html.Div(children, className="empty-state", **attrs)
