"""The walk down the place tree behind every person's scope: one query, the nearest root,
and an end even where bad data made a place its own ancestor."""
from fuxin_pwa.extensions import db
from fuxin_pwa.places.services import scope_place_ids
from fuxin_pwa.places.tree import ascend, descend


def test_every_place_below_the_roots_is_found_with_the_root_it_lies_under(app, world, count_queries):
    roots = {world.village_a.id, world.community.id}  # read before counting: the world's rows load lazily
    with count_queries() as q:
        owner = descend(roots)
    assert q.count == 1
    assert owner[world.grid_a.id] == world.village_a.id
    assert owner[world.estate.id] == world.community.id  # two levels down
    assert world.village_b.id not in owner and world.grid_b.id not in owner


def test_a_root_below_another_root_is_its_own(app, world):
    owner = descend({world.village_a.id, world.grid_a.id})
    assert owner[world.grid_a.id] == world.grid_a.id


def test_a_cycle_in_bad_data_ends_the_walk(app, world):
    world.village_a.parent_id = world.grid_a.id  # 东村 under its own grid
    db.session.commit()
    assert set(descend({world.village_a.id})) == {world.village_a.id, world.grid_a.id}
    assert scope_place_ids(world.liaison) == {world.village_a.id, world.grid_a.id}


def test_no_roots_no_query(app, world, count_queries):
    with count_queries() as q:
        assert descend(set()) == {}
    assert q.count == 0


def test_every_place_above_is_found_in_one_query(app, world, count_queries):
    """A grid worker's community centre lies above her grid: the service days reach it."""
    grids, above = [world.grid_a.id, world.grid_c.id], {world.village_a.id, world.community.id, world.subdistrict.id}
    with count_queries() as q:
        found = ascend(grids)
    assert found == above and q.count == 1
    assert ascend([world.subdistrict.id]) == set() and ascend([]) == set()
