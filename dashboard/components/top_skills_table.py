from dash import dash_table
from dash.dash_table.Format import Format, Scheme

from analysis.families import label
from dashboard.theme import FAMILY_COLOURS, FONT_STACK, percent

TABLE_ID = "top-skills"


def top_skills_table(top, table_id: str = TABLE_ID):
    """A sortable table of the period's most-mentioned skills.

    :param top: the frame :func:`analysis.shares.top_skills` returns.
    """
    data = [
        {
            "skill": row["skill"],
            "family": label(row["family"]),
            "share": row["share"],
            "ci": f"{percent(row['ci_low'])} – {percent(row['ci_high'])}",
            # Numbers, so that sorting the column sorts by count (text sorted "111" before "13").
            "postings": row["postings"],
            "total": row["total"],
        }
        for row in top.iter_rows(named=True)
    ]
    return dash_table.DataTable(
        id=table_id,
        data=data,
        columns=[
            {"name": "Skill", "id": "skill"},
            {"name": "Family", "id": "family"},
            {
                "name": "Share of ML postings",
                "id": "share",
                "type": "numeric",
                "format": Format(precision=1, scheme=Scheme.percentage),
            },
            {"name": "95% CI", "id": "ci"},
            {"name": "Postings", "id": "postings", "type": "numeric", "format": Format(group=",")},
            {"name": "of ML postings", "id": "total", "type": "numeric", "format": Format(group=",")},
        ],
        sort_action="native",
        cell_selectable=True,
        style_as_list_view=True,
        style_header={"fontWeight": "600", "backgroundColor": "#f4f5f7"},
        style_cell={"fontFamily": FONT_STACK, "fontSize": "14px", "padding": "6px 10px", "textAlign": "left"},
        style_data_conditional=[
            {
                "if": {"filter_query": f'{{family}} = "{label(family)}"', "column_id": "family"},
                "color": colour,
                "fontWeight": "600",
            }
            for family, colour in FAMILY_COLOURS.items()
        ],
    )
