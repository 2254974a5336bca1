from dash import html


def empty_state(message: str, hint: str | None = None, **attrs):
    """A quiet box saying why there is nothing to show, and what to do about it. Commands
    written between backticks (as the command line's messages write them) are shown as code."""
    children = [html.P(_with_code(message), className="empty-message")]
    if hint:
        children.append(html.P(_with_code(hint), className="empty-hint"))
    return html.Div(children, className="empty-state", **attrs)


def _with_code(text: str) -> list:
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an unpaired backtick: not markup
        return [text]
    return [html.Code(piece) if index % 2 else piece for index, piece in enumerate(pieces) if piece]
