"""One way to say where a CSV problem is (schoolplan.csvfiles.Place): the file's line, as a text
editor counts it, and the row of data, as people count them."""

from schoolplan.csvfiles import HEADER_PLACE, Place, data_rows, read_rows


def test_a_place_names_the_line_and_the_data_row():
    place = Place(line=8, number=7, noun="responses")
    assert str(place) == "Line 8 of the file (row 7 of responses)"
    assert place.ref == "line 8 (row 7 of responses)"
    assert HEADER_PLACE == "Line 1 of the file (the header)"


def test_blank_lines_are_not_rows_and_a_quoted_cell_over_lines_keeps_the_line_count():
    rows = read_rows(b'q,a\n\nx,"one\ntwo"\ny,b\n', max_bytes=1000)
    places = [place for place, _ in data_rows(rows, "answers")]
    assert [(p.line, p.number) for p in places] == [(3, 1), (5, 2)]


def test_a_byte_order_mark_does_not_move_the_lines():
    rows = read_rows("\ufeffq\nx\n".encode(), max_bytes=1000)
    assert data_rows(rows)[0][0] == Place(2, 1, "data")
