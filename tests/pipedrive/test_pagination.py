import pytest

from pipedrive_etl.pipedrive.pagination import Page, PaginationError, iter_cursor_pages, iter_offset_pages


def _cursor_pages(pages: dict):
    calls: list = []

    def fetch(cursor):
        calls.append(cursor)
        items, next_cursor = pages[cursor]
        return Page(items=items, raw=items, next_cursor=next_cursor)

    return fetch, calls


def test_cursor_pages_are_followed_until_next_cursor_is_null():
    fetch, calls = _cursor_pages({None: ([1, 2], "a"), "a": ([3], "b"), "b": ([4], None)})
    assert [page.items for page in iter_cursor_pages(fetch)] == [[1, 2], [3], [4]]
    assert calls == [None, "a", "b"]


def test_an_empty_page_with_a_cursor_does_not_end_the_list():
    fetch, _ = _cursor_pages({None: ([], "a"), "a": ([1], None)})
    assert [page.items for page in iter_cursor_pages(fetch)] == [[], [1]]


def test_cursor_pagination_resumes_from_a_given_cursor():
    fetch, calls = _cursor_pages({"b": ([4], None)})
    assert [page.items for page in iter_cursor_pages(fetch, cursor="b")] == [[4]]
    assert calls == ["b"]


def test_a_repeated_cursor_raises_instead_of_looping_forever():
    fetch, _ = _cursor_pages({None: ([1], "a"), "a": ([2], "a")})
    with pytest.raises(PaginationError, match="repeated"):
        list(iter_cursor_pages(fetch))


def _offset_page(items, start, more, next_start=None):
    pagination = {"start": start, "limit": 2, "more_items_in_collection": more}
    if next_start is not None:
        pagination["next_start"] = next_start
    return Page(items=items, raw=items, next_start=next_start, additional_data={"pagination": pagination})


def test_offset_pages_follow_next_start_while_more_items_remain():
    pages = {0: _offset_page([1, 2], 0, True, 2), 2: _offset_page([3, 4], 2, True, 4),
             4: _offset_page([5], 4, False)}
    starts: list[int] = []

    def fetch(start):
        starts.append(start)
        return pages[start]

    assert [page.items for page in iter_offset_pages(fetch)] == [[1, 2], [3, 4], [5]]
    assert starts == [0, 2, 4]


def test_offset_pagination_stops_on_more_items_false_even_when_next_start_is_set():
    # The published v1 persons example has more_items_in_collection false with next_start 100.
    starts: list[int] = []

    def fetch(start):
        starts.append(start)
        return _offset_page([1], start, False, 100)

    assert len(list(iter_offset_pages(fetch))) == 1
    assert starts == [0]
