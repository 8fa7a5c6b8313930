import pytest

from mirror.errors import MirrorError
from mirror.landmarks import Landmarks, Layout
from mirror.landmarks.tracker import IdentityTracker, count_identity_swaps
from tests.helpers import skeleton

SIZE = (640, 480)


def _people(*boxes):
    return [skeleton(b, SIZE) for b in boxes]


def test_auto_takes_the_two_most_prominent_people_left_is_A():
    tracker = IdentityTracker(Layout("auto"), SIZE)
    assert tracker.needs_detection()
    small_edge_person = (600, 300, 630, 380)
    right, left = (380, 60, 560, 460), (60, 80, 230, 460)
    tracker.start(_people(right, small_edge_person, left))
    a, b = tracker.regions()
    assert a[0] < 60 and a[2] < 380  # A's region holds the left person, not the right one
    assert b[0] > 230 and b[2] > 560
    assert not tracker.needs_detection()


def test_duplicate_body_is_kept_for_the_closer_identity():
    tracker = IdentityTracker(Layout("auto"), SIZE)
    left, right = (60, 80, 230, 460), (380, 60, 560, 460)
    tracker.start(_people(left, right))
    tracker.update(_people(left, right))
    # B's estimator slips onto A's body (slightly different fit)
    out = tracker.update(_people(left, (64, 84, 232, 458)))
    assert out[0] is not None and out[1] is None
    assert tracker.stats.duplicates_resolved == 1


def test_jump_onto_the_other_persons_place_is_rejected():
    tracker = IdentityTracker(Layout("auto"), SIZE)
    left, right = (60, 80, 230, 460), (380, 60, 560, 460)
    tracker.start(_people(left, right))
    tracker.update(_people(left, right))
    out = tracker.update([None, skeleton(left, SIZE)])  # A lost, B's result sits where A was
    assert out == [None, None]
    assert tracker.stats.jumps_rejected == 1


def test_lost_person_is_searched_for_and_reacquired():
    tracker = IdentityTracker(Layout("auto"), SIZE, search_every=5)
    left, right = (60, 80, 230, 460), (380, 60, 560, 460)
    tracker.start(_people(left, right))
    for _ in range(6):
        tracker.update([skeleton(left, SIZE), None])
    assert tracker.needs_detection()
    moved = (400, 70, 580, 470)
    tracker.start(_people(left, moved))
    assert tracker.pop_reseeded() == {1}
    assert tracker.regions()[1][2] >= 580
    assert tracker.stats.reacquired == 1


def test_a_person_lost_in_their_region_is_taken_from_a_search_of_the_same_frame():
    tracker = IdentityTracker(Layout("auto"), SIZE)
    left, right = (60, 80, 230, 460), (380, 60, 560, 460)
    tracker.start(_people(left, right))
    tracker.pop_seeds(), tracker.pop_reseeded()
    tracker.update(_people(left, right))
    assert tracker.just_lost() == []
    tracker.update([skeleton(left, SIZE), None])  # B's region misses B on this frame
    assert tracker.just_lost() == [1]
    stranger, near = (560, 300, 630, 470), (390, 62, 572, 462)
    # the search sees A, a body far from B's last place, and B a little moved: only B is B's
    found = tracker.rescue([1], _people(left, stranger, near))
    assert list(found) == [1] and found[1].center()[0] == pytest.approx(skeleton(near, SIZE).center()[0])
    assert tracker.pop_reseeded() == {1} and tracker.pop_seeds() == {}
    assert tracker.tracks[1].missed == 0 and tracker.just_lost() == []
    # B lost again at once: no second search so soon (a region that keeps losing B costs one per 5 frames)
    tracker.update([skeleton(left, SIZE), None])
    assert tracker.just_lost() == []
    for _ in range(5):
        tracker.update(_people(left, near))
    tracker.update([skeleton(left, SIZE), None])
    assert tracker.just_lost() == [1]
    # nobody near B's last place (A's body does not count): B stays lost, the next search waits
    assert tracker.rescue([1], _people(left, stranger)) == {}
    assert tracker.tracks[1].missed == 1


def test_a_person_lost_in_a_fixed_region_is_taken_from_a_search_of_that_region():
    tracker = IdentityTracker(Layout("split"), SIZE, search_every=5)
    left, right = (60, 80, 230, 460), (380, 60, 560, 460)
    halves = tracker.regions()
    tracker.update(_people(left, right))
    assert tracker.fixed_regions and tracker.just_lost() == []
    tracker.update([skeleton(left, SIZE), None])  # B's estimator returns nothing on this frame
    assert tracker.just_lost() == [1]
    # the search of B's half sees A's body leaning into the overlap and B: only B is B's
    found = tracker.rescue([1], _people(left, (384, 62, 566, 462)))
    assert list(found) == [1] and found[1].center()[0] > 0.5
    assert tracker.tracks[1].missed == 0 and tracker.pop_reseeded() == set()  # the estimator keeps going
    assert tracker.regions() == halves  # the halves stay the people's regions
    assert tracker.stats.reacquired == 1
    # B gone for good: searched on every miss up to 5 in a row, then every 5th frame
    searched = []
    for frame in range(1, 16):
        tracker.update([skeleton(left, SIZE), None])
        if tracker.just_lost():
            searched.append(frame)
            assert tracker.rescue([1], _people(left)) == {}  # only A there: nothing for B
    assert searched == [1, 2, 3, 4, 5, 10, 15]
    assert tracker.tracks[1].missed == 15


def test_split_and_regions_layouts_are_fixed():
    split = IdentityTracker(Layout("split"), SIZE)
    a, b = split.regions()
    assert a[0] == 0 and a[2] > 320 and b[0] < 320 and b[2] == 640
    assert not split.needs_detection()
    regions = IdentityTracker(Layout.parse("auto", "0,0,0.4,1;0.6,0.1,1,1"), SIZE)
    assert regions.regions() == [(0, 0, 256, 480), (384, 48, 640, 480)]


@pytest.mark.parametrize(
    "mode, regions, message",
    [
        ("diagonal", None, "choose one of: auto, split, regions"),
        ("regions", None, "needs two boxes"),
        ("auto", "0,0,1", "four numbers"),
        ("auto", "a,b,c,d;0,0,1,1", "cannot read regions"),
        ("auto", "0.5,0,0.4,1;0,0,1,1", "0 <= x0 < x1 <= 1"),
        ("auto", "0,0,1,1;0,0,1,1", "share 100 % of the smaller one"),
        ("auto", "0,0,0.6,1;0.2,0,1,1", "give each person their own box"),
    ],
)
def test_layout_errors_list_the_options(mode, regions, message):
    with pytest.raises(MirrorError, match=message):
        Layout.parse(mode, regions)


def test_count_identity_swaps():
    a, b = skeleton((60, 80, 230, 460), SIZE), skeleton((380, 60, 560, 460), SIZE)
    steady = Landmarks.from_frames([0, 1, 2], [0, 1, 2], [(a, b), (a, None), (a, b)], SIZE)
    assert count_identity_swaps(steady) == 0
    swapped = Landmarks.from_frames([0, 1, 2], [0, 1, 2], [(a, b), (b, a), (b, a)], SIZE)
    assert count_identity_swaps(swapped) == 1
