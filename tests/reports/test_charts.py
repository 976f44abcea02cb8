"""The report's SVG bar charts: well-formed, accessible, escaped, and bars as tall as their numbers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from move_events.reports.charts import Series, grouped_bar_chart, nice_ticks, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"
COUNTRIES = ["Morocco", "Brazil"]
EVENTS = [Series("Preparatory events", (5, 5)), Series("C2C events", (3, 2)), Series("B2B events", (2, 1))]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def bars(root: ET.Element) -> dict[str, float]:
    """Each bar's tooltip → its height."""
    return {rect.find(f"{SVG}title").text: float(rect.get("height")) for rect in root.iter(f"{SVG}rect")
            if rect.find(f"{SVG}title") is not None}  # fmt: skip


@pytest.mark.parametrize(
    ("highest", "ticks"),
    [(0, [0, 1]), (1, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (38, [0, 10, 20, 30, 40]),
     (89, [0, 20, 40, 60, 80, 100]), (100_000, [0, 20_000, 40_000, 60_000, 80_000, 100_000])],
)  # fmt: skip
def test_nice_ticks_cover_the_highest_value_in_round_steps(highest, ticks):
    assert nice_ticks(highest) == ticks


def test_grouped_bar_chart_is_an_accessible_image():
    root = parse(grouped_bar_chart(chart_id="events", title="Events per country", categories=COUNTRIES,
                                   series=EVENTS))  # fmt: skip
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "events-title events-desc"
    assert root.find(f"{SVG}title").get("id") == "events-title"
    assert root.find(f"{SVG}title").text == "Events per country"
    description = root.find(f"{SVG}desc").text
    assert description == (
        "Morocco: Preparatory events 5, C2C events 3, B2B events 2; "
        "Brazil: Preparatory events 5, C2C events 2, B2B events 1"
    )


def test_grouped_bar_chart_bars_are_proportional_to_values():
    heights = bars(parse(grouped_bar_chart(chart_id="c", title="t", categories=COUNTRIES, series=EVENTS)))
    assert len(heights) == 6
    assert heights["Morocco – Preparatory events: 5"] == pytest.approx(
        2.5 * heights["Morocco – B2B events: 2"]
    )
    assert heights["Brazil – B2B events: 1"] == pytest.approx(heights["Morocco – B2B events: 2"] / 2)


def test_stacked_bar_chart_piles_series_and_writes_the_total():
    series = [Series("EU clusters", (7, 3)), Series("EU SMEs", (38, 15))]
    root = parse(stacked_bar_chart(chart_id="s", title="Stakeholders", categories=COUNTRIES, series=series))
    rects = {
        r.find(f"{SVG}title").text: r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None
    }
    lower, upper = rects["Morocco – EU clusters: 7"], rects["Morocco – EU SMEs: 38"]
    assert lower.get("x") == upper.get("x")  # one bar, piled up
    assert float(upper.get("y")) + float(upper.get("height")) == pytest.approx(float(lower.get("y")), abs=0.2)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "45" in texts and "18" in texts  # the totals on top


def test_chart_escapes_names_from_the_data():
    svg = str(grouped_bar_chart(chart_id="x", title="<b>", categories=['Côte d’Ivoire & "Ghana"'],
                                series=[Series("<script>alert(1)</script>", (1,))]))  # fmt: skip
    root = parse(svg)  # still well-formed XML
    assert "<script>" not in svg
    assert any(t.text == "<script>alert(1)</script>" for t in root.iter(f"{SVG}text"))


def test_chart_with_only_zeros_draws_flat_bars_without_dividing_by_zero():
    root = parse(
        stacked_bar_chart(chart_id="z", title="t", categories=["Morocco"], series=[Series("A", (0,))])
    )
    assert set(bars(root).values()) == {0.0}


@pytest.mark.parametrize(
    "series",
    [[Series("too short", (1,))], [Series("negative", (1, -1))]],
    ids=["length", "negative"],
)
def test_chart_refuses_inconsistent_data(series):
    with pytest.raises(ValueError):
        grouped_bar_chart(chart_id="bad", title="t", categories=COUNTRIES, series=series)


def test_legend_names_every_series_and_long_labels_wrap():
    many = [Series(f"Third-country clusters and intermediary organisations {n}", (1, 2)) for n in range(4)]
    root = parse(stacked_bar_chart(chart_id="l", title="t", categories=COUNTRIES, series=many))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert all(item.name in texts for item in many)
    ys = {float(t.get("y")) for t in root.iter(f"{SVG}text") if t.text.startswith("Third-country")}
    assert len(ys) > 1  # the legend runs over several rows instead of off the image
    assert float(root.get("viewBox").split()[3]) >= max(ys)
