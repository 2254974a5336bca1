from dash import dash_table
from dash.dash_table.Format import Format, Scheme

from analysis.families import label
from dashboard.theme import FAMILY_COLOURS, FONT_STACK

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
            # The interval's ends as numbers too: a column of "9.9% – 14.0%" texts sorts as text.
            "ci_low": row["ci_low"],
            "ci_high": row["ci_high"],
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
            {"name": ["95% CI", "from"], "id": "ci_low", "type": "numeric",
             "format": Format(precision=1, scheme=Scheme.percentage)},
            {"name": ["95% CI", "to"], "id": "ci_high", "type": "numeric",
             "format": Format(precision=1, scheme=Scheme.percentage)},
            {"name": "Postings", "id": "postings", "type": "numeric", "format": Format(group=",")},
            {"name": "of ML postings", "id": "total", "type": "numeric", "format": Format(group=",")},
        ],
        sort_action="native",
        merge_duplicate_headers=True,
        cell_selectable=True,
        # On a narrow screen the table scrolls in its panel instead of widening the page.
        style_table={"overflowX": "auto"},
        style_as_list_view=True,
        style_header={"fontWeight": "600", "backgroundColor": "#f4f5f7"},
        style_cell={"fontFamily": FONT_STACK, "fontSize": "14px", "padding": "6px 10px", "textAlign": "left"},
        style_data_conditional=[
            {
                "if": {"filter_query": f'{{family}} = "{label(family)}"', "column_id": "family"},
                # A swatch, not coloured text: the families' chart colours are too light for
                # text on white (WCAG AA wants 4.5:1; MLOps' orange has 2.3:1).
                "borderLeft": f"6px solid {colour}",
            }
            for family, colour in FAMILY_COLOURS.items()
        ],
    )
